/**
 * Facts about the organization's policies (policy as code) that every layer shares, defined once:
 * the built-in policies' ids (the AWS Config side uses the same), the validation plugin's name
 * (which namespaces acknowledgments), and the defaults.
 */

/** The built-in policies' ids, fixed: acknowledgments, `PolicySet.disable` and AWS Config rules name them. */
export const BUILT_IN_POLICY_IDS = {
  /** Every AWS::EC2::Instance is placed in a VPC subnet. */
  ec2InstanceInVpc: 'EC2_INSTANCE_IN_VPC',
  /** Every AWS::S3::Bucket declares its encryption (SSE-KMS only with the KMS option). */
  s3BucketEncrypted: 'S3_BUCKET_ENCRYPTED',
  /** Every AWS::Lambda::Function has a timeout below the maximum. */
  lambdaTimeoutMaximum: 'LAMBDA_TIMEOUT_MAXIMUM',
} as const;

/** The name of the validation plugin that runs the policies at synth; acknowledgments are `<name>::<POLICY_ID>`. */
export const POLICY_PLUGIN_NAME = 'devsecops-policies';

/** The acknowledgment id of a policy, as `Validations.of(scope).acknowledge({ id, reason })` takes it. */
export function policyAcknowledgmentId(policyId: string): string {
  return `${POLICY_PLUGIN_NAME}::${policyId}`;
}

/** The default maximum Lambda timeout, exclusive: a function's timeout must be below it. */
export const DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** S3 server-side encryption algorithms that use AWS KMS keys (the KMS-only option accepts these). */
export const S3_KMS_ALGORITHMS: readonly string[] = ['aws:kms', 'aws:kms:dsse'];

/** A policy id: upper case letters, digits and underscores, starting with a letter (like the AWS Config rule names). */
export const POLICY_ID_PATTERN = /^[A-Z][A-Z0-9_]{1,127}$/;

/**
 * Metadata type, on each deployed stack, of the acknowledgments made above the stack (on its
 * Stage or the App): CDK records those on constructs outside every stack, so they would not be
 * in the cloud assembly. The policy gate reads them with those in the stack's own metadata.
 */
export const INHERITED_ACKNOWLEDGMENTS_METADATA = 'cdk-devsecops-pipeline:inherited-acknowledgments';

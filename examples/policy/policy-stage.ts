import { Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of the policy example's Stage. */
export interface PolicyStageProps extends StageProps {
  /** Build the compliant version of each resource. */
  readonly fixed: boolean;
}

/**
 * An application Stage that breaks each built-in policy once (or, `fixed`, complies with all three):
 * - EC2_INSTANCE_IN_VPC: an instance with no subnet (EC2-Classic style) / in a subnet;
 * - S3_BUCKET_ENCRYPTED: a bucket with no encryption settings / SSE-S3;
 * - LAMBDA_TIMEOUT_MAXIMUM: a function with a 900 s timeout / 60 s.
 */
export class PolicyStage extends Stage {
  constructor(scope: Construct, id: string, props: PolicyStageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'App');
    new ec2.CfnInstance(stack, 'Server', {
      imageId: 'ami-0123456789abcdef0',
      instanceType: 't3.micro',
      subnetId: props.fixed ? 'subnet-0123456789abcdef0' : undefined,
    });
    new s3.Bucket(stack, 'Uploads', {
      encryption: props.fixed ? s3.BucketEncryption.S3_MANAGED : undefined,
      enforceSSL: true,
    });
    new lambda.Function(stack, 'Export', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
      timeout: props.fixed ? Duration.seconds(60) : Duration.seconds(900),
    });
  }
}

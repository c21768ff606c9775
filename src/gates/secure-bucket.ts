import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of a bucket made by `secureBucket`. */
export interface SecureBucketProps {
  /** SSE-KMS with this key (bucket key on); without one, SSE-S3, which only access-log targets should use. */
  readonly encryptionKey?: kms.IKey;
  /** Where the bucket's server access logs go. */
  readonly accessLogs?: { readonly bucket: s3.IBucket; readonly prefix: string };
  readonly removalPolicy: RemovalPolicy;
  /** When objects expire. @default - never */
  readonly expiration?: Duration;
  /** When old versions expire. @default - never */
  readonly noncurrentVersionExpiration?: Duration;
  /** Object Lock (governance) retention. @default - no Object Lock */
  readonly objectLockRetention?: s3.ObjectLockRetention;
}

/**
 * The one definition of a hardened bucket in this library: SSL-only with TLS 1.2 or later, all public
 * access blocked, ACLs off, versioned, incomplete uploads cleaned up, encrypted, optionally access-logged.
 */
export function secureBucket(scope: Construct, id: string, props: SecureBucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: props.encryptionKey ? true : undefined,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: props.removalPolicy,
    serverAccessLogsBucket: props.accessLogs?.bucket,
    serverAccessLogsPrefix: props.accessLogs?.prefix,
    objectLockEnabled: props.objectLockRetention ? true : undefined,
    objectLockDefaultRetention: props.objectLockRetention,
    lifecycleRules: [{
      expiration: props.expiration,
      noncurrentVersionExpiration: props.noncurrentVersionExpiration,
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
  });
}

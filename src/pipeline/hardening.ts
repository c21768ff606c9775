import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { secureBucket } from '../gates/secure-bucket';

/** What the hardened storage of a pipeline is made of. */
export interface PipelineStorageProps {
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  readonly serverAccessLogs: boolean;
  readonly artifactExpiration: Duration;
}

/**
 * The pipeline's key, buckets and log group: one customer-managed key with rotation encrypts
 * artifacts and build logs; the artifact bucket is SSE-KMS, SSL-only, private, versioned,
 * expires old artifacts and logs its access to a dedicated log bucket.
 */
export class PipelineStorage extends Construct {
  public readonly key: kms.Key;
  public readonly artifactBucket: s3.Bucket;
  public readonly accessLogsBucket?: s3.Bucket;
  public readonly buildLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineStorageProps) {
    super(scope, id);

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the artifacts and build logs of pipeline ${scope.node.path}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });

    if (props.serverAccessLogs) {
      // S3 server access logging delivers only to SSE-S3 buckets (SSE-KMS targets are not supported).
      this.accessLogsBucket = secureBucket(this, 'AccessLogsBucket', {
        removalPolicy: props.removalPolicy,
        expiration: Duration.days(retentionDaysOrDefault(props.logRetention, 3653)),
        noncurrentVersionExpiration: Duration.days(30),
      });
    }

    this.artifactBucket = secureBucket(this, 'ArtifactsBucket', {
      encryptionKey: this.key,
      accessLogs: this.accessLogsBucket ? { bucket: this.accessLogsBucket, prefix: 'artifacts/' } : undefined,
      removalPolicy: props.removalPolicy,
      expiration: props.artifactExpiration,
      noncurrentVersionExpiration: Duration.days(30),
    });

    // A fixed name lets the key policy name this one log group, without a dependency cycle
    // (the log group depends on the key).
    const stack = Stack.of(this);
    const logGroupName = `/aws/codebuild/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`;
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForBuildLogs',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources: ['*'], // in a key policy, '*' means this key
      conditions: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        },
      },
    }));
    this.buildLogGroup = new logs.LogGroup(this, 'BuildLogs', {
      logGroupName,
      encryptionKey: this.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
  }
}

function retentionDaysOrDefault(retention: logs.RetentionDays, fallback: number): number {
  return retention === logs.RetentionDays.INFINITE ? fallback : retention;
}

/**
 * Encrypts every CodeBuild project under `scope` (build outputs, caches, logs exported by CodeBuild)
 * with the pipeline's key. CDK Pipelines does not expose a project key, so it is set on the
 * generated projects once the pipeline is built.
 */
export function encryptBuildProjects(scope: Construct, key: kms.IKey): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof codebuild.Project) {
      const cfn = c.node.defaultChild as codebuild.CfnProject;
      cfn.encryptionKey = key.keyArn;
      if (c.role) key.grantEncryptDecrypt(c.role);
    }
  }
}

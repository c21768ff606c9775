import { Duration, RemovalPolicy, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The application the quickstart pipeline deploys: an S3 bucket and a Lambda function,
 * both secure by their own settings (no acknowledgments needed under AwsSolutions).
 */
export class AppStage extends Stage {
  constructor(scope: Construct, id: string, props?: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'App');
    const key = new kms.Key(stack, 'DataKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
    });
    const data = new s3.Bucket(stack, 'Data', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
    });
    const logGroup = new logs.LogGroup(stack, 'HandlerLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key });
    // A role of its own, with exactly what the function needs: no managed policies, no wildcards.
    const role = new iam.Role(stack, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [data.arnForObjects('config/app.json')] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
      timeout: Duration.seconds(10),
      environment: { BUCKET_NAME: data.bucketName },
      role,
      logGroup,
    });
  }
}

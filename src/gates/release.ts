import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Key prefix, in the release reports bucket, of each pipeline execution's gate results:
 * `releases/<pipeline execution id>/<gate>/` (gate-result.json, summary.md, findings.sarif,
 * junit.xml, asff.json) and the release summary `releases/<pipeline execution id>/summary.md`.
 */
export const RELEASES_PREFIX = 'releases';
/** The release summary's object name under the execution's prefix. */
export const RELEASE_SUMMARY = 'summary.md';
/** The CodePipeline variable CodePipeline resolves to the running execution's id (action env, approval configuration). */
export const EXECUTION_ID_VARIABLE = '#{codepipeline.PipelineExecutionId}';
/** The env var the gate builds and the release summary read the execution id from. */
export const EXECUTION_ID_ENV = 'PIPELINE_EXECUTION_ID';

/** Where the gates' builds tell what they found (blocked gates, suppressions close to expiry). */
export interface GateNotifications {
  readonly topic: sns.ITopic;
  /** The topic's key, when it has one: the gates' builds encrypt with it to publish. */
  readonly key?: kms.IKey;
}

/**
 * An S3 console address of a key (or a prefix, ending in `/`) of the release reports bucket.
 * `executionId` is a CodePipeline variable, an EventBridge field or a shell variable.
 * A console address, not a presigned URL: presigned URLs expire (at the latest when the signing
 * build's session does, about an hour), and an approval may wait for days. Opening it needs the
 * approver's own s3:GetObject on the object and kms:Decrypt on the pipeline key.
 */
export function releaseConsoleUrl(bucket: s3.IBucket, executionId: string, key: string = ''): string {
  const region = Stack.of(bucket).region;
  const what = key === '' || key.endsWith('/') ? 'buckets' : 'object';
  return `https://console.aws.amazon.com/s3/${what}/${bucket.bucketName}?region=${region}&prefix=${RELEASES_PREFIX}/${executionId}/${key}`;
}

/**
 * post_build lines of a gate's build: each judged gate's results go under
 * `releases/<execution id>/<gate>/`, whether it passed or blocked (a gate without a result
 * uploads nothing, and the release summary then fails closed); with notifications, the gate
 * publishes what a person must act on (a blocked gate's count, suppressions expiring soon).
 */
export function releaseUploadLines(
  bucket: s3.IBucket,
  dirs: ReadonlyArray<{ readonly gate: string; readonly dir: string }>,
  paths: { readonly cli: string; readonly notice: string },
  notifications?: GateNotifications,
): string[] {
  const id = `\${${EXECUTION_ID_ENV}}`;
  const lines = [
    `: "\${${EXECUTION_ID_ENV}:?no pipeline execution id to file the gate results under}"`,
    ...dirs.map(({ gate, dir }) =>
      `if [ -f ${dir}/gate-result.json ]; then aws s3 cp --only-show-errors --recursive ${dir} "s3://${bucket.bucketName}/${RELEASES_PREFIX}/${id}/${gate}/"; fi`),
  ];
  if (notifications) {
    const notice = paths.notice;
    const link = `https://console.aws.amazon.com/s3/buckets/${bucket.bucketName}?region=\${AWS_REGION}&prefix=${RELEASES_PREFIX}/${id}/`;
    lines.push(
      `node ${paths.cli} notice ${dirs.map(({ dir }) => `--in ${dir}`).join(' ')} --out ${notice} --link "${link}"`,
      `if [ -s ${notice} ]; then aws sns publish --topic-arn "${notifications.topic.topicArn}" --subject "Security gates: execution ${id}" --message "file://${notice}" > /dev/null; fi`,
    );
  }
  return lines;
}

/** The statements a gate's build needs for `releaseUploadLines`: its own gates' prefixes, the topic. */
export function releaseUploadStatements(bucket: s3.IBucket, gates: readonly string[], notifications?: GateNotifications): iam.PolicyStatement[] {
  return [
    // Each gate writes only its own directory of any execution: no gate can overwrite another's result.
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: gates.map((g) => bucket.arnForObjects(`${RELEASES_PREFIX}/*/${g}/*`)) }),
    ...(notifications ? notificationStatements(notifications) : []),
  ];
}

function notificationStatements(n: GateNotifications): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [n.topic.topicArn] }),
    ...(n.key ? [new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [n.key.keyArn] })] : []),
  ];
}


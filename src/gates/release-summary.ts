import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { EXECUTION_ID_ENV, EXECUTION_ID_VARIABLE, RELEASE_SUMMARY, RELEASES_PREFIX } from './release';
import { CLI_DIR, FindingsCliAsset, WORK_DIR } from './step';
import { shellQuote } from '../scanners/steps';

/** What the release summary step needs. */
export interface ReleaseSummaryProps {
  /** Step id (action name), e.g. `ReleaseSummary`. */
  readonly id: string;
  /** Any input: the step reads nothing from it (CodeBuild needs one). */
  readonly input: pipelines.IFileSetProducer;
  readonly bucket: s3.IBucket;
  readonly cli: FindingsCliAsset;
  /** Every gate that has run before the approval, by its gate name: one missing fails the step. */
  readonly gates: readonly string[];
  /** What is approved (a Stage or wave name), for the summary's heading. */
  readonly what: string;
}

/**
 * The CodeBuild step before a protected Stage's approval: it reads every gate's result of this
 * execution, writes the release summary (`devsecops-findings summary`) to
 * `releases/<execution id>/summary.md` and fails closed when a gate's result is missing, broken
 * or failed.
 */
export function releaseSummaryStep(props: ReleaseSummaryProps): pipelines.CodeBuildStep {
  const id = `\${${EXECUTION_ID_ENV}}`;
  const dir = `${WORK_DIR}/release`;
  const out = `${WORK_DIR}/${RELEASE_SUMMARY}`;
  const base = `s3://${props.bucket.bucketName}/${RELEASES_PREFIX}/${id}`;
  return new pipelines.CodeBuildStep(props.id, {
    input: props.input,
    installCommands: props.cli.installCommands(),
    commands: [
      `: "\${${EXECUTION_ID_ENV}:?no pipeline execution id}"`,
      `mkdir -p ${dir}`,
      // Only the gate results: they are what summary reads.
      `aws s3 cp --only-show-errors --recursive "${base}/" ${dir}/ --exclude "*" --include "*/gate-result.json"`,
      `node ${CLI_DIR}/cli.js summary ${props.gates.map((g) => `--in ${shellQuote(`${dir}/${g}`)}`).join(' ')} --out ${out} --title ${shellQuote(`Release summary before ${props.what}`)}" (execution ${id})"`,
      `aws s3 cp --only-show-errors --content-type "text/markdown; charset=utf-8" ${out} "${base}/${RELEASE_SUMMARY}"`,
      `cat ${out}`,
    ],
    env: { [EXECUTION_ID_ENV]: EXECUTION_ID_VARIABLE },
    buildEnvironment: { privileged: false },
    rolePolicyStatements: [
      props.cli.readStatement(),
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RELEASES_PREFIX}/*`] } },
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${RELEASES_PREFIX}/*/gate-result.json`)] }),
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects(`${RELEASES_PREFIX}/*/${RELEASE_SUMMARY}`)] }),
    ],
  });
}

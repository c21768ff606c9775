import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { EXECUTION_ID_ENV, EXECUTION_ID_VARIABLE, RELEASE_SUMMARY, RELEASES_PREFIX } from './release';
import { CLI_DIR, FindingsCliAsset, WORK_DIR } from './step';

/** Action env var: the gates (by gate name, space-separated) the summary must find a result of. */
export const RELEASE_GATES_ENV = 'RELEASE_GATES';
/** Action env var: what is approved (a Stage or wave name), for the summary's heading. */
export const RELEASE_WHAT_ENV = 'RELEASE_WHAT';

/** What the release summary's CodeBuild project needs. */
export interface ReleaseSummaryProjectProps {
  readonly bucket: s3.IBucket;
  readonly cli: FindingsCliAsset;
  readonly buildImage: codebuild.IBuildImage;
  readonly computeType: codebuild.ComputeType;
  readonly timeout: Duration;
  readonly logGroup: logs.ILogGroup;
}

/**
 * The one CodeBuild project of every release summary of the pipeline: each protected Stage adds
 * an action of it, with its own gate list. One project, so a commit that adds a protected Stage
 * adds an action, not a project with new permissions (nor new acknowledgments in the posture).
 *
 * It reads every listed gate's result of this execution, writes the release summary
 * (`devsecops-findings summary`) to `releases/<execution id>/summary.md`, and fails closed when a
 * gate's result is missing, broken or failed.
 */
export function releaseSummaryProject(scope: Construct, id: string, props: ReleaseSummaryProjectProps): codebuild.PipelineProject {
  const found = scope.node.tryFindChild(id);
  if (found instanceof codebuild.PipelineProject) return found;
  const exec = `\${${EXECUTION_ID_ENV}}`;
  const dir = `${WORK_DIR}/release`;
  const out = `${WORK_DIR}/${RELEASE_SUMMARY}`;
  const base = `s3://${props.bucket.bucketName}/${RELEASES_PREFIX}/${exec}`;
  const project = new codebuild.PipelineProject(scope, id, {
    description: 'Release summary before a protected Stage: every gate result of the execution, in one Markdown summary for the approver',
    environment: { buildImage: props.buildImage, computeType: props.computeType, privileged: false },
    timeout: props.timeout,
    logging: { cloudWatch: { logGroup: props.logGroup } },
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      env: { shell: 'bash' },
      phases: {
        install: { 'runtime-versions': { nodejs: 20 }, 'commands': props.cli.installCommands() },
        build: {
          commands: [
            `: "\${${EXECUTION_ID_ENV}:?no pipeline execution id}" "\${${RELEASE_GATES_ENV}:?no gates to summarize}"`,
            `mkdir -p ${dir}`,
            // Gate names as the pipeline validated them; checked again, since they reach a command line.
            `read -ra gates <<< "$${RELEASE_GATES_ENV}" && ins=() && for g in "\${gates[@]}"; do [[ "$g" =~ ^[a-z0-9][a-z0-9._-]{0,63}$ ]] || { echo "not a gate name: $g" >&2; exit 2; }; ins+=(--in "${dir}/$g"); done`,
            // Only the gate results: they are what summary reads.
            `aws s3 cp --only-show-errors --recursive "${base}/" ${dir}/ --exclude "*" --include "*/gate-result.json"`,
            `node ${CLI_DIR}/cli.js summary "\${ins[@]}" --out ${out} --title "Release summary before $${RELEASE_WHAT_ENV} (execution ${exec})"`,
            `aws s3 cp --only-show-errors --content-type "text/markdown; charset=utf-8" ${out} "${base}/${RELEASE_SUMMARY}"`,
            `cat ${out}`,
          ],
        },
      },
    }),
  });
  for (const statement of [
    props.cli.readStatement(),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [props.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${RELEASES_PREFIX}/*`] } },
    }),
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${RELEASES_PREFIX}/*/gate-result.json`)] }),
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects(`${RELEASES_PREFIX}/*/${RELEASE_SUMMARY}`)] }),
  ]) project.addToRolePolicy(statement);
  return project;
}

/**
 * The release summary's action before an approval: the shared project, with this Stage's gates.
 * Its input is only there because CodeBuild actions need one; nothing reads it.
 */
export class ReleaseSummaryStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  constructor(
    id: string,
    private readonly project: codebuild.IProject,
    private readonly input: pipelines.FileSet,
    private readonly gates: readonly string[],
    private readonly what: string,
  ) {
    super(id);
    this.addDependencyFileSet(input);
  }

  public produceAction(stage: codepipeline.IStage, options: pipelines.ProduceActionOptions): pipelines.CodePipelineActionFactoryResult {
    stage.addAction(new cpactions.CodeBuildAction({
      actionName: options.actionName,
      runOrder: options.runOrder,
      project: this.project,
      input: options.artifacts.toCodePipeline(this.input),
      environmentVariables: {
        [EXECUTION_ID_ENV]: { value: EXECUTION_ID_VARIABLE },
        [RELEASE_GATES_ENV]: { value: this.gates.join(' ') },
        [RELEASE_WHAT_ENV]: { value: this.what },
      },
    }));
    return { runOrdersConsumed: 1 };
  }
}

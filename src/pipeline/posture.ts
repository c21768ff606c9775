import { Lazy } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { StepOutput } from 'aws-cdk-lib/pipelines/lib/helpers-internal';
import { IConstruct } from 'constructs';
import { ACKNOWLEDGED_RULES_METADATA, ackKey, GatePosture, Posture, StagePosture } from '../findings/posture';
import { POSTURE_OUTPUTS } from '../findings/posture-cli';
import { CLI_DIR, FindingsCliAsset, WORK_DIR } from '../gates/step';
import { GATES_STAGE } from '../model/gates';
import { shellQuote } from '../scanners/steps';

/** Name of the stage that waits for a person when a commit weakens the pipeline (skipped otherwise). */
export const WEAKENING_APPROVAL_STAGE = 'PipelineSecurityChange';
/** Id of the weakening check step (an action in the SecurityGates stage). */
export const WEAKENING_CHECK_ID = 'PostureCheck';
const OUT_DIR = 'devsecops-posture';

/** What the pipeline knows about its own posture while it is built: read when the check's build spec is rendered. */
export interface PostureSource {
  readonly pipeline: IConstruct;
  readonly gates: () => Readonly<Record<string, GatePosture>>;
  readonly stages: () => Readonly<Record<string, StagePosture>>;
  readonly nagPacks: () => readonly string[];
  /** The policies the policy gate enforces, as `ID=DIGEST`. */
  readonly policies: () => readonly string[];
}

/** The posture of the pipeline as this definition builds it (acknowledgments included, so read it at synthesis). */
export function currentPosture(source: PostureSource): Posture {
  const acknowledgments = new Set<string>();
  for (const c of source.pipeline.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== ACKNOWLEDGED_RULES_METADATA || typeof m.data !== 'object' || m.data === null) continue;
      for (const ruleId of Object.keys(m.data)) acknowledgments.add(ackKey(c.node.path, ruleId));
    }
  }
  return {
    pipelinePath: source.pipeline.node.path,
    gates: source.gates(),
    stages: source.stages(),
    nagPacks: [...source.nagPacks()],
    acknowledgments: [...acknowledgments].sort(),
    policies: [...source.policies()].sort(),
  };
}

/**
 * The weakening check: a CodeBuild step beside the gates that compares the posture of the
 * definition that built it (written into its own build spec) with the commit's cloud assembly,
 * and exports WEAKENED and WEAKENINGS for the approval stage. No repository code runs in it.
 */
export function weakeningCheck(source: PostureSource, synth: pipelines.IFileSetProducer, cli: FindingsCliAsset): WeakeningCheck {
  const before = `${WORK_DIR}/posture-before.json`;
  // Rendered at synthesis, when every acknowledgment on the pipeline is made; quoted as one shell word.
  const postureJson = Lazy.uncachedString({ produce: () => shellQuote(JSON.stringify(currentPosture(source))) });
  const step = new pipelines.CodeBuildStep(WEAKENING_CHECK_ID, {
    input: synth,
    installCommands: cli.installCommands(),
    commands: [
      `printf '%s' ${postureJson} > ${before}`,
      `node ${CLI_DIR}/cli.js posture --before ${before} --assembly . --out ${OUT_DIR}`,
      `WEAKENED="$(cat ${OUT_DIR}/${POSTURE_OUTPUTS.weakened})" && export WEAKENED`,
      `WEAKENINGS="$(cat ${OUT_DIR}/${POSTURE_OUTPUTS.line})" && export WEAKENINGS`,
    ],
    primaryOutputDirectory: OUT_DIR,
    buildEnvironment: { privileged: false },
    rolePolicyStatements: [cli.readStatement()],
  });
  // Asked for now: CDK Pipelines takes exported variables only before the pipeline is built.
  const check = { step, weakened: step.exportedVariable('WEAKENED'), weakenings: step.exportedVariable('WEAKENINGS') };
  // Their reader is a plain CodePipeline stage, not a step: record the step as their producer, as a
  // consuming step would, so CDK Pipelines gives its action a variables namespace.
  StepOutput.recordProducer(...StepOutput.findAll([check.weakened, check.weakenings]));
  return check;
}

/** The check step and the variables it exports (`#{namespace.NAME}` references). */
export interface WeakeningCheck {
  readonly step: pipelines.CodeBuildStep;
  readonly weakened: string;
  readonly weakenings: string;
}

/**
 * Puts the gates right after Build, before self-mutation and asset publishing, and the weakening
 * approval right after them. Call once the pipeline is built.
 *
 * CDK Pipelines always places UpdatePipeline and the asset stages before any wave, and offers no
 * public way to run steps before them; its stages are kept in the CodePipeline construct's private
 * `_stages` list, which is moved here. A test checks the synthesized order, so a change in CDK's
 * internals fails loudly rather than silently running the gates late.
 */
export function placeGatesFirst(pipeline: codepipeline.Pipeline, check: WeakeningCheck | undefined): void {
  const stages = (pipeline as unknown as { _stages?: StageList })._stages;
  if (!stages || typeof stages.findIndex !== 'function' || typeof stages.splice !== 'function') {
    throw new Error('cdk-devsecops-pipeline: this aws-cdk-lib keeps CodePipeline stages differently; the security gates cannot be placed before self-mutation');
  }
  const from = stages.findIndex((s) => s.stageName === GATES_STAGE);
  if (from < 0) throw new Error(`cdk-devsecops-pipeline: no ${GATES_STAGE} stage to place before self-mutation`);
  const [gates] = stages.splice(from, 1);
  const build = stages.findIndex((s) => s.stageName === 'Build');
  if (build < 0) throw new Error('cdk-devsecops-pipeline: no Build stage to place the security gates after');
  stages.splice(build + 1, 0, gates);

  if (!check) return;
  pipeline.addStage({
    stageName: WEAKENING_APPROVAL_STAGE,
    placement: { justAfter: pipeline.stage(GATES_STAGE) },
    actions: [new cpactions.ManualApprovalAction({
      actionName: 'ApproveWeakening',
      additionalInformation: `This commit weakens the pipeline's own security: ${check.weakenings}. `
        + `The details are in the ${WEAKENING_CHECK_ID} action's output (${OUT_DIR}/${POSTURE_OUTPUTS.summary}). Approve only a change you meant.`,
    })],
    // Entered only when the check found a weakening: a commit that weakens nothing passes straight on.
    beforeEntry: {
      conditions: [{
        result: codepipeline.Result.SKIP,
        rules: [new codepipeline.Rule({
          name: 'OnlyWhenWeakened',
          provider: 'VariableCheck',
          version: '1',
          configuration: { Variable: check.weakened, Value: 'true', Operator: 'EQ' },
        })],
      }],
    },
  });
}

interface StageList {
  findIndex(predicate: (s: codepipeline.IStage) => boolean): number;
  splice(start: number, deleteCount: number, ...items: codepipeline.IStage[]): codepipeline.IStage[];
}

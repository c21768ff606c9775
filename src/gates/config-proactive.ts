import { CfnResource, Stack, Stage, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { IConstruct } from 'constructs';
import { GateContext } from './context';
import { GateOptions } from './options';
import { ASSEMBLY_DIR, CLI_DIR, expectReport, REPORTS_DIR, WORK_DIR } from './step';
import { PROACTIVE_GATE_PREFIX, PROACTIVE_STEP_PREFIX } from '../findings/proactive-names';
import { shellArg, shellQuote } from '../scanners/steps';

/**
 * The only actions the proactive step calls. None of them supports resource-level permissions
 * (Service Authorization Reference: no resource type for these actions), so they are granted on '*'.
 */
export const PROACTIVE_ACTIONS = [
  'config:StartResourceEvaluation',
  'config:GetResourceEvaluationSummary',
  'config:GetComplianceDetailsByResource',
] as const;

/** The findings engine's format name of the proactive report. */
export const PROACTIVE_FORMAT = 'config-proactive';
/** The AWS CLI/SDK profile the step uses when it assumes a role in the Stage's account. */
export const STAGE_PROFILE = 'devsecops-stage';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** What the step needs about its Stage. */
export interface ProactiveStepProps {
  readonly stage: Stage;
  /** The types the Stage's PROACTIVE rules evaluate. */
  readonly resourceTypes: string[];
  /** A role in the Stage's account the step assumes; same account as the pipeline when absent. */
  readonly roleArn?: string;
  /** How the findings engine judges the results. */
  readonly options?: GateOptions;
}

/** Problems with the role to assume (prop named `prop`). */
export function proactiveRoleProblems(prop: string, roleArn: string | undefined): string[] {
  if (roleArn === undefined || Token.isUnresolved(roleArn)) return [];
  return ROLE_ARN.test(roleArn) ? [] : [`${prop}: '${roleArn}' is not an IAM role ARN: give e.g. 'arn:aws:iam::123456789012:role/ConfigProactiveEvaluation'`];
}

/** The step's id and gate name for a Stage. */
export function proactiveNames(stage: Stage): { id: string; gate: string } {
  const safe = stage.stageName.replace(/[^A-Za-z0-9_-]/g, '-');
  return { id: `${PROACTIVE_STEP_PREFIX}${safe}`, gate: `${PROACTIVE_GATE_PREFIX}.${safe.toLowerCase()}`.slice(0, 64) };
}

/**
 * The CodeBuild step, in a Stage's `pre` (after its approval), that has AWS Config evaluate the
 * Stage's resources proactively and the findings engine judge the results (failOn, SARIF, JUnit,
 * summary). No repository code runs in it: it reads the cloud assembly and the suppressions file.
 */
export function proactiveEvaluationStep(ctx: GateContext, props: ProactiveStepProps): pipelines.CodeBuildStep {
  const { id, gate } = proactiveNames(props.stage);
  const report = `${REPORTS_DIR}/config-proactive.json`;
  const profileFile = `${WORK_DIR}/aws-config`;
  const assume = props.roleArn !== undefined;
  const command = [
    ...(assume ? [`AWS_CONFIG_FILE=${profileFile} AWS_PROFILE=${STAGE_PROFILE} AWS_SDK_LOAD_CONFIG=1`] : []),
    `node ${CLI_DIR}/cli.js proactive --assembly ${ASSEMBLY_DIR}`,
    `--stage-assembly ${shellArg(props.stage.artifactId)}`,
    `--stage ${shellArg(props.stage.stageName)}`,
    ...props.resourceTypes.map((t) => `--resource-type ${shellArg(t)}`),
    ...cdkProviderFunctions(props.stage).map((f) => `--cdk-provider ${shellArg(f)}`),
    `--out ${report}`,
  ].join(' ');
  const scan = [
    // Listed first: if the command fails there is no report, and the build has already failed.
    expectReport(report, PROACTIVE_FORMAT),
    // The build's container credentials assume the Stage account's role (SDK shared config).
    ...(assume ? [`printf '[profile ${STAGE_PROFILE}]\\nrole_arn = %s\\ncredential_source = EcsContainer\\n' ${shellQuote(props.roleArn!)} > ${profileFile}`] : []),
    command,
  ];
  const statements = [
    new iam.PolicyStatement({ actions: [...PROACTIVE_ACTIONS], resources: ['*'] }),
    ...(assume ? [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [props.roleArn!] })] : []),
  ];
  return ctx.buildStep({
    id,
    gate,
    // The source for the suppressions file; the cloud assembly beside it.
    input: ctx.source,
    additionalInputs: { [ASSEMBLY_DIR]: ctx.cloudAssembly },
    install: [],
    scan,
    options: props.options ?? {},
    rolePolicyStatements: statements,
  });
}

/** The Stage's account when it differs, as far as synthesis knows, from the pipeline's. */
export function crossAccount(stage: Stage, pipelineStack: Stack): string | undefined {
  const account = stage.account;
  if (account === undefined || Token.isUnresolved(account) || Token.isUnresolved(pipelineStack.account)) return undefined;
  return account !== pipelineStack.account ? account : undefined;
}

/**
 * CDK's own custom resource provider functions in a Stage (`<stack name>/<logical id>`): their 900 s
 * timeout is CDK's design, so LAMBDA_TIMEOUT_MAXIMUM does not block them. Recognized by the marker
 * CDK puts on its provider constructs (`aws:cdk:is-custom-resource-handler-*`) or by a
 * `custom_resources.Provider` above them.
 */
export function cdkProviderFunctions(stage: Stage): string[] {
  const marked = (c: IConstruct) => c.node.metadata.some((m) => m.type.startsWith('aws:cdk:is-custom-resource-handler-'));
  const out: string[] = [];
  for (const c of stage.node.findAll()) {
    if (!CfnResource.isCfnResource(c) || c.cfnResourceType !== 'AWS::Lambda::Function') continue;
    const scopes = c.node.scopes;
    if (!scopes.some((s) => marked(s) || s instanceof cr.Provider)) continue;
    const stack = Stack.of(c);
    if (Stage.of(stack) !== stage) continue;
    out.push(`${stack.stackName}/${stack.resolve(c.logicalId)}`);
  }
  return out.sort();
}

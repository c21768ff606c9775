import { createHash } from 'crypto';
import { Stack, Stage, Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import { BUILT_IN_POLICY_IDS, BuiltInPolicyId, ConfigRuleDefinition } from './config-definition';
import { ConfigPolicy } from './config-policy';
import { POLICY_ID_METADATA } from '../findings/proactive-names';
import { throwIfProblems } from '../model/problems';

/** Lambda's own maximum timeout: the default maximum is exclusive of it. */
export const DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** Id, in a Stage, of the stack holding the Stage's Config rules. */
export const CONFIG_RULES_STACK_ID = 'DevSecOpsConfigRules';

/**
 * What the Config rules of a Stage are made from. The pipeline builds it from its policies
 * (the built-ins, the ones turned off, their options, and the users' Config policies).
 */
export interface ConfigRulesSpec {
  /** Built-in policy ids turned off (each leaves a warning where it is turned off). */
  readonly disabled: string[];
  /** S3_BUCKET_ENCRYPTED accepts SSE-KMS only (`S3_DEFAULT_ENCRYPTION_KMS`). */
  readonly s3KmsOnly: boolean;
  /** LAMBDA_TIMEOUT_MAXIMUM: a function's timeout must be below this many seconds. */
  readonly lambdaMaxTimeoutSeconds: number;
  /** The users' own Config rules. */
  readonly userRules: ConfigPolicy[];
}

/** The spec with every built-in on, with its defaults, and no user rule. */
export function defaultConfigRulesSpec(userRules: ConfigPolicy[] = []): ConfigRulesSpec {
  return { disabled: [], s3KmsOnly: false, lambdaMaxTimeoutSeconds: DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS, userRules };
}

/**
 * The Guard custom policy of LAMBDA_TIMEOUT_MAXIMUM. AWS Config evaluates it over configuration
 * items (`configuration.timeout`, what Lambda's GetFunctionConfiguration returns); the same text also
 * accepts `configuration.Timeout` should a proactive evaluation present template property names.
 * A function with no timeout has Lambda's default (3 s) and passes.
 */
export function lambdaTimeoutGuard(maxSeconds: number): string {
  return [
    'rule LAMBDA_TIMEOUT_MAXIMUM when resourceType == "AWS::Lambda::Function" {',
    `  configuration.timeout !exists or configuration.timeout < ${maxSeconds}`,
    `  <<LAMBDA_TIMEOUT_MAXIMUM: the function's timeout must be below ${maxSeconds} seconds; set a shorter timeout>>`,
    `  configuration.Timeout !exists or configuration.Timeout < ${maxSeconds}`,
    `  <<LAMBDA_TIMEOUT_MAXIMUM: the function's Timeout must be below ${maxSeconds} seconds; set a shorter timeout>>`,
    '}',
    '',
  ].join('\n');
}

/**
 * The Config rules a spec deploys, built-ins first. Managed built-ins are DETECTIVE only: AWS does
 * not list INSTANCES_IN_VPC, S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED or S3_DEFAULT_ENCRYPTION_KMS
 * among the rules it evaluates proactively as far as this library verified, and a rule put in a mode
 * it does not support fails the deployment. The Guard custom policy is DETECTIVE and PROACTIVE.
 */
export function configRuleDefinitions(spec: ConfigRulesSpec): ConfigRuleDefinition[] {
  const problems: string[] = [];
  const max = spec.lambdaMaxTimeoutSeconds;
  if (!Number.isInteger(max) || max < 2 || max > DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS) {
    problems.push(`lambdaMaxTimeoutSeconds: ${max} is not a whole number of seconds from 2 to ${DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS} (a function's timeout must be below it)`);
  }
  for (const id of spec.disabled) {
    if (!(BUILT_IN_POLICY_IDS as readonly string[]).includes(id)) problems.push(`disabled: '${id}' is not a built-in policy id: use one of ${BUILT_IN_POLICY_IDS.join(', ')}`);
  }
  const userIds = spec.userRules.map((r) => r.id);
  for (const id of new Set(userIds.filter((u, i) => userIds.indexOf(u) !== i))) problems.push(`Config policies: two are named '${id}': give each its own id`);
  throwIfProblems('Config rules', problems);

  const builtIns: Record<BuiltInPolicyId, ConfigRuleDefinition> = {
    EC2_INSTANCE_IN_VPC: {
      id: 'EC2_INSTANCE_IN_VPC',
      kind: 'managed',
      source: config.ManagedRuleIdentifiers.EC2_INSTANCES_IN_VPC,
      resourceTypes: ['AWS::EC2::Instance'],
      proactive: false,
    },
    S3_BUCKET_ENCRYPTED: {
      id: 'S3_BUCKET_ENCRYPTED',
      kind: 'managed',
      source: spec.s3KmsOnly
        ? config.ManagedRuleIdentifiers.S3_DEFAULT_ENCRYPTION_KMS
        : config.ManagedRuleIdentifiers.S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED,
      resourceTypes: ['AWS::S3::Bucket'],
      proactive: false,
    },
    LAMBDA_TIMEOUT_MAXIMUM: {
      id: 'LAMBDA_TIMEOUT_MAXIMUM',
      kind: 'guard',
      source: lambdaTimeoutGuard(max),
      resourceTypes: ['AWS::Lambda::Function'],
      proactive: true,
    },
  };
  return [
    ...BUILT_IN_POLICY_IDS.filter((id) => !spec.disabled.includes(id)).map((id) => builtIns[id]),
    ...spec.userRules.map((r) => r._definition),
  ];
}

/** The CloudFormation types the spec's PROACTIVE rules evaluate (what the proactive step checks). */
export function proactiveResourceTypes(spec: ConfigRulesSpec): string[] {
  return [...new Set(configRuleDefinitions(spec).filter((d) => d.proactive).flatMap((d) => d.resourceTypes))].sort();
}

/**
 * The stack, added to a Stage, in the Stage's account and Region, that holds its AWS Config
 * rules. It creates rules only: no configuration recorder, delivery channel or other account-wide
 * singleton (deleting the stack would turn those off for the whole account).
 */
export class ConfigRulesStack extends Stack {
  /** The stack of a Stage's Config rules, created on first use. */
  public static inStage(stage: Stage, spec: ConfigRulesSpec): ConfigRulesStack {
    const found = stage.node.tryFindChild(CONFIG_RULES_STACK_ID);
    if (found instanceof ConfigRulesStack) return found;
    if (found) throw new Error(`${stage.node.path}: a construct named '${CONFIG_RULES_STACK_ID}' already exists; the pipeline's Config rules need that id`);
    return new ConfigRulesStack(stage, CONFIG_RULES_STACK_ID, spec);
  }

  /** The rules, by policy id. */
  public readonly rules: Record<string, config.ManagedRule | config.CustomPolicy> = {};
  /** The resource types the PROACTIVE rules evaluate. */
  public readonly proactiveResourceTypes: string[];

  private constructor(scope: Stage, id: string, spec: ConfigRulesSpec) {
    // No env: the stack inherits the Stage's account and Region.
    super(scope, id, { description: 'AWS Config rules of the organization\'s policies (cdk-devsecops-pipeline); rules only, no recorder' });
    for (const d of configRuleDefinitions(spec)) {
      const common = {
        configRuleName: this.ruleName(d.id),
        ruleScope: config.RuleScope.fromResources(d.resourceTypes.map((t) => config.ResourceType.of(t))),
        evaluationModes: d.proactive ? config.EvaluationMode.DETECTIVE_AND_PROACTIVE : config.EvaluationMode.DETECTIVE,
        description: `${d.id} (cdk-devsecops-pipeline)`,
      };
      const rule = d.kind === 'managed'
        ? new config.ManagedRule(this, d.id, { ...common, identifier: d.source, inputParameters: d.inputParameters })
        : new config.CustomPolicy(this, d.id, { ...common, policyText: d.source });
      // Read by the proactive step, to name its findings by policy id.
      (rule.node.defaultChild as config.CfnConfigRule).addMetadata(POLICY_ID_METADATA, d.id);
      this.rules[d.id] = rule;
    }
    this.proactiveResourceTypes = proactiveResourceTypes(spec);
  }

  /** `<stack name>-<policy id>`: unique in the account and Region, as stack names are; at most 128 characters. */
  private ruleName(policyId: string): string | undefined {
    if (Token.isUnresolved(this.stackName)) return undefined;
    const name = `${this.stackName}-${policyId}`;
    if (name.length <= 128) return name;
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    return `${this.stackName.slice(0, 128 - policyId.length - 10)}-${hash}-${policyId}`;
  }
}

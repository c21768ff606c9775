import { readFileSync } from 'fs';
import { BUILT_IN_POLICY_IDS, ConfigRuleDefinition } from './config-definition';
import { throwIfProblems } from '../model/problems';

/**
 * Options of every Config policy.
 */
export interface ConfigPolicyOptions {
  /**
   * The CloudFormation resource types the rule evaluates (its scope), e.g. `['AWS::S3::Bucket']`.
   */
  readonly resourceTypes: string[];

  /**
   * Also evaluate in PROACTIVE mode: the pipeline then checks the Stage's resources of these types
   * against the rule before it deploys them. Set it only for rules AWS Config evaluates
   * proactively (managed rules: see "List of AWS Config Managed Rules by Evaluation Mode"); a rule
   * that does not support it fails the deployment of the Stage's Config rules.
   *
   * @default false
   */
  readonly proactive?: boolean;
}

/**
 * Options of an AWS managed Config rule.
 */
export interface ManagedConfigPolicyOptions extends ConfigPolicyOptions {
  /**
   * The managed rule's parameters.
   *
   * @default - none
   */
  readonly inputParameters?: Record<string, string>;
}

const POLICY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MANAGED_IDENTIFIER = /^[A-Z0-9_]{1,128}$/;
const RESOURCE_TYPE = /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/;
/** AWS::Config::ConfigRule CustomPolicyDetails.PolicyText limit. */
const MAX_POLICY_TEXT = 10000;

/**
 * One AWS Config rule the pipeline deploys into each Stage that has Config rules: an AWS managed
 * rule, or a Guard custom policy over configuration items (see the README's "AWS Config rules and
 * proactive evaluation").
 */
export class ConfigPolicy {
  /**
   * An AWS managed Config rule by its identifier (e.g. `S3_BUCKET_VERSIONING_ENABLED`).
   *
   * @param id the policy's id (letters, digits, '_' and '-'), used in the rule's name and in findings
   * @param identifier the managed rule's identifier
   */
  public static managed(id: string, identifier: string, options: ManagedConfigPolicyOptions): ConfigPolicy {
    const problems = [...idProblems(id), ...optionProblems(options)];
    if (typeof identifier !== 'string' || !MANAGED_IDENTIFIER.test(identifier)) {
      problems.push(`identifier: '${String(identifier)}' is not a managed rule identifier: use upper-case letters, digits and '_', e.g. 'S3_BUCKET_VERSIONING_ENABLED'`);
    }
    for (const [k, v] of Object.entries(options?.inputParameters ?? {})) {
      if (typeof v !== 'string') problems.push(`inputParameters.${k}: give a string value (Config passes parameters as strings)`);
    }
    throwIfProblems(`ConfigPolicy.managed(${String(id)})`, problems);
    return new ConfigPolicy({
      id,
      kind: 'managed',
      source: identifier,
      resourceTypes: [...options.resourceTypes],
      proactive: !!options.proactive,
      ...(options.inputParameters && { inputParameters: { ...options.inputParameters } }),
    });
  }

  /**
   * A Guard custom policy rule (AWS Config evaluates it over configuration items: write
   * `configuration.timeout`, not the template's `Properties.Timeout`).
   *
   * @param id the policy's id (letters, digits, '_' and '-'), used in the rule's name and in findings
   * @param policyText Guard 2.x rules, at most 10,000 characters
   */
  public static guard(id: string, policyText: string, options: ConfigPolicyOptions): ConfigPolicy {
    const problems = [...idProblems(id), ...optionProblems(options), ...policyTextProblems(policyText, 'policyText')];
    throwIfProblems(`ConfigPolicy.guard(${String(id)})`, problems);
    return new ConfigPolicy({ id, kind: 'guard', source: policyText, resourceTypes: [...options.resourceTypes], proactive: !!options.proactive });
  }

  /**
   * A Guard custom policy rule read from a file at synthesis.
   *
   * @param id the policy's id (letters, digits, '_' and '-'), used in the rule's name and in findings
   * @param path the Guard file, relative to the working directory of the synthesis (the app's root)
   */
  public static guardFile(id: string, path: string, options: ConfigPolicyOptions): ConfigPolicy {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`ConfigPolicy.guardFile(${String(id)}): path: cannot read '${String(path)}' (${(e as Error).message}): give a Guard file relative to the app's root`);
    }
    const problems = [...idProblems(id), ...optionProblems(options), ...policyTextProblems(text, `'${path}'`)];
    throwIfProblems(`ConfigPolicy.guardFile(${String(id)})`, problems);
    return new ConfigPolicy({ id, kind: 'guard', source: text, resourceTypes: [...options.resourceTypes], proactive: !!options.proactive });
  }

  /** The policy's id. */
  public readonly id: string;

  /** @internal */
  public readonly _definition: ConfigRuleDefinition;

  private constructor(definition: ConfigRuleDefinition) {
    this.id = definition.id;
    this._definition = definition;
  }
}

function idProblems(id: unknown): string[] {
  if (typeof id !== 'string' || !POLICY_ID.test(id)) return [`id: '${String(id)}' is not a policy id: use 1-64 letters, digits, '_' and '-', e.g. 'BUCKET_VERSIONING'`];
  if ((BUILT_IN_POLICY_IDS as readonly string[]).includes(id)) return [`id: '${id}' is a built-in policy's id: give your policy its own id`];
  return [];
}

function optionProblems(options: ConfigPolicyOptions | undefined): string[] {
  const types: unknown = options?.resourceTypes;
  if (!Array.isArray(types) || types.length === 0) return ['resourceTypes: give the CloudFormation types the rule evaluates, e.g. [\'AWS::S3::Bucket\']'];
  return types.filter((t) => typeof t !== 'string' || !RESOURCE_TYPE.test(t))
    .map((t) => `resourceTypes: '${String(t)}' is not a CloudFormation resource type: use e.g. 'AWS::S3::Bucket'`);
}

function policyTextProblems(text: unknown, what: string): string[] {
  if (typeof text !== 'string' || text.trim() === '') return [`${what}: give Guard rules (the policy text is empty)`];
  if (text.length > MAX_POLICY_TEXT) return [`${what}: ${text.length} characters, more than the ${MAX_POLICY_TEXT} a Config custom policy holds: split it into several policies`];
  return [];
}


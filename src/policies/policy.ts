import * as fs from 'fs';
import { Duration, Token } from 'aws-cdk-lib';
import { ec2InstanceInVpcRego, lambdaTimeoutMaximumRego, s3BucketEncryptedRego } from './built-in';
import { policyDigest } from '../findings/policies-cli';
import type { PolicyRule } from '../findings/policy-engine';
import { guardRuleNames } from '../findings/policy-engine';
import { BUILT_IN_POLICY_IDS, DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS, POLICY_ID_PATTERN, policyAcknowledgmentId } from '../model/policies';
import { throwIfProblems } from '../model/problems';
import { SEVERITY_ORDER, Severity } from '../model/severity';

/**
 * What a policy says about itself.
 */
export interface PolicyOptions {
  /**
   * The policy's id: upper case letters, digits and underscores (e.g. 'RDS_ENCRYPTED'). Violations
   * name it, and it is acknowledged as `devsecops-policies::<id>`.
   */
  readonly id: string;

  /** What the policy requires, said for the person who breaks it (e.g. 'RDS instances must be encrypted'). */
  readonly message: string;

  /** How to fix a violation (e.g. 'set storageEncrypted: true'). */
  readonly fix: string;

  /**
   * How serious a violation is, in the policy gate (judged against its failOn). At synth every
   * violation fails.
   *
   * @default Severity.HIGH
   */
  readonly severity?: Severity;
}

/**
 * Properties of a policy written inline.
 */
export interface PolicyProps extends PolicyOptions {
  /**
   * The policy as a Rego module (Open Policy Agent, rego.v1). It reports with
   * `violation contains v if { ... v := make_diag_at("<id>", "ERROR", name, "Properties.X", "...") }`
   * over `input.resources`, and must report with the policy's own id.
   *
   * @default - no Rego (give `guard`)
   */
  readonly rego?: string;

  /**
   * The policy as AWS CloudFormation Guard rules, on the template (`Resources.*[ Type == '...' ]`).
   * Every rule of the text belongs to this policy.
   *
   * @default - no Guard (give `rego`)
   */
  readonly guard?: string;
}

/**
 * One rule of the organization, enforced on every stack the pipeline deploys: at synth, in the
 * pipeline's policy gate before any deployment, in Rego (Open Policy Agent) or Guard.
 */
export class Policy {
  /** A policy from a Rego file (read now; relative paths are from the working directory). */
  public static fromRegoFile(file: string, options: PolicyOptions): Policy {
    return new Policy({ ...options, rego: readPolicyFile('Policy.fromRegoFile', file) });
  }

  /** A policy from a Guard rules file (read now; relative paths are from the working directory). */
  public static fromGuardFile(file: string, options: PolicyOptions): Policy {
    return new Policy({ ...options, guard: readPolicyFile('Policy.fromGuardFile', file) });
  }

  /** The policy's id. */
  public readonly id: string;
  /** What the policy requires. */
  public readonly message: string;
  /** How to fix a violation. */
  public readonly fix: string;
  /** How serious a violation is in the policy gate. */
  public readonly severity: Severity;
  /** The Rego text, if any. */
  public readonly rego?: string;
  /** The Guard text, if any. */
  public readonly guard?: string;

  constructor(props: PolicyProps) {
    const problems = policyProblems(props);
    throwIfProblems('Policy', problems);
    this.id = props.id;
    this.message = props.message;
    this.fix = props.fix;
    this.severity = props.severity ?? Severity.HIGH;
    this.rego = props.rego;
    this.guard = props.guard;
  }

  /** The id to acknowledge a violation with: `Validations.of(scope).acknowledge({ id: policy.acknowledgmentId, reason })`. */
  public get acknowledgmentId(): string {
    return policyAcknowledgmentId(this.id);
  }

  /** @internal the rules the engine runs (one per language given) */
  public _rules(): PolicyRule[] {
    const base = { id: this.id, message: this.message, fix: this.fix, severity: this.severity };
    return [
      ...(this.rego !== undefined ? [{ ...base, language: 'rego' as const, content: this.rego }] : []),
      ...(this.guard !== undefined ? [{ ...base, language: 'guard' as const, content: this.guard }] : []),
    ];
  }

  /** @internal sha256 of what the policy checks, for the pipeline's posture */
  public _hash(): string {
    return policyDigest(this.id, this.severity, this.rego, this.guard);
  }
}

/**
 * Options of the built-in policies.
 */
export interface BuiltInPoliciesOptions {
  /**
   * S3_BUCKET_ENCRYPTED accepts only SSE-KMS (`aws:kms` or `aws:kms:dsse`), not SSE-S3.
   *
   * @default false
   */
  readonly s3KmsOnly?: boolean;

  /**
   * LAMBDA_TIMEOUT_MAXIMUM: every Lambda function's timeout must be below this (exclusive).
   *
   * @default Duration.seconds(900)
   */
  readonly lambdaMaxTimeout?: Duration;
}

/**
 * The policies this library ships, by their fixed ids.
 */
export class BuiltInPolicies {
  /** Id of the policy that every EC2 instance is in a VPC subnet. */
  public static readonly EC2_INSTANCE_IN_VPC: string = BUILT_IN_POLICY_IDS.ec2InstanceInVpc;
  /** Id of the policy that every S3 bucket declares its encryption. */
  public static readonly S3_BUCKET_ENCRYPTED: string = BUILT_IN_POLICY_IDS.s3BucketEncrypted;
  /** Id of the policy that every Lambda function's timeout is below the maximum. */
  public static readonly LAMBDA_TIMEOUT_MAXIMUM: string = BUILT_IN_POLICY_IDS.lambdaTimeoutMaximum;

  /** The built-in policies' ids. */
  public static ids(): string[] {
    return Object.values(BUILT_IN_POLICY_IDS);
  }

  /** EC2_INSTANCE_IN_VPC: an AWS::EC2::Instance has a SubnetId, or network interfaces with subnets. */
  public static ec2InstanceInVpc(): Policy {
    return new Policy({
      id: BUILT_IN_POLICY_IDS.ec2InstanceInVpc,
      message: 'EC2 instances must be placed in a VPC subnet',
      fix: 'launch the instance in a VPC (ec2.Instance with vpc and vpcSubnets), or give SubnetId or network interfaces with a SubnetId',
      rego: ec2InstanceInVpcRego(),
    });
  }

  /** S3_BUCKET_ENCRYPTED: an AWS::S3::Bucket declares BucketEncryption (SSE-KMS only with `kmsOnly`). */
  public static s3BucketEncrypted(kmsOnly: boolean = false): Policy {
    return new Policy({
      id: BUILT_IN_POLICY_IDS.s3BucketEncrypted,
      message: kmsOnly ? 'S3 buckets must be encrypted with SSE-KMS' : 'S3 buckets must declare their encryption',
      fix: kmsOnly
        ? 'set encryption: s3.BucketEncryption.KMS (or KMS_MANAGED, DSSE) on the bucket'
        : 'set encryption on the bucket, e.g. encryption: s3.BucketEncryption.S3_MANAGED or KMS',
      rego: s3BucketEncryptedRego(kmsOnly),
    });
  }

  /** LAMBDA_TIMEOUT_MAXIMUM: every AWS::Lambda::Function has a Timeout below `maximum` (exclusive; absent means 3 s). */
  public static lambdaTimeoutMaximum(maximum: Duration = Duration.seconds(DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS)): Policy {
    const problems: string[] = [];
    let seconds = DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS;
    if (maximum.isUnresolved()) {
      problems.push('lambdaMaxTimeout is a token: give a literal duration, e.g. Duration.minutes(5)');
    } else {
      seconds = maximum.toSeconds({ integral: false });
      if (!Number.isInteger(seconds) || seconds < 2 || seconds > DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS) {
        problems.push(`lambdaMaxTimeout ${maximum.toHumanString()} is not a whole number of seconds from 2 to 900 (Lambda's own limit is 900 s): e.g. Duration.minutes(5)`);
      }
    }
    throwIfProblems('BuiltInPolicies.lambdaTimeoutMaximum', problems);
    return new Policy({
      id: BUILT_IN_POLICY_IDS.lambdaTimeoutMaximum,
      message: `Lambda functions must time out in less than ${seconds} seconds`,
      fix: `set timeout below ${seconds} seconds, e.g. timeout: Duration.seconds(${Math.min(seconds - 1, 300)})`,
      rego: lambdaTimeoutMaximumRego(seconds),
    });
  }

  private constructor() {}
}

/**
 * The policies enforced on every Stage a pipeline deploys and on the pipeline's own stack: the
 * built-in policies (on by default) plus the organization's own.
 *
 * @example
 * const policies = PolicySet.builtIn({ s3KmsOnly: true })
 *   .add(Policy.fromRegoFile('policies/rds-encrypted.rego', {
 *     id: 'RDS_ENCRYPTED',
 *     message: 'RDS instances must be encrypted',
 *     fix: 'set storageEncrypted: true',
 *   }));
 */
export class PolicySet {
  /** The three built-in policies. */
  public static builtIn(options: BuiltInPoliciesOptions = {}): PolicySet {
    return new PolicySet([
      BuiltInPolicies.ec2InstanceInVpc(),
      BuiltInPolicies.s3BucketEncrypted(options.s3KmsOnly ?? false),
      BuiltInPolicies.lambdaTimeoutMaximum(options.lambdaMaxTimeout),
    ], options);
  }

  private readonly policies: Policy[];
  private readonly disabledReasons = new Map<string, string>();

  private constructor(policies: Policy[], private readonly options: BuiltInPoliciesOptions) {
    this.policies = policies;
  }

  /**
   * @internal the built-in policies' settings, as the AWS Config rules take them (the same
   * policies, deployed into each Stage's account when Config rules are on)
   */
  public _builtInSettings(): { s3KmsOnly: boolean; lambdaMaxTimeoutSeconds: number; disabled: string[] } {
    const max = this.options.lambdaMaxTimeout;
    return {
      s3KmsOnly: this.options.s3KmsOnly ?? false,
      lambdaMaxTimeoutSeconds: max === undefined || max.isUnresolved() ? DEFAULT_LAMBDA_MAX_TIMEOUT_SECONDS : max.toSeconds(),
      disabled: [...this.disabledReasons.keys()],
    };
  }

  /** Adds a policy (its id must be new to the set); returns this set. */
  public add(policy: Policy): PolicySet {
    const problems: string[] = [];
    if (!(policy instanceof Policy)) problems.push(`${String(policy)} is not a Policy: make one with new Policy(...), Policy.fromRegoFile or Policy.fromGuardFile`);
    else if (this.policies.some((p) => p.id === policy.id)) problems.push(`a policy with id ${policy.id} is already in the set: give each policy its own id`);
    throwIfProblems('PolicySet.add', problems);
    this.policies.push(policy);
    return this;
  }

  /**
   * Turns a built-in policy off, by its id, with the reason. This weakens a secure default: the
   * pipeline gets a warning annotation naming the policy and the reason.
   */
  public disable(policyId: string, reason: string): PolicySet {
    const problems: string[] = [];
    const known = BuiltInPolicies.ids();
    if (!known.includes(policyId)) {
      problems.push(`${JSON.stringify(policyId)} is not a built-in policy id: use one of ${known.join(', ')}`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') problems.push(`the reason for disabling ${policyId} is empty: say why the policy does not apply`);
    throwIfProblems('PolicySet.disable', problems);
    this.disabledReasons.set(policyId, reason);
    return this;
  }

  /** The ids of the policies enforced, in order. */
  public get ids(): string[] {
    return this._active().map((p) => p.id);
  }

  /** @internal the built-in policies turned off, with the reason */
  public get _disabled(): ReadonlyMap<string, string> {
    return this.disabledReasons;
  }

  /** @internal the policies enforced */
  public _active(): Policy[] {
    return this.policies.filter((p) => !this.disabledReasons.has(p.id));
  }
}

function policyProblems(props: PolicyProps): string[] {
  const problems: string[] = [];
  if (!props) return ['props are missing: give id, message, fix and rego or guard'];
  const { id, message, fix, severity, rego, guard } = props;
  if (typeof id !== 'string' || !POLICY_ID_PATTERN.test(id)) {
    problems.push(`id ${JSON.stringify(id)} is not a policy id: use upper case letters, digits and underscores, starting with a letter, e.g. 'RDS_ENCRYPTED'`);
  }
  for (const [name, value] of [['message', message], ['fix', fix]] as const) {
    if (typeof value !== 'string' || value.trim() === '') problems.push(`${name} is empty: say ${name === 'message' ? 'what the policy requires' : 'how to fix a violation'}`);
  }
  if (severity !== undefined && !SEVERITY_ORDER.includes(severity)) {
    problems.push(`severity ${JSON.stringify(severity)} is not a Severity: use e.g. Severity.HIGH`);
  }
  if (rego === undefined && guard === undefined) problems.push('neither rego nor guard is given: give the policy in Rego, Guard or both');
  if (rego !== undefined) {
    if (typeof rego !== 'string' || Token.isUnresolved(rego) || !/^\s*package\s+\S+/m.test(rego)) {
      problems.push('rego is not a Rego module: start it with a package line, e.g. \'package org.rds_encrypted\'');
    } else if (typeof id === 'string' && !rego.includes(`"${id}"`)) {
      problems.push(`rego never reports with the policy id "${id}": report with make_diag_at("${id}", "ERROR", name, "Properties.X", "...")`);
    }
  }
  if (guard !== undefined && (typeof guard !== 'string' || guardRuleNames(guard).length === 0)) {
    problems.push('guard defines no rule: give Guard rules, e.g. \'rule RDS_ENCRYPTED { ... }\'');
  }
  return problems;
}

function readPolicyFile(what: string, file: string): string {
  if (typeof file !== 'string' || file === '' || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new Error(`${what}: ${JSON.stringify(file)} is not a file: give the path of the policy file (relative to the working directory, where cdk synth runs)`);
  }
  return fs.readFileSync(file, 'utf8');
}

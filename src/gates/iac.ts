import * as pipelines from 'aws-cdk-lib/pipelines';
import { GateOptions } from './options';
import { ASSEMBLY_DIR, buildGateStep, expectReport, GateContext, REPORTS_DIR, shellQuote, verifiedInstall, WORK_DIR } from './step';
import { installCommands, rulePackageCommands } from '../tools/install';

// Public exposure, TLS, admin and full-access IAM policies, key rotation, plaintext credentials and
// open ports. Controls that are choices rather than flaws (object lock, event notifications,
// lifecycle rules, Lambda in a VPC, SSE-KMS on log buckets that S3 requires to be SSE-S3) are
// left to `controlTowerRules`.
const DEFAULT_CT_RULES: string[] = [
  'ct-s3-pr-1', // bucket-level Block Public Access
  'ct-s3-pr-8', // bucket policy requires TLS
  'ct-s3-pr-12', // access points block public access
  'ct-iam-pr-1', // inline policies: no admin access
  'ct-iam-pr-2', // managed policies: no admin access
  'ct-iam-pr-3', // managed policies: no full access to a service
  'ct-iam-pr-4', // no policies attached to IAM users
  'ct-iam-pr-5', // inline policies: no full access to a service
  'ct-kms-pr-1', // key rotation
  'ct-lambda-pr-2', // functions not public
  'ct-lambda-pr-4', // layers not public
  'ct-lambda-pr-5', // function URLs require IAM auth
  'ct-codebuild-pr-2', // no AWS credentials in build environment variables
  'ct-ec2-pr-4', // security groups: no unrestricted common ports
  'ct-ec2-pr-5', // network ACLs: no unrestricted SSH or RDP
  'ct-rds-pr-23', // RDS instances not public
  'ct-rds-pr-24', // RDS instance storage encrypted
  'ct-rds-pr-29', // RDS clusters not public
];

/**
 * Options of the cfn-guard engine.
 */
export interface CfnGuardOptions extends GateOptions {
  /**
   * The user's own Guard rule files or directories, relative to the repository root, applied
   * together with the Control Tower rules.
   *
   * @default - none
   */
  readonly rules?: string[];

  /**
   * AWS Control Tower proactive controls to apply, by id (e.g. 'ct-s3-pr-1'). An empty list
   * applies only `rules`.
   *
   * @default IacScan.DEFAULT_CONTROL_TOWER_RULES
   */
  readonly controlTowerRules?: string[];
}

/**
 * Options of the checkov engine.
 */
export interface CheckovOptions extends GateOptions {}

type IacEngine = 'cfn-guard' | 'checkov';

/**
 * The infrastructure-as-code gate: scans every CloudFormation template the synth step wrote
 * (`cdk.out/**\/*.template.json`, nested Stages included). Its input is the synth step's output,
 * so application code cannot switch it off.
 */
export class IacScan {
  /**
   * The AWS Control Tower proactive controls applied by default: public exposure (S3, access
   * points, Lambda, RDS), TLS-only bucket policies, admin or full-access IAM policies, policies on
   * IAM users, KMS key rotation, AWS credentials in CodeBuild variables, open common ports.
   */
  public static readonly DEFAULT_CONTROL_TOWER_RULES: string[] = [...DEFAULT_CT_RULES];

  /**
   * cfn-guard (the default) with AWS Control Tower proactive controls plus the user's rule files.
   */
  public static cfnGuard(options: CfnGuardOptions = {}): IacScan {
    const ids = options.controlTowerRules ?? DEFAULT_CT_RULES;
    const bad = ids.filter((id) => !/^ct-[a-z0-9]+-pr-\d+$/.test(id));
    const badPaths = (options.rules ?? []).filter((r) => !r || r.startsWith('/') || r.split('/').includes('..'));
    const problems = [
      ...bad.map((id) => `controlTowerRules: '${id}' is not a Control Tower proactive control id: use ids like 'ct-s3-pr-1'`),
      ...badPaths.map((r) => `rules: '${r}' is not a path inside the repository: give it relative to the repository root, e.g. 'policies/guard'`),
    ];
    if (ids.length === 0 && (options.rules ?? []).length === 0) {
      problems.push('controlTowerRules is empty and no rules are given: the gate would check nothing; give rules, or use IacScan.none() to turn the gate off');
    }
    if (problems.length > 0) throw new Error(`IacScan.cfnGuard: invalid options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return new IacScan('cfn-guard', options, ids);
  }

  /**
   * checkov with its CloudFormation framework.
   *
   * checkov installs from PyPI, and its dependency closure is not hash-locked in the tools table
   * yet: until it is, this gate fails at run time, saying so, instead of installing unverified code.
   */
  public static checkov(options: CheckovOptions = {}): IacScan {
    return new IacScan('checkov', options, []);
  }

  /** No IaC scanning. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): IacScan {
    return new IacScan(undefined, {}, []);
  }

  /** The scanner, or undefined when the gate is off. */
  public readonly engine?: string;

  private constructor(engine: IacEngine | undefined, private readonly options: CfnGuardOptions, private readonly controlTower: string[]) {
    this.engine = engine;
  }

  /** @internal */
  public _bind(ctx: GateContext): pipelines.Step | undefined {
    const engine = this.engine as IacEngine | undefined;
    if (!engine) return undefined;
    const templates = `${WORK_DIR}/templates`;
    const collect = [
      // Every template of the cloud assembly, nested Stages included; none at all is a broken synth, not a pass.
      `mkdir -p ${templates} && find ${ASSEMBLY_DIR} -name '*.template.json' -exec cp {} ${templates}/ \\;`,
      `if [ -z "$(ls -A ${templates})" ]; then echo 'IaC: no *.template.json in the cloud assembly' >&2; exit 1; fi`,
    ];
    let install: string[];
    let scan: string[];
    if (engine === 'cfn-guard') {
      const ctDir = `${WORK_DIR}/control-tower`;
      const rulesDir = `${WORK_DIR}/guard-rules`;
      const file = `${REPORTS_DIR}/cfn-guard.sarif`;
      install = [
        ...installCommands('cfn-guard'),
        ...(this.controlTower.length > 0 ? rulePackageCommands('control-tower-guard', ctDir) : []),
      ];
      const pick = this.controlTower.length > 0
        ? [`mkdir -p ${rulesDir} && for id in ${this.controlTower.join(' ')}; do f=$(find ${ctDir} -name "$id.guard" -print -quit); if [ -z "$f" ]; then echo "IaC: no Control Tower rule $id" >&2; exit 1; fi; cp "$f" ${rulesDir}/; done`]
        : [];
      const ruleArgs = [
        ...(this.controlTower.length > 0 ? [`--rules ${rulesDir}`] : []),
        ...(this.options.rules ?? []).map((r) => `--rules ${shellQuote(r)}`),
      ].join(' ');
      scan = [
        ...collect,
        ...pick,
        expectReport(file, 'sarif'),
        // cfn-guard exits 19 when a rule fails: only other codes are errors.
        `{ cfn-guard validate --data ${templates} ${ruleArgs} --output-format sarif --structured --show-summary none > ${file} || [ $? -eq 19 ]; }`,
      ];
    } else {
      const file = `${REPORTS_DIR}/checkov.json`;
      install = verifiedInstall('checkov', () => installCommands('checkov'));
      scan = [
        ...collect,
        expectReport(file, 'checkov'),
        // --soft-fail: findings do not stop checkov; --skip-download: no guidelines fetched, nothing sent out.
        `checkov --directory ${templates} --framework cloudformation --output json --soft-fail --skip-download --quiet > ${file}`,
      ];
    }
    return buildGateStep(ctx, {
      id: 'IacScan',
      gate: 'iac',
      // The source, for the suppressions file and the user's rules; the cloud assembly beside it.
      input: ctx.source.fileSetProducer,
      additionalInputs: { [ASSEMBLY_DIR]: ctx.synth },
      install,
      scan,
      options: this.options,
    });
  }
}

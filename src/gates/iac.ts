import * as iam from 'aws-cdk-lib/aws-iam';
import { GateContext } from './context';
import { ControlTowerRulesAsset } from './control-tower-rules';
import { GateBinding, IGateContext, SecurityGate } from './gate';
import { scannerInstall, verifiedInstall } from './install';
import { GateOptions } from './options';
import { ASSEMBLY_DIR, expectReport, REPORTS_DIR, WORK_DIR } from './step';
import { gateOptionProblems, pathListProblems, shown } from './validation';
import { throwIfProblems } from '../model/problems';
import { gateEngine } from '../scanners';
import { DEFAULT_CONTROL_TOWER_RULES } from '../scanners/cfn-guard';
import { shellLines } from '../scanners/steps';

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
   * @default IacScan.defaultControlTowerRules()
   */
  readonly controlTowerRules?: string[];
}

/**
 * Options of the checkov engine.
 */
export interface CheckovOptions extends GateOptions {}

/**
 * The infrastructure-as-code gate: scans every CloudFormation template the synth step wrote
 * (`cdk.out/**\/*.template.json`, nested Stages included). Its input is the synth step's output,
 * so application code cannot switch it off.
 */
export class IacScan extends SecurityGate {
  /**
   * The AWS Control Tower proactive controls applied by default (a copy: changing it changes
   * nothing): public exposure (S3, access points, Lambda, RDS), TLS-only bucket policies, admin or
   * full-access IAM policies, policies on IAM users, KMS key rotation, AWS credentials in
   * CodeBuild variables, open common ports. Extend it for `controlTowerRules`.
   */
  public static defaultControlTowerRules(): string[] {
    return [...DEFAULT_CONTROL_TOWER_RULES];
  }

  /**
   * cfn-guard (the default) with AWS Control Tower proactive controls plus the user's rule files.
   */
  public static cfnGuard(options: CfnGuardOptions = {}): IacScan {
    const problems = gateOptionProblems(options);
    const rawIds: unknown = options?.controlTowerRules ?? DEFAULT_CONTROL_TOWER_RULES;
    const rawRules: unknown = options?.rules;
    const ids = Array.isArray(rawIds) ? rawIds : [];
    const rules = Array.isArray(rawRules) ? rawRules : [];
    if (!Array.isArray(rawIds)) problems.push(`controlTowerRules: ${shown(rawIds)} is not a list: give ids like ['ct-s3-pr-1']`);
    problems.push(...pathListProblems('rules', rawRules));
    // The ids are written unquoted into a shell loop: only the id shape is accepted.
    const bad = ids.filter((id) => typeof id !== 'string' || !/^ct-[a-z0-9]+-pr-\d+$/.test(id));
    const badPaths = rules.filter((r) => typeof r === 'string' && r !== '' && (r.startsWith('/') || r.split('/').includes('..')));
    problems.push(
      ...bad.map((id) => `controlTowerRules: ${shown(id)} is not a Control Tower proactive control id: use ids like 'ct-s3-pr-1'`),
      ...badPaths.map((r) => `rules: ${shown(r)} is not a path inside the repository: give it relative to the repository root, e.g. 'policies/guard'`),
    );
    if (Array.isArray(rawIds) && ids.length === 0 && rules.length === 0) {
      problems.push('controlTowerRules is empty and no rules are given: the gate would check nothing; give rules, or use IacScan.none() to turn the gate off');
    }
    throwIfProblems('IacScan.cfnGuard', problems);
    return new IacScan('cfn-guard', options, ids);
  }

  /**
   * checkov with its CloudFormation framework.
   *
   * checkov and its whole dependency closure install from PyPI with `pip --require-hashes`, wheels
   * only, from the lock this package ships (assets/scanner-locks/checkov.txt), copied into the
   * build and checked against its sha256.
   */
  public static checkov(options: CheckovOptions = {}): IacScan {
    throwIfProblems('IacScan.checkov', gateOptionProblems(options));
    return new IacScan('checkov', options, []);
  }

  /** No IaC scanning. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): IacScan {
    return new IacScan(undefined, {}, []);
  }

  public readonly gateName: string = 'iac';

  /** @internal the engine id, undefined when the gate is off */
  public readonly _engine?: string;

  private constructor(engine: string | undefined, private readonly options: CfnGuardOptions, private readonly controlTower: string[]) {
    super();
    this._engine = engine;
  }

  public bind(context: IGateContext): GateBinding {
    if (!this._engine) return {};
    const ctx = GateContext.internal(context, 'IacScan');
    const engine = gateEngine('iac', this._engine);
    const templates = `${WORK_DIR}/templates`;
    const collect = [
      // Every template of the cloud assembly, nested Stages included; none at all is a broken synth, not a pass.
      `mkdir -p ${templates} && find ${ASSEMBLY_DIR} -name '*.template.json' -exec cp {} ${templates}/ \\;`,
      `if [ -z "$(ls -A ${templates})" ]; then echo 'IaC: no *.template.json in the cloud assembly' >&2; exit 1; fi`,
    ];
    let install: string[];
    let scan: string[];
    let statements: iam.PolicyStatement[] = [];
    if (engine.id === 'cfn-guard') {
      const rulesDir = `${WORK_DIR}/guard-rules`;
      const { steps, report } = engine.invoke({
        workDir: WORK_DIR,
        reportDir: REPORTS_DIR,
        templatesDir: templates,
        builtinRuleDirs: this.controlTower.length > 0 ? [rulesDir] : [],
        ruleFiles: this.options.rules ?? [],
      });
      // Only the selected rules, shipped in this package and checked before use (control-tower-rules.ts).
      const ct = this.controlTower.length > 0 ? new ControlTowerRulesAsset(ctx.scope, 'ControlTowerRules', this.controlTower) : undefined;
      install = [...scannerInstall(ctx, engine.scanner).lines(), ...(ct?.installCommands(rulesDir) ?? [])];
      statements = ct ? [ct.readStatement()] : [];
      scan = [
        ...collect,
        expectReport(report.file, report.format),
        ...shellLines(steps),
      ];
    } else {
      const { steps, report } = engine.invoke({ reportDir: REPORTS_DIR, workDir: WORK_DIR, templatesDir: templates });
      const how = scannerInstall(ctx, engine.scanner);
      install = verifiedInstall(engine.scanner.name, how.lines);
      statements = how.statements();
      scan = [
        ...collect,
        expectReport(report.file, report.format),
        ...shellLines(steps),
      ];
    }
    return {
      step: ctx.buildStep({
        id: 'IacScan',
        gate: this.gateName,
        // The source, for the suppressions file and the user's rules; the cloud assembly beside it.
        input: ctx.source,
        additionalInputs: { [ASSEMBLY_DIR]: ctx.cloudAssembly },
        install,
        scan,
        options: this.options,
        rolePolicyStatements: statements,
      }),
    };
  }
}

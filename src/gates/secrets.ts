import { GateContext } from './context';
import { GateBinding, IGateContext, SecurityGate } from './gate';
import { scannerInstall, verifiedInstall } from './install';
import { GateOptions } from './options';
import { expectReport, REPORTS_DIR, WORK_DIR } from './step';
import { gateOptionProblems, severityProblems } from './validation';
import { throwIfProblems } from '../model/problems';
import { Severity } from '../model/severity';
import { gateEngine } from '../scanners';
import { shellArg, shellLines } from '../scanners/steps';

/**
 * Options of the secret scanning gate.
 */
export interface SecretScanOptions extends GateOptions {
  /**
   * Severity given to every secret found (secret scanners report none).
   *
   * @default Severity.CRITICAL
   */
  readonly secretSeverity?: Severity;
}

/**
 * The secret scanning gate: finds credentials committed to the repository.
 *
 * It scans the whole git history when the pipeline's source is a full clone
 * (`PipelineSource.connection(..., { fullClone: true })`), the files at the commit otherwise,
 * and says which in the gate's summary.
 */
export class SecretScan extends SecurityGate {
  /** gitleaks (the default): history with `gitleaks git`, files with `gitleaks dir`; findings redacted. */
  public static gitleaks(options: SecretScanOptions = {}): SecretScan {
    return new SecretScan('gitleaks', options, 'SecretScan.gitleaks');
  }

  /** TruffleHog v3: history with `trufflehog git`, files with `trufflehog filesystem`; no live verification (found secrets are never sent out). */
  public static trufflehog(options: SecretScanOptions = {}): SecretScan {
    return new SecretScan('trufflehog', options, 'SecretScan.trufflehog');
  }

  /** secretlint with its recommended rule preset; scans the files only (it has no history mode). */
  public static secretlint(options: SecretScanOptions = {}): SecretScan {
    return new SecretScan('secretlint', options, 'SecretScan.secretlint');
  }

  /**
   * No secret scanning. This weakens a secure default: the pipeline gets a warning annotation.
   */
  public static none(): SecretScan {
    return new SecretScan(undefined, {}, 'SecretScan.none');
  }

  public readonly gateName: string = 'secrets';

  /** @internal the engine id, undefined when the gate is off */
  public readonly _engine?: string;

  private constructor(engine: string | undefined, private readonly options: SecretScanOptions, where: string) {
    super();
    throwIfProblems(where, [...gateOptionProblems(options), ...severityProblems('secretSeverity', options?.secretSeverity)]);
    this._engine = engine;
  }

  public bind(context: IGateContext): GateBinding {
    if (!this._engine) return {};
    const ctx = GateContext.internal(context, 'SecretScan');
    const engine = gateEngine('secrets', this._engine);
    // Only scanners with a history mode scan it (secretlint reads files).
    const history = ctx.sourceHasHistory && engine.readsHistory === true;
    const { steps, report } = engine.invoke({ reportDir: REPORTS_DIR, workDir: WORK_DIR, history });
    const install = scannerInstall(ctx, engine.scanner);
    return {
      step: ctx.buildStep({
        id: 'SecretScan',
        gate: this.gateName,
        input: ctx.source,
        install: verifiedInstall(engine.scanner.name, install.lines),
        scan: [expectReport(report.file, report.format), ...shellLines(steps)],
        options: this.options,
        rolePolicyStatements: install.statements(),
        evaluateArgs: [
          `--secret-severity ${shellArg(this.options.secretSeverity ?? Severity.CRITICAL)}`,
          `--secret-scan ${history ? 'history' : 'files'}`,
        ],
      }),
    };
  }
}

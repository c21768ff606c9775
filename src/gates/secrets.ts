import * as pipelines from 'aws-cdk-lib/pipelines';
import { SecretEngine, secretScanner, shellArg, shellLines } from './commands';
import { GateOptions } from './options';
import { buildGateStep, expectReport, GateContext, REPORTS_DIR, verifiedInstall, WORK_DIR } from './step';
import { gateOptionProblems, severityProblems } from './validation';
import { Severity } from '../findings/severity';
import { throwIfProblems } from '../pipeline/validation';
import { installCommands } from '../tools/install';

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
export class SecretScan {
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
    return new SecretScan(undefined, {});
  }

  /** The scanner, or undefined when the gate is off. */
  public readonly engine?: string;

  private constructor(engine: SecretEngine | undefined, private readonly options: SecretScanOptions, where = 'SecretScan') {
    throwIfProblems(where, [...gateOptionProblems(options), ...severityProblems('secretSeverity', options?.secretSeverity)]);
    this.engine = engine;
  }

  /** @internal */
  public _bind(ctx: GateContext): pipelines.Step | undefined {
    const engine = this.engine as SecretEngine | undefined;
    if (!engine) return undefined;
    const history = ctx.source.fullClone && engine !== 'secretlint';
    const { steps, report } = secretScanner(engine, { reportDir: REPORTS_DIR, workDir: WORK_DIR, history });
    return buildGateStep(ctx, {
      id: 'SecretScan',
      gate: 'secrets',
      input: ctx.source.fileSetProducer,
      install: verifiedInstall(engine, INSTALL[engine]),
      scan: [expectReport(report.file, report.format), ...shellLines(steps)],
      options: this.options,
      evaluateArgs: [
        `--secret-severity ${shellArg(this.options.secretSeverity ?? Severity.CRITICAL)}`,
        `--secret-scan ${history ? 'history' : 'files'}`,
      ],
    });
  }
}

// The install of each engine; how it runs is in commands.ts, shared with the local `scan`.
const INSTALL: { readonly [e in SecretEngine]: () => string[] } = {
  gitleaks: () => installCommands('gitleaks'),
  trufflehog: () => installCommands('trufflehog'),
  secretlint: () => installCommands('secretlint'),
};

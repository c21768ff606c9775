import * as pipelines from 'aws-cdk-lib/pipelines';
import { GateOptions } from './options';
import { buildGateStep, expectReport, GateContext, REPORTS_DIR, verifiedInstall, WORK_DIR } from './step';
import { Severity } from '../findings/severity';
import { installCommands } from '../tools/install';
import { TOOLS } from '../tools/tools';

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

type SecretEngine = 'gitleaks' | 'trufflehog' | 'secretlint';

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
    return new SecretScan('gitleaks', options);
  }

  /** TruffleHog v3: history with `trufflehog git`, files with `trufflehog filesystem`; no live verification (found secrets are never sent out). */
  public static trufflehog(options: SecretScanOptions = {}): SecretScan {
    return new SecretScan('trufflehog', options);
  }

  /** secretlint with its recommended rule preset; scans the files only (it has no history mode). */
  public static secretlint(options: SecretScanOptions = {}): SecretScan {
    return new SecretScan('secretlint', options);
  }

  /**
   * No secret scanning. This weakens a secure default: the pipeline gets a warning annotation.
   */
  public static none(): SecretScan {
    return new SecretScan(undefined, {});
  }

  /** The scanner, or undefined when the gate is off. */
  public readonly engine?: string;

  private constructor(engine: SecretEngine | undefined, private readonly options: SecretScanOptions) {
    this.engine = engine;
  }

  /** @internal */
  public _bind(ctx: GateContext): pipelines.Step | undefined {
    const engine = this.engine as SecretEngine | undefined;
    if (!engine) return undefined;
    const history = ctx.source.fullClone && engine !== 'secretlint';
    const { install, scan, report } = secretCommands(engine, history);
    return buildGateStep(ctx, {
      id: 'SecretScan',
      gate: 'secrets',
      input: ctx.source.fileSetProducer,
      install: verifiedInstall(engine, install),
      scan: [expectReport(report.file, report.format), ...scan],
      options: this.options,
      evaluateArgs: [
        `--secret-severity ${this.options.secretSeverity ?? Severity.CRITICAL}`,
        `--secret-scan ${history ? 'history' : 'files'}`,
      ],
    });
  }
}

/** Install and scan lines of one secret scanner; `history` scans every commit of a full clone. */
interface SecretCommands {
  readonly install: () => string[];
  readonly scan: string[];
  readonly report: { readonly file: string; readonly format: string };
}

function secretCommands(engine: SecretEngine, history: boolean): SecretCommands {
  switch (engine) {
    case 'gitleaks': {
      const file = `${REPORTS_DIR}/gitleaks.json`;
      // --exit-code 0: findings do not stop the scanner; any other non-zero exit is an error and fails the build.
      return {
        install: () => installCommands('gitleaks'),
        scan: [`gitleaks ${history ? 'git' : 'dir'} --no-banner --redact --exit-code 0 --report-format json --report-path ${file} .`],
        report: { file, format: 'gitleaks' },
      };
    }
    case 'trufflehog': {
      const file = `${REPORTS_DIR}/trufflehog.json`;
      // JSON lines on stdout; --no-verification keeps found secrets inside the build.
      return {
        install: () => installCommands('trufflehog'),
        scan: [`trufflehog ${history ? 'git file://.' : 'filesystem .'} --json --no-update --no-verification > ${file}`],
        report: { file, format: 'trufflehog' },
      };
    }
    case 'secretlint': {
      const file = `${REPORTS_DIR}/secretlint.sarif`;
      const rc = `${WORK_DIR}/secretlintrc.json`;
      const preset = TOOLS.secretlint.kind === 'npm' ? TOOLS.secretlint.packages[1].name : '';
      return {
        install: () => installCommands('secretlint'),
        scan: [
          `echo '{"rules":[{"id":"${preset}"}]}' > ${rc}`,
          // With --output, secretlint writes the SARIF and exits 0 even when it finds secrets.
          `secretlint '**/*' --secretlintrc ${rc} --format @secretlint/secretlint-formatter-sarif --output ${file}`,
        ],
        report: { file, format: 'sarif' },
      };
    }
  }
}

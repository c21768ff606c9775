import * as pipelines from 'aws-cdk-lib/pipelines';
import { dependencyScanner, shellLines } from './commands';
import { lockFilesScript } from './languages';
import { GateOptions } from './options';
import { trivyDbRecord } from './recorded-versions';
import { buildGateStep, expectReport, GateContext, LOCK_FILES_LIST, REPORTS_DIR, WORK_DIR } from './step';
import { TRIVY_CACHE_DIR, trivyCache } from './trivy';
import { gateOptionProblems } from './validation';
import { throwIfProblems } from '../pipeline/validation';
import { installCommands } from '../tools/install';

/**
 * Options of the dependency scanning (SCA) gate.
 */
export interface DependencyScanOptions extends GateOptions {
  /**
   * Report only vulnerabilities that have a fixed version.
   *
   * Turning this on hides unfixable vulnerabilities from the gate.
   *
   * @default false
   */
  readonly ignoreUnfixed?: boolean;
}

/**
 * The software composition analysis (SCA) gate: known vulnerabilities (CVEs) in the
 * dependencies declared by the repository's lockfiles and manifests.
 */
export class DependencyScan {
  /**
   * `trivy fs` over the repository (the default), its databases in the CodeBuild S3 cache, fetched
   * from mirror.gcr.io, then ghcr.io, then public.ecr.aws when one is rate-limited.
   */
  public static trivy(options: DependencyScanOptions = {}): DependencyScan {
    throwIfProblems('DependencyScan.trivy', gateOptionProblems(options));
    return new DependencyScan('trivy', options);
  }

  /** No dependency scanning. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): DependencyScan {
    return new DependencyScan(undefined, {});
  }

  /** The scanner, or undefined when the gate is off. */
  public readonly engine?: string;

  private constructor(engine: string | undefined, private readonly options: DependencyScanOptions) {
    this.engine = engine;
  }

  /** @internal */
  public _bind(ctx: GateContext): pipelines.Step | undefined {
    if (!this.engine) return undefined;
    if (this.options.ignoreUnfixed) {
      ctx.warn('ignoreUnfixed', 'DependencyScan ignoreUnfixed is true: vulnerabilities without a fixed version do not block the pipeline');
    }
    const { steps, report } = dependencyScanner({
      reportDir: REPORTS_DIR,
      workDir: WORK_DIR,
      ignoreUnfixed: this.options.ignoreUnfixed ?? false,
      cacheDir: TRIVY_CACHE_DIR,
    });
    return buildGateStep(ctx, {
      id: 'DependencyScan',
      gate: 'dependencies',
      input: ctx.source.fileSetProducer,
      install: installCommands('trivy'),
      scan: [
        // Lock files that list a package: a report that inventoried none of them fails as not analyzed.
        lockFilesScript(LOCK_FILES_LIST),
        expectReport(report.file, report.format),
        ...shellLines(steps),
        trivyDbRecord(TRIVY_CACHE_DIR),
      ],
      evaluateArgs: ['--lock-files-from', LOCK_FILES_LIST],
      options: this.options,
      cache: trivyCache(ctx),
      cachePaths: [`${TRIVY_CACHE_DIR}/**/*`],
    });
  }
}

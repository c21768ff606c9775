import { GateContext } from './context';
import { GateBinding, IGateContext, SecurityGate } from './gate';
import { scannerInstall } from './install';
import { GateOptions } from './options';
import { trivyDbRecord } from './recorded-versions';
import type { Sbom } from './sbom';
import { expectReport, LOCK_FILES_LIST, REPORTS_DIR, WORK_DIR } from './step';
import { TRIVY_CACHE_DIR, trivyCache } from './trivy';
import { gateOptionProblems } from './validation';
import { throwIfProblems } from '../model/problems';
import { gateEngine } from '../scanners';
import { lockFilesScript } from '../scanners/languages';
import { shellLines } from '../scanners/steps';

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
 *
 * When the SBOM gate also uses trivy (the default), both gates run in this gate's build: trivy
 * and its databases are fetched once, and each gate is judged and reported on its own.
 */
export class DependencyScan extends SecurityGate {
  /**
   * `trivy fs` over the repository (the default), its databases in the gates' cache bucket, fetched
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

  public readonly gateName: string = 'dependencies';

  /** @internal the engine id, undefined when the gate is off */
  public readonly _engine?: string;

  private constructor(engine: string | undefined, private readonly options: DependencyScanOptions) {
    super();
    this._engine = engine;
  }

  public bind(context: IGateContext): GateBinding {
    return this._bindWith(context, undefined);
  }

  /**
   * @internal Binds this gate, judging the SBOM gate in the same build when `sbom` is given (it
   * then runs with the trivy this gate installed, and its database, fetched once).
   */
  public _bindWith(context: IGateContext, sbom: Sbom | undefined): GateBinding {
    if (!this._engine) return {};
    const ctx = GateContext.internal(context, 'DependencyScan');
    if (this.options.ignoreUnfixed) {
      ctx.warnWeakened('ignoreUnfixed', 'DependencyScan ignoreUnfixed is true: vulnerabilities without a fixed version do not block the pipeline');
    }
    const engine = gateEngine('dependencies', this._engine);
    const { steps, report } = engine.invoke({
      reportDir: REPORTS_DIR,
      workDir: WORK_DIR,
      ignoreUnfixed: this.options.ignoreUnfixed ?? false,
      cacheDir: TRIVY_CACHE_DIR,
    });
    const sbomPart = sbom?._evaluation(ctx, 1);
    const step = ctx.buildStep({
      id: 'DependencyScan',
      gate: this.gateName,
      input: ctx.source,
      install: scannerInstall(ctx, engine.scanner).lines(),
      scan: [
        // Lock files that list a package: a report that inventoried none of them fails as not analyzed.
        lockFilesScript(LOCK_FILES_LIST),
        expectReport(report.file, report.format),
        ...shellLines(steps),
        trivyDbRecord(TRIVY_CACHE_DIR),
      ],
      evaluateArgs: ['--lock-files-from', LOCK_FILES_LIST],
      options: this.options,
      more: sbomPart ? [sbomPart.evaluation] : undefined,
      env: sbomPart?.env,
      rolePolicyStatements: sbomPart?.statements,
      cache: trivyCache(ctx),
      cachePaths: [`${TRIVY_CACHE_DIR}/**/*`],
    });
    sbom?._placedIn(step);
    return { step, buckets: sbom?._bucket ? [sbom._bucket] : [] };
  }
}


import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { sbomGenerator, shellLines } from './commands';
import { lockFilesScript } from './languages';
import { GateOptions } from './options';
import { trivyDbRecord } from './recorded-versions';
import { buildGateStep, SBOM_PREFIX, expectReport, GateContext, LOCK_FILES_LIST, OUTPUT_DIR, REPORTS_DIR, WORK_DIR } from './step';
import { TRIVY_CACHE_DIR, trivyCache } from './trivy';
import { enumProblem, gateOptionProblems } from './validation';
import { secureBucket } from '../pipeline/hardening';
import { throwIfProblems } from '../pipeline/validation';
import { installCommands } from '../tools/install';

/**
 * What generates the SBOM.
 */
export enum SbomGenerator {
  /** `trivy fs --format cyclonedx`: every ecosystem trivy knows (npm, pip, Maven, Go, ...). */
  TRIVY = 'trivy',
  /** `cyclonedx-npm --package-lock-only`: npm projects, from package-lock.json alone. */
  CYCLONEDX_NPM = 'cyclonedx-npm',
}

/**
 * Options of the SBOM gate.
 */
export interface SbomOptions extends GateOptions {
  /**
   * What generates the CycloneDX JSON.
   *
   * @default SbomGenerator.TRIVY
   */
  readonly generator?: SbomGenerator;

  /**
   * S3 Object Lock default retention for the SBOM bucket (WORM evidence). Object Lock can only
   * be turned on when the bucket is created.
   *
   * @default - no object lock (versioning still keeps every SBOM)
   */
  readonly objectLockRetention?: s3.ObjectLockRetention;

  /**
   * How long SBOMs are kept.
   *
   * @default - kept until deleted
   */
  readonly expiration?: Duration;
}

/**
 * The SBOM gate: a CycloneDX JSON software bill of materials for every pipeline execution, kept
 * in a dedicated hardened S3 bucket (KMS with the pipeline key, versioned, SSL-only, access-logged,
 * optional Object Lock) under the commit id, and as a pipeline artifact. The findings CLI checks it
 * is a well-formed CycloneDX document (a missing or broken SBOM fails the gate).
 */
export class Sbom {
  /** CycloneDX JSON (the default). */
  public static cycloneDx(options: SbomOptions = {}): Sbom {
    throwIfProblems('Sbom.cycloneDx', [
      ...gateOptionProblems(options),
      ...enumProblem('generator', options?.generator, Object.values(SbomGenerator), 'an SbomGenerator value, e.g. SbomGenerator.TRIVY'),
    ]);
    return new Sbom(true, options);
  }

  /** No SBOM. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): Sbom {
    return new Sbom(false, {});
  }

  /** Whether the gate runs. */
  public readonly enabled: boolean;

  /** @internal the bucket the SBOMs are kept in, once bound */
  public _bucket?: s3.IBucket;

  private constructor(enabled: boolean, private readonly options: SbomOptions) {
    this.enabled = enabled;
  }

  /** @internal */
  public _bind(ctx: GateContext): pipelines.Step | undefined {
    if (!this.enabled) return undefined;
    const bucket = secureBucket(ctx.scope, 'SbomBucket', {
      encryptionKey: ctx.key,
      accessLogs: ctx.accessLogsBucket ? { bucket: ctx.accessLogsBucket, prefix: 'sbom/' } : undefined,
      removalPolicy: ctx.removalPolicy,
      objectLockRetention: this.options.objectLockRetention,
      expiration: this.options.expiration,
      noncurrentVersionExpiration: this.options.expiration,
    });
    this._bucket = bucket;

    const generator = this.options.generator ?? SbomGenerator.TRIVY;
    const { steps, report } = sbomGenerator(generator, { reportDir: REPORTS_DIR, workDir: WORK_DIR, cacheDir: TRIVY_CACHE_DIR });
    const file = report.file;
    const key = `${SBOM_PREFIX}/\${CODEBUILD_RESOLVED_SOURCE_VERSION}/\${PIPELINE_EXECUTION_ID}.cdx.json`;
    return buildGateStep(ctx, {
      id: 'Sbom',
      gate: 'sbom',
      input: ctx.source.fileSetProducer,
      install: installCommands(generator === SbomGenerator.TRIVY ? 'trivy' : 'cyclonedx-npm'),
      scan: [
        // Lock files that list a package: an SBOM without components fails as not analyzed.
        lockFilesScript(LOCK_FILES_LIST),
        expectReport(file, report.format),
        ...shellLines(steps),
        ...(generator === SbomGenerator.TRIVY ? [trivyDbRecord(TRIVY_CACHE_DIR)] : []),
        `cp ${file} ${OUTPUT_DIR}/sbom.cdx.json`,
      ],
      after: [
        // Kept under the commit id, once evaluate found it well-formed; no commit id, no upload (the build fails).
        ': "${CODEBUILD_RESOLVED_SOURCE_VERSION:?no commit id to file the SBOM under}" "${PIPELINE_EXECUTION_ID:?no pipeline execution id}"',
        `aws s3 cp --only-show-errors ${file} "s3://${bucket.bucketName}/${key}"`,
      ],
      env: { PIPELINE_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}' },
      evaluateArgs: ['--lock-files-from', LOCK_FILES_LIST],
      options: this.options,
      ...(generator === SbomGenerator.TRIVY ? { cache: trivyCache(ctx), cachePaths: [`${TRIVY_CACHE_DIR}/**/*`] } : {}),
      rolePolicyStatements: [new iam.PolicyStatement({
        // Write only, and only under sbom/: the build can add SBOMs, never read or delete them.
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${SBOM_PREFIX}/*`)],
      })],
    });
  }
}

import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { GateContext } from './context';
import { GateBinding, IGateContext, SecurityGate } from './gate';
import { scannerInstall } from './install';
import { GateOptions } from './options';
import { trivyDbRecord } from './recorded-versions';
import { secureBucket } from './secure-bucket';
import { expectReport, LOCK_FILES_LIST, OUTPUT_DIR, reportList, REPORTS_DIR, SBOM_PREFIX, SharedEvaluation, WORK_DIR } from './step';
import { TRIVY_CACHE_DIR, trivyCache } from './trivy';
import { gateOptionProblems } from './validation';
import { throwIfProblems } from '../model/problems';
import { gateEngine } from '../scanners';
import { lockFilesScript } from '../scanners/languages';
import { shellLines } from '../scanners/steps';

/**
 * Options of the SBOM gate.
 */
export interface SbomOptions extends GateOptions {
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
export class Sbom extends SecurityGate {
  /**
   * `trivy fs --format cyclonedx` (the default): every ecosystem trivy knows (npm, pip, Maven, Go,
   * ...). With the SCA gate on trivy too, it runs in that gate's build (one download of trivy).
   */
  public static trivy(options: SbomOptions = {}): Sbom {
    throwIfProblems('Sbom.trivy', gateOptionProblems(options));
    return new Sbom('trivy', options);
  }

  /** `cyclonedx-npm --package-lock-only`: npm projects, from package-lock.json alone. */
  public static cyclonedxNpm(options: SbomOptions = {}): Sbom {
    throwIfProblems('Sbom.cyclonedxNpm', gateOptionProblems(options));
    return new Sbom('cyclonedx-npm', options);
  }

  /** No SBOM. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): Sbom {
    return new Sbom(undefined, {});
  }

  public readonly gateName: string = 'sbom';

  /** @internal the engine id, undefined when the gate is off */
  public readonly _engine?: string;

  /** @internal the bucket the SBOMs are kept in, once bound */
  public _bucket?: s3.IBucket;

  /** @internal the step that writes the SBOM, once bound (its own, or the SCA gate's) */
  public _step?: pipelines.CodeBuildStep;

  private constructor(engine: string | undefined, private readonly options: SbomOptions) {
    super();
    this._engine = engine;
  }

  public bind(context: IGateContext): GateBinding {
    if (!this._engine) return {};
    const ctx = GateContext.internal(context, 'Sbom');
    const engine = gateEngine('sbom', this._engine);
    const part = this._evaluation(ctx, 0);
    const trivy = engine.scanner.name === 'trivy';
    const step = ctx.buildStep({
      id: 'Sbom',
      input: ctx.source,
      install: scannerInstall(ctx, engine.scanner).lines(),
      ...part.evaluation,
      // Lock files that list a package: an SBOM without components fails as not analyzed.
      scan: [lockFilesScript(LOCK_FILES_LIST), ...part.evaluation.scan],
      env: part.env,
      rolePolicyStatements: part.statements,
      ...(trivy ? { cache: trivyCache(ctx), cachePaths: [`${TRIVY_CACHE_DIR}/**/*`] } : {}),
    });
    this._placedIn(step);
    return { step, buckets: [this._bucket!] };
  }

  /**
   * @internal This gate judged as the `index`-th gate of a build (its own, or the SCA gate's,
   * which has listed the lock files and installed trivy): its bucket, lines and permissions.
   */
  public _evaluation(ctx: GateContext, index: number): SharedEvaluation {
    const engine = gateEngine('sbom', this._engine!);
    const bucket = secureBucket(ctx.scope, 'SbomBucket', {
      encryptionKey: ctx.encryptionKey,
      accessLogs: ctx.accessLogsBucket ? { bucket: ctx.accessLogsBucket, prefix: 'sbom/' } : undefined,
      removalPolicy: ctx.removalPolicy,
      objectLockRetention: this.options.objectLockRetention,
      expiration: this.options.expiration,
      noncurrentVersionExpiration: this.options.expiration,
    });
    this._bucket = bucket;
    const { steps, report } = engine.invoke({ reportDir: REPORTS_DIR, workDir: WORK_DIR, cacheDir: TRIVY_CACHE_DIR });
    const key = `${SBOM_PREFIX}/\${CODEBUILD_RESOLVED_SOURCE_VERSION}/\${PIPELINE_EXECUTION_ID}.cdx.json`;
    return {
      evaluation: {
        gate: this.gateName,
        scan: [
          expectReport(report.file, report.format, reportList(index, this.gateName)),
          ...shellLines(steps),
          // In the SCA gate's build, that gate has recorded the database both verdicts were made with.
          ...(engine.scanner.name === 'trivy' && index === 0 ? [trivyDbRecord(TRIVY_CACHE_DIR)] : []),
          `cp ${report.file} ${OUTPUT_DIR}/sbom.cdx.json`,
        ],
        after: [
          // Kept under the commit id, once evaluate found it well-formed; no commit id, no upload (the build fails).
          ': "${CODEBUILD_RESOLVED_SOURCE_VERSION:?no commit id to file the SBOM under}" "${PIPELINE_EXECUTION_ID:?no pipeline execution id}"',
          `aws s3 cp --only-show-errors ${report.file} "s3://${bucket.bucketName}/${key}"`,
        ],
        evaluateArgs: ['--lock-files-from', LOCK_FILES_LIST],
        options: this.options,
      },
      env: { PIPELINE_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}' },
      statements: [new iam.PolicyStatement({
        // Write only, and only under sbom/: the build can add SBOMs, never read or delete them.
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${SBOM_PREFIX}/*`)],
      })],
    };
  }

  /** @internal records the step that writes the SBOM */
  public _placedIn(step: pipelines.CodeBuildStep): void {
    this._step = step;
  }

  /**
   * @internal Acknowledgments that need the built CodeBuild project: the step writes under the
   * `sbom/` prefix of its own bucket, with object keys known only at run time.
   */
  public _afterBuild(acknowledge: (construct: iam.CfnPolicy, ruleId: string, reason: string) => void): void {
    const bucket = this._bucket;
    const step = this._step;
    if (!bucket || !step) return;
    const policy = step.project.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!(policy instanceof iam.CfnPolicy)) return;
    const stack = Stack.of(bucket);
    const bucketArn = `<${stack.resolve((bucket.node.defaultChild as CfnResource).logicalId)}.Arn>`;
    const sbomObjects = `${bucketArn}/${SBOM_PREFIX}/*`;
    const doc = stack.resolve(policy.policyDocument) as { Statement?: Array<{ Action?: string | string[]; Resource?: unknown }> };
    // Acknowledged only if every statement naming the prefix allows nothing but s3:PutObject.
    const naming = (doc.Statement ?? []).filter((s) => toArray(s.Resource).map((r) => flattenCfnReference(r)).includes(sbomObjects));
    if (naming.length > 0 && naming.every((s) => toArray(s.Action).every((a) => a === 's3:PutObject'))) {
      acknowledge(policy, `AwsSolutions-IAM5[Resource::${sbomObjects}]`,
        'The SBOM step only adds objects (s3:PutObject, no read or delete) under the sbom/ prefix of the pipeline\'s own SBOM bucket; keys are the commit id and pipeline execution id, known only at run time.');
    }
  }
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GateContext } from './context';
import { ImageGateBinding, ImageTarget } from './image-target';
import { scannerInstall } from './install';
import { GateOptions } from './options';
import { trivyDbRecord } from './recorded-versions';
import { CLI_DIR, expectReport, OUTPUT_DIR, REPORTS_DIR, SBOM_PREFIX, WORK_DIR } from './step';
import { TRIVY_CACHE_DIR, trivyCache } from './trivy';
import { gateOptionProblems } from './validation';
import { IMAGE_GATE } from '../model/gates';
import { throwIfProblems } from '../model/problems';
import { gateEngine } from '../scanners';
import { shellLines } from '../scanners/steps';
import { trivyImageSbom } from '../scanners/trivy';

/**
 * Options of the image gate.
 */
export interface ImageScanOptions extends GateOptions {
  /**
   * Report only vulnerabilities that have a fixed version.
   *
   * Turning this on hides unfixable vulnerabilities from the gate and leaves a warning.
   *
   * @default false
   */
  readonly ignoreUnfixed?: boolean;

  /**
   * Also judge ECR's own scan of the image (scan on push: basic scanning; or Amazon Inspector
   * when the registry uses enhanced scanning), read with `DescribeImageScanFindings` once the scan
   * is done. The gate waits for it at most `ecrScanTimeout`, and fails closed after.
   *
   * @default false
   */
  readonly ecrScanFindings?: boolean;

  /**
   * How long the gate waits for ECR's scan (with `ecrScanFindings`, or `ImageScan.ecrScanFindings()`).
   *
   * @default Duration.minutes(10)
   */
  readonly ecrScanTimeout?: Duration;
}

/** Where the ECR scan findings are written. */
const ECR_REPORT = `${REPORTS_DIR}/ecr-scan-findings.json`;

function imageOptionProblems(options: ImageScanOptions): string[] {
  const problems = gateOptionProblems(options);
  const t = options.ecrScanTimeout;
  const seconds = t === undefined || t.isUnresolved() ? undefined : t.toSeconds({ integral: false });
  if (t !== undefined && seconds !== undefined && (seconds < 30 || seconds > 3600 || !Number.isInteger(seconds))) {
    problems.push(`ecrScanTimeout: ${t.toHumanString()} is outside 30 seconds to 60 minutes (whole seconds): give e.g. Duration.minutes(10)`);
  }
  return problems;
}

/** The build variable holding the scanned reference (`<repository URI>:<commit id>`). */
const IMAGE_REF = 'IMAGE_REF';

/**
 * The image gate: vulnerabilities in a container image the pipeline built, scanned in its ECR
 * repository after the push and before any Stage deploys. Judged by the findings engine like
 * every gate (`failOn`, suppressions with expiry, SARIF, JUnit, summary).
 */
export class ImageScan {
  /**
   * `trivy image` in remote mode (the default): the image is read from ECR with the gate's role,
   * without a Docker daemon; trivy's databases are cached in the gates' cache bucket as in the
   * SCA gate. The image's CycloneDX SBOM is made in the same build.
   */
  public static trivy(options: ImageScanOptions = {}): ImageScan {
    throwIfProblems('ImageScan.trivy', imageOptionProblems(options));
    return new ImageScan('trivy', options);
  }

  /**
   * ECR's own scan results only (no trivy, so no image SBOM): basic scan findings (status COMPLETE)
   * or, when the registry uses enhanced scanning, Amazon Inspector's (status ACTIVE, under
   * `enhancedFindings`), waited for at most `ecrScanTimeout`; a timeout or a failed scan fails the gate.
   */
  public static ecrScanFindings(options: ImageScanOptions = {}): ImageScan {
    throwIfProblems('ImageScan.ecrScanFindings', imageOptionProblems(options));
    return new ImageScan('ecr', { ...options, ecrScanFindings: true });
  }

  /** No image scanning. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): ImageScan {
    return new ImageScan(undefined, {});
  }

  /** @internal the engine id, undefined when the gate is off */
  public readonly _engine?: string;

  private constructor(engine: string | undefined, private readonly options: ImageScanOptions) {
    this._engine = engine;
  }

  /** @internal The gate step for one image, after its build. */
  public _bind(ctx: GateContext, image: ImageTarget): ImageGateBinding {
    const gateName = `${IMAGE_GATE}-${image.name}`;
    if (!this._engine) {
      ctx.warnWeakened(`gateOff:${gateName}`, `the image gate of '${image.name}' is off: the pipeline deploys the image unscanned`);
      return {};
    }
    if (this.options.ignoreUnfixed) {
      ctx.warnWeakened(`ignoreUnfixed:${gateName}`, `ImageScan ignoreUnfixed is true for '${image.name}': vulnerabilities without a fixed version do not block the pipeline`);
    }
    const ecrLines = this.options.ecrScanFindings ? [
      expectReport(ECR_REPORT, 'ecr'),
      [`node ${CLI_DIR}/cli.js ecr-scan-findings --repository "$REPOSITORY_NAME" --tag "$CODEBUILD_RESOLVED_SOURCE_VERSION"`,
        `--out ${ECR_REPORT} --timeout-seconds ${(this.options.ecrScanTimeout ?? Duration.minutes(10)).toSeconds()} --interval-seconds 15`].join(' '),
    ] : [];
    const ecrStatements = this.options.ecrScanFindings ? [
      new iam.PolicyStatement({ actions: ['ecr:DescribeImageScanFindings'], resources: [image.repositoryArn] }),
      // Enhanced scanning's findings come from Inspector, which has no resource-level permission for them.
      new iam.PolicyStatement({ actions: ['inspector2:ListFindings'], resources: ['*'] }),
    ] : [];
    if (this._engine === 'ecr') {
      const step = ctx.buildStep({
        id: `ImageScan-${image.name}`,
        gate: gateName,
        input: ctx.source,
        install: [],
        scan: [': "${CODEBUILD_RESOLVED_SOURCE_VERSION:?no commit id: the image tag is the commit id}"', ...ecrLines],
        options: this.options,
        env: { REPOSITORY_NAME: image.repositoryName },
        rolePolicyStatements: ecrStatements,
      });
      step.addStepDependency(image.build);
      return { step, gateName };
    }
    const engine = gateEngine(IMAGE_GATE, this._engine);
    const invocation = {
      reportDir: REPORTS_DIR,
      workDir: WORK_DIR,
      cacheDir: TRIVY_CACHE_DIR,
      ignoreUnfixed: this.options.ignoreUnfixed ?? false,
      imageRefExpression: `"$${IMAGE_REF}"`,
    };
    const { steps, report } = engine.invoke(invocation);
    const sbomFile = `${REPORTS_DIR}/image-sbom.cdx.json`;
    const sbom = image.sbomBucket;
    const statements = [
      // Pull only, from this repository; the registry token is account-wide by AWS's design (no resource ARN exists for it).
      new iam.PolicyStatement({ actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], resources: [image.repositoryArn] }),
      new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
      ...(sbom ? [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [sbom.arnForObjects(`${SBOM_PREFIX}/*`)] })] : []),
    ];
    const step = ctx.buildStep({
      id: `ImageScan-${image.name}`,
      gate: gateName,
      input: ctx.source,
      install: scannerInstall(ctx, engine.scanner).lines(),
      scan: [
        // Tags are the commit id: the image the build pushed for this commit, and no other.
        `: "\${CODEBUILD_RESOLVED_SOURCE_VERSION:?no commit id: the image tag is the commit id}" && ${IMAGE_REF}="$REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION"`,
        expectReport(report.file, report.format),
        ...shellLines(steps),
        ...(engine.scanner.name === 'trivy' ? [trivyDbRecord(TRIVY_CACHE_DIR)] : []),
        ...(sbom ? [...shellLines(trivyImageSbom(invocation, sbomFile)), `cp ${sbomFile} ${OUTPUT_DIR}/image-sbom.cdx.json`] : []),
        ...ecrLines,
      ],
      after: sbom ? [
        // Beside the release SBOMs, under the commit id, once the gate passed.
        `aws s3 cp --only-show-errors ${sbomFile} "s3://${sbom.bucketName}/${SBOM_PREFIX}/\${CODEBUILD_RESOLVED_SOURCE_VERSION}/image-${image.name}.cdx.json"`,
      ] : undefined,
      options: this.options,
      env: { REPOSITORY_URI: image.repositoryUri, REPOSITORY_NAME: image.repositoryName },
      rolePolicyStatements: [...statements, ...ecrStatements],
      cache: trivyCache(ctx),
      cachePaths: [`${TRIVY_CACHE_DIR}/**/*`],
    });
    step.addStepDependency(image.build);
    return { step, gateName };
  }
}

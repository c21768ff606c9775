import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { GateContext } from './context';
import { scannerInstall } from './install';
import { GateOptions } from './options';
import { trivyDbRecord } from './recorded-versions';
import { expectReport, OUTPUT_DIR, REPORTS_DIR, SBOM_PREFIX, WORK_DIR } from './step';
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
}

/** What the image gate scans: an image the pipeline built and pushed. @internal */
export interface ImageTarget {
  /** The image's name in the pipeline (`addContainerImage`'s first argument). */
  readonly name: string;
  /** The repository's URI (a token). */
  readonly repositoryUri: string;
  /** The repository's ARN (a token). */
  readonly repositoryArn: string;
  /** The build step that pushed the image. */
  readonly build: pipelines.Step;
  /** Where the image's SBOM goes, under `sbom/<commit>/`; none: no SBOM kept. */
  readonly sbomBucket?: s3.IBucket;
}

/** The image gate's step and what the pipeline acknowledges on it. @internal */
export interface ImageGateBinding {
  readonly step?: pipelines.CodeBuildStep;
  /** The gate's name for this image (`image-<name>`), as the findings engine and the posture know it. */
  readonly gateName?: string;
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
    throwIfProblems('ImageScan.trivy', gateOptionProblems(options));
    return new ImageScan('trivy', options);
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
      ],
      after: sbom ? [
        // Beside the release SBOMs, under the commit id, once the gate passed.
        `aws s3 cp --only-show-errors ${sbomFile} "s3://${sbom.bucketName}/${SBOM_PREFIX}/\${CODEBUILD_RESOLVED_SOURCE_VERSION}/image-${image.name}.cdx.json"`,
      ] : undefined,
      options: this.options,
      env: { REPOSITORY_URI: image.repositoryUri },
      rolePolicyStatements: statements,
      cache: trivyCache(ctx),
      cachePaths: [`${TRIVY_CACHE_DIR}/**/*`],
    });
    step.addStepDependency(image.build);
    return { step, gateName };
  }
}

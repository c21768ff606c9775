import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as pipelines from 'aws-cdk-lib/pipelines';

/** What the image gate scans: an image the pipeline built and pushed. */
export interface ImageTarget {
  /** The image's name in the pipeline (`addContainerImage`'s first argument). */
  readonly name: string;
  /** The repository's URI (a token). */
  readonly repositoryUri: string;
  /** The repository's name. */
  readonly repositoryName: string;
  /** The repository's ARN (a token). */
  readonly repositoryArn: string;
  /** The build step that pushed the image. */
  readonly build: pipelines.Step;
  /** Where the image's SBOM goes, under `sbom/<commit>/`; none: no SBOM kept. */
  readonly sbomBucket?: s3.IBucket;
}

/** The image gate's step and what the pipeline acknowledges on it. */
export interface ImageGateBinding {
  readonly step?: pipelines.CodeBuildStep;
  /** The gate's name for this image (`image-<name>`), as the findings engine and the posture know it. */
  readonly gateName?: string;
}

import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { GateContext } from './step';

/** Trivy's cache (vulnerability and Java databases), kept in the CodeBuild S3 cache between builds. */
export const TRIVY_CACHE_DIR = '/root/.cache/trivy';

/** Where trivy fetches its databases: tried in order, so a rate-limited registry falls back to the next. */
export const TRIVY_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-db:2',
  'ghcr.io/aquasecurity/trivy-db:2',
  'public.ecr.aws/aquasecurity/trivy-db:2',
];
export const TRIVY_JAVA_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-java-db:1',
  'ghcr.io/aquasecurity/trivy-java-db:1',
  'public.ecr.aws/aquasecurity/trivy-java-db:1',
];

/** Trivy flags shared by the SCA and SBOM gates: cache, database mirrors, no version check, no progress bars. */
export function trivyCommonFlags(): string {
  return [
    `--cache-dir ${TRIVY_CACHE_DIR}`,
    `--db-repository ${TRIVY_DB_REPOSITORIES.join(',')}`,
    `--java-db-repository ${TRIVY_JAVA_DB_REPOSITORIES.join(',')}`,
    '--skip-version-check',
    '--no-progress',
  ].join(' ');
}

/** The CodeBuild S3 cache for trivy's databases, under a prefix of the pipeline's own bucket. */
export function trivyCache(ctx: GateContext): codebuild.Cache {
  return codebuild.Cache.bucket(ctx.artifactBucket, { prefix: 'devsecops-cache/trivy' });
}

import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { GateContext } from './step';

/** Trivy's cache (vulnerability and Java databases), kept in the CodeBuild S3 cache between builds. */
export const TRIVY_CACHE_DIR = '/root/.cache/trivy';

/** The CodeBuild S3 cache for trivy's databases, under a prefix of the pipeline's own bucket. */
export function trivyCache(ctx: GateContext): codebuild.Cache {
  return codebuild.Cache.bucket(ctx.artifactBucket, { prefix: 'devsecops-cache/trivy' });
}

import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type { GateContext } from './context';

/** Trivy's cache (vulnerability and Java databases), kept in the CodeBuild S3 cache between builds. */
export const TRIVY_CACHE_DIR = '/root/.cache/trivy';

/**
 * The CodeBuild S3 cache for trivy's databases (and the gate's tool downloads, see buildGateStep), in the gates' own cache bucket: only the gates that
 * use it are granted access (CodeBuild grants the project's role), never the roles that run the
 * repository's code (synth, the SAST build), so a commit cannot poison the database later runs trust.
 */
export function trivyCache(ctx: GateContext): codebuild.Cache {
  return codebuild.Cache.bucket(ctx.gateCache(), { prefix: 'trivy' });
}

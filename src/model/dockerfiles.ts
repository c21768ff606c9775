/**
 * The file names (case-insensitive globs) a repository's Dockerfiles are found by: the Dockerfile
 * gate's discovery, its install guard, and the scanners that read Dockerfiles.
 */
export const DOCKERFILE_NAMES: readonly string[] = ['Dockerfile', '*.Dockerfile', 'Dockerfile.*', 'Containerfile'];

/**
 * The minimal base image policy: every image a Dockerfile pulls (`FROM`, `COPY --from`,
 * `RUN --mount=from=`) must be on an allow-list and pinned by digest. `devsecops-findings
 * base-images` writes its verdicts as a `base-images` report, which `evaluate --gate dockerfile`
 * judges like any scanner's (failOn, suppressions, SARIF, JUnit, summary).
 */
import { writeFileSync } from 'fs';
import { parseArgs } from 'util';
import type { Io } from './cli-io';
import { DockerfileError, dockerfileImages, ImageUsage } from './dockerfile';
import { InputFileError, readInputFile } from './input-file';
import { DOCKERFILE_NAMES } from '../model/dockerfiles';
import { Severity } from '../model/severity';
import { walk } from '../scanners/coverage';

/** The base images allowed by default: distroless, Chainguard, any `-slim` tag, alpine (and `-alpine` tags), scratch. */
export const DEFAULT_ALLOWED_BASE_IMAGES: readonly string[] = [
  'gcr.io/distroless/*',
  'cgr.dev/chainguard/*',
  '*:*-slim',
  '*:*-slim-*',
  'alpine',
  '*:*-alpine',
  '*:*-alpine3.*',
  'scratch',
];


/** The report's marker: a JSON object with this key set to 1 is a base-images report. */
export const BASE_IMAGES_MARKER = 'devsecopsBaseImages';

export const RULE_NOT_ALLOWED = 'base-image-not-allowed';
export const RULE_NOT_PINNED = 'base-image-not-pinned';

/** An allow-list pattern: `*` is any text; with a `:` after the last `/` it matches `name:tag`, else the name. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '' || /\s/.test(pattern)) return 'is empty or has white space';
  if (pattern.includes('@')) return 'names a digest: allow the image by name, digest pinning is checked on its own';
  if (!/^[A-Za-z0-9*._:/\-[\]]+$/.test(pattern)) return 'has characters an image reference cannot have';
  return undefined;
}

function globRegex(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** True when the image is allowed by one of the patterns. */
export function isAllowed(u: ImageUsage, patterns: readonly string[]): boolean {
  if (u.ref.name === 'scratch') return patterns.includes('scratch');
  return patterns.some((p) => {
    const re = globRegex(p);
    const tagPattern = p.lastIndexOf(':') > p.lastIndexOf('/');
    if (tagPattern) return u.ref.tag !== undefined && (re.test(`${u.ref.name}:${u.ref.tag}`) || re.test(`${u.ref.qualifiedName}:${u.ref.tag}`));
    return re.test(u.ref.name) || re.test(u.ref.qualifiedName);
  });
}

/** One violation in the report. */
export interface BaseImageViolation {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly file: string;
  readonly line: number;
  readonly image: string;
  readonly use: string;
  readonly message: string;
  readonly fix: string;
}

/** One image a Dockerfile pulls, with the policy's verdicts. */
export interface ImageVerdict {
  readonly line: number;
  readonly use: string;
  readonly image: string;
  readonly allowed: boolean;
  readonly pinned: boolean;
}

/** The report `base-images` writes. */
export interface BaseImagesReport {
  readonly [BASE_IMAGES_MARKER]: 1;
  readonly tool: { readonly name: string };
  readonly policy: { readonly allowed: readonly string[]; readonly requireDigest: boolean };
  readonly dockerfiles: Array<{ readonly file: string; readonly images: ImageVerdict[] }>;
  /** Not `findings`: an Inspector export has that key. */
  readonly violations: BaseImageViolation[];
}

export const BASE_IMAGES_TOOL = 'devsecops-base-images';

const USE_WORDS: Record<string, string> = { 'from': 'FROM', 'copy-from': 'COPY --from', 'mount-from': 'RUN --mount=from' };

/** The policy over the given Dockerfiles (already read). Throws DockerfileError for one it cannot read. */
export function checkBaseImages(
  files: ReadonlyArray<{ file: string; text: string }>,
  options: { allowed: readonly string[]; requireDigest: boolean; buildArgs: ReadonlyMap<string, string> },
): BaseImagesReport {
  const report: BaseImagesReport = {
    [BASE_IMAGES_MARKER]: 1,
    tool: { name: BASE_IMAGES_TOOL },
    policy: { allowed: [...options.allowed], requireDigest: options.requireDigest },
    dockerfiles: [],
    violations: [],
  };
  for (const { file, text } of files) {
    const { images } = dockerfileImages(text, file, options.buildArgs);
    const listed: ImageVerdict[] = [];
    for (const u of images) {
      const allowed = isAllowed(u, options.allowed);
      const pinned = u.ref.digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(u.ref.digest);
      listed.push({ line: u.line, use: u.use, image: u.image, allowed, pinned });
      const how = `${USE_WORDS[u.use]} ${u.image}${u.written !== u.image ? ` (written ${u.written})` : ''}`;
      if (!allowed) {
        report.violations.push({
          ruleId: RULE_NOT_ALLOWED,
          severity: Severity.HIGH,
          file,
          line: u.line,
          image: u.image,
          use: u.use,
          message: `${file}:${u.line}: ${how}: the base image is not on the allow-list (${options.allowed.join(', ')})`,
          fix: 'use a minimal base image (distroless gcr.io/distroless/*, Chainguard cgr.dev/chainguard/*, a -slim tag, alpine or scratch), or allow it with allowedBaseImages or officialImages',
        });
      }
      if (options.requireDigest && !pinned && u.ref.name !== 'scratch') {
        const base = u.image.replace(/@.*$/, '');
        report.violations.push({
          ruleId: RULE_NOT_PINNED,
          severity: Severity.HIGH,
          file,
          line: u.line,
          image: u.image,
          use: u.use,
          message: `${file}:${u.line}: ${how}: the image is not pinned by digest, so what is built can change without a commit`,
          fix: `pin it by digest: ${base}@sha256:<digest> (\`docker buildx imagetools inspect ${base}\` shows it)`,
        });
      }
    }
    report.dockerfiles.push({ file, images: listed });
  }
  return report;
}

/** True when a file name is a Dockerfile's (DOCKERFILE_NAMES, case-insensitive). */
export function isDockerfileName(name: string): boolean {
  return DOCKERFILE_NAMES.some((g) => new RegExp(globRegex(g).source, 'i').test(name));
}

/** The repository's Dockerfiles (the project's code only), sorted. */
export function findDockerfiles(root: string): string[] {
  const found: string[] = [];
  walk(root, (rel) => {
    const parts = rel.split('/');
    if (!parts.includes('node_modules') && isDockerfileName(parts[parts.length - 1])) found.push(rel);
    return false;
  });
  return found.sort();
}

export const BASE_IMAGES_HELP = `base-images: the minimal base image policy. Reads Dockerfiles and checks every image they pull
  (FROM, COPY --from=IMAGE, RUN --mount=from=IMAGE; earlier stages are not images) against an
  allow-list and for a digest pin; writes a report for evaluate --gate dockerfile (format base-images).
  --dockerfile FILE         a Dockerfile to check; repeatable
  --discover                also every ${DOCKERFILE_NAMES.join(', ')} in the working directory
                            (dependency and build directories excluded). None found: nothing to check
  --allow PATTERN           an allowed image, * is any text; with a ':' after the last '/' it matches
                            NAME:TAG (e.g. '*:*-slim'), else the name (Docker Hub names short: 'node').
                            Repeatable; replaces the default list (${DEFAULT_ALLOWED_BASE_IMAGES.join(', ')})
  --allow-unpinned          do not require a digest pin (@sha256:...)
  --build-arg NAME=VALUE    a build argument, as docker build --build-arg; repeatable
  --report FILE             the report to write
  Exit codes: 0 nothing to report; 1 violations (evaluate decides); 2 a Dockerfile that cannot be
  read or parsed (FROM without an image, an ARG with no value, an invalid reference), bad usage.`;

/** Bad input: exit 2. */
export class BaseImagesError extends Error {}

/** Runs `base-images`; resolves to the exit code. */
export function baseImages(args: string[], io: Io): number {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'dockerfile': { type: 'string', multiple: true },
        'discover': { type: 'boolean' },
        'allow': { type: 'string', multiple: true },
        'allow-unpinned': { type: 'boolean' },
        'build-arg': { type: 'string', multiple: true },
        'report': { type: 'string' },
      },
    }));
  } catch (e) {
    io.err(`devsecops-findings base-images: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    if (values.report === undefined) throw new BaseImagesError('--report FILE is required');
    const explicit = values.dockerfile ?? [];
    if (explicit.length === 0 && !values.discover) throw new BaseImagesError('give --dockerfile FILE (repeatable) or --discover');
    const allowed = values.allow ?? [...DEFAULT_ALLOWED_BASE_IMAGES];
    const bad = allowed.flatMap((p) => {
      const problem = patternProblem(p);
      return problem ? [`--allow "${p}" ${problem}`] : [];
    });
    if (bad.length > 0) throw new BaseImagesError(bad.join('; '));
    const buildArgs = new Map<string, string>();
    for (const a of values['build-arg'] ?? []) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a);
      if (!m) throw new BaseImagesError(`--build-arg "${a}" is not NAME=VALUE`);
      buildArgs.set(m[1], m[2]);
    }
    const files = [...new Set([...explicit, ...(values.discover ? findDockerfiles('.') : [])])];
    const read = files.map((file) => {
      try {
        return { file, text: readInputFile(file, 'Dockerfile').toString('utf8') };
      } catch (e) {
        throw new BaseImagesError(e instanceof InputFileError ? e.message : `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    });
    const report = checkBaseImages(read, { allowed, requireDigest: !values['allow-unpinned'], buildArgs });
    writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
    if (files.length === 0) {
      io.out('base-images: not applicable (no Dockerfile in the repository)\n');
      return 0;
    }
    for (const f of report.violations) io.out(`${f.message}\n  fix: ${f.fix}\n`);
    const count = report.dockerfiles.reduce((n, d) => n + d.images.length, 0);
    io.out(`base-images: ${files.length} Dockerfile(s), ${count} image(s), ${report.violations.length} violation(s); report in ${values.report}\n`);
    return report.violations.length === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof BaseImagesError || e instanceof DockerfileError) {
      io.err(`devsecops-findings base-images: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

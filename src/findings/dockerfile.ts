/**
 * A Dockerfile reader for the base-image policy: the images a build pulls (`FROM`, `COPY --from`,
 * `RUN --mount=...,from=`), with ARG substitution as BuildKit does it. Pure: no I/O.
 *
 * It understands parser directives (`# escape=`), comments, line continuations, heredocs (their
 * bodies are skipped), global ARGs (before the first FROM) with defaults and `--build-arg` values,
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`, `--platform`,
 * and multi-stage aliases (a `FROM builder` or `COPY --from=builder` names an earlier stage, not an
 * image; stage names are case-insensitive).
 */

/** How an image is used by the build. */
export type ImageUse = 'from' | 'copy-from' | 'mount-from';

/** An image the build pulls. */
export interface ImageUsage {
  /** 1-based line of the instruction (its first line when continued). */
  readonly line: number;
  readonly use: ImageUse;
  /** The reference as written, before substitution. */
  readonly written: string;
  /** The reference after ARG substitution. */
  readonly image: string;
  /** Its parts. */
  readonly ref: ImageRef;
  /** The stage it starts (FROM ... AS name), lower-cased; or the stage it is used in. */
  readonly stage?: string;
}

/** The parts of an image reference. */
export interface ImageRef {
  /** The registry host (with port), undefined for Docker Hub when not written. */
  readonly registry?: string;
  /** The repository path as written (e.g. `library/node`, `distroless/static`). */
  readonly path: string;
  readonly tag?: string;
  /** `sha256:<64 hex>` when pinned. */
  readonly digest?: string;
  /** Docker Hub names shortened (`docker.io/library/node` is `node`); others with their registry. */
  readonly name: string;
  /** The fully qualified repository (`docker.io/library/node`, `gcr.io/distroless/static`). */
  readonly qualifiedName: string;
}

/** A Dockerfile the policy cannot read: the check fails closed (exit 2). */
export class DockerfileError extends Error {
  constructor(readonly file: string, readonly lineNumber: number | undefined, readonly problem: string) {
    super(`${file}${lineNumber !== undefined ? `:${lineNumber}` : ''}: ${problem}`);
  }
}

interface LogicalLine {
  readonly line: number;
  readonly text: string;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

/** Instructions, continuation lines joined, comments and heredoc bodies dropped; and the escape character. */
export function logicalLines(text: string, file = 'Dockerfile'): { readonly escape: string; readonly lines: LogicalLine[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  const seen = new Set<string>();
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (seen.has(key)) break;
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new DockerfileError(file, i + 1, `invalid escape directive "${m[2]}": use \\ or \``);
      escape = m[2];
    }
  }
  const out: LogicalLine[] = [];
  let current: string | undefined;
  let start = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (current === undefined) {
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      start = i + 1;
      current = '';
    } else if (trimmed.startsWith('#') || trimmed === '') {
      // Comments and empty lines inside a continued instruction are removed, as Docker does.
      continue;
    }
    const body = raw.replace(/\s+$/, '');
    if (body.endsWith(escape)) {
      current += `${body.slice(0, -1)} `;
      continue;
    }
    current += body;
    out.push({ line: start, text: current.trim() });
    // Heredocs (RUN <<EOF ... EOF): their bodies are not instructions.
    for (const h of [...current.matchAll(HEREDOC)]) {
      const strip = h[1] === '-';
      const word = h[3];
      i++;
      while (i < lines.length && (strip ? lines[i].replace(/^\t+/, '') : lines[i]) !== word) i++;
    }
    current = undefined;
  }
  if (current !== undefined) out.push({ line: start, text: current.trim() });
  return { escape, lines: out };
}

/** Splits an instruction's arguments at whitespace, keeping quoted parts together (quotes removed). */
function words(text: string): string[] {
  const out: string[] = [];
  const re = /(?:[^\s"']+|"(?:[^"\\]|\\.)*"|'[^']*')+/g;
  for (const m of text.matchAll(re)) out.push(unquote(m[0]));
  return out;
}

function unquote(word: string): string {
  return word.replace(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g, (_m, dq: string | undefined, sq: string | undefined) => (dq !== undefined ? dq.replace(/\\(.)/g, '$1') : sq ?? ''));
}

/** ARG's declarations: `NAME` or `NAME=value`, several per instruction. */
function argDeclarations(args: string): Array<{ name: string; value?: string }> {
  return words(args).map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? { name: w } : { name: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

/**
 * Substitutes `$VAR`, `${VAR}` and `${VAR<op>word}` (op `:-`, `-`, `:+`, `+`) from `vars`; an
 * undefined variable with no default is an error (the image would be a guess).
 */
export function substitute(value: string, vars: ReadonlyMap<string, string | undefined>, where: () => string, escape = '\\'): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === escape && value[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    const braced = value[i + 1] === '{';
    if (braced) {
      // The matching brace: a default can hold a substitution of its own (${A:-${B}}).
      let end = -1;
      for (let j = i + 2, depth = 1; j < value.length; j++) {
        if (value[j] === '{' && value[j - 1] === '$') {
          depth++;
        } else if (value[j] === '}' && --depth === 0) {
          end = j;
          break;
        }
      }
      if (end < 0) throw new Error(`${where()}: unterminated \${ in "${value}"`);
      const inner = value.slice(i + 2, end);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(inner);
      if (!m) throw new Error(`${where()}: unsupported substitution \${${inner}} in "${value}"`);
      const [, name, op, word] = m;
      const set = vars.has(name) && vars.get(name) !== undefined;
      const v = vars.get(name);
      if (op === undefined) {
        if (!set) throw new Error(`${where()}: \${${name}} has no value: declare it with a default (ARG ${name}=...) or pass it as a build arg`);
        out += v;
      } else if (op === ':-' || op === '-') {
        const useDefault = op === ':-' ? !set || v === '' : !set;
        out += useDefault ? substitute(word, vars, where, escape) : v;
      } else {
        const useAlt = op === ':+' ? set && v !== '' : set;
        out += useAlt ? substitute(word, vars, where, escape) : '';
      }
      i = end;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1));
    if (!m) {
      out += c;
      continue;
    }
    const name = m[0];
    if (!(vars.has(name) && vars.get(name) !== undefined)) throw new Error(`${where()}: $${name} has no value: declare it with a default (ARG ${name}=...) or pass it as a build arg`);
    out += vars.get(name);
    i += name.length;
  }
  return out;
}

// Reference grammar (distribution/reference), simplified: lower-case path components.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(`^(?:((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`);

/** Parses an image reference; undefined when it is not one. */
export function parseImageRef(image: string): ImageRef | undefined {
  const m = REFERENCE.exec(image);
  if (!m) return undefined;
  let registry: string | undefined = m[1];
  let path = m[2];
  const tag: string | undefined = m[3];
  const digest: string | undefined = m[4];
  // The first component is a registry only when it looks like a host: a dot, a port, or localhost.
  if (registry !== undefined && !/[.:[]/.test(registry) && registry !== 'localhost') {
    path = `${registry.toLowerCase()}/${path}`;
    registry = undefined;
    if (!new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`).test(path)) return undefined;
  }
  const hub = registry === undefined || registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io';
  const hubPath = hub && !path.includes('/') ? `library/${path}` : path;
  const name = hub ? (hubPath.startsWith('library/') ? hubPath.slice('library/'.length) : hubPath) : `${registry}/${path}`;
  return {
    registry,
    path,
    tag,
    digest,
    name,
    qualifiedName: hub ? `docker.io/${hubPath}` : `${registry}/${path}`,
  };
}

/** What reading a Dockerfile gives: the images it pulls, and the names of its stages. */
export interface DockerfileImages {
  readonly images: ImageUsage[];
  readonly stages: string[];
}

/** The images a Dockerfile pulls, its ARGs substituted from `buildArgs` and their defaults. */
export function dockerfileImages(text: string, file: string, buildArgs: ReadonlyMap<string, string> = new Map()): DockerfileImages {
  const global = new Map<string, string | undefined>();
  const stages: Array<string | undefined> = [];
  const images: ImageUsage[] = [];
  let stageVars: Map<string, string | undefined> | undefined;
  const { escape, lines } = logicalLines(text, file);
  if (!lines.some((l) => /^from\b/i.test(l.text))) throw new DockerfileError(file, undefined, 'no FROM instruction: not a Dockerfile the policy can check');

  const stageRef = (name: string): boolean => /^\d+$/.test(name) ? Number(name) < stages.length : stages.includes(name.toLowerCase());

  for (const { line, text: instr } of lines) {
    const m = /^(\S+)\s*(.*)$/s.exec(instr)!;
    const keyword = m[1].toUpperCase();
    const rest = m[2];
    const where = () => `${file}:${line}`;
    const sub = (value: string, vars: ReadonlyMap<string, string | undefined>): string => {
      try {
        return substitute(value, vars, where, escape);
      } catch (e) {
        throw new DockerfileError(file, line, (e as Error).message.slice(where().length + 2));
      }
    };
    if (keyword === 'ARG') {
      for (const { name, value } of argDeclarations(rest)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new DockerfileError(file, line, `ARG ${name}: not a valid argument name`);
        if (stageVars === undefined) {
          global.set(name, buildArgs.get(name) ?? (value === undefined ? undefined : sub(value, global)));
        } else {
          // In a stage, a declared ARG takes the build arg, else its default, else the global value.
          const v = buildArgs.get(name) ?? (value !== undefined ? sub(value, stageVars) : global.get(name));
          stageVars.set(name, v);
        }
      }
      continue;
    }
    if (keyword === 'FROM') {
      const args = words(rest);
      const flags = args.filter((a) => a.startsWith('--'));
      const positional = args.filter((a) => !a.startsWith('--'));
      for (const f of flags) {
        if (!/^--platform=\S+$/.test(f)) throw new DockerfileError(file, line, `FROM: unknown flag "${f}" (only --platform=... is allowed)`);
      }
      if (positional.length === 0) throw new DockerfileError(file, line, 'FROM with no image');
      const written = positional[0];
      let alias: string | undefined;
      if (positional.length === 3 && positional[1].toUpperCase() === 'AS') {
        alias = positional[2].toLowerCase();
        if (!/^[a-z][a-z0-9_.-]*$/.test(alias)) throw new DockerfileError(file, line, `FROM ... AS ${positional[2]}: not a valid stage name`);
      } else if (positional.length !== 1) {
        throw new DockerfileError(file, line, `FROM ${rest}: expected "FROM [--platform=...] IMAGE [AS NAME]"`);
      }
      const image = sub(written, global);
      if (image === '') throw new DockerfileError(file, line, `FROM ${written}: the image is empty after ARG substitution`);
      if (!stageRef(image)) {
        images.push(usage(file, line, 'from', written, image, alias));
      }
      stages.push(alias);
      stageVars = new Map();
      continue;
    }
    if (stageVars === undefined) {
      if (keyword === 'ONBUILD') continue;
      throw new DockerfileError(file, line, `${keyword} before the first FROM (only ARG may come before it)`);
    }
    // In a stage, only the ARGs declared in it are visible (a global one by declaring it again).
    const vars = stageVars;
    const stage = stages[stages.length - 1];
    if (keyword === 'COPY') {
      for (const a of words(rest)) {
        if (!a.startsWith('--')) break;
        const f = /^--from=(.+)$/.exec(a);
        if (!f) continue;
        const from = sub(f[1], vars);
        if (from === '') throw new DockerfileError(file, line, `COPY ${a}: empty after ARG substitution`);
        if (!stageRef(from)) images.push(usage(file, line, 'copy-from', f[1], from, stage));
      }
    } else if (keyword === 'RUN') {
      for (const a of words(rest)) {
        if (!a.startsWith('--')) break;
        const mount = /^--mount=(.+)$/.exec(a);
        if (!mount) continue;
        const opts = mount[1].split(',');
        const from = opts.map((o) => /^from=(.+)$/.exec(o)?.[1]).find((x) => x !== undefined);
        // A cache or bind mount "from" a stage or an image: the image is pulled.
        if (from !== undefined) {
          const v = sub(from, vars);
          if (!stageRef(v)) images.push(usage(file, line, 'mount-from', from, v, stage));
        }
      }
    }
  }
  return { images, stages: stages.filter((s): s is string => s !== undefined) };
}

function usage(file: string, line: number, use: ImageUse, written: string, image: string, stage: string | undefined): ImageUsage {
  const ref = image.toLowerCase() === 'scratch' ? { path: 'scratch', name: 'scratch', qualifiedName: 'scratch' } : parseImageRef(image);
  if (!ref) {
    const shown = written === image ? `"${image}"` : `"${image}" (from ${written})`;
    throw new DockerfileError(file, line, `${shown} is not a valid image reference`);
  }
  return { line, use, written, image, ref, ...(stage !== undefined && { stage }) };
}

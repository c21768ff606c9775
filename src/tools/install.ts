import { AptPackage, ArchiveTool, Download, NpmTool, PipTool, Tool, npmTarballUrl } from './tools';

/** Where downloads are kept and unpacked during a build. */
export const TOOLS_WORK_DIR = '/tmp/devsecops-tools';
/** Where tools that are more than one binary (Java, Python venvs) are installed. */
export const TOOLS_OPT_DIR = '/opt/devsecops-tools';
/** Where commands are put on the PATH. */
export const BIN_DIR = '/usr/local/bin';
/**
 * Where gate builds keep downloads between runs (the gates' CodeBuild S3 cache): each file under
 * the hex digest the table pins for it, `<digest>/<file name>`; pip and npm keep their own caches
 * beside (`pip/`, `npm/`). A cached file is used only after it matches that digest again.
 */
export const TOOLS_CACHE_DIR = '/root/.cache/devsecops-tools';

/** Thrown for a tool whose install cannot be verified end to end from the table. */
export class UnverifiableInstallError extends Error {
  constructor(toolName: string, reason: string) {
    super(`cannot generate a verified install for ${toolName}: ${reason}`);
    this.name = 'UnverifiableInstallError';
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const SHA512_SRI = /^sha512-[A-Za-z0-9+/]{86}==$/;
// Characters allowed in anything the generated shell lines interpolate: no quotes,
// spaces or shell metacharacters can reach the script from the table.
const SAFE = /^[A-Za-z0-9@%+=:,./_~-]+$/;

function safe(value: string, what: string): string {
  if (!SAFE.test(value)) {
    throw new Error(`unsafe ${what} for a shell line: ${JSON.stringify(value)}`);
  }
  return value;
}

function checkSha256(sha256: string, what: string): string {
  if (!SHA256_HEX.test(sha256)) {
    throw new Error(`${what}: sha256 must be 64 lower-case hex characters, got ${JSON.stringify(sha256)}`);
  }
  return sha256;
}

function basename(url: string): string {
  return url.substring(url.lastIndexOf('/') + 1);
}

/** The sha512 of an npm `sha512-<base64>` integrity, as hex for `sha512sum -c`. */
export function sriToSha512Hex(integrity: string): string {
  if (!SHA512_SRI.test(integrity)) {
    throw new Error(`not a sha512 integrity: ${JSON.stringify(integrity)}`);
  }
  return Buffer.from(integrity.substring('sha512-'.length), 'base64').toString('hex');
}

// Where a download is kept: in the work directory, or (with a cache) under its digest in the cache.
function downloadPath(url: string, hex: string, cacheDir: string | undefined): string {
  const name = safe(basename(url), 'file name');
  return cacheDir ? `${safe(cacheDir, 'path')}/${hex}/${name}` : `${TOOLS_WORK_DIR}/${name}`;
}

// Download to a file, then check it: a mismatch makes `sha256sum -c` (or sha512sum) exit non-zero,
// which stops the CodeBuild phase (and a `set -euo pipefail` script) before the file is used. With a
// cache, a file already there (restored from the CodeBuild cache) that no longer matches its digest
// is deleted and downloaded again; one that matches is not downloaded; either way the last line
// checks what will be used.
function fetchChecked(url: string, hex: string, algo: 'sha256' | 'sha512', file: string, cacheDir: string | undefined): string[] {
  const check = `echo "${hex}  ${file}" | ${algo}sum -c -`;
  const curl = `curl -fsSL --retry 3 -o ${safe(file, 'path')} ${safe(url, 'url')}`;
  if (!cacheDir) return [curl, check];
  return [
    `if [ -f ${file} ] && ! echo "${hex}  ${file}" | ${algo}sum -c --status -; then echo 'devsecops tool cache: ${file} does not match its ${algo}: downloading it again' >&2; rm -f ${file}; fi`,
    `[ -f ${file} ] || { mkdir -p ${file.substring(0, file.lastIndexOf('/'))} && ${curl}; }`,
    check,
  ];
}

function fetchDownload(d: Download, what: string, cacheDir: string | undefined): { file: string; lines: string[] } {
  const hex = checkSha256(d.sha256, what);
  const file = downloadPath(d.url, hex, cacheDir);
  return { file, lines: fetchChecked(d.url, hex, 'sha256', file, cacheDir) };
}

function archiveLines(t: ArchiveTool, cacheDir: string | undefined): string[] {
  const dir = `${TOOLS_OPT_DIR}/${safe(t.name, 'name')}-${safe(t.version, 'version')}`;
  const main = fetchDownload(t.download, t.name, cacheDir);
  const file = main.file;
  const lines = [`mkdir -p ${TOOLS_WORK_DIR} ${dir}`, ...main.lines];
  switch (t.download.format) {
    case 'tar.gz':
      lines.push(`tar -xzf ${file} -C ${dir}`);
      break;
    case 'zip':
      lines.push(`unzip -q -o ${file} -d ${dir}`);
      break;
    case 'file':
      lines.push(`cp ${file} ${dir}/`);
      break;
  }
  for (const extra of t.extras ?? []) {
    const fetched = fetchDownload(extra, `${t.name} extra ${basename(extra.url)}`, cacheDir);
    const destination = `${dir}/${safe(extra.destination, 'destination')}`;
    lines.push(...fetched.lines);
    lines.push(`install -D -m 0644 ${fetched.file} ${destination}`);
  }
  for (const [inArchive, command] of Object.entries(t.binaries)) {
    lines.push(`chmod 0755 ${dir}/${safe(inArchive, 'archive path')}`);
    lines.push(`ln -sf ${dir}/${inArchive} ${BIN_DIR}/${safe(command, 'command')}`);
  }
  return lines;
}

function requirementLine(r: { name: string; version: string; sha256: ReadonlyArray<string> }): string {
  if (r.sha256.length === 0) {
    throw new Error(`${r.name}==${r.version} has no sha256`);
  }
  const hashes = r.sha256.map(h => `--hash=sha256:${checkSha256(h, r.name)}`).join(' ');
  return `${safe(r.name, 'name')}==${safe(r.version, 'version')} ${hashes}`;
}

function pipLines(t: PipTool, cacheDir: string | undefined): string[] {
  if (!t.wheel) {
    throw new UnverifiableInstallError(t.name, `the tools table has no verified wheel sha256 for ${t.name} ${t.version}`);
  }
  if (!t.lockedDependencies) {
    throw new UnverifiableInstallError(t.name,
      `the tools table has no hash-locked dependency closure for ${t.name} ${t.version}; pip --require-hashes needs every dependency pinned and hashed`);
  }
  const venv = `${TOOLS_OPT_DIR}/${safe(t.name, 'name')}-${safe(t.version, 'version')}`;
  const requirements = `${TOOLS_WORK_DIR}/${t.name}-${t.version}-requirements.txt`;
  const lines = [
    `mkdir -p ${TOOLS_WORK_DIR}`,
    `python3 -m venv ${venv}`,
    // One quoted argument per requirement line, so printf writes the file verbatim.
    `printf '%s\\n' ${[t.wheel, ...t.lockedDependencies].map(r => `'${requirementLine(r)}'`).join(' ')} > ${requirements}`,
    // Wheels only: building an sdist would run code whose build dependencies are not hashed.
    // --require-hashes checks every file pip uses, from its cache too.
    `${venv}/bin/pip install ${cacheDir ? `--cache-dir ${safe(cacheDir, 'path')}/pip` : '--no-cache-dir'} --require-hashes --only-binary=:all: -r ${requirements}`,
  ];
  for (const command of t.commands) {
    lines.push(`ln -sf ${venv}/bin/${safe(command, 'command')} ${BIN_DIR}/${command}`);
  }
  return lines;
}

function npmLines(t: NpmTool, cacheDir: string | undefined): string[] {
  const lines = [`mkdir -p ${TOOLS_WORK_DIR}`];
  const files: string[] = [];
  for (const pkg of t.packages) {
    const url = npmTarballUrl(pkg);
    const hex = sriToSha512Hex(pkg.integrity);
    const file = downloadPath(url, hex, cacheDir);
    files.push(file);
    lines.push(...fetchChecked(url, hex, 'sha512', file, cacheDir));
  }
  // Installed from the checked local tarballs, never from a name that could resolve elsewhere;
  // no install scripts run. npm checks what it takes from its cache against the registry integrity.
  const cache = cacheDir ? ` --cache ${safe(cacheDir, 'path')}/npm` : '';
  lines.push(`npm install --global --ignore-scripts --no-audit --no-fund${cache} ${files.join(' ')}`);
  return lines;
}

/**
 * The shell lines that install one pinned artifact on a linux x86_64 CodeBuild image (bash, curl,
 * sha256sum, tar; python3 for pip tools; npm for npm tools). Each line fails on its own
 * (curl -f, sha256sum -c), so they can be used as separate buildspec commands. With `cacheDir`
 * (the gates: TOOLS_CACHE_DIR), downloads are kept there between builds and re-checked before each use.
 *
 * @throws UnverifiableInstallError when the table cannot verify the whole install.
 */
export function commandsFor(t: Tool, cacheDir?: string): string[] {
  switch (t.kind) {
    case 'archive':
      return archiveLines(t, cacheDir);
    case 'pip':
      return pipLines(t, cacheDir);
    case 'npm':
      return npmLines(t, cacheDir);
    case 'image':
      throw new UnverifiableInstallError(t.name, `it is a container image: the step that runs it pulls it by digest (${t.digest}); nothing is installed`);
  }
}

/** A standalone bash script installing the given scanners, stopping at the first failure. */
export function installScript(tools: ReadonlyArray<Tool>): string {
  return [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    ...tools.flatMap(t => [`# ${t.name} ${t.version}`, ...commandsFor(t)]),
    '',
  ].join('\n');
}

/**
 * The shell lines that install a scanner from the build image's distribution (apt), pinned to its
 * upstream version. apt verifies the signed indexes and the package hash, and fails when no
 * package of that version exists.
 */
export function aptInstallCommands(p: AptPackage): string[] {
  return [
    'apt-get update -qq',
    `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends '${safe(p.package, 'package')}=${safe(p.version, 'version')}-*'`,
  ];
}

/** A PyPI tool installed from a hash-locked requirements file (pip-compile --generate-hashes) this package ships. */
export interface PipLockInstall {
  readonly name: string;
  readonly version: string;
  /** Where the lock file is in the build. */
  readonly lockFile: string;
  /** Console scripts to link onto the PATH. */
  readonly commands: ReadonlyArray<string>;
  /** Where the virtual environment goes (default TOOLS_OPT_DIR). */
  readonly venvRoot?: string;
  /** Where the commands are linked (default BIN_DIR). */
  readonly binDir?: string;
  /** pip's cache goes under it (`pip/`), as for the other pip installs. */
  readonly cacheDir?: string;
}

/**
 * The lines that install a PyPI tool from a hash-locked requirements file: a virtual environment
 * of its own; wheels only (an sdist would run build code whose dependencies are not hashed); every
 * file checked by pip's --require-hashes (from its cache too); --no-deps, so nothing outside the
 * lock is resolved and a lock missing a dependency fails at import instead of fetching it unchecked.
 */
export function pipLockLines(o: PipLockInstall): string[] {
  const venv = `${safe(o.venvRoot ?? TOOLS_OPT_DIR, 'path')}/${safe(o.name, 'name')}-${safe(o.version, 'version')}`;
  const cache = o.cacheDir ? `--cache-dir ${safe(o.cacheDir, 'path')}/pip` : '--no-cache-dir';
  return [
    `python3 -m venv ${venv}`,
    `${venv}/bin/pip install --disable-pip-version-check -q ${cache} --require-hashes --only-binary=:all: --no-deps -r ${safe(o.lockFile, 'path')}`,
    ...o.commands.map((c) => `ln -sf ${venv}/bin/${safe(c, 'command')} ${safe(o.binDir ?? BIN_DIR, 'path')}/${c}`),
  ];
}

/** The pinned `name==version` lines of a pip-compile lock (comments, hashes and options left out). */
export function lockedVersions(lock: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of lock.matchAll(/^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)/gm)) out[m[1].toLowerCase()] = m[2];
  return out;
}

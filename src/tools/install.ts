import { APT_PACKAGES, ArchiveTool, Download, NpmTool, PipTool, Tool, ToolName, TOOLS, npmTarballUrl } from './tools';

/** Where downloads are kept and unpacked during a build. */
export const TOOLS_WORK_DIR = '/tmp/devsecops-tools';
/** Where tools that are more than one binary (Java, Python venvs) are installed. */
export const TOOLS_OPT_DIR = '/opt/devsecops-tools';
/** Where commands are put on the PATH. */
export const BIN_DIR = '/usr/local/bin';

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

// Download to a file, then check it: a mismatch makes `sha256sum -c` exit non-zero, which
// stops the CodeBuild phase (and a `set -euo pipefail` script) before the file is used.
function fetchChecked(download: Download, file: string, what: string): string[] {
  return [
    `curl -fsSL --retry 3 -o ${safe(file, 'path')} ${safe(download.url, 'url')}`,
    `echo "${checkSha256(download.sha256, what)}  ${file}" | sha256sum -c -`,
  ];
}

function archiveLines(t: ArchiveTool): string[] {
  const dir = `${TOOLS_OPT_DIR}/${safe(t.name, 'name')}-${safe(t.version, 'version')}`;
  const file = `${TOOLS_WORK_DIR}/${safe(basename(t.download.url), 'file name')}`;
  const lines = [`mkdir -p ${TOOLS_WORK_DIR} ${dir}`, ...fetchChecked(t.download, file, t.name)];
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
    const extraFile = `${TOOLS_WORK_DIR}/${safe(basename(extra.url), 'file name')}`;
    const destination = `${dir}/${safe(extra.destination, 'destination')}`;
    lines.push(...fetchChecked(extra, extraFile, `${t.name} extra ${basename(extra.url)}`));
    lines.push(`install -D -m 0644 ${extraFile} ${destination}`);
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

function pipLines(t: PipTool): string[] {
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
    `${venv}/bin/pip install --no-cache-dir --require-hashes --only-binary=:all: -r ${requirements}`,
  ];
  for (const command of t.commands) {
    lines.push(`ln -sf ${venv}/bin/${safe(command, 'command')} ${BIN_DIR}/${command}`);
  }
  return lines;
}

function npmLines(t: NpmTool): string[] {
  const lines = [`mkdir -p ${TOOLS_WORK_DIR}`];
  const files: string[] = [];
  for (const pkg of t.packages) {
    const url = npmTarballUrl(pkg);
    const file = `${TOOLS_WORK_DIR}/${safe(basename(url), 'file name')}`;
    files.push(file);
    lines.push(`curl -fsSL --retry 3 -o ${file} ${safe(url, 'url')}`);
    lines.push(`echo "${sriToSha512Hex(pkg.integrity)}  ${file}" | sha512sum -c -`);
  }
  // Installed from the checked local tarballs, never from a name that could resolve elsewhere;
  // no install scripts run.
  lines.push(`npm install --global --ignore-scripts --no-audit --no-fund ${files.join(' ')}`);
  return lines;
}

/**
 * The shell lines that install one scanner on a linux x86_64 CodeBuild image (bash, curl,
 * sha256sum, tar; python3 for pip tools; npm for npm tools). Each line fails on its own
 * (curl -f, sha256sum -c), so they can be used as separate buildspec commands.
 *
 * @throws UnverifiableInstallError when the table cannot verify the whole install.
 */
export function installCommands(name: ToolName): string[] {
  return commandsFor(TOOLS[name]);
}

/** The install lines for any table entry (see `installCommands`). */
export function commandsFor(t: Tool): string[] {
  switch (t.kind) {
    case 'archive':
      return archiveLines(t);
    case 'pip':
      return pipLines(t);
    case 'npm':
      return npmLines(t);
  }
}

/** A standalone bash script installing the given scanners, stopping at the first failure. */
export function installScript(names: ReadonlyArray<ToolName>): string {
  return [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    ...names.flatMap(n => [`# ${n} ${TOOLS[n].version}`, ...installCommands(n)]),
    '',
  ].join('\n');
}

/**
 * The shell lines that install a scanner from the build image's distribution (apt), pinned to its
 * upstream version. apt verifies the signed indexes and the package hash, and fails when no
 * package of that version exists.
 */
export function aptInstallCommands(name: ToolName): string[] {
  const p = APT_PACKAGES[name];
  if (!p) {
    throw new UnverifiableInstallError(name, 'the tools table has no distribution package for it');
  }
  return [
    'apt-get update -qq',
    `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends '${safe(p.package, 'package')}=${safe(p.version, 'version')}-*'`,
  ];
}

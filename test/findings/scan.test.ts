/**
 * `devsecops-findings scan` through the bundled CLI, on examples/vulnerable-app and
 * examples/clean-app, with the scanners that install here on a PATH of their own: secretlint,
 * cyclonedx-npm and eslint (with eslint-plugin-security beside it) from node_modules, bandit from Debian, cfn-guard from
 * @cdklabs/cdk-validator-cfnguard. trivy and gitleaks do not install here, so the SCA gate is
 * SKIPPED in every run below, which is itself under test (never reported as passed).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cfnGuardPackageDir, EXAMPLES, ROOT } from '../scanners/run-scanner';
import { bundleFindingsCli } from '../support/findings-cli';

const VULNERABLE = path.join(EXAMPLES, 'vulnerable-app');
const CLEAN = path.join(EXAMPLES, 'clean-app');

let work: string;
let cli: string;
let scanners: string;
let noScanners: string;

/** A directory of links, to be the whole PATH of a run. */
function binDir(name: string, links: Record<string, string>): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  for (const [command, target] of Object.entries(links)) fs.symlinkSync(target, path.join(dir, command));
  return dir;
}

function which(command: string): string {
  const r = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} is not installed here (.ci/run installs it)`);
  return fs.realpathSync(r.stdout.trim());
}

beforeAll(() => {
  // Out of the scanned tree (scan refuses an --out inside --dir) and out of assets/.
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'findings-scan-test-'));
  cli = path.join(work, 'cli.js');
  bundleFindingsCli(cli);
  // node for the npm tools' shebangs; npm and sh because cyclonedx-npm asks npm where it is.
  const base = { node: process.execPath, sh: '/bin/sh', npm: which('npm') };
  scanners = binDir('bin', {
    ...base,
    'secretlint': path.join(ROOT, 'node_modules', '.bin', 'secretlint'),
    'cyclonedx-npm': path.join(ROOT, 'node_modules', '.bin', 'cyclonedx-npm'),
    'eslint': path.join(ROOT, 'node_modules', '.bin', 'eslint'),
    'bandit': which('bandit'),
    'cfn-guard': path.join(cfnGuardPackageDir(), 'bin', 'ubuntu', 'x86_64', 'cfn-guard'),
  });
  noScanners = binDir('bin-empty', base);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Scan { readonly status: number; readonly stdout: string; readonly stderr: string; readonly out: string }

function scan(dir: string, bin: string, extra: string[] = []): Scan {
  const out = fs.mkdtempSync(path.join(work, 'out-'));
  // The examples carry no cdk.out: their template is named for the IaC gate.
  const r = spawnSync(process.execPath, [cli, 'scan', '--dir', dir, '--out', out, '--templates', 'infra/*.json', ...extra], {
    encoding: 'utf8',
    env: { ...process.env, PATH: bin, NO_COLOR: '1' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out };
}

function result(s: Scan, gate: string): any {
  return JSON.parse(fs.readFileSync(path.join(s.out, gate, 'gate-result.json'), 'utf8'));
}

test('vulnerable-app: the secrets, SAST and IaC gates fail with their seeds; SCA is SKIPPED; exit 1', () => {
  const s = scan(VULNERABLE, scanners);
  expect({ status: s.status, stderr: s.stderr }).toEqual({ status: 1, stderr: expect.any(String) });
  const summary = fs.readFileSync(path.join(s.out, 'summary.md'), 'utf8');
  // The printed summary is the file `summary` wrote, with every gate's line appended.
  expect(s.stdout).toContain(summary);
  for (const [gate, tool] of [['secrets', 'secretlint'], ['sast', 'bandit, eslint-security'], ['iac', 'cfn-guard']]) {
    expect(summary).toContain(`## Gate ${gate}: **FAIL**`);
    expect(summary).toContain(`| ${gate} | **FAILED** | ${tool} |`);
    expect(s.stdout).toContain(`${gate}: FAILED (${tool})`);
    expect(result(s, gate).status).toBe('fail');
    // The same outputs as evaluate writes in a gate's build.
    for (const f of ['junit.xml', 'findings.sarif', 'summary.md', 'asff.json']) expect(fs.existsSync(path.join(s.out, gate, f))).toBe(true);
  }
  expect(result(s, 'secrets').blocking.map((f: any) => f.where)).toEqual([expect.stringMatching(/^src\/config\.js:\d+$/)]);
  // Python (bandit) and JavaScript (eslint-security) seeds.
  expect(result(s, 'sast').blocking.map((f: any) => `${f.ruleId} ${f.where}`).sort()).toEqual([
    expect.stringMatching(/^B602 app\/healthcheck\.py:\d+$/),
    'security/detect-child-process src/report.js:8',
  ]);
  expect(result(s, 'iac').blocking.map((f: any) => f.ruleId)).toEqual(expect.arrayContaining(['S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED_CHECK']));
  // The secret gate says what it covered.
  expect(result(s, 'secrets').secretScan).toBe('files');
  // The SBOM is generated and well-formed; the SCA gate had no scanner and is not a pass.
  expect(summary).toContain('| sbom | PASSED | cyclonedx-npm |');
  expect(summary).toContain('| dependencies | SKIPPED | no dependencies scanner installed: install trivy |');
  expect(s.stdout).toContain('scan dependencies: SKIPPED');
  expect(fs.existsSync(path.join(s.out, 'dependencies', 'gate-result.json'))).toBe(false);
});

test('clean-app: every gate that runs passes; exit 0', () => {
  const s = scan(CLEAN, scanners);
  expect({ status: s.status, stderr: s.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  for (const [gate, tool] of [['secrets', 'secretlint'], ['sast', 'bandit, eslint-security'], ['sbom', 'cyclonedx-npm'], ['iac', 'cfn-guard']]) {
    expect(s.stdout).toContain(`${gate}: PASSED (${tool})`);
    expect(result(s, gate).status).toBe('pass');
  }
  expect(s.stdout).toContain('dependencies: SKIPPED');
  expect(s.stdout).not.toMatch(/FAILED|ERROR/);
});

test('the IaC gate reads every template of cdk.out, nested Stages included, when --templates is not given', () => {
  const app = fs.mkdtempSync(path.join(work, 'app-'));
  fs.mkdirSync(path.join(app, 'cdk.out', 'assembly-Staging'), { recursive: true });
  fs.copyFileSync(path.join(CLEAN, 'infra', 'template.json'), path.join(app, 'cdk.out', 'Pipeline.template.json'));
  fs.copyFileSync(path.join(VULNERABLE, 'infra', 'template.json'), path.join(app, 'cdk.out', 'assembly-Staging', 'Staging-App.template.json'));
  const out = fs.mkdtempSync(path.join(work, 'out-'));
  const r = spawnSync(process.execPath, [cli, 'scan', '--dir', app, '--out', out, '--gates', 'iac'], { encoding: 'utf8', env: { ...process.env, PATH: scanners } });
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: expect.stringContaining('iac: FAILED (cfn-guard)') });
  expect(fs.readdirSync(path.join(out, 'iac', 'work', 'templates')).sort()).toEqual(['Pipeline.template.json', 'Staging-App.template.json']);
});

test('no scanner on the PATH: exit 2, naming the tools to install', () => {
  const s = scan(VULNERABLE, noScanners);
  expect(s.status).toBe(2);
  expect(s.stderr).toMatch(/no gate could run/);
  for (const tool of ['gitleaks', 'secretlint', 'bandit', 'eslint-security', 'trivy', 'cfn-guard', 'checkov']) expect(s.stderr).toContain(tool);
  for (const gate of ['secrets', 'sast', 'dependencies', 'sbom', 'iac']) expect(s.stdout).toContain(`${gate}: SKIPPED`);
  expect(s.stdout).not.toMatch(/PASSED/);
});

test('a scanner that exits with an error and writes no report: exit 2 (fail closed), even beside a failing gate', () => {
  const broken = binDir('bin-broken', { node: process.execPath, sh: '/bin/sh', bandit: which('bandit') });
  fs.writeFileSync(path.join(broken, 'cfn-guard'), '#!/bin/sh\necho "cfn-guard: cannot read rules" >&2\nexit 5\n', { mode: 0o755 });
  const s = scan(VULNERABLE, broken, ['--gates', 'sast,iac']);
  expect(s.status).toBe(2);
  expect(s.stderr).toMatch(/iac: cfn-guard failed: cfn-guard exited 5: cfn-guard: cannot read rules/);
  // eslint is not on this PATH: the SAST gate says so and runs bandit alone.
  expect(s.stdout).toMatch(/scan sast: running bandit \(eslint-security not installed\)/);
  expect(s.stdout).toContain('sast: FAILED (bandit)');
  expect(fs.readFileSync(path.join(s.out, 'summary.md'), 'utf8')).toMatch(/\| iac \| \*\*ERROR\*\* \| cfn-guard failed/);
});

test('a scanner that exits 0 without writing its report: exit 2', () => {
  const silent = binDir('bin-silent', { node: process.execPath, sh: '/bin/sh' });
  fs.writeFileSync(path.join(silent, 'secretlint'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const s = scan(CLEAN, silent, ['--gates', 'secrets']);
  expect(s.status).toBe(2);
  expect(s.stderr).toMatch(/secrets: secretlint wrote no report \(.*secretlint\.sarif\)/);
});

test('bad input: exit 2 with a message that names the fix', () => {
  const inside = scan(CLEAN, scanners, ['--out', path.join(CLEAN, 'scan-out')]);
  expect(inside.status).toBe(2);
  expect(inside.stderr).toMatch(/is inside --dir .*choose a directory outside it/);
  expect(fs.existsSync(path.join(CLEAN, 'scan-out'))).toBe(false);
  const gate = scan(CLEAN, scanners, ['--gates', 'secrets,dast']);
  expect({ status: gate.status, stderr: gate.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/unknown gate\(s\) dast/) });
  const sev = scan(CLEAN, scanners, ['--fail-on', 'SEVERE']);
  expect({ status: sev.status, stderr: sev.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/"SEVERE" is not a severity/) });
  const none = scan(CLEAN, scanners, ['--gates', 'iac', '--templates', 'nothing/*.json']);
  expect({ status: none.status, stderr: none.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/--templates nothing\/\*\.json: no file matches/) });
  // `sca` is the dependency gate: with trivy absent nothing can run.
  const sca = scan(CLEAN, scanners, ['--gates', 'sca']);
  expect({ status: sca.status, stderr: sca.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/no gate could run.*Install one of: trivy/) });
});

test('--help documents scan', () => {
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('devsecops-findings scan [--dir DIR]');
  expect(r.stdout).toMatch(/A gate without an installed scanner is SKIPPED,\s+never passed/);
});

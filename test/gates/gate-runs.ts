/**
 * Runs scanner reports through the bundled findings CLI (`evaluate`) and the gates' generated
 * build commands on an app, as CodeBuild would: shared by the real-scanner tests in test/gates and
 * test/integration.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GateBuild } from './support';
import { cfnGuardPackageDir, ROOT } from '../scanners/run-scanner';
import { bundleFindingsCli } from '../support/findings-cli';

export interface Evaluated { readonly status: number; readonly out: string; readonly result: any }
export interface GateBuildRun { readonly status: number; readonly output: string; readonly src: string }

/** Registers the suite's setup and teardown (a work directory and a fresh CLI bundle) and returns the runners. */
export function useGateRuns() {
  let work: string;
  let cli: string;

  beforeAll(() => {
    // Inside the project, so secretlint finds its rule preset in node_modules (gitignored).
    fs.mkdirSync(path.join(ROOT, '.scratch'), { recursive: true });
    work = fs.mkdtempSync(path.join(ROOT, '.scratch', 'gates-'));
    cli = path.join(work, 'findings-cli', 'cli.js');
    // The same bundle the pipeline ships (the pre-compile esbuild step), built here so the test
    // never races another run over assets/.
    bundleFindingsCli(cli);
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  function evaluate(gate: string, reports: string[], extra: string[] = []): Evaluated {
    const out = fs.mkdtempSync(path.join(work, `eval-${gate}-`));
    const r = spawnSync(process.execPath, [cli, 'evaluate', '--gate', gate, ...reports.flatMap((x) => ['--report', x]), '--fail-on', 'HIGH', '--out', out, ...extra],
      { encoding: 'utf8', cwd: work });
    const resultFile = path.join(out, 'gate-result.json');
    return { status: r.status ?? -1, out: r.stdout + r.stderr, result: fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : undefined };
  }

  function blockingRules(e: Evaluated): string[] {
    const junit = fs.readFileSync(path.join(e.out.match(/reports in (\S+)/)![1], 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite');
    return [...new Set([...e.out.matchAll(/^ {2}(CRITICAL|HIGH) (\S+)/gm)].map((m) => m[2]))].sort();
  }

  /**
   * Runs a gate's generated build commands in a copy of `appDir`, as CodeBuild would: one bash
   * shell, stopping at the first failing command, up to and including evaluate. Paths under
   * /tmp/devsecops move into the test's work dir; `prepare` stands in for the install phase.
   */
  function runGateBuild(gate: GateBuild, appDir: string, prepare: (src: string, tmp: string) => void): GateBuildRun {
    const base = fs.mkdtempSync(path.join(work, 'build-'));
    const src = path.join(base, 'src');
    const tmp = path.join(base, 'devsecops');
    fs.cpSync(appDir, src, { recursive: true });
    fs.mkdirSync(path.join(tmp, 'findings-cli'), { recursive: true });
    fs.copyFileSync(cli, path.join(tmp, 'findings-cli', 'cli.js'));
    const bin = path.join(base, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(path.join(cfnGuardPackageDir(), 'bin', 'ubuntu', 'x86_64', 'cfn-guard'), path.join(bin, 'cfn-guard'));
    for (const tool of ['secretlint', 'cyclonedx-npm', 'eslint']) fs.symlinkSync(path.join(ROOT, 'node_modules', '.bin', tool), path.join(bin, tool));
    prepare(src, tmp);
    // What the install phase unpacks under /opt/devsecops-tools (pip locks, Semgrep rules) is in <tmp>/opt here.
    const relocate = (c: string) => c.split('/tmp/devsecops/').join(`${tmp}/`).split('/opt/devsecops-tools/').join(`${tmp}/opt/`);
    const upToEvaluate = gate.build.slice(0, gate.build.findIndex((c) => c.includes('cli.js evaluate')) + 1);
    const script = ['cd "$1" || exit 99', ...upToEvaluate.map(relocate).flatMap((c) => [c, 'rc=$?; if [ "$rc" -ne 0 ]; then exit "$rc"; fi'])].join('\n');
    const r = spawnSync('bash', ['-c', script, 'gate', src], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' } });
    return { status: r.status ?? -1, output: r.stdout + r.stderr, src };
  }

  /**
   * The SAST install phase's own detection tests, run on the app, leave the engines' markers; its
   * line that lists the code no engine covers writes its file.
   */
  function detectEngines(gate: GateBuild) {
    return (src: string, tmp: string) => {
      for (const line of gate.install) {
        if (line.includes('/tmp/devsecops/not-analyzed')) {
          const r = spawnSync('bash', ['-c', line.split('/tmp/devsecops/').join(`${tmp}/`)], { cwd: src, encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`not-analyzed detection failed: ${r.stderr}`);
          continue;
        }
        const m = /^if (.+); then echo 'SAST: running ([\w-]+)' && touch (\S+) && /.exec(line);
        if (!m) continue;
        const found = spawnSync('bash', ['-c', m[1]], { cwd: src }).status === 0;
        if (found) fs.writeFileSync(m[3].split('/tmp/devsecops/').join(`${tmp}/`), '');
      }
    };
  }

  return { evaluate, blockingRules, runGateBuild, detectEngines, workDir: () => work };
}

/**
 * Runs `devsecops-findings scan` through the bundled CLI with a PATH of its own: shared by
 * test/findings/scan.test.ts (scanners npm installs) and test/integration (bandit too).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cfnGuardPackageDir, ROOT } from '../scanners/run-scanner';
import { bundleFindingsCli } from '../support/findings-cli';

export interface Scan { readonly status: number; readonly stdout: string; readonly stderr: string; readonly out: string }

/** The real path of a command on this machine's PATH; throws naming what installs it. */
export function which(command: string): string {
  const r = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} is not installed here (.ci/run installs it)`);
  return fs.realpathSync(r.stdout.trim());
}

/** The scanners npm installs (the project's dev dependencies), by command name. */
export function npmScanners(): Record<string, string> {
  return {
    'secretlint': path.join(ROOT, 'node_modules', '.bin', 'secretlint'),
    'cyclonedx-npm': path.join(ROOT, 'node_modules', '.bin', 'cyclonedx-npm'),
    'eslint': path.join(ROOT, 'node_modules', '.bin', 'eslint'),
    'cfn-guard': path.join(cfnGuardPackageDir(), 'bin', 'ubuntu', 'x86_64', 'cfn-guard'),
  };
}

/** Registers the suite's setup and teardown (a work directory, a fresh CLI bundle) and returns the runners. */
export function useScanRuns() {
  const state = { work: '', cli: '' };

  beforeAll(() => {
    // Out of the scanned tree (scan refuses an --out inside the directory) and out of assets/.
    state.work = fs.mkdtempSync(path.join(os.tmpdir(), 'findings-scan-test-'));
    state.cli = path.join(state.work, 'cli.js');
    bundleFindingsCli(state.cli);
  });

  afterAll(() => fs.rmSync(state.work, { recursive: true, force: true }));

  /** A directory of links, to be the whole PATH of a run; node, sh and npm are always there (npm tools' shebangs, cyclonedx-npm asks npm). */
  function binDir(name: string, links: Record<string, string>): string {
    const dir = path.join(state.work, name);
    fs.mkdirSync(dir);
    const base = { node: process.execPath, sh: '/bin/sh', npm: which('npm') };
    for (const [command, target] of Object.entries({ ...base, ...links })) fs.symlinkSync(target, path.join(dir, command));
    return dir;
  }

  /** `scan DIR --out <new dir>` with `bin` as the whole PATH; the examples carry no cdk.out, so their template is named. */
  function scan(dir: string, bin: string, extra: string[] = [], o: { templates?: string[]; cwd?: string } = {}): Scan {
    const out = fs.mkdtempSync(path.join(state.work, 'out-'));
    const r = spawnSync(process.execPath, [state.cli, 'scan', dir, '--out', out, ...(o.templates ?? ['--templates', 'infra/*.json']), ...extra], {
      encoding: 'utf8',
      cwd: o.cwd,
      env: { ...process.env, PATH: bin, NO_COLOR: '1' },
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out };
  }

  function result(s: Scan, gate: string): any {
    return JSON.parse(fs.readFileSync(path.join(s.out, gate, 'gate-result.json'), 'utf8'));
  }

  return { binDir, scan, result, cli: () => state.cli, work: () => state.work };
}

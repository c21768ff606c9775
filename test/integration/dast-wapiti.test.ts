/**
 * wapiti (Debian package, .ci/run installs it) really runs: the DAST step a pipeline with
 * `dast: Dast.wapiti(...)` synthesizes, its build commands run as CodeBuild would (up to and
 * including evaluate), against a small web application on 127.0.0.1. The reflected XSS blocks
 * the gate; the same application escaping its output passes.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Dast, Severity } from '../../src';
import { dastPipeline } from '../gates/dast-support';
import { useGateRuns } from '../gates/gate-runs';
import { GateBuild } from '../gates/support';

const SERVER = path.join(__dirname, '..', 'fixtures', 'dast', 'server.js');
const { runGateBuild } = useGateRuns();

/** The synthesized DAST build of a pipeline whose Staging Stage is scanned with wapiti (xss only, one minute). */
function dastBuild(): GateBuild {
  const { builds } = dastPipeline((url) => Dast.wapiti({ targetUrl: url, modules: ['xss'], maxScanTime: Duration.minutes(1), failOn: Severity.MEDIUM }));
  expect(builds).toHaveLength(1);
  return builds[0];
}

async function startServer(mode: 'vulnerable' | 'clean'): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [SERVER, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(String(d).trim()));
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}/` };
}

/** Runs the DAST build against the server; returns its status, output and the native report. */
async function scan(mode: 'vulnerable' | 'clean') {
  const build = dastBuild();
  const server = await startServer(mode);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dast-src-'));
  const before = process.env.DAST_TARGET_URL;
  process.env.DAST_TARGET_URL = server.url;
  try {
    const run = runGateBuild(build, empty, () => undefined);
    const report = path.join(run.src, 'devsecops-gate-out', 'reports', 'wapiti.json');
    const result = path.join(run.src, 'devsecops-gate-out', 'findings', 'gate-result.json');
    return {
      run,
      report: fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : undefined,
      result: fs.existsSync(result) ? JSON.parse(fs.readFileSync(result, 'utf8')) : undefined,
    };
  } finally {
    if (before === undefined) delete process.env.DAST_TARGET_URL; else process.env.DAST_TARGET_URL = before;
    server.child.kill();
    fs.rmSync(empty, { recursive: true, force: true });
  }
}

describe('DAST with wapiti, for real', () => {
  test('the build runs wapiti against the reflected XSS and the gate blocks (exit 1)', async () => {
    const { run, report, result } = await scan('vulnerable');
    expect(report?.vulnerabilities?.['Cross Site Scripting']?.map((v: any) => [v.path, v.parameter])).toEqual([['/search', 'q']]);
    expect(run.output).toContain('DAST target: http://127.0.0.1:');
    expect(result?.gate).toBe('dast');
    expect(run.status).toBe(1);
  }, 180_000);

  test('the same application escaping its output passes (exit 0)', async () => {
    const { run, report, result } = await scan('clean');
    expect(report?.vulnerabilities?.['Cross Site Scripting']).toEqual([]);
    expect(result?.gate).toBe('dast');
    expect(run.status).toBe(0);
  }, 180_000);
});

/**
 * Bandit (from PyPI with the shipped lock, as the gates install it: test/integration/install-scanners.ts) on examples/vulnerable-app and clean-app: its
 * native report, the report through `evaluate`, and the SAST gate's generated build commands
 * (Python and JavaScript detected, so Bandit and eslint-security).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Sast } from '../../src';
import { npmScanners, useScanRuns, which } from '../findings/scan-runs';
import { useGateRuns } from '../gates/gate-runs';
import { synthGates } from '../gates/support';
import { EXAMPLES, lineOf, readReport, runScanner } from '../scanners/run-scanner';

const VULNERABLE = path.join(EXAMPLES, 'vulnerable-app');
const CLEAN = path.join(EXAMPLES, 'clean-app');

const { evaluate, blockingRules, runGateBuild, detectEngines } = useGateRuns();
const scans = useScanRuns();

interface BanditReport {
  errors: unknown[];
  results: Array<{ test_id: string; issue_severity: string; issue_confidence: string; filename: string; line_number: number }>;
  metrics: { _totals: { loc: number } };
}

describe('SAST: Bandit', () => {
  test('finds the seeded shell injection in vulnerable-app as HIGH (B602)', () => {
    const report = runScanner('bandit', VULNERABLE);
    const bandit = readReport<BanditReport>(report);
    expect(bandit.errors).toEqual([]);
    const high = bandit.results.filter(r => r.issue_severity === 'HIGH');
    expect(high.map(r => ({ id: r.test_id, file: r.filename, line: r.line_number }))).toEqual([{
      id: 'B602',
      file: './app/healthcheck.py',
      line: lineOf(path.join(VULNERABLE, 'app', 'healthcheck.py'), 'shell=True'),
    }]);
    expect(report.exitCode).toBe(1); // bandit exits 1 when it reports issues
  });

  test('finds nothing in clean-app, at any severity', () => {
    const report = runScanner('bandit', CLEAN);
    const bandit = readReport<BanditReport>(report);
    expect(bandit.errors).toEqual([]);
    expect(bandit.metrics._totals.loc).toBeGreaterThan(0); // it did scan the Python file
    expect(bandit.results).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});

describe('Bandit through the findings engine', () => {
  const s = synthGates({ gates: { sast: Sast.detect() } });

  test('SAST (bandit): the shell injection blocks as B602; clean-app passes', () => {
    const bad = evaluate('sast', [`${runScanner('bandit', VULNERABLE).reportPath}:bandit`]);
    expect(bad.status).toBe(1);
    expect(blockingRules(bad)).toEqual(['B602']);
    const good = evaluate('sast', [`${runScanner('bandit', CLEAN).reportPath}:bandit`]);
    expect({ status: good.status, out: good.out }).toEqual({ status: 0, out: expect.stringMatching(/PASS/) });
  });

  test('SAST gate (detected: Python and JavaScript, so Bandit and eslint-security): vulnerable-app fails on both seeds, clean-app passes', () => {
    const gate = s.gates.Sast!;
    const bad = runGateBuild(gate, VULNERABLE, detectEngines(gate));
    expect(bad.status).toBe(1);
    expect(bad.output).toMatch(/HIGH B602/);
    // The JS seed: child_process.exec of a template string built from the caller's input.
    expect(bad.output).toMatch(/^ {2}HIGH security\/detect-child-process src\/report\.js:8\b/m);
    const reports = fs.readFileSync(path.join(path.dirname(bad.src), 'devsecops', 'report-list'), 'utf8');
    expect(reports).toMatch(/bandit\.json:bandit/);
    expect(reports).toMatch(/eslint-security\.sarif:sarif/);
    const good = runGateBuild(gate, CLEAN, detectEngines(gate));
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate sast: PASS/) });
    expect(fs.readFileSync(path.join(path.dirname(good.src), 'devsecops', 'report-list'), 'utf8')).toMatch(/eslint-security\.sarif:sarif/);
    // The PyPI bandit of the shipped lock (install-scanners.ts), not a distribution's: no Debian revision to record.
    expect(execFileSync('bandit', ['--version'], { encoding: 'utf8' })).toMatch(/^bandit 1\.9\.4\b/);
    const result = JSON.parse(fs.readFileSync(path.join(good.src, 'devsecops-gate-out', 'findings', 'gate-result.json'), 'utf8'));
    expect(result.toolVersions?.['bandit-apt']).toBeUndefined();
  });
});

describe('the repository cannot configure Bandit into silence', () => {
  const gate = synthGates({ gates: { sast: Sast.bandit() } }).gates.Sast!;
  const seedLine = lineOf(path.join(VULNERABLE, 'app', 'healthcheck.py'), 'shell=True');

  /** vulnerable-app with `# nosec` on the seeded line and a .bandit that skips B602 and excludes app/. */
  function silenced(src: string): void {
    const file = path.join(src, 'app', 'healthcheck.py');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[seedLine - 1] += '  # nosec';
    fs.writeFileSync(file, lines.join('\n'));
    fs.writeFileSync(path.join(src, '.bandit'), '[bandit]\nskips: B602,B404,B603\ntests: B101\nexclude: ./app,./.github\n');
  }

  test('# nosec on the shell=True line and a .bandit skipping B602: the gate still blocks on B602', () => {
    const r = runGateBuild(gate, VULNERABLE, (src, tmp) => {
      detectEngines(gate)(src, tmp);
      silenced(src);
    });
    expect(r.status).toBe(1);
    expect(r.output).toMatch(new RegExp(`^ {2}HIGH B602 app/healthcheck\\.py:${seedLine}:`, 'm'));
    // The scanner's own suppression is shown as such: it is not an acceptance.
    const summary = fs.readFileSync(path.join(r.src, r.output.match(/reports in (\S+)/)![1], 'summary.md'), 'utf8');
    expect(summary).not.toMatch(/Suppressed by the tool, not accepted/); // --ignore-nosec: bandit reports it as a plain finding
  });

  test('a Python file bandit cannot parse (3.12 syntax) makes the gate exit 2, naming it, instead of passing', () => {
    const r = runGateBuild(gate, CLEAN, (src, tmp) => {
      detectEngines(gate)(src, tmp);
      fs.writeFileSync(path.join(src, 'typed.py'), 'type Point = tuple[float, float]\n');
    });
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/bandit could not analyze 1 file\(s\), so they were not scanned: \.\/typed\.py/);
  });

  test('exclusions are whole directories: .github/, node_modules_local/ and cdk.outputs/ are scanned, node_modules/ and cdk.out/ are not', () => {
    const r = runGateBuild(gate, VULNERABLE, (src, tmp) => {
      detectEngines(gate)(src, tmp);
      const seed = fs.readFileSync(path.join(src, 'app', 'healthcheck.py'));
      for (const dir of ['.github/scripts', 'node_modules_local', 'cdk.outputs', 'node_modules/pkg', 'cdk.out', 'lib/node_modules/x']) {
        fs.mkdirSync(path.join(src, dir), { recursive: true });
        fs.writeFileSync(path.join(src, dir, 'check.py'), seed);
      }
    });
    expect(r.status).toBe(1);
    const where = [...r.output.matchAll(/^ {2}HIGH B602 (\S+):\d+:/gm)].map((m) => m[1]).sort();
    expect(where).toEqual(['.github/scripts/check.py', 'app/healthcheck.py', 'cdk.outputs/check.py', 'node_modules_local/check.py']);
  });
});

describe('devsecops-findings scan with Bandit installed', () => {
  test('vulnerable-app: the SAST gate runs Bandit and eslint-security and blocks on both seeds, by their repository paths', () => {
    const bin = scans.binDir('bin-with-bandit', { ...npmScanners(), bandit: which('bandit') });
    const s = scans.scan(VULNERABLE, bin, ['--gates', 'sast']);
    expect({ status: s.status, stdout: s.stdout }).toEqual({ status: 1, stdout: expect.stringContaining('sast: FAILED (bandit, eslint-security)') });
    expect(scans.result(s, 'sast').blocking.map((f: any) => `${f.ruleId} ${f.where}`).sort()).toEqual([
      `B602 app/healthcheck.py:${lineOf(path.join(VULNERABLE, 'app', 'healthcheck.py'), 'shell=True')}`,
      'security/detect-child-process src/report.js:8',
    ]);
    const clean = scans.scan(CLEAN, bin, ['--gates', 'sast']);
    expect({ status: clean.status, stdout: clean.stdout }).toEqual({ status: 0, stdout: expect.stringContaining('sast: PASSED (bandit, eslint-security)') });
  });
});

/**
 * Bandit (Debian package; .ci/run installs it) on examples/vulnerable-app and clean-app: its
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
    // apt pins the upstream version; the Debian revision installed is recorded with the verdict.
    const installed = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'bandit'], { encoding: 'utf8' });
    expect(installed).toMatch(/^1\.6\.2-/);
    const result = JSON.parse(fs.readFileSync(path.join(good.src, 'devsecops-gate-out', 'findings', 'gate-result.json'), 'utf8'));
    expect(result.toolVersions).toEqual({ 'bandit-apt': installed });
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

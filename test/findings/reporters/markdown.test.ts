import { manyFindings, NOW, sampleEvaluation, sampleFindings } from './sample';
import { parseBaseline } from '../../../src/findings/baseline';
import { evaluateGate } from '../../../src/findings/policy';
import { cell, writeMarkdown } from '../../../src/findings/reporters/markdown';
import { GateResult, GateResultError, gateResultHead, parseGateResult, writeGateResult } from '../../../src/findings/reporters/result';
import { StringSink } from '../../../src/findings/reporters/sink';
import { Severity } from '../../../src/model/severity';

const REPORTS = [
  { file: 'reports/semgrep.sarif', format: 'sarif', tools: ['semgrep'], findings: 3 },
  { file: 'reports/trivy.json', format: 'trivy', tools: ['trivy'], findings: 2 },
];

function result(evaluation = sampleEvaluation(), extra: Partial<Parameters<typeof gateResultHead>[1]> = {}): GateResult {
  const sink = new StringSink();
  writeGateResult(evaluation, { reports: REPORTS, ...extra }, sink);
  return parseGateResult(sink.toString(), 'gate-result.json');
}

function md(results: GateResult[]): string {
  const sink = new StringSink();
  writeMarkdown(results, sink, { now: NOW });
  return sink.toString();
}

describe('gate-result.json', () => {
  test('round-trips and carries counts, capped lists and every fingerprint', () => {
    const r = result();
    expect(r.gate).toBe('static');
    expect(r.status).toBe('fail');
    expect(r.counts.blocking).toEqual({ CRITICAL: 2, HIGH: 2, MEDIUM: 0, LOW: 0, INFO: 0 });
    // most serious first; the scanner's own suppression of python.exec is not an acceptance
    expect(r.blocking.map((b) => b.ruleId)).toEqual(['CVE-2021-44228', 'python.exec', 'CKV_AWS_18', 'python.lang.security.audit.eval-detected']);
    expect(r.blocking[0].expiredSuppression?.expires).toBe('2025-05-01');
    expect(r.suppressed[0].suppression.reason).toContain('debug only');
    expect(r.toolSuppressed.map((t) => [t.ruleId, t.decision])).toEqual([['python.exec', 'blocking']]);
    expect(r.toolSuppressedTotal).toBe(1);
    expect(r.suppressions.unused.map((u) => u.label)).toEqual(['#2 rule never.matches']);
    expect(r.suppressions.malformed.map((m) => m.field)).toEqual(['expires']);
    expect(r.fingerprints).toEqual(sampleFindings().map((f) => f.fingerprint));
  });

  test('lists are capped, counts and fingerprints are not; it serves as the next baseline', () => {
    const evaluation = evaluateGate(manyFindings(1200), { gate: 'g', failOn: Severity.HIGH, now: NOW });
    const sink = new StringSink();
    writeGateResult(evaluation, { reports: [], listCap: 100 }, sink);
    const r = parseGateResult(sink.toString(), 'r.json');
    expect(r.blocking).toHaveLength(100);
    expect(r.counts.blocking.HIGH).toBe(1200);
    expect(r.fingerprints).toHaveLength(1200);
    expect(parseBaseline(sink.toString(), 'r.json').size).toBe(1200);
  });

  test.each([
    ['empty', '', /file is empty/],
    ['truncated', '{"schema": "devsecops-gate-result/v1", "gate": ', /not valid JSON/],
    ['another document', '{"version": "2.1.0", "runs": []}', /not a gate result/],
    ['missing fields', '{"schema": "devsecops-gate-result/v1", "gate": "g"}', /missing field\(s\): status, failOn/],
  ])('a gate result that is %s is rejected naming the file', (_n, text, problem) => {
    expect(() => parseGateResult(text, 'sast/gate-result.json')).toThrow(GateResultError);
    expect(() => parseGateResult(text, 'sast/gate-result.json')).toThrow(problem);
    expect(() => parseGateResult(text, 'sast/gate-result.json')).toThrow(/^sast\/gate-result\.json: /);
  });

  test('a result claiming pass while counting blocking findings is rejected', () => {
    const sink = new StringSink();
    writeGateResult(sampleEvaluation(), { reports: [] }, sink);
    const tampered = sink.toString().replace('"status": "fail"', '"status": "pass"');
    expect(() => parseGateResult(tampered, 'x.json')).toThrow(/"status" is "pass" but counts show 4 blocking/);
  });
});

describe('Markdown summary', () => {
  test('counts by gate and severity, and the overall status', () => {
    const passing = result(evaluateGate(sampleFindings().slice(4, 5), { gate: 'sca', failOn: Severity.HIGH, now: NOW }));
    const text = md([result(), passing]);
    expect(text.split('\n')[0]).toBe('# Security gates: **FAIL** (1 of 2 gate(s) blocking)');
    // CRITICAL 2 (log4j, exec: its scanner suppression is not accepted), HIGH 2, MEDIUM 1, LOW 1; then blocking 4, suppressed 1, baseline 0, below 1
    expect(text).toContain('| static | **FAIL** | MEDIUM | 2 | 2 | 1 | 1 | 0 | 4 | 1 | 0 | 1 |');
    expect(text).toContain('| sca | PASS | HIGH | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 1 |');
    expect(md([passing]).split('\n')[0]).toBe('# Security gates: PASS (1 gate(s))');
  });

  test('lists the blocking findings with a note for an expired suppression', () => {
    const text = md([result()]);
    expect(text).toContain('### Blocking findings (4)');
    const log4j = text.split('\n').find((l) => l.startsWith('| CRITICAL | CVE-2021-44228'));
    expect(log4j).toContain('fixed in 2.15.0');
    expect(log4j).toContain('suppression \\#1 cve CVE-2021-44228 expired on 2025-05-01');
  });

  test('suppressions: expiring within 14 days, expired, malformed and unused', () => {
    const text = md([result()]);
    expect(text).toContain('Expiring within 14 days');
    expect(text).toContain('| \\#0 SUP-1 | 2025-06-05 | 4 day(s) left | team-web | debug only in the local runner \\| not deployed \\<b\\> |');
    expect(text).toContain('| \\#1 cve CVE-2021-44228 | 2025-05-01 | expired 31 day(s) ago |');
    expect(text).toMatch(/Malformed[^\n]*\n\n\| Entry \| Field \| Problem \|\n\|---\|---\|---\|\n\| \\#3 rule bad\.entry \| expires \| required/);
    expect(text).toContain('- \\#2 rule never.matches (expires 2025-08-01): leftover - accepted after review');
    expect(text).toContain('1 finding(s) suppressed (1 listed as false positive)');
    expect(text).toContain('### Suppressed by the tool, not accepted (1)');
    expect(text).toMatch(/\| CRITICAL \| python\.exec \| exec used _Blocking_ \| tools\/gen\.py:1 \|/);
  });

  test('says what the secret scan covered when the gate says so', () => {
    expect(md([result(sampleEvaluation(), { secretScan: 'history' })])).toContain('the full git history was scanned');
    expect(md([result(sampleEvaluation(), { secretScan: 'files' })])).toContain('git history was not scanned');
    expect(md([result()])).not.toContain('Secret scan coverage');
  });

  test('caps long lists and points to the full reports', () => {
    const big = result(evaluateGate(manyFindings(80), { gate: 'big', failOn: Severity.HIGH, now: NOW }));
    const text = md([big]);
    expect(text.split('\n').filter((l) => l.startsWith('| HIGH |'))).toHaveLength(50);
    expect(text).toContain('… and 30 more: see findings.sarif and junit.xml.');
  });
});

test('cell() keeps scanner text inside one table cell and inert', () => {
  expect(cell('a | b\nc')).toBe('a \\| b c');
  expect(cell('<img src=x onerror=alert(1)> [link](javascript:x) *bold*')).toBe(
    '\\<img src=x onerror=alert(1)\\> \\[link\\](javascript:x) \\*bold\\*',
  );
  expect(cell('x'.repeat(300))).toHaveLength(160);
});

import { BaselineError, parseBaseline, SARIF_FINGERPRINT_KEY } from '../../src/findings/baseline';
import { mergeFindings } from '../../src/findings/merge';
import { countDecision, evaluateGate, toolSuppressedNotAccepted } from '../../src/findings/policy';
import { gateResultHead, writeGateResult } from '../../src/findings/reporters/result';
import { writeSarif } from '../../src/findings/reporters/sarif';
import { StringSink } from '../../src/findings/reporters/sink';
import { parseSuppressions } from '../../src/findings/suppressions';
import { Finding } from '../../src/model/finding';
import { Severity } from '../../src/model/severity';

const NOW = new Date('2025-06-01T12:00:00Z');

let n = 0;
function finding(over: Partial<Finding> = {}): Finding {
  n++;
  return {
    tools: [{ name: 'semgrep' }],
    ruleId: `rule-${n}`,
    title: `finding ${n}`,
    severity: Severity.HIGH,
    cves: [],
    cwes: [],
    fingerprint: `code:${n.toString(16).padStart(8, '0')}`,
    location: { file: 'src/app.py', startLine: n },
    ...over,
  };
}

const sup = (yaml: string, now = NOW) => parseSuppressions(yaml, 'suppressions.yaml', { now });

describe('evaluateGate: threshold', () => {
  test('a finding at or above failOn blocks; one below does not', () => {
    const findings = [
      finding({ severity: Severity.CRITICAL }),
      finding({ severity: Severity.HIGH }),
      finding({ severity: Severity.MEDIUM }),
      finding({ severity: Severity.INFO }),
    ];
    const e = evaluateGate(findings, { gate: 'sast', failOn: Severity.HIGH, now: NOW });
    expect(e.decisions.map((d) => d.decision)).toEqual(['blocking', 'blocking', 'below-threshold', 'below-threshold']);
    expect(e.status).toBe('fail');
    expect(e.counts.blocking[Severity.CRITICAL]).toBe(1);
    expect(e.counts['below-threshold'][Severity.MEDIUM]).toBe(1);
    expect(countDecision(e, 'blocking')).toBe(2);
    expect(e.evaluatedAt).toBe(NOW.toISOString());
  });

  test('failOn INFO blocks everything; failOn CRITICAL only critical', () => {
    const findings = [finding({ severity: Severity.INFO }), finding({ severity: Severity.HIGH })];
    expect(countDecision(evaluateGate(findings, { gate: 'g', failOn: Severity.INFO, now: NOW }), 'blocking')).toBe(2);
    expect(evaluateGate(findings, { gate: 'g', failOn: Severity.CRITICAL, now: NOW }).status).toBe('pass');
  });

  test('no findings pass', () => {
    const e = evaluateGate([], { gate: 'g', failOn: Severity.LOW, now: NOW });
    expect(e.status).toBe('pass');
    expect(e.decisions).toEqual([]);
  });
});

describe('evaluateGate: suppressions', () => {
  test('an active entry suppresses the finding it matches and records the entry', () => {
    const f = finding({ ruleId: 'python.eval' });
    const e = evaluateGate([f], { gate: 'sast', failOn: Severity.HIGH, now: NOW, suppressions: sup('- rule: python.eval\n  reason: reviewed - accepted after review\n  expires: 2025-06-20\n') });
    expect(e.status).toBe('pass');
    expect(e.decisions[0].decision).toBe('suppressed');
    expect(e.decisions[0].suppression).toMatchObject({ index: 0, reason: 'reviewed - accepted after review' });
    expect(e.suppressions.unused).toEqual([]);
  });

  test('the first matching entry in file order wins; the shadowed one is reported unused', () => {
    const f = finding({ ruleId: 'r', fingerprint: 'code:ffff' });
    const s = sup(`
- fingerprint: code:ffff
  reason: first - accepted after review
  expires: 2025-06-20
- rule: r
  reason: second - accepted after review
  expires: 2025-06-20
`);
    const e = evaluateGate([f], { gate: 'g', failOn: Severity.HIGH, now: NOW, suppressions: s });
    expect(e.decisions[0].suppression?.reason).toBe('first - accepted after review');
    expect(e.suppressions.unused.map((u) => u.reason)).toEqual(['second - accepted after review']);
  });

  test('a CVE entry suppresses every finding of that CVE', () => {
    const a = finding({ ruleId: 'CVE-2021-44228', cves: ['CVE-2021-44228'] });
    const b = finding({ ruleId: 'GHSA-jfh8-c2jp-5v3q', cves: ['CVE-2021-44228'] });
    const c = finding({ ruleId: 'CVE-2022-0001', cves: ['CVE-2022-0001'] });
    const e = evaluateGate([a, b, c], { gate: 'sca', failOn: Severity.HIGH, now: NOW, suppressions: sup('- cve: CVE-2021-44228\n  reason: not reachable\n  expires: 2025-07-01\n') });
    expect(e.decisions.map((d) => d.decision)).toEqual(['suppressed', 'suppressed', 'blocking']);
  });

  test('an expired entry does not suppress; the decision names it', () => {
    const f = finding({ ruleId: 'python.eval' });
    const e = evaluateGate([f], { gate: 'sast', failOn: Severity.HIGH, now: NOW, suppressions: sup('- rule: python.eval\n  reason: old - accepted after review\n  expires: 2025-05-01\n') });
    expect(e.status).toBe('fail');
    expect(e.decisions[0].decision).toBe('blocking');
    expect(e.decisions[0].expiredSuppression?.expires).toBe('2025-05-01');
    expect(e.suppressions.expired).toHaveLength(1);
  });

  test('the same entry suppresses today and blocks once its date has passed (now injected)', () => {
    const text = '- rule: python.eval\n  reason: r - accepted after review\n  expires: 2025-06-10\n';
    const f = finding({ ruleId: 'python.eval' });
    const before = new Date('2025-06-10T23:59:00Z');
    const after = new Date('2025-06-11T00:01:00Z');
    expect(evaluateGate([f], { gate: 'g', failOn: Severity.HIGH, now: before, suppressions: sup(text, before) }).status).toBe('pass');
    expect(evaluateGate([f], { gate: 'g', failOn: Severity.HIGH, now: after, suppressions: sup(text, after) }).status).toBe('fail');
  });

  test('a malformed entry does not suppress and is reported', () => {
    const f = finding({ ruleId: 'python.eval' });
    const e = evaluateGate([f], { gate: 'g', failOn: Severity.HIGH, now: NOW, suppressions: sup('- rule: python.eval\n  reason: no expiry - accepted after review\n') });
    expect(e.status).toBe('fail');
    expect(e.suppressions.malformed).toEqual([expect.objectContaining({ index: 0, field: 'expires' })]);
  });

  test('entries that match nothing are unused; those expiring within 14 days are listed soonest first', () => {
    const s = sup(`
- rule: a
  reason: r - accepted after review
  expires: 2025-06-30
- rule: b
  reason: r - accepted after review
  expires: 2025-06-14
- rule: c
  reason: r - accepted after review
  expires: 2025-06-03
- rule: d
  reason: r - accepted after review
  expires: 2025-06-16
`);
    const e = evaluateGate([finding({ ruleId: 'b', severity: Severity.LOW })], { gate: 'g', failOn: Severity.HIGH, now: NOW, suppressions: s });
    expect(e.suppressions.unused.map((u) => u.rule)).toEqual(['a', 'c', 'd']);
    expect(e.suppressions.expiringSoon.map((u) => u.rule)).toEqual(['c', 'b']);
    // a suppression applies to findings below the threshold as well (it is used, not unused)
    expect(e.decisions[0].decision).toBe('suppressed');
  });
});

describe('evaluateGate: baseline and scanner suppressions', () => {
  test('only findings not in the baseline block', () => {
    const old = finding();
    const fresh = finding();
    const e = evaluateGate([old, fresh], { gate: 'g', failOn: Severity.HIGH, now: NOW, baseline: new Set([old.fingerprint]) });
    expect(e.decisions.map((d) => d.decision)).toEqual(['baseline', 'blocking']);
    expect(e.baselineApplied).toBe(true);
    expect(evaluateGate([old], { gate: 'g', failOn: Severity.HIGH, now: NOW, baseline: new Set([old.fingerprint]) }).status).toBe('pass');
  });

  // `# nosec`, `nosemgrep`, a checkov skip, a trivy exception or VEX live in the repository the gate judges.
  test('a finding the scanner suppressed blocks like any other, and is marked as not accepted', () => {
    const f = finding({ suppressedByTool: true, severity: Severity.CRITICAL });
    const e = evaluateGate([f], { gate: 'g', failOn: Severity.HIGH, now: NOW });
    expect(e.status).toBe('fail');
    expect(e.decisions[0].decision).toBe('blocking');
    expect(e.counts.blocking[Severity.CRITICAL]).toBe(1);
    expect(e.decisions.filter(toolSuppressedNotAccepted)).toHaveLength(1);
  });

  test('a scanner-suppressed finding goes through suppressions, baseline and threshold like any other', () => {
    const f = finding({ suppressedByTool: true, severity: Severity.HIGH, ruleId: 'python.eval' });
    const low = finding({ suppressedByTool: true, severity: Severity.LOW, fingerprint: 'code:low' });
    const old = finding({ suppressedByTool: true, fingerprint: 'code:old' });
    const accepted = evaluateGate([f], { gate: 'g', failOn: Severity.HIGH, now: NOW, suppressions: sup('- rule: python.eval\n  reason: reviewed in PR 12, constant input\n  expires: 2025-06-20\n') });
    expect(accepted.status).toBe('pass');
    expect(accepted.decisions[0].decision).toBe('suppressed');
    // Accepted through the suppressions file: no longer listed as "not accepted".
    expect(accepted.decisions.filter(toolSuppressedNotAccepted)).toEqual([]);
    const e = evaluateGate([low, old], { gate: 'g', failOn: Severity.HIGH, now: NOW, baseline: new Set(['code:old']) });
    expect(e.decisions.map((d) => d.decision)).toEqual(['below-threshold', 'baseline']);
    expect(e.status).toBe('pass');
    expect(e.decisions.filter(toolSuppressedNotAccepted)).toHaveLength(2);
  });
});

describe('merged findings: every member fingerprint counts', () => {
  // trivy and grype report the same CVE in the same package; their fingerprints differ (grype's adds the lock file).
  const lodash = { name: 'lodash', installedVersion: '4.17.20' };
  const trivy = finding({ tools: [{ name: 'trivy' }], ruleId: 'CVE-2021-23337', cves: ['CVE-2021-23337'], package: lodash, fingerprint: 'dep:bbbb', location: undefined });
  const grype = finding({ tools: [{ name: 'grype' }], ruleId: 'CVE-2021-23337', cves: ['CVE-2021-23337'], package: lodash, fingerprint: 'dep:aaaa', location: undefined });

  test('the merged fingerprint does not depend on the order of the reports; the other is kept', () => {
    const [one] = mergeFindings([trivy, grype]);
    const [other] = mergeFindings([grype, trivy]);
    expect(one.fingerprint).toBe('dep:aaaa');
    expect(other.fingerprint).toBe('dep:aaaa');
    expect(one.otherFingerprints).toEqual(['dep:bbbb']);
    expect(other.otherFingerprints).toEqual(['dep:bbbb']);
    // A finding merged with nothing has no other fingerprints.
    expect(mergeFindings([trivy])[0].otherFingerprints).toBeUndefined();
  });

  test("a baseline made while only one tool reported it still matches once both do, and a later run's baseline matches either alone", () => {
    const merged = mergeFindings([trivy, grype]);
    // The previous run had only trivy: its baseline is trivy's fingerprint.
    const e = evaluateGate(merged, { gate: 'sca', failOn: Severity.HIGH, now: NOW, baseline: new Set([trivy.fingerprint]) });
    expect(e.decisions[0].decision).toBe('baseline');
    // This run's gate-result and SARIF, used as the next baseline, hold both fingerprints.
    const result = new StringSink();
    const opts = { reports: [] };
    writeGateResult(e, opts, result, gateResultHead(e, opts));
    const fromResult = parseBaseline(result.toString(), 'gate-result.json');
    expect([...fromResult].sort()).toEqual(['dep:aaaa', 'dep:bbbb']);
    const sarif = new StringSink();
    writeSarif(e, { tools: [{ name: 'trivy' }, { name: 'grype' }] }, sarif);
    expect([...parseBaseline(sarif.toString(), 'findings.sarif')].sort()).toEqual(['dep:aaaa', 'dep:bbbb']);
    // Next run, grype alone: its finding is in that baseline.
    expect(evaluateGate([grype], { gate: 'sca', failOn: Severity.HIGH, now: NOW, baseline: fromResult }).decisions[0].decision).toBe('baseline');
  });

  test("a suppression naming either tool's fingerprint suppresses the merged finding", () => {
    const merged = mergeFindings([trivy, grype]);
    for (const fp of [trivy.fingerprint, grype.fingerprint]) {
      const e = evaluateGate(merged, { gate: 'sca', failOn: Severity.HIGH, now: NOW, suppressions: sup(`- fingerprint: "${fp}"\n  reason: vendored, not reachable\n  expires: 2025-06-20\n`) });
      expect(e.decisions[0].decision).toBe('suppressed');
      expect(e.suppressions.unused).toEqual([]);
    }
  });
});

describe('parseBaseline', () => {
  test('JSON array, gate-result object, SARIF log and plain lines', () => {
    expect([...parseBaseline('["code:1", "dep:2"]', 'b.json')]).toEqual(['code:1', 'dep:2']);
    expect([...parseBaseline('{"schema":"x","fingerprints":["iac:3"]}', 'gate-result.json')]).toEqual(['iac:3']);
    const sarif = JSON.stringify({ version: '2.1.0', runs: [{ results: [{ partialFingerprints: { [SARIF_FINGERPRINT_KEY]: 'tool:4' } }] }] });
    expect([...parseBaseline(sarif, 'findings.sarif')]).toEqual(['tool:4']);
    expect([...parseBaseline('\uFEFF# previous run\r\ncode:5\r\n\r\ngen:6  # dast\r\n', 'baseline.txt')]).toEqual(['code:5', 'gen:6']);
    expect(parseBaseline('[]', 'empty.json').size).toBe(0);
  });

  test.each([
    ['empty', '', /file is empty/],
    ['truncated JSON', '["code:1", ', /not valid JSON/],
    ['non-string entries', '[1, 2]', /\[0\]: 1 is not a fingerprint string/],
    ['an unrelated object', '{"a": 1}', /expected a JSON array/],
    ['a foreign SARIF without our fingerprints', '{"runs":[{"results":[{"ruleId":"x"}]}]}', /carry no "devsecopsFingerprint\/v1"/],
    ['text that is not fingerprints', 'hello world\n', /line 1: "hello world" is not a fingerprint/],
  ])('%s is rejected with the file named', (_n, text, problem) => {
    expect(() => parseBaseline(text, 'base.json')).toThrow(BaselineError);
    expect(() => parseBaseline(text, 'base.json')).toThrow(problem);
    expect(() => parseBaseline(text, 'base.json')).toThrow(/^base\.json: /);
  });
});

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { manyFindings, NOW, sampleEvaluation, TOOLS } from './sample';
import { evaluateGate } from '../../../src/findings/policy';
import { CODEBUILD_MAX_TEST_CASES, writeJUnit, xml } from '../../../src/findings/reporters/junit';
import { StringSink } from '../../../src/findings/reporters/sink';
import { parseSuppressions } from '../../../src/findings/suppressions';
import { Severity } from '../../../src/model/severity';

function render(evaluation = sampleEvaluation(), tools = TOOLS.map((t) => t.name), maxCases?: number): string {
  const sink = new StringSink();
  writeJUnit(evaluation, { tools, ...(maxCases !== undefined && { maxCases }) }, sink);
  return sink.toString();
}

function parse(text: string): any {
  expect(XMLValidator.validate(text)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(text);
  return doc.testsuites;
}

describe('JUnit XML', () => {
  test('well-formed, one testsuite per gate and tool, every suite non-empty', () => {
    const suites = parse(render()).testsuite;
    expect(suites.map((s: any) => s.name)).toEqual(['static/semgrep', 'static/trivy', 'static/checkov', 'static/gitleaks']);
    for (const s of suites) {
      expect(s.testcase.length).toBeGreaterThan(0);
      expect(Number(s.tests)).toBe(s.testcase.length);
      expect(Number(s.failures)).toBe(s.testcase.filter((c: any) => c.failure).length);
      expect(Number(s.skipped)).toBe(s.testcase.filter((c: any) => c.skipped !== undefined).length);
    }
  });

  test('a failing testcase per blocking finding, with severity and details', () => {
    const suites = parse(render()).testsuite;
    const semgrep = suites[0].testcase;
    const failing = semgrep.filter((c: any) => c.failure);
    expect(failing).toHaveLength(2);
    expect(failing[0].classname).toBe('static.semgrep');
    expect(failing[0].name).toBe('[HIGH] python.lang.security.audit.eval-detected at src/my app/main#1.py:12');
    expect(failing[0].failure.type).toBe('HIGH');
    // escaped markup comes back intact; the control character is replaced, not emitted
    expect(failing[0].failure.message).toBe('HIGH: eval() on <user> input & "quotes" \uFFFDbell');
    expect(failing[0].failure['#text']).toContain('fingerprint: code:00000000000000000000000000000001');
    const trivy = suites[1].testcase.filter((c: any) => c.failure);
    expect(trivy[0].failure['#text']).toContain('suppression #1 cve CVE-2021-44228 expired on 2025-05-01');
    expect(trivy[0].failure['#text']).toContain('package: org.apache.logging.log4j:log4j-core 2.14.1, fixed in 2.15.0');
  });

  test('suppressed findings are skipped with the reason; a scanner suppression fails, saying it is not accepted', () => {
    const semgrep = parse(render()).testsuite[0].testcase;
    const skipped = semgrep.filter((c: any) => c.skipped !== undefined);
    expect(skipped.map((c: any) => c.skipped.message)).toEqual([
      'suppressed by #0 SUP-1 until 2025-06-05 (owner team-web) [false positive]: debug only in the local runner | not deployed <b>',
    ]);
    const exec = semgrep.find((c: any) => c.name.includes('python.exec'));
    expect(exec.failure['#text']).toContain('suppressed by the tool, not accepted');
  });

  test('a tool without blocking findings gets one passing testcase', () => {
    const suites = parse(render()).testsuite;
    const gitleaks = suites[3];
    expect(gitleaks.testcase).toEqual([{ classname: 'static.gitleaks', name: 'no blocking findings at or above MEDIUM', time: '0' }]);
    expect(gitleaks.failures).toBe('0');
    // below-threshold findings are counted in the passing testcase name, not listed
    const onlyLow = evaluateGate([manyFindings(3, Severity.LOW)[0]], { gate: 'g', failOn: Severity.HIGH, now: NOW });
    const low = parse(render(onlyLow, ['bulk'])).testsuite[0];
    expect(low.testcase.map((c: any) => c.name)).toEqual(['no blocking findings at or above HIGH (1 below threshold)']);
  });

  test('a gate without tools or findings is still one passing suite', () => {
    const doc = parse(render(evaluateGate([], { gate: 'g', failOn: Severity.HIGH, now: NOW }), []));
    expect(doc.testsuite).toHaveLength(1);
    expect(doc.failures).toBe('0');
  });

  test('totals on <testsuites> add up for 10,000 blocking findings when the cap allows them all', () => {
    const doc = parse(render(evaluateGate(manyFindings(10_000), { gate: 'big', failOn: Severity.HIGH, now: NOW }), ['bulk'], 10_001));
    expect(doc.tests).toBe('10000');
    expect(doc.failures).toBe('10000');
    expect(doc.testsuite[0].testcase).toHaveLength(10_000);
  });

  test('at most 500 test cases by default (what a CodeBuild report keeps): the most serious first, the rest counted', () => {
    expect(CODEBUILD_MAX_TEST_CASES).toBe(500);
    // 9,000 HIGH first in report order, then 1,000 CRITICAL: the CRITICAL ones must be the ones listed.
    const findings = [...manyFindings(9_000, Severity.HIGH), ...manyFindings(1_000, Severity.CRITICAL).map((f, i) => ({ ...f, title: `critical ${i}`, fingerprint: `code:c${i}` }))];
    const doc = parse(render(evaluateGate(findings, { gate: 'big', failOn: Severity.HIGH, now: NOW }), ['bulk']));
    const cases = doc.testsuite[0].testcase;
    expect(cases).toHaveLength(500);
    expect(doc.tests).toBe('500');
    expect(doc.failures).toBe('500');
    expect(cases.slice(0, 499).every((c: any) => c.failure.type === 'CRITICAL')).toBe(true);
    expect(cases[0].failure.message).toBe('CRITICAL: critical 0');
    const more = cases[499];
    expect(more.name).toBe('9501 more blocking finding(s) at or above HIGH, not listed');
    expect(more.failure.message).toMatch(/at most 500 test cases.*every finding is in findings\.sarif and gate-result\.json/);
  });

  test('suppressed findings fill what blocking ones leave, and the rest are counted as one skipped case', () => {
    const suppressed = manyFindings(50, Severity.HIGH).map((f) => ({ ...f, ruleId: 'accepted.rule' }));
    const blocking = manyFindings(5, Severity.CRITICAL).map((f, i) => ({ ...f, fingerprint: `code:b${i}` }));
    const suppressions = parseSuppressions('- rule: accepted.rule\n  reason: reviewed, not reachable\n  expires: 2025-06-20\n', 's.yaml', { now: NOW });
    const doc = parse(render(evaluateGate([...blocking, ...suppressed], { gate: 'g', failOn: Severity.HIGH, now: NOW, suppressions }), ['bulk'], 20));
    const cases = doc.testsuite[0].testcase;
    expect(cases).toHaveLength(20);
    expect(cases.filter((c: any) => c.failure)).toHaveLength(5);
    const skipped = cases.filter((c: any) => c.skipped !== undefined);
    // 20 cases: 5 blocking, 14 of the 50 suppressed, one case counting the other 36
    expect(skipped).toHaveLength(15);
    expect(skipped[14].name).toBe('36 more suppressed finding(s), not listed');
    expect(doc.skipped).toBe('15');
  });

  test('a cap below one test case is refused', () => {
    expect(() => render(sampleEvaluation(), TOOLS.map((t) => t.name), 0)).toThrow(/maxCases 0: use a whole number of test cases >= 1/);
  });
});

test('xml() escapes markup and drops characters XML 1.0 forbids', () => {
  expect(xml('a<b>&"c\'')).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  expect(xml('x\u0000y\u001Fz\uD800')).toBe('x\uFFFDy\uFFFDz\uFFFD');
  expect(xml('tab\tnewline\n😀')).toBe('tab\tnewline\n😀');
});

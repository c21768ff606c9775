import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { semgrepParser } from '../../../src/findings/parsers/semgrep';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('semgrep JSON', () => {
  // ERROR is HIGH, WARNING MEDIUM (shared table).
  test.each([
    ['semgrep/json-many-findings-legacy-python.json', 48, { HIGH: 13, MEDIUM: 35 }],
    ['semgrep/json-no-findings.json', 0, {}],
    ['semgrep/json-v1.30.0-go-findings.json', 5, { MEDIUM: 5 }],
  ])('%s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(semgrepParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('fields of a 1.30.0 finding: location, CWE, help link, semgrep fingerprint, version', () => {
    const [f] = parseFixture(semgrepParser, 'semgrep/json-v1.30.0-go-findings.json');
    expect(f).toMatchObject({
      ruleId: 'go.lang.security.audit.net.formatted-template-string.formatted-template-string',
      rawSeverity: 'WARNING',
      location: { file: 'test.go', startLine: 27, endLine: 30 },
      cwes: ['CWE-79'],
      helpUri: 'https://sg.run/weE0',
      tools: [{ name: 'semgrep', version: '1.30.0' }],
    });
    expect(f.fingerprint).toMatch(/^tool:/);
  });

  test('without a semgrep fingerprint the code fingerprint ignores line shifts', () => {
    const result = { check_id: 'r', path: 'a.py', start: { line: 3 }, end: { line: 3 }, extra: { severity: 'ERROR', message: 'm', lines: '  x = eval(y)' } };
    const [a] = semgrepParser.parse(report({ results: [result], errors: [] }), CTX);
    const [b] = semgrepParser.parse(report({ results: [{ ...result, start: { line: 30 }, extra: { ...result.extra, lines: 'x = eval(y)' } }], errors: [] }), CTX);
    expect(a.fingerprint).toMatch(/^code:/);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  test('nosemgrep results are kept, marked suppressed by the tool', () => {
    const result = { check_id: 'r', path: 'a.py', start: { line: 1 }, extra: { severity: 'INFO', message: 'm', is_ignored: true } };
    const [f] = semgrepParser.parse(report({ results: [result], errors: [] }), CTX);
    expect(f.suppressedByTool).toBe(true);
  });

  test('fails closed on unknown severities and unreadable results', () => {
    const result = { check_id: 'r', path: 'a.py', extra: { severity: 'SEVERE', message: 'm' } };
    expect(() => semgrepParser.parse(report({ results: [result], errors: [] }), CTX)).toThrow(/unknown severity "SEVERE"/);
    expect(() => semgrepParser.parse(report({ results: [{ check_id: 'r', path: 'a.py' }], errors: [] }), CTX)).toThrow(ReportFormatError);
    expect(() => semgrepParser.parse(report({ errors: [] }), CTX)).toThrow(ReportFormatError);
  });
});

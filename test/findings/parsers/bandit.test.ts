import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { banditParser } from '../../../src/findings/parsers/bandit';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('bandit JSON', () => {
  test.each([
    ['bandit/many-findings-medium-low.json', 47, { MEDIUM: 36, LOW: 11 }],
    ['bandit/no-findings.json', 0, {}],
    ['bandit/one-finding-low.json', 1, { LOW: 1 }],
    ['bandit/v2023-many-findings-high-medium-low-with-cwe.json', 10, { HIGH: 2, MEDIUM: 5, LOW: 3 }],
  ])('%s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(banditParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('fields: test id, location, CWE, help link; absolute paths made relative', () => {
    const [one] = parseFixture(banditParser, 'bandit/one-finding-low.json');
    expect(one).toMatchObject({ ruleId: 'B101', rawSeverity: 'LOW', location: { file: 'one/one.py', startLine: 2, snippet: 'assert False' } });
    const withCwe = parseFixture(banditParser, 'bandit/v2023-many-findings-high-medium-low-with-cwe.json').find((f) => f.ruleId === 'B310');
    expect(withCwe).toMatchObject({ cwes: ['CWE-22'], location: { file: 'code/AWSGoat/modules/module-1/resources/lambda/data/lambda_function.py', startLine: 25 } });
  });

  test('the fingerprint uses the flagged line without its number, so it survives line shifts', () => {
    const result = { test_id: 'B101', filename: 'a.py', issue_severity: 'LOW', line_number: 2, code: '1 import os\n2 assert False\n' };
    const doc = (r: object) => report({ errors: [], generated_at: 'now', metrics: {}, results: [r] });
    const [a] = banditParser.parse(doc(result), CTX);
    const [b] = banditParser.parse(doc({ ...result, line_number: 12, code: '11 import os\n12 assert False\n' }), CTX);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  test('fails closed on unknown severities and missing fields', () => {
    const doc = (r: object) => report({ errors: [], generated_at: 'now', metrics: {}, results: [r] });
    expect(() => banditParser.parse(doc({ test_id: 'B1', filename: 'a.py', issue_severity: 'SEVERE' }), CTX)).toThrow(/unknown severity/);
    expect(() => banditParser.parse(doc({ test_id: 'B1', issue_severity: 'LOW' }), CTX)).toThrow(ReportFormatError);
  });
  test('files bandit could not parse (its errors array) are exit 2, naming every file', () => {
    // As bandit 1.6.2 writes it for a file with Python 3.12 syntax (see test/integration/bandit.test.ts).
    const doc = report({
      errors: [{ filename: './new312.py', reason: 'syntax error while parsing AST from file' }, { filename: './tmpl/{{name}}.py', reason: 'syntax error while parsing AST from file' }],
      generated_at: 'now',
      metrics: {},
      results: [],
    });
    expect(() => banditParser.parse(doc, CTX)).toThrow(ReportFormatError);
    expect(() => banditParser.parse(doc, CTX)).toThrow(/bandit could not analyze 2 file\(s\), so they were not scanned: \.\/new312\.py \(syntax error while parsing AST from file\), \.\/tmpl\/\{\{name\}\}\.py/);
    expect(() => banditParser.parse(report({ errors: 'oops', generated_at: 'now', metrics: {}, results: [] }), CTX)).toThrow(/"errors" is not an array/);
  });
});

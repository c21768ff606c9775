import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { kicsParser } from '../../../src/findings/parsers/kics';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('KICS JSON', () => {
  test.each([
    ['kics/json-no-findings.json', 0, {}],
    ['kics/json-terraform-helm-many-findings.json', 18, { HIGH: 5, MEDIUM: 5, LOW: 8 }],
  ])('%s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(kicsParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('one finding per query and file entry, fingerprinted on KICS similarity id', () => {
    const [f] = parseFixture(kicsParser, 'kics/json-terraform-helm-many-findings.json');
    expect(f).toMatchObject({
      ruleId: 'f996f3cb-00fc-480c-8973-8ab04d44a8cc',
      title: 'Passwords And Secrets In Infrastructure Code',
      location: { file: 'test/charts/example/terraform/main.tf', startLine: 25 },
    });
    expect(f.fingerprint).toMatch(/^tool:/);
  });

  test('fails closed when the counter disagrees with the listed results, or a field is missing', () => {
    const query = { query_id: 'q', query_name: 'n', severity: 'HIGH', files: [{ file_name: 'a.tf', line: 1 }] };
    expect(kicsParser.parse(report({ queries: [query], total_counter: 1 }), CTX)).toHaveLength(1);
    expect(() => kicsParser.parse(report({ queries: [query], total_counter: 2 }), CTX)).toThrow(/total_counter is 2/);
    expect(() => kicsParser.parse(report({ queries: [{ ...query, severity: undefined }], total_counter: 1 }), CTX)).toThrow(ReportFormatError);
  });
});

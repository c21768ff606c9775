import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { cfnNagParser } from '../../../src/findings/parsers/cfn-nag';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('cfn_nag JSON', () => {
  test('one finding per violation and resource: PROVENANCE counts 9 violations (FAIL 2, WARN 7); W48 names two queues, so 10 findings', () => {
    const findings = parseFixture(cfnNagParser, 'cfn-nag/json-many-fail-and-warn.json');
    expect(findings).toHaveLength(10);
    // FAIL is HIGH, WARN MEDIUM (shared table).
    expect(severityCounts(findings)).toEqual({ HIGH: 2, MEDIUM: 8 });
    const w48 = findings.filter((f) => f.ruleId === 'W48');
    expect(w48.map((f) => [f.resource?.id, f.location?.startLine])).toEqual([['ApplicationQueue', 36], ['SecondQueue', 40]]);
    expect(w48[0].fingerprint).not.toBe(w48[1].fingerprint);
    expect(w48[0].location?.file).toBe('many.yaml');
  });

  test.each([
    ['cfn-nag/json-no-violations.json', 0, {}],
    ['cfn-nag/json-one-warning.json', 1, { MEDIUM: 1 }],
  ])('%s has %i findings', (rel, count, severities) => {
    const findings = parseFixture(cfnNagParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('fails closed on unknown types and missing structure', () => {
    const v = { id: 'W1', type: 'MAYBE', logical_resource_ids: ['A'], line_numbers: [1] };
    expect(() => cfnNagParser.parse(report([{ filename: 'a.yaml', file_results: { violations: [v] } }]), CTX)).toThrow(/unknown severity "MAYBE"/);
    expect(() => cfnNagParser.parse(report([{ filename: 'a.yaml' }]), CTX)).toThrow(ReportFormatError);
  });
});

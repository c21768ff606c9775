import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { cfnGuardParser, CFN_GUARD_SEVERITY } from '../../../src/findings/parsers/cfn-guard';
import { ReportFormatError } from '../../../src/findings/parsers/types';
import { Severity } from '../../../src/model/severity';

describe('cfn-guard structured JSON', () => {
  test('Guard rules have no severity: a failure counts as HIGH, like cfn-guard SARIF (level error)', () => {
    expect(CFN_GUARD_SEVERITY).toBe(Severity.HIGH);
  });

  test('one finding per non-compliant rule of the failing template (PROVENANCE: 3)', () => {
    const findings = parseFixture(cfnGuardParser, 'cfn-guard/validate-json-one-template-fail.json');
    expect(findings).toHaveLength(3);
    expect(severityCounts(findings)).toEqual({ HIGH: 3 });
    expect(findings.map((f) => f.ruleId)).toEqual(['advanced_regex_negative_lookbehind_rule.guard/default', 'S3_BUCKET_LOGGING_ENABLED', 'S3_BUCKET_PUBLIC_READ_PROHIBITED']);
    const publicRead = findings[2];
    expect(publicRead).toMatchObject({
      location: { file: 's3-public-read-prohibited-template-non-compliant.yaml' },
      resource: { id: 'MyBucket' },
    });
    expect(publicRead.description).toMatch(/PublicAccessBlockConfiguration/);
  });

  test('all-pass payload has no findings', () => {
    expect(parseFixture(cfnGuardParser, 'cfn-guard/validate-json-payload-all-pass.json')).toEqual([]);
  });

  test('fails closed on a FAIL without rules and on unreadable entries', () => {
    const entry = { name: 't.yaml', metadata: {}, status: 'FAIL', not_compliant: [], not_applicable: [], compliant: [] };
    expect(() => cfnGuardParser.parse(report([entry]), CTX)).toThrow(/lists no non-compliant rule/);
    expect(() => cfnGuardParser.parse(report([{ ...entry, not_compliant: [{ Rule: {} }] }]), CTX)).toThrow(ReportFormatError);
  });
});

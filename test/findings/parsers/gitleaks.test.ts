import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { gitleaksParser } from '../../../src/findings/parsers/gitleaks';
import { ReportFormatError } from '../../../src/findings/parsers/types';
import { Severity } from '../../../src/model/severity';

describe('gitleaks JSON', () => {
  // gitleaks has no severity: every leak takes the gate's secret severity (default CRITICAL).
  test.each([
    ['gitleaks/v7.5.0-json-many-findings.json', 8],
    ['gitleaks/v8-json-empty.json', 0],
    ['gitleaks/v8-json-many-findings.json', 4],
    ['gitleaks/v8-json-one-finding.json', 1],
  ])('%s has %i findings, all at the secret severity', (rel, count) => {
    const findings = parseFixture(gitleaksParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(count > 0 ? { CRITICAL: count } : {});
  });

  test('rules as PROVENANCE lists them (v7 and v8)', () => {
    const rules = (rel: string) => parseFixture(gitleaksParser, rel).map((f) => f.ruleId).sort();
    expect(rules('gitleaks/v7.5.0-json-many-findings.json')).toEqual([...Array(6).fill('AWS Access Key'), ...Array(2).fill('Asymmetric Private Key')].sort());
    expect(rules('gitleaks/v8-json-many-findings.json')).toEqual(['RSA-PK', 'aws-access-token', 'aws-access-token', 'generic-api-key']);
  });

  test('a v8 leak: repository-relative location, the secret itself never in the finding', () => {
    const [leak] = parseFixture(gitleaksParser, 'gitleaks/v8-json-many-findings.json').filter((f) => f.location?.file === 'conf/aws.tf');
    expect(leak).toMatchObject({ ruleId: 'aws-access-token', location: { file: 'conf/aws.tf', startLine: 2 }, tools: [{ name: 'gitleaks' }] });
    expect(JSON.stringify(leak)).not.toContain('secretAWSsecret');
  });

  test('the gate decides the severity', () => {
    const findings = parseFixture(gitleaksParser, 'gitleaks/v8-json-one-finding.json', { ...CTX, secretSeverity: Severity.HIGH });
    expect(findings[0].severity).toBe(Severity.HIGH);
  });

  test('the fingerprint follows the secret, not the line or commit', () => {
    const leak = { RuleID: 'r', File: 'a.py', StartLine: 1, Secret: 's3cr3t', Commit: 'c1' };
    const [a] = gitleaksParser.parse(report([leak]), CTX);
    const [moved] = gitleaksParser.parse(report([{ ...leak, StartLine: 40, Commit: 'c2' }]), CTX);
    const [other] = gitleaksParser.parse(report([{ ...leak, Secret: 'another' }]), CTX);
    expect(moved.fingerprint).toBe(a.fingerprint);
    expect(other.fingerprint).not.toBe(a.fingerprint);
  });

  test('fails closed on a leak it cannot read', () => {
    expect(() => gitleaksParser.parse(report([{ RuleID: 'r', File: 'a.py' }, { foo: 1 }]), CTX)).toThrow(ReportFormatError);
    expect(() => gitleaksParser.parse(report([{ RuleID: 'r', File: '../outside.py' }]), CTX)).toThrow(/\.\./);
    expect(() => gitleaksParser.parse(report({ leaks: [] }), CTX)).toThrow(ReportFormatError);
  });
});

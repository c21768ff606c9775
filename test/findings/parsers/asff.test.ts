import { active, CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { asffNdjsonParser, asffParser } from '../../../src/findings/parsers/asff';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('Security Hub ASFF', () => {
  test.each([
    ['securityhub-asff/findings-config-two-failed-high-medium.json', 2, { HIGH: 1, MEDIUM: 1 }],
    ['securityhub-asff/findings-inspector-ecr-enhanced-scan.json', 7, { CRITICAL: 1, HIGH: 5, MEDIUM: 1 }],
    ['securityhub-asff/get-findings-empty.json', 0, {}],
    // INFORMATIONAL is INFO (shared table). PROVENANCE counts 18 (INFO 1): that one is a passed control, left out.
    ['securityhub-asff/get-findings-fsbp-controls-18-findings.json', 17, { MEDIUM: 2, LOW: 15 }],
    ['securityhub-asff/trivy-image-alpine-310.asff.json', 4, { MEDIUM: 4 }],
  ])('%s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(asffParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('NDJSON (prowler v2): 10 HIGH findings', () => {
    const findings = parseFixture(asffNdjsonParser, 'securityhub-asff/prowler-v2-asff.ndjson');
    expect(findings).toHaveLength(10);
    expect(severityCounts(findings)).toEqual({ HIGH: 10 });
    expect(findings[0]).toMatchObject({ ruleId: 'prowler-check11', resource: { kind: 'AwsAccount' } });
  });

  test('an Inspector finding in ASFF: package and CVE, fingerprinted like the same CVE from an SCA tool', () => {
    const [f] = parseFixture(asffParser, 'securityhub-asff/findings-inspector-ecr-enhanced-scan.json');
    expect(f).toMatchObject({
      ruleId: 'CVE-2023-2650',
      rawSeverity: 'MEDIUM',
      package: { name: 'openssl', installedVersion: '1.1.1n', fixedVersion: '0:1.1.1n-0+deb11u5' },
      cves: ['CVE-2023-2650'],
      tools: [{ name: 'inspector' }],
    });
    expect(f.fingerprint).toMatch(/^dep:/);
  });

  test('a resolved, passed control is not a current finding; a SUPPRESSED one is kept, marked suppressed by the tool', () => {
    const findings = parseFixture(asffParser, 'securityhub-asff/get-findings-fsbp-controls-18-findings.json');
    expect(findings.filter((f) => f.suppressedByTool)).toEqual([]);
    expect(active(findings)).toHaveLength(17);
    const finding = (over: object) => ({ SchemaVersion: '2018-10-08', Id: 'x', ProductArn: 'p', GeneratorId: 'g', Resources: [], Severity: { Label: 'HIGH' }, ...over });
    const parsed = asffParser.parse(report({
      Findings: [
        finding({ Workflow: { Status: 'SUPPRESSED' } }), finding({ Workflow: { Status: 'RESOLVED' } }), finding({ RecordState: 'ARCHIVED' }), finding({ Compliance: { Status: 'PASSED' } }), finding({}),
      ],
    }), CTX);
    expect(parsed.map((f) => f.suppressedByTool === true)).toEqual([true, false]);
    // A resolved finding is still checked: a malformed one fails closed.
    expect(() => asffParser.parse(report({ Findings: [finding({ Workflow: { Status: 'RESOLVED' }, Severity: { Label: 'DIRE' } })] }), CTX)).toThrow(/unknown severity/);
  });

  test('a bare JSON array of ASFF findings (prowler v3) is read by the JSON parser', () => {
    const finding = { SchemaVersion: '2018-10-08', Id: 'x', ProductArn: 'p', GeneratorId: 'g', Resources: [], Severity: { Label: 'LOW' } };
    expect(asffParser.detect(report([finding]))).toBe(true);
    expect(asffParser.parse(report([finding]), CTX).map((f) => f.severity)).toEqual(['LOW']);
  });

  test('without a label, Normalized/10 falls in the CVSS bands', () => {
    const finding = { SchemaVersion: '2018-10-08', Id: 'x', ProductArn: 'p', GeneratorId: 'g', Resources: [], Severity: { Normalized: 90 } };
    expect(asffParser.parse(report({ Findings: [finding] }), CTX)[0].severity).toBe('CRITICAL');
  });

  test('fails closed', () => {
    const finding = { SchemaVersion: '2018-10-08', Id: 'x', ProductArn: 'p', GeneratorId: 'g', Resources: [] };
    expect(() => asffParser.parse(report({ Findings: [finding] }), CTX)).toThrow(/Severity/);
    expect(() => asffParser.parse(report({ Findings: [{ ...finding, Severity: { Label: 'SEVERE' } }] }), CTX)).toThrow(/unknown severity/);
    expect(() => asffParser.parse(report({ Findings: [{ ...finding, Severity: {} }] }), CTX)).toThrow(/no severity/);
    expect(() => asffNdjsonParser.parse(report([{ ...finding, Severity: { Label: 'LOW' } }, { not: 'asff' }], 'ndjson'), CTX)).toThrow(ReportFormatError);
  });
});

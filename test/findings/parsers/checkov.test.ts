import { active, CTX, decodeFixture, parseFixture, report, severityCounts } from './decode-fixture';
import { checkovParser, CHECKOV_DEFAULT_SEVERITY } from '../../../src/findings/parsers/checkov';
import { ReportFormatError } from '../../../src/findings/parsers/types';
import { Severity } from '../../../src/model/severity';

describe('checkov JSON', () => {
  test('failed checks with null severity count as HIGH (as in checkov SARIF: level error)', () => {
    expect(CHECKOV_DEFAULT_SEVERITY).toBe(Severity.HIGH);
  });

  test('list form: findings are the failed checks of both reports (terraform 11 + dockerfile 2)', () => {
    const findings = parseFixture(checkovParser, 'checkov/json-v2.0.209-multi-framework-list.json');
    expect(findings).toHaveLength(13);
    // PROVENANCE: severity null for all 13: the documented default applies.
    expect(severityCounts(findings)).toEqual({ HIGH: 13 });
    expect(findings.filter((f) => f.resource?.kind === 'dockerfile').map((f) => f.ruleId).sort()).toEqual(['CKV_DOCKER_2', 'CKV_DOCKER_3']);
    expect(findings.every((f) => f.rawSeverity === undefined)).toBe(true);
  });

  test('summary-only report (nothing scanned) has no findings', () => {
    expect(parseFixture(checkovParser, 'checkov/json-v2.1.269-empty-summary-only.json')).toEqual([]);
  });

  test('checkov severities, when present, are used', () => {
    const findings = parseFixture(checkovParser, 'checkov/json-v2.2.34-terraform-with-severities.json');
    expect(findings).toHaveLength(4);
    expect(severityCounts(findings)).toEqual({ HIGH: 1, MEDIUM: 2, LOW: 1 });
    expect(findings.find((f) => f.ruleId === 'CKV_GCP_28')).toMatchObject({
      rawSeverity: 'HIGH',
      location: { file: 'gcs.tf' },
      resource: { id: 'google_storage_bucket_iam_binding.allow_public_read', kind: 'terraform' },
      helpUri: 'https://docs.bridgecrew.io/docs/bc_gcp_public_1',
    });
  });

  test('a report with parsing errors is refused: the files checkov could not parse were not checked', () => {
    // The real report lists one (/sample/broken.tf) and counts it in its summary.
    expect(() => parseFixture(checkovParser, 'checkov/json-v3.2.506-terraform-passed-failed-skipped.json')).toThrow(/could not parse 1 file\(s\) \(parsing_errors\)/);
    const doc = (results: object, summary: object) => report({ check_type: 'terraform', results: { failed_checks: [], ...results }, summary });
    expect(() => checkovParser.parse(doc({ parsing_errors: ['/a.tf'] }, {}), CTX)).toThrow(/could not parse 1 file/);
    expect(() => checkovParser.parse(doc({ parsing_errors: [] }, { parsing_errors: 2 }), CTX)).toThrow(/could not parse 2 file/);
    expect(() => checkovParser.parse(doc({ parsing_errors: 'x' }, {}), CTX)).toThrow(/parsing_errors is not a list/);
    expect(checkovParser.parse(doc({ parsing_errors: [] }, { parsing_errors: 0 }), CTX)).toEqual([]);
  });

  test('a summary counting failed checks the list does not hold is refused', () => {
    const doc = report({ check_type: 'terraform', results: { failed_checks: [] }, summary: { failed: 3 } });
    expect(() => checkovParser.parse(doc, CTX)).toThrow(/summary counts 3 failed checks but lists 0/);
  });

  test('skipped checks are kept as suppressed by the tool: 12 failed (PROVENANCE) plus 2 skipped', () => {
    // The fixture without its parsing error (which alone makes the report refused, see above).
    const decoded = decodeFixture('checkov/json-v3.2.506-terraform-passed-failed-skipped.json');
    const doc = decoded.doc as { results: { parsing_errors: unknown[] }; summary: { parsing_errors: number } };
    doc.results.parsing_errors = [];
    doc.summary.parsing_errors = 0;
    const findings = checkovParser.parse(decoded, CTX);
    expect(active(findings)).toHaveLength(12);
    expect(severityCounts(active(findings))).toEqual({ HIGH: 12 });
    expect(findings.filter((f) => f.suppressedByTool).map((f) => f.ruleId).sort()).toEqual(['CKV_AWS_145', 'CKV_AWS_18']);
    expect(findings.find((f) => f.ruleId === 'CKV2_AWS_62')).toMatchObject({ location: { file: 'main.tf', startLine: 2, endLine: 6 }, resource: { id: 'aws_s3_bucket.example' } });
  });

  test('the fingerprint is rule + resource: a moved resource keeps it', () => {
    const check = { check_id: 'CKV_1', check_name: 'n', file_path: '/main.tf', file_line_range: [2, 6], resource: 'aws_s3_bucket.b', severity: null };
    const doc = (c: object) => report({ check_type: 'terraform', results: { failed_checks: [c] }, summary: {} });
    const [a] = checkovParser.parse(doc(check), CTX);
    const [b] = checkovParser.parse(doc({ ...check, file_line_range: [20, 26] }), CTX);
    expect(a.fingerprint).toMatch(/^iac:/);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  test('secrets framework results take the secret severity', () => {
    const check = { check_id: 'CKV_SECRET_2', file_path: '/a.env', resource: 'abc', severity: null };
    const [f] = checkovParser.parse(report({ check_type: 'secrets', results: { failed_checks: [check] }, summary: {} }), { ...CTX, secretSeverity: Severity.CRITICAL });
    expect(f.severity).toBe(Severity.CRITICAL);
  });

  test('fails closed', () => {
    // A summary counting failures it does not list.
    expect(() => checkovParser.parse(report({ passed: 0, failed: 3, skipped: 0, checkov_version: '3' }), CTX)).toThrow(/lists none/);
    expect(() => checkovParser.parse(report({ check_type: 'terraform', results: { failed_checks: {} } }), CTX)).toThrow(ReportFormatError);
    expect(() => checkovParser.parse(report([{ check_type: 'terraform', results: {} }, { nope: 1 }]), CTX)).toThrow(ReportFormatError);
    expect(() => checkovParser.parse(report({ check_type: 'terraform', results: { failed_checks: [{ check_id: 'C', severity: 'BAD' }] } }), CTX)).toThrow(/unknown severity/);
  });
});

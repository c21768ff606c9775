import { readFileSync } from 'fs';
import { join } from 'path';
import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { inspectorParser } from '../../../src/findings/parsers/inspector';
import { ReportFormatError } from '../../../src/findings/parsers/types';
import { FIXTURES } from '../../support/fixtures';

describe('Inspector2 ListFindings', () => {
  test('ECR and EC2 findings: PROVENANCE UNTRIAGED 2 count as MEDIUM (shared table), so MEDIUM 3 + 2, less the CLOSED one', () => {
    const findings = parseFixture(inspectorParser, 'inspector/inspector2-list-findings-ecr-ec2-mixed.json');
    // PROVENANCE counts 8; the MEDIUM finding Inspector CLOSED (fixed, CVE-2021-3744) is not a current problem.
    expect(findings).toHaveLength(7);
    expect(severityCounts(findings)).toEqual({ HIGH: 2, MEDIUM: 4, LOW: 1 });
    expect(findings.filter((f) => f.rawSeverity === 'UNTRIAGED')).toHaveLength(2);
    expect(findings.map((f) => f.ruleId)).not.toContain('CVE-2021-3744');
    expect(findings.filter((f) => f.suppressedByTool)).toEqual([]);
  });

  test('a SUPPRESSED finding is kept, marked suppressed by the tool; a CLOSED one is still checked', () => {
    const [f] = inspectorParser.parse(report({ findings: [{ findingArn: 'a', severity: 'HIGH', status: 'SUPPRESSED' }] }), CTX);
    expect(f.suppressedByTool).toBe(true);
    expect(() => inspectorParser.parse(report({ findings: [{ findingArn: 'a', severity: 'DIRE', status: 'CLOSED' }] }), CTX)).toThrow(/unknown severity/);
  });

  test('Lambda package and code findings', () => {
    const findings = parseFixture(inspectorParser, 'inspector/inspector2-list-findings-lambda-package-and-code.json');
    expect(findings).toHaveLength(28);
    expect(severityCounts(findings)).toEqual({ CRITICAL: 1, HIGH: 13, MEDIUM: 13, LOW: 1 });
    const code = findings.find((f) => f.location);
    expect(code).toMatchObject({
      ruleId: 'python/log-injection@v1.0',
      location: { file: 'src/project_api/service/api_client.py', startLine: 268 },
      cwes: ['CWE-117', 'CWE-93'],
      resource: { kind: 'AWS_LAMBDA_FUNCTION' },
    });
    expect(code?.fingerprint).toMatch(/^tool:/);
  });

  test('a package finding: the Inspector score decides, package and fix named', () => {
    // The fixture's first finding, CLOSED there, read as ACTIVE.
    const doc = JSON.parse(readFileSync(join(FIXTURES, 'inspector/inspector2-list-findings-ecr-ec2-mixed.json'), 'utf8'));
    doc.findings[0].status = 'ACTIVE';
    const [f] = inspectorParser.parse(report(doc), CTX);
    expect(f).toMatchObject({ ruleId: 'CVE-2021-3744', rawSeverity: '5.5', severity: 'MEDIUM', package: { name: 'linux', installedVersion: '4.19.118', fixedVersion: '0:4.19.232-1' } });
    expect(f.fingerprint).toMatch(/^dep:/);
  });

  test('empty list', () => {
    expect(parseFixture(inspectorParser, 'inspector/inspector2-list-findings-empty.json')).toEqual([]);
  });

  test('fails closed', () => {
    expect(() => inspectorParser.parse(report({ findings: [{ findingArn: 'a', severity: 'DIRE' }] }), CTX)).toThrow(/unknown severity/);
    expect(() => inspectorParser.parse(report({ findings: [{ findingArn: 'a', inspectorScore: 12, severity: 'HIGH' }] }), CTX)).toThrow(/outside 0-10/);
    expect(() => inspectorParser.parse(report({ findings: [{ findingArn: 'a', severity: 'HIGH', packageVulnerabilityDetails: {} }] }), CTX)).toThrow(ReportFormatError);
  });
});

import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { inspectorParser } from '../../../src/findings/parsers/inspector';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('Inspector2 ListFindings', () => {
  test('ECR and EC2 findings: PROVENANCE UNTRIAGED 2 count as MEDIUM (shared table), so MEDIUM 3 + 2', () => {
    const findings = parseFixture(inspectorParser, 'inspector/inspector2-list-findings-ecr-ec2-mixed.json');
    expect(findings).toHaveLength(8);
    expect(severityCounts(findings)).toEqual({ HIGH: 2, MEDIUM: 5, LOW: 1 });
    expect(findings.filter((f) => f.rawSeverity === 'UNTRIAGED')).toHaveLength(2);
    // The finding Inspector CLOSED (fixed) stays, marked suppressed by the tool.
    expect(findings.filter((f) => f.suppressedByTool).map((f) => f.ruleId)).toEqual(['CVE-2021-3744']);
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
    const [f] = parseFixture(inspectorParser, 'inspector/inspector2-list-findings-ecr-ec2-mixed.json');
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

import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { ecrParser } from '../../../src/findings/parsers/ecr';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('ECR DescribeImageScanFindings', () => {
  test('basic scanning: one MEDIUM finding with its package', () => {
    const findings = parseFixture(ecrParser, 'ecr/describe-image-scan-findings-basic-one-medium.json');
    expect(findings).toHaveLength(1);
    expect(severityCounts(findings)).toEqual({ MEDIUM: 1 });
    expect(findings[0]).toMatchObject({
      ruleId: 'CVE-2019-5188',
      // No CVSS3_SCORE: ECR's word decides (CVSS2 is not used).
      rawSeverity: 'MEDIUM',
      package: { name: 'e2fsprogs', installedVersion: '1.44.1-1ubuntu1.1' },
      resource: { id: 'sample-repo@sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6', kind: 'container-image' },
      cves: ['CVE-2019-5188'],
    });
  });

  const scan = (imageScanFindings: object, status = 'COMPLETE') => report({ imageScanFindings, imageScanStatus: { status }, repositoryName: 'r' });
  const finding = { name: 'CVE-2020-1', severity: 'LOW', attributes: [{ key: 'package_name', value: 'p' }, { key: 'CVSS3_SCORE', value: '9.8' }] };

  test('a CVSS v3 score beats the word; UNDEFINED maps like unknown', () => {
    const [scored] = ecrParser.parse(scan({ findings: [finding], findingSeverityCounts: { LOW: 1 } }), CTX);
    expect(scored).toMatchObject({ severity: 'CRITICAL', rawSeverity: '9.8' });
    const [undef] = ecrParser.parse(scan({ findings: [{ name: 'CVE-2020-2', severity: 'UNDEFINED' }] }), CTX);
    expect(undef.severity).toBe('MEDIUM');
  });

  test('enhanced scanning findings are read as Inspector findings', () => {
    const enhanced = { findingArn: 'arn:aws:inspector2:x:1:finding/1', severity: 'HIGH', score: 7.5, title: 'CVE-2021-1 - p', packageVulnerabilityDetails: { vulnerabilityId: 'CVE-2021-1', vulnerablePackages: [{ name: 'p', version: '1' }] } };
    const [f] = ecrParser.parse(scan({ enhancedFindings: [enhanced], findingSeverityCounts: { HIGH: 1 } }, 'ACTIVE'), CTX);
    expect(f).toMatchObject({ ruleId: 'CVE-2021-1', severity: 'HIGH', package: { name: 'p', installedVersion: '1' }, tools: [{ name: 'ecr' }] });
  });

  test('fails closed: incomplete scans, one page of a paginated result, no findings list', () => {
    expect(() => ecrParser.parse(scan({ findings: [] }, 'IN_PROGRESS'), CTX)).toThrow(/IN_PROGRESS/);
    expect(() => ecrParser.parse(scan({ findings: [finding], findingSeverityCounts: { LOW: 1, HIGH: 4 } }), CTX)).toThrow(/add up to 5/);
    expect(() => ecrParser.parse(scan({}), CTX)).toThrow(ReportFormatError);
    // A completed scan with nothing found may omit the list, when its counts say zero.
    expect(ecrParser.parse(scan({ findingSeverityCounts: {} }), CTX)).toEqual([]);
  });
});

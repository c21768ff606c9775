import { active, CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { dependencyCheckJsonParser, dependencyCheckXmlParser } from '../../../src/findings/parsers/dependency-check';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('OWASP dependency-check', () => {
  test('JSON: 83 findings over 20 dependencies with PROVENANCE severities', () => {
    const findings = parseFixture(dependencyCheckJsonParser, 'dependency-check/json-v9.2.0-python-requirements-many-vulns.json');
    expect(findings).toHaveLength(83);
    expect(severityCounts(findings)).toEqual({ CRITICAL: 13, HIGH: 37, MEDIUM: 33 });
    expect(findings.find((f) => f.ruleId === 'CVE-2022-28346')).toMatchObject({
      package: { name: 'django', installedVersion: '1.11.29', ecosystem: 'pypi' },
      resource: { id: 'Django:1.11.29' },
      cwes: ['CWE-89'],
      tools: [{ name: 'dependency-check', version: '9.2.0' }],
    });
  });

  test('XML: the CVSS v3 score (3.7, LOW) decides, not the v2 score (4.3)', () => {
    const findings = parseFixture(dependencyCheckXmlParser, 'dependency-check/xml-v6.5.3-log4j-one-low.xml');
    expect(findings).toHaveLength(1);
    expect(severityCounts(findings)).toEqual({ LOW: 1 });
    expect(findings[0]).toMatchObject({
      ruleId: 'CVE-2020-9488',
      rawSeverity: '3.7',
      package: { name: 'org.apache.logging.log4j/log4j-api', installedVersion: '2.12.4', ecosystem: 'maven' },
      cwes: ['CWE-295'],
      tools: [{ name: 'dependency-check', version: '6.5.3' }],
    });
  });

  test('XML with no dependencies', () => {
    expect(parseFixture(dependencyCheckXmlParser, 'dependency-check/xml-v6.5.3-no-dependencies.xml')).toEqual([]);
  });

  test('suppressed vulnerabilities are kept, marked suppressed by the tool', () => {
    const dep = {
      fileName: 'a.jar',
      vulnerabilities: [{ name: 'CVE-2020-1', severity: 'HIGH' }],
      suppressedVulnerabilities: [{ name: 'CVE-2020-2', severity: 'HIGH' }],
    };
    const findings = dependencyCheckJsonParser.parse(report({ reportSchema: '1.1', scanInfo: {}, dependencies: [dep] }), CTX);
    expect(findings).toHaveLength(2);
    expect(active(findings).map((f) => f.ruleId)).toEqual(['CVE-2020-1']);
  });

  test('fails closed', () => {
    const dep = { fileName: 'a.jar', vulnerabilities: [{ name: 'CVE-2020-1' }] };
    expect(() => dependencyCheckJsonParser.parse(report({ reportSchema: '1.1', scanInfo: {}, dependencies: [dep] }), CTX)).toThrow(/no severity/);
    expect(() => dependencyCheckJsonParser.parse(report({ reportSchema: '1.1', scanInfo: {}, dependencies: {} }), CTX)).toThrow(ReportFormatError);
    expect(() => dependencyCheckXmlParser.parse(report({ analysis: { scanInfo: {}, dependencies: 'junk' } }, 'xml'), CTX)).toThrow(ReportFormatError);
  });
});

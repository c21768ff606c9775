import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { npmAuditParser } from '../../../src/findings/parsers/npm-audit';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('npm audit JSON', () => {
  test('v6: one finding per advisory (PROVENANCE: 5; metadata counts paths instead)', () => {
    const findings = parseFixture(npmAuditParser, 'npm-audit/v6-legacy-advisories-many.json');
    expect(findings).toHaveLength(5);
    // moderate is MEDIUM (shared table).
    expect(severityCounts(findings)).toEqual({ HIGH: 3, MEDIUM: 1, LOW: 1 });
    expect(findings.find((f) => f.package?.name === 'negotiator')).toMatchObject({
      ruleId: '106',
      package: { installedVersion: '0.5.3', fixedVersion: '>= 0.6.1', ecosystem: 'npm' },
      cves: ['CVE-2016-10539'],
      cwes: ['CWE-400'],
    });
    // "CWE-" (no number) in the mime advisory is dropped, not invented.
    expect(findings.find((f) => f.package?.name === 'mime')?.cwes).toEqual([]);
  });

  test('v6 with one critical advisory', () => {
    const findings = parseFixture(npmAuditParser, 'npm-audit/v6-legacy-advisories-one-critical.json');
    expect(severityCounts(findings)).toEqual({ CRITICAL: 1 });
    expect(findings[0]).toMatchObject({ package: { name: 'growl' }, cves: ['CVE-2017-16042'], cwes: ['CWE-94'] });
  });

  test('v7+: one finding per vulnerable package entry (PROVENANCE: 15, as metadata total)', () => {
    const findings = parseFixture(npmAuditParser, 'npm-audit/v7plus-auditReportVersion2-many-low-moderate-high.json');
    expect(findings).toHaveLength(15);
    expect(severityCounts(findings)).toEqual({ HIGH: 1, MEDIUM: 2, LOW: 12 });
    expect(findings.find((f) => f.package?.name === 'highcharts')).toMatchObject({ ruleId: '1227', title: 'Cross-Site Scripting in highcharts' });
    // Vulnerable only through a dependency: named after it.
    expect(findings.find((f) => f.package?.name === 'mkdirp')).toMatchObject({ ruleId: 'npm-audit:mkdirp', title: 'mkdirp depends on vulnerable minimist' });
  });

  test('v7+ without vulnerabilities', () => {
    expect(parseFixture(npmAuditParser, 'npm-audit/v7plus-auditReportVersion2-no-vulns.json')).toEqual([]);
  });

  test('fails closed', () => {
    const entry = { name: 'a', severity: 'high', via: [], range: '*' };
    expect(() => npmAuditParser.parse(report({ auditReportVersion: 2, vulnerabilities: { a: entry }, metadata: { vulnerabilities: { total: 2 } } }), CTX)).toThrow(/total is 2/);
    expect(() => npmAuditParser.parse(report({ auditReportVersion: 2, vulnerabilities: { a: { ...entry, severity: 'extreme' } } }), CTX)).toThrow(/unknown severity/);
    expect(() => npmAuditParser.parse(report({ advisories: { 1: { id: 1, severity: 'low' } }, actions: [] }), CTX)).toThrow(ReportFormatError);
  });
});

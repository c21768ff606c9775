import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { grypeParser } from '../../../src/findings/parsers/grype';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('grype JSON', () => {
  // Severity from the primary CVSS v3 score when grype lists one, else grype's word: on these
  // fixtures both agree with PROVENANCE.
  test.each([
    ['grype/v0.24.0-directory-many-vulns.json', 9, { CRITICAL: 2, HIGH: 2, MEDIUM: 5 }],
    ['grype/v0.7.0-image-no-vulns.json', 0, {}],
    ['grype/v0.75.0-image-one-vuln-fix-available.json', 1, { HIGH: 1 }],
    ['grype/v0.94.0-image-many-vulns-epss.json', 15, { CRITICAL: 1, HIGH: 10, MEDIUM: 2, LOW: 2 }],
  ])('%s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(grypeParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('directory scan: the lock file is the location; the score decides when present', () => {
    const findings = parseFixture(grypeParser, 'grype/v0.24.0-directory-many-vulns.json');
    expect(findings.find((f) => f.ruleId === 'CVE-2021-29940')).toMatchObject({ rawSeverity: '9.8', severity: 'CRITICAL' });
    expect(findings.find((f) => f.ruleId === 'CVE-1999-1338')).toMatchObject({
      rawSeverity: 'Medium',
      package: { name: 'delegate', installedVersion: '3.2.0', ecosystem: 'npm' },
      location: { file: 'components/yarn.lock' },
    });
  });

  test('image scan: fixed version, image as resource target, no repository location', () => {
    const [f] = parseFixture(grypeParser, 'grype/v0.75.0-image-one-vuln-fix-available.json');
    expect(f).toMatchObject({ ruleId: 'CVE-2009-3882', package: { fixedVersion: '1.2.3' }, resource: { target: 'REDACTED' }, cves: ['CVE-2009-3882'] });
    expect(f.location).toBeUndefined();
    expect(f.tools).toEqual([{ name: 'grype', version: '0.75.0' }]);
  });

  test('a GHSA match lists the CVE of its related vulnerability', () => {
    const match = {
      vulnerability: { id: 'GHSA-aaaa-bbbb-cccc', severity: 'High' },
      relatedVulnerabilities: [{ id: 'CVE-2022-1234' }],
      artifact: { name: 'p', version: '1' },
    };
    const [f] = grypeParser.parse(report({ matches: [match], source: { type: 'image', target: 'img' } }), CTX);
    expect(f.cves).toEqual(['CVE-2022-1234']);
  });

  test('fails closed', () => {
    expect(() => grypeParser.parse(report({ matches: [{ vulnerability: { id: 'CVE-1', severity: 'Dire' }, artifact: { name: 'p' } }], source: {} }), CTX)).toThrow(/unknown severity/);
    expect(() => grypeParser.parse(report({ matches: [{ artifact: { name: 'p' } }], source: {} }), CTX)).toThrow(ReportFormatError);
    expect(() => grypeParser.parse(report({ matches: {}, source: {} }), CTX)).toThrow(ReportFormatError);
  });
});

import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { cyclonedxParser } from '../../../src/findings/parsers/cyclonedx';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('CycloneDX JSON', () => {
  // Severity: the highest rating per vulnerability, as PROVENANCE counts them.
  test.each([
    ['cyclonedx/dependency-track-v4.11.4-cdx-1.5-vex-many-vulns.json', 87, { CRITICAL: 12, HIGH: 49, MEDIUM: 19, LOW: 7 }],
    ['cyclonedx/grype-v0.41.0-cdx-1.4-log4j-with-vulns.json', 8, { CRITICAL: 4, HIGH: 1, MEDIUM: 3 }],
    ['cyclonedx/syft-v1.11.0-cdx-1.6-alpine-no-vulns.json', 0, {}],
    ['cyclonedx/trivy-cdx-1.7-npm-with-vulns.json', 1, { MEDIUM: 1 }],
  ])('%s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(cyclonedxParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('the affected component is resolved through its bom-ref', () => {
    const [f] = parseFixture(cyclonedxParser, 'cyclonedx/grype-v0.41.0-cdx-1.4-log4j-with-vulns.json');
    expect(f).toMatchObject({ ruleId: 'CVE-2021-44228', package: { name: 'log4j-core', installedVersion: '2.13.2', ecosystem: 'maven' }, cves: ['CVE-2021-44228'] });
    const [t] = parseFixture(cyclonedxParser, 'cyclonedx/trivy-cdx-1.7-npm-with-vulns.json');
    expect(t).toMatchObject({ package: { name: 'jquery', installedVersion: '3.3.9' }, tools: [{ name: 'trivy' }] });
  });

  test('the worst rating wins, a score over its own word; VEX not_affected is suppressed', () => {
    const bom = (ratings: object[], analysis?: object) => report({
      bomFormat: 'CycloneDX', specVersion: '1.5', vulnerabilities: [{ id: 'CVE-2024-1', ratings, analysis }],
    });
    const [worst] = cyclonedxParser.parse(bom([{ severity: 'low' }, { severity: 'none', score: 9.1 }, { severity: 'medium' }]), CTX);
    expect(worst).toMatchObject({ severity: 'CRITICAL', rawSeverity: '9.1' });
    const [vex] = cyclonedxParser.parse(bom([{ severity: 'high' }], { state: 'not_affected' }), CTX);
    expect(vex.suppressedByTool).toBe(true);
  });

  test('fails closed', () => {
    const bom = (v: object) => report({ bomFormat: 'CycloneDX', vulnerabilities: [v] });
    expect(() => cyclonedxParser.parse(bom({ id: 'CVE-1', ratings: [] }), CTX)).toThrow(/no rating/);
    expect(() => cyclonedxParser.parse(bom({ id: 'CVE-1', ratings: [{ severity: 'severe' }] }), CTX)).toThrow(/unknown severity/);
    expect(() => cyclonedxParser.parse(report({ bomFormat: 'CycloneDX', vulnerabilities: {} }), CTX)).toThrow(ReportFormatError);
  });
  test.each([
    ['components is not an array', { components: { name: 'x' } }, /components is not an array/],
    ['a component without a name', { components: [{ type: 'library', version: '1' }] }, /components\[0\] has no "name"/],
    ['a component without a type', { components: [{ type: 'library', name: 'a' }, { name: 'b' }] }, /components\[1\] has no "type"/],
    ['a nested component that is not an object', { components: [{ type: 'library', name: 'a', components: ['b'] }] }, /components\[0\]\.components\[0\] is not an object/],
  ])('a malformed BOM is exit 2: %s', (_n, extra, problem) => {
    const bom = report({ bomFormat: 'CycloneDX', specVersion: '1.5', ...extra });
    expect(() => cyclonedxParser.parse(bom, CTX)).toThrow(ReportFormatError);
    expect(() => cyclonedxParser.parse(bom, CTX)).toThrow(problem);
  });
});

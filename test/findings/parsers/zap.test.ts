import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { ReportFormatError } from '../../../src/findings/parsers/types';
import { zapJsonParser, zapXmlParser } from '../../../src/findings/parsers/zap';

describe('OWASP ZAP traditional reports', () => {
  // One finding per alert and site; Informational is INFO (shared table).
  test.each([
    ['zap/xml-v2.10.0-juice-shop-six-alerts.xml', 6, { MEDIUM: 2, LOW: 2, INFO: 2 }],
    ['zap/xml-v2.16.1-with-request-response.xml', 4, { INFO: 4 }],
    ['zap/xml-v2.9.0-no-alerts.xml', 0, {}],
  ])('XML %s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(zapXmlParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('JSON: 28 alerts over 4 sites with PROVENANCE severities', () => {
    const findings = parseFixture(zapJsonParser, 'zap/json-v2.7.0-webgoat-multi-site.json');
    expect(findings).toHaveLength(28);
    expect(severityCounts(findings)).toEqual({ HIGH: 3, MEDIUM: 5, LOW: 10, INFO: 10 });
    expect(new Set(findings.map((f) => f.resource?.id)).size).toBe(4);
    expect(findings[0]).toMatchObject({ ruleId: '10021', rawSeverity: 'Low (Medium)', cwes: ['CWE-16'], resource: { id: 'http://ciscobinary.openh264.org', kind: 'url' }, tools: [{ name: 'zap', version: '2.7.0' }] });
  });

  test('XML alert: site from the attribute, CWE, help link, instances summed up', () => {
    const [f] = parseFixture(zapXmlParser, 'zap/xml-v2.10.0-juice-shop-six-alerts.xml');
    expect(f).toMatchObject({
      ruleId: '10015',
      title: 'Incomplete or No Cache-control Header Set',
      resource: { id: 'https://juice-shop.herokuapp.com' },
      tools: [{ name: 'zap', version: '2.10.0' }],
    });
    expect(f.description).toMatch(/Instances \(\d+\): https:\/\/juice-shop/);
    // cweid -1 means none.
    expect(parseFixture(zapXmlParser, 'zap/xml-v2.16.1-with-request-response.xml').some((a) => a.cwes.some((c) => c.includes('-1')))).toBe(false);
  });

  test('the fingerprint is alert + site, the same from XML and JSON', () => {
    const alert = { pluginid: '10021', alert: 'a', riskcode: '1', riskdesc: 'Low (Medium)', instances: [{ uri: 'https://x.test/a' }] };
    const [json] = zapJsonParser.parse(report({ '@version': '2', 'site': [{ '@name': 'https://x.test', 'alerts': [alert] }] }), CTX);
    const xml = { OWASPZAPReport: { site: { '@_name': 'https://x.test', 'alerts': { alertitem: { ...alert, instances: { instance: { uri: 'https://x.test/b' } } } } } } };
    const [fromXml] = zapXmlParser.parse(report(xml, 'xml'), CTX);
    expect(fromXml.fingerprint).toBe(json.fingerprint);
  });

  test('fails closed', () => {
    const site = (alert: object) => report({ '@version': '2', 'site': [{ '@name': 'https://x.test', 'alerts': [alert] }] });
    expect(() => zapJsonParser.parse(site({ pluginid: '1', riskdesc: 'Severe (High)' }), CTX)).toThrow(/unknown severity "Severe"/);
    expect(() => zapJsonParser.parse(site({ pluginid: '1' }), CTX)).toThrow(/riskcode/);
    expect(() => zapJsonParser.parse(site({ riskcode: '1' }), CTX)).toThrow(/pluginid/);
    expect(() => zapXmlParser.parse(report({ other: {} }, 'xml'), CTX)).toThrow(ReportFormatError);
  });
});

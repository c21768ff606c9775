import { CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { ReportFormatError } from '../../../src/findings/parsers/types';
import { wapitiParser } from '../../../src/findings/parsers/wapiti';
import { Severity } from '../../../src/model/severity';

const XSS = 'wapiti/json-v3.0.4-reflected-xss.json';

describe('wapiti JSON', () => {
  test.each([
    [XSS, 1, { MEDIUM: 1 }],
    ['wapiti/json-v3.0.4-no-findings.json', 0, {}],
  ])('%s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(wapitiParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('fields: category, the full URL and parameter, CWE and reference from the classifications', () => {
    const [xss] = parseFixture(wapitiParser, XSS);
    expect(xss).toMatchObject({
      tools: [{ name: 'wapiti', version: '3.0.4' }],
      ruleId: 'Cross Site Scripting',
      severity: Severity.MEDIUM,
      rawSeverity: '2',
      resource: { kind: 'url' },
      cwes: ['CWE-79'],
    });
    expect(xss.resource!.id).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/search \(parameter q\)$/);
    expect(xss.helpUri).toMatch(/^https:\/\//);
    expect(xss.title).toBe('Cross Site Scripting: XSS vulnerability found via injection in the parameter q');
  });

  test('the request and the curl command (they carry the request\'s headers) are in no field of a finding', () => {
    const doc = {
      classifications: {},
      vulnerabilities: { 'SQL Injection': [{ method: 'GET', path: '/a', info: 'sql', level: 3, parameter: 'id', http_request: 'GET /a\nAuthorization: Bearer s3cr3t-token', curl_command: 'curl -H "Authorization: Bearer s3cr3t-token"' }] },
      anomalies: {},
      additionals: {},
      infos: { target: 'https://app.example.com/', version: 'Wapiti 3.0.4' },
    };
    const findings = wapitiParser.parse(report(doc), CTX);
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe(Severity.HIGH);
    expect(JSON.stringify(findings)).not.toContain('s3cr3t-token');
  });

  test('levels 0 to 4 are info to critical; anything else fails closed', () => {
    const doc = (level: unknown) => report({ classifications: {}, vulnerabilities: { X: [{ path: '/', level }] }, infos: { target: 'http://h/' } });
    expect([0, 1, 2, 3, 4, '4'].map((l) => wapitiParser.parse(doc(l), CTX)[0].severity))
      .toEqual([Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL, Severity.CRITICAL]);
    expect(() => wapitiParser.parse(doc(7), CTX)).toThrow(ReportFormatError);
    expect(() => wapitiParser.parse(doc(undefined), CTX)).toThrow(/no level 0-4/);
    expect(() => wapitiParser.parse(report({ classifications: {}, vulnerabilities: { X: 'oops' }, infos: {} }), CTX)).toThrow(/is not a list/);
    expect(() => wapitiParser.parse(report({ classifications: {}, vulnerabilities: [], infos: {} }), CTX)).toThrow(/not an object of categories/);
  });

  test('the fingerprint names the category, method, URL and parameter: the same finding in two runs matches', () => {
    const doc = (date: string) => report({ classifications: {}, vulnerabilities: { X: [{ method: 'GET', path: '/s', parameter: 'q', level: 2, info: date }] }, infos: { target: 'http://h/', date } });
    expect(wapitiParser.parse(doc('Mon'), CTX)[0].fingerprint).toBe(wapitiParser.parse(doc('Tue'), CTX)[0].fingerprint);
  });
});

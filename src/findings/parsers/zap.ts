import { ReportFormatError } from './types';
import { asArray, attr, cweIds, field as keyed, firstUrl, isObject, nativeParser, Obj, requireObject, severityOf, str, xmlText } from './util';
import { Finding, ToolRef } from '../../model/finding';
import { genericFingerprint } from '../fingerprint';

/**
 * OWASP ZAP traditional reports, XML (`OWASPZAPReport > site > alerts > alertitem`) and JSON
 * (`{ "@version", site: [{ "@name", alerts: [...] }] }`). One finding per alert and site, its
 * instances (URLs) summed up in the description.
 * Severity: the risk word of `riskdesc` ("Medium (High)" is risk Medium, confidence High),
 * else `riskcode` 0-3 read as that word.
 */

const RISK_WORDS = ['informational', 'low', 'medium', 'high'];

/** Field of an alert: XML elements may decode as `{ '#text': ... }`, JSON ones are strings. */
function field(alert: Obj, name: string): string | undefined {
  return xmlText(alert[name]);
}

function risk(file: string, alert: Obj, where: string): { word: string; raw: string } {
  const desc = field(alert, 'riskdesc');
  const word = desc ? desc.split(/[\s(]/)[0] : undefined;
  if (word) return { word, raw: desc! };
  const code = field(alert, 'riskcode');
  const fromCode = code !== undefined && /^[0-3]$/.test(code) ? RISK_WORDS[parseInt(code, 10)] : undefined;
  if (!fromCode) throw new ReportFormatError(file, `${where} has no riskdesc and no riskcode 0-3`);
  return { word: fromCode, raw: code! };
}

function instanceUris(alert: Obj): string[] {
  // XML: <instances><instance>...</instance></instances>; JSON: instances: [...]
  const raw = isObject(alert.instances) && !Array.isArray(alert.instances) ? alert.instances.instance : alert.instances;
  return asArray(raw).map((i) => (isObject(i) ? xmlText(i.uri) : undefined)).filter((u): u is string => !!u);
}

function siteName(site: Obj, alerts: Obj[]): string | undefined {
  const name = attr(site, 'name');
  if (name) return name;
  // Attributes not decoded: the origin of the first instance URL names the site as well.
  for (const alert of alerts) {
    const uri = instanceUris(alert)[0];
    if (uri) {
      try {
        return new URL(uri).origin;
      } catch {
        return uri;
      }
    }
  }
  return undefined;
}

function alertFinding(file: string, tool: ToolRef, site: string, alert: Obj, where: string): Finding {
  const ruleId = field(alert, 'alertRef') ?? field(alert, 'pluginid');
  if (!ruleId) throw new ReportFormatError(file, `${where} has no pluginid`);
  const { word, raw } = risk(file, alert, where);
  const uris = instanceUris(alert);
  const title = field(alert, 'alert') ?? field(alert, 'name') ?? ruleId;
  const desc = field(alert, 'desc');
  const more = uris.length > 0 ? `\n\nInstances (${uris.length}): ${uris.slice(0, 5).join(', ')}${uris.length > 5 ? ', ...' : ''}` : '';
  return {
    tools: [tool],
    ruleId,
    title,
    description: desc ? `${desc}${more}` : more.trim() || undefined,
    severity: severityOf(file, word, `${where} (${ruleId})`),
    rawSeverity: raw,
    resource: { id: site, kind: 'url' },
    cves: [],
    cwes: cweIds(field(alert, 'cweid')),
    fingerprint: genericFingerprint('zap', ruleId, site),
    helpUri: firstUrl(field(alert, 'reference')),
  };
}

function siteFindings(file: string, tool: ToolRef, site: unknown, si: number, alertsOf: (s: Obj) => unknown): Finding[] {
  const where = `site ${si}`;
  const s = requireObject(file, site, where);
  // ZAP writes an alerts list for every site (empty when clean): a site without one lost its alerts.
  if (keyed(file, s, 'alerts', `${where} alerts`) === undefined) throw new ReportFormatError(file, `${where} has no alerts list`);
  const alerts = asArray(alertsOf(s)).map((a, ai) => requireObject(file, a, `${where} alert ${ai}`));
  const name = siteName(s, alerts);
  if (alerts.length > 0 && !name) throw new ReportFormatError(file, `${where} has alerts but no site name`);
  return alerts.map((a, ai) => alertFinding(file, tool, name!, a, `${where} alert ${ai}`));
}

export const zapXmlParser = nativeParser({
  format: 'zap',
  description: 'OWASP ZAP traditional XML report',
  encoding: 'xml',
  detect: (report) => isObject(report.doc) && isObject(report.doc.OWASPZAPReport),
  parse(report) {
    const root = isObject(report.doc) ? report.doc.OWASPZAPReport : undefined;
    if (!isObject(root)) throw new ReportFormatError(report.file, 'not a ZAP XML report (no OWASPZAPReport element)');
    const tool: ToolRef = { name: 'zap', version: attr(root, 'version') };
    // <alerts></alerts> decodes to '' and a single <alertitem> to an object: asArray handles both.
    const alertItems = (site: Obj) => (isObject(site.alerts) ? site.alerts.alertitem : undefined);
    return asArray(root.site).flatMap((s, i) => siteFindings(report.file, tool, s, i, alertItems));
  },
});

export const zapJsonParser = nativeParser({
  format: 'zap',
  description: 'OWASP ZAP traditional JSON report',
  encoding: 'json',
  detect: (report) => isObject(report.doc) && '@version' in report.doc && 'site' in report.doc,
  parse(report) {
    if (!isObject(report.doc) || !('site' in report.doc)) throw new ReportFormatError(report.file, 'not a ZAP JSON report (no site)');
    const tool: ToolRef = { name: 'zap', version: str(report.doc['@version']) };
    // A list of sites, or one site as an object: anything else (a string, null) would read as no site.
    const sites = report.doc.site;
    if (!Array.isArray(sites) && !isObject(sites)) throw new ReportFormatError(report.file, 'site is neither a list of sites nor a site');
    // JSON writes alerts as a list (or one alert): an empty string or null would read as none.
    const alertsOf = (site: Obj) => {
      if (!Array.isArray(site.alerts) && !isObject(site.alerts)) throw new ReportFormatError(report.file, 'a site\'s alerts are neither a list nor an alert');
      return site.alerts;
    };
    return asArray(sites).flatMap((s, i) => siteFindings(report.file, tool, s, i, alertsOf));
  },
});

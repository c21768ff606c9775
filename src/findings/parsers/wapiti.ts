import { ReportFormatError } from './types';
import { cweIds, firstLine, hasKeys, isObject, nativeParser, Obj, requireObject, requireStr, severityOf, str } from './util';
import { Finding, ToolRef } from '../../model/finding';
import { genericFingerprint } from '../fingerprint';

/**
 * wapiti `-f json`: `{ classifications, vulnerabilities, anomalies, additionals, infos }`. Each
 * of the three sections maps a category ("Cross Site Scripting") to its findings: `method`,
 * `path`, `info`, `level`, `parameter`, `http_request`, `curl_command`. One finding each.
 * Severity: `level`, wapiti's 0 (info) to 4 (critical) (wapitiCore/language/vulnerability.py).
 * The request and the curl command are never copied into a finding: they carry the request's
 * headers, which may hold the scan's credentials.
 */

const LEVEL_WORDS = ['info', 'low', 'medium', 'high', 'critical'];
const SECTIONS = ['vulnerabilities', 'anomalies', 'additionals'] as const;

function levelWord(file: string, level: unknown, where: string): string {
  const text = typeof level === 'number' ? String(level) : str(level);
  if (text === undefined || !/^[0-4]$/.test(text.trim())) {
    throw new ReportFormatError(file, `${where} has no level 0-4 (${JSON.stringify(level)})`);
  }
  return LEVEL_WORDS[parseInt(text, 10)];
}

/** The CWE ids and the first reference URL of a category, from `classifications`. */
function classification(doc: Obj, category: string): { cwes: string[]; help?: string; desc?: string } {
  const c = isObject(doc.classifications) ? doc.classifications[category] : undefined;
  if (!isObject(c)) return { cwes: [] };
  const refs = isObject(c.ref) ? c.ref : {};
  const labels = Object.keys(refs).filter((k) => /^CWE-\d+/.test(k));
  const urls = Object.values(refs).map(str).filter((u): u is string => !!u && /^https?:\/\//.test(u));
  return { cwes: cweIds(labels), help: urls[0], desc: str(c.desc) };
}

/** The scanned origin (`infos.target`), so a finding names the full URL. */
function origin(doc: Obj): string | undefined {
  const target = isObject(doc.infos) ? str(doc.infos.target) : undefined;
  if (!target) return undefined;
  try {
    return new URL(target).origin;
  } catch {
    return undefined;
  }
}

function toFinding(file: string, doc: Obj, tool: ToolRef, category: string, item: unknown, where: string): Finding {
  const v = requireObject(file, item, where);
  const rawSeverity = levelWord(file, v.level, where);
  const path = requireStr(file, v.path, `${where} path`);
  const method = str(v.method) ?? 'GET';
  const parameter = str(v.parameter);
  const info = str(v.info) ?? category;
  const site = origin(doc);
  const url = site && path.startsWith('/') ? `${site}${path}` : path;
  const c = classification(doc, category);
  return {
    tools: [tool],
    ruleId: category,
    title: `${category}: ${firstLine(info)}`,
    description: [info, c.desc].filter(Boolean).join('\n\n'),
    severity: severityOf(file, rawSeverity, `${where} (${category})`),
    rawSeverity: String(v.level),
    resource: { id: `${method} ${url}${parameter ? ` (parameter ${parameter})` : ''}`, kind: 'url' },
    cves: [],
    cwes: c.cwes,
    fingerprint: genericFingerprint('wapiti', category, method, url, parameter),
    helpUri: c.help,
  };
}

export const wapitiParser = nativeParser({
  format: 'wapiti',
  description: 'wapiti -f json report',
  encoding: 'json',
  detect: (report) => hasKeys(report.doc, 'vulnerabilities', 'classifications', 'infos'),
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'wapiti report');
    const version = isObject(doc.infos) ? /(\d+\.\d+\.\d+)/.exec(str(doc.infos.version) ?? '')?.[1] : undefined;
    const tool: ToolRef = { name: 'wapiti', version };
    const findings: Finding[] = [];
    for (const section of SECTIONS) {
      const categories = doc[section];
      // vulnerabilities is always written; the other sections are older or newer additions.
      if (categories === undefined && section !== 'vulnerabilities') continue;
      if (!isObject(categories) || Array.isArray(categories)) throw new ReportFormatError(report.file, `${section} is not an object of categories`);
      for (const [category, items] of Object.entries(categories)) {
        if (!Array.isArray(items)) throw new ReportFormatError(report.file, `${section} "${category}" is not a list`);
        items.forEach((item, i) => findings.push(toFinding(report.file, doc, tool, category, item, `${section} "${category}" ${i}`)));
      }
    }
    return findings;
  },
});

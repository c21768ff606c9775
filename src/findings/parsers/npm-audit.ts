import { ReportFormatError } from './types';
import { cveIds, cweIds, firstLine, isObject, nativeParser, Obj, requireObject, requireStr, severityOf, str } from './util';
import { Finding } from '../../model/finding';
import { dependencyFingerprint } from '../fingerprint';

/**
 * `npm audit --json`.
 * npm <= 6: `{ advisories: { <id>: advisory }, actions, metadata }`: one finding per advisory.
 * npm >= 7 (`auditReportVersion: 2`): `{ vulnerabilities: { <package>: entry } }`: one finding per
 * vulnerable package, including packages vulnerable only through a dependency (`via` names it),
 * which is how npm itself counts them in `metadata.vulnerabilities`.
 * Severity: npm's word (critical / high / moderate / low / info); the per-package entry has no
 * score of its own.
 */

function v6Finding(file: string, advisory: unknown, key: string): Finding {
  const where = `advisory ${key}`;
  const a = requireObject(file, advisory, where);
  const id = str(a.github_advisory_id) ?? requireStr(file, a.id, `${where} id`);
  const name = requireStr(file, a.module_name, `${where} module_name`);
  const rawSeverity = requireStr(file, a.severity, `${where} severity`);
  const found = (Array.isArray(a.findings) ? a.findings : []).filter(isObject);
  // An advisory can match several installed versions: all are named, the first is fingerprinted.
  const versions = [...new Set(found.map((f) => str(f.version)).filter((v): v is string => !!v))];
  return {
    tools: [{ name: 'npm-audit' }],
    ruleId: id,
    title: str(a.title) ?? id,
    description: str(a.overview),
    severity: severityOf(file, rawSeverity, `${where} (${name})`),
    rawSeverity,
    package: { name, installedVersion: versions.length > 0 ? versions.join(', ') : undefined, fixedVersion: str(a.patched_versions), ecosystem: 'npm' },
    cves: cveIds(a.cves),
    cwes: cweIds(a.cwe),
    fingerprint: dependencyFingerprint(id, name, versions[0]),
    helpUri: str(a.url),
  };
}

function v7Finding(file: string, entry: unknown, key: string): Finding {
  const where = `vulnerability ${key}`;
  const e = requireObject(file, entry, where);
  const name = str(e.name) ?? key;
  const rawSeverity = requireStr(file, e.severity, `${where} severity`);
  const via = Array.isArray(e.via) ? e.via : [];
  const advisories = via.filter(isObject);
  const through = via.filter((v): v is string => typeof v === 'string');
  const first = advisories[0];
  // An advisory id (GHSA from its URL, else npm's number) when the package has its own advisory.
  const url = first ? str(first.url) : undefined;
  const ruleId = (url && /GHSA-[\w-]+/.exec(url)?.[0]) ?? (first ? str(first.source) : undefined) ?? `npm-audit:${name}`;
  const fix = isObject(e.fixAvailable) && e.fixAvailable.name === name ? str(e.fixAvailable.version) : undefined;
  const title = first
    ? `${str(first.title) ?? ruleId} in ${name}`
    : `${name} depends on vulnerable ${through.join(', ') || 'packages'}`;
  return {
    tools: [{ name: 'npm-audit' }],
    ruleId,
    title: firstLine(title),
    description: advisories.map((a) => `${str(a.title) ?? ''} ${str(a.url) ?? ''}`.trim()).join('\n') || undefined,
    severity: severityOf(file, rawSeverity, `${where} (${name})`),
    rawSeverity,
    // npm 7+ reports the vulnerable range, not the installed version.
    package: { name, installedVersion: str(e.range), fixedVersion: fix, ecosystem: 'npm' },
    cves: cveIds(...advisories.map((a) => a.title), ...advisories.map((a) => a.url)),
    cwes: cweIds(...advisories.map((a) => a.cwe)),
    fingerprint: dependencyFingerprint(ruleId, name, str(e.range)),
    helpUri: url,
  };
}

/**
 * npm 6 counts, per severity, the dependency paths of its advisories (`metadata.vulnerabilities`):
 * a count the advisories do not add up to means an advisory was lost (a cut or edited report).
 */
function checkV6Counts(file: string, doc: Obj): void {
  const counted = isObject(doc.metadata) && isObject(doc.metadata.vulnerabilities) ? doc.metadata.vulnerabilities : undefined;
  if (!counted) throw new ReportFormatError(file, 'metadata.vulnerabilities is missing: npm always counts what it lists');
  const listed = new Map<string, number>();
  for (const advisory of Object.values(doc.advisories as Obj)) {
    if (!isObject(advisory)) continue;
    const severity = str(advisory.severity)?.toLowerCase() ?? '';
    const found = Array.isArray(advisory.findings) ? advisory.findings : [];
    const paths = found.reduce<number>((n, f) => n + (isObject(f) && Array.isArray(f.paths) ? f.paths.length : 0), 0);
    listed.set(severity, (listed.get(severity) ?? 0) + paths);
  }
  for (const [severity, count] of Object.entries(counted)) {
    if (typeof count !== 'number') throw new ReportFormatError(file, `metadata.vulnerabilities.${severity} is not a number`);
    if (count !== (listed.get(severity) ?? 0)) {
      throw new ReportFormatError(file, `metadata.vulnerabilities.${severity} counts ${count} vulnerable paths but the advisories list ${listed.get(severity) ?? 0}`);
    }
  }
}

function isV6(doc: unknown): doc is Obj {
  return isObject(doc) && isObject(doc.advisories) && Array.isArray(doc.actions);
}

function isV7(doc: unknown): doc is Obj {
  return isObject(doc) && doc.auditReportVersion === 2 && isObject(doc.vulnerabilities);
}

export const npmAuditParser = nativeParser({
  format: 'npm-audit',
  description: 'npm audit --json (npm 6 advisories and npm 7+ auditReportVersion 2)',
  encoding: 'json',
  detect: (report) => isV6(report.doc) || isV7(report.doc),
  parse(report) {
    const doc = report.doc;
    if (isV7(doc)) {
      const findings = Object.entries(doc.vulnerabilities as Obj).map(([k, v]) => v7Finding(report.file, v, k));
      // npm's own total counts the same entries: a mismatch (or no total) means a cut or edited report.
      const total = isObject(doc.metadata) && isObject(doc.metadata.vulnerabilities) ? doc.metadata.vulnerabilities.total : undefined;
      if (typeof total !== 'number') throw new ReportFormatError(report.file, 'metadata.vulnerabilities.total is missing: npm always counts what it lists');
      if (total !== findings.length) {
        throw new ReportFormatError(report.file, `metadata.vulnerabilities.total is ${total} but the report lists ${findings.length} vulnerable packages`);
      }
      return findings;
    }
    if (isV6(doc)) {
      checkV6Counts(report.file, doc);
      return Object.entries(doc.advisories as Obj).map(([k, v]) => v6Finding(report.file, v, k));
    }
    throw new ReportFormatError(report.file, 'not an npm audit report (no advisories + actions, no auditReportVersion 2 vulnerabilities)');
  },
});

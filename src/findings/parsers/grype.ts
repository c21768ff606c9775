import { ReportFormatError } from './types';
import { cveIds, firstLine, hasKeys, isObject, nativeParser, Obj, packageFromPurl, rate, repoPath, requireObject, requireStr, str } from './util';
import { Finding, ToolRef } from '../../model/finding';
import { dependencyFingerprint } from '../fingerprint';

/**
 * grype `-o json`: `{ matches: [{ vulnerability, relatedVulnerabilities, artifact }], source, descriptor }`.
 * Severity: the NVD-primary CVSS v3 base score when grype lists one, else grype's word
 * (Critical / High / Medium / Low / Negligible / Unknown). v2 scores are not used: the score
 * bands are CVSS v3's.
 */

function cvss3Score(vuln: Obj): number | undefined {
  const entries = (Array.isArray(vuln.cvss) ? vuln.cvss : []).filter(isObject)
    .filter((c) => (str(c.version) ?? '').startsWith('3') && isObject(c.metrics));
  const primary = entries.find((c) => c.type === 'Primary') ?? entries[0];
  const score = primary && isObject(primary.metrics) ? primary.metrics.baseScore : undefined;
  return typeof score === 'number' ? score : undefined;
}

interface GrypeSource {
  readonly tool: ToolRef;
  /** Directory scans: artifact locations are repository paths. */
  readonly directory: boolean;
  /** The image or directory scanned. */
  readonly target?: string;
}

function toFinding(file: string, source: GrypeSource, match: unknown, where: string): Finding {
  const m = requireObject(file, match, where);
  const vuln = requireObject(file, m.vulnerability, `${where} vulnerability`);
  const artifact = requireObject(file, m.artifact, `${where} artifact`);
  const id = requireStr(file, vuln.id, `${where} vulnerability id`);
  const name = requireStr(file, artifact.name, `${where} artifact name`);
  const installed = str(artifact.version);
  const related = (Array.isArray(m.relatedVulnerabilities) ? m.relatedVulnerabilities : []).filter(isObject);
  const fix = isObject(vuln.fix) && Array.isArray(vuln.fix.versions) ? vuln.fix.versions.map(String) : [];
  const locations = (Array.isArray(artifact.locations) ? artifact.locations : []).filter(isObject);
  const path = str(locations[0]?.path);
  const purl = str(artifact.purl);
  const { severity, rawSeverity } = rate(file, cvss3Score(vuln), vuln.severity, `${where} (${id})`);
  const description = str(vuln.description) ?? str(related.find((r) => str(r.description))?.description);
  return {
    tools: [source.tool],
    ruleId: id,
    title: description ? `${id}: ${firstLine(description)}` : `${id} in ${name} ${installed ?? ''}`.trim(),
    description,
    severity,
    rawSeverity,
    location: source.directory && path ? { file: repoPath(file, path) } : undefined,
    resource: source.directory ? undefined : { id: path ?? name, kind: str(artifact.type), target: source.target },
    package: {
      name,
      installedVersion: installed,
      fixedVersion: fix.length > 0 ? fix.join(', ') : undefined,
      ecosystem: (purl ? packageFromPurl(purl)?.ecosystem : undefined) ?? str(artifact.type),
    },
    cves: cveIds(id, ...related.map((r) => r.id)),
    cwes: [],
    fingerprint: dependencyFingerprint(id, name, installed),
    helpUri: str(vuln.dataSource),
  };
}

export const grypeParser = nativeParser({
  format: 'grype',
  description: 'grype -o json report',
  encoding: 'json',
  detect: (report) => hasKeys(report.doc, 'matches', 'source') && Array.isArray(report.doc.matches),
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'grype report');
    if (!Array.isArray(doc.matches)) throw new ReportFormatError(report.file, 'grype report has no matches array');
    const src = isObject(doc.source) ? doc.source : {};
    const target = src.target;
    const source: GrypeSource = {
      tool: { name: 'grype', version: isObject(doc.descriptor) ? str(doc.descriptor.version) : undefined },
      directory: src.type === 'directory',
      target: isObject(target) ? str(target.userInput) : str(target),
    };
    return doc.matches.map((m, i) => toFinding(report.file, source, m, `match ${i}`));
  },
});

import { ReportFormatError } from './types';
import {
  cveIds, cweIds, firstLine, isObject, nativeParser, Obj, optionalList, packageFromPurl,
  requireObject, requireStr, severityOf, str, worst,
} from './util';
import { Finding, PackageRef, ToolRef } from '../../model/finding';
import { Severity } from '../../model/severity';
import { dependencyFingerprint } from '../fingerprint';

/**
 * CycloneDX JSON (1.4-1.7) with `vulnerabilities`, as written by grype, trivy, Dependency-Track
 * (VEX). A BOM without vulnerabilities is a valid report with no findings.
 * Severity: the highest of all `ratings` of a vulnerability, each rating's `score` (CVSS) or else
 * its `severity` word; sources disagree (NVD, GHSA, distros) and the gate keeps the worst.
 * VEX analysis states saying the component is not affected keep the finding with `suppressedByTool`.
 */

const NOT_AFFECTED = new Set(['not_affected', 'false_positive', 'resolved', 'resolved_with_pedigree']);

// `severity: "none"` / `"unknown"` ratings beside scored ones must not lower the verdict, so a
// rating with a usable score is judged by its score.
function ratingSeverity(file: string, rating: Obj, where: string): { severity: Severity; raw: string } | undefined {
  const score = rating.score;
  if (typeof score === 'number' && score > 0) return { severity: severityOf(file, score, where), raw: String(score) };
  const word = str(rating.severity);
  return word ? { severity: severityOf(file, word, where), raw: word } : undefined;
}

function toolOf(doc: Obj): ToolRef {
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const tools = metadata.tools;
  // 1.4: tools is an array; 1.5+: { components: [...] }.
  const list = Array.isArray(tools) ? tools : isObject(tools) && Array.isArray(tools.components) ? tools.components : [];
  const first = list.find(isObject);
  return first ? { name: (str(first.name) ?? 'cyclonedx').toLowerCase(), version: str(first.version) } : { name: 'cyclonedx' };
}

function componentIndex(doc: Obj): Map<string, Obj> {
  const index = new Map<string, Obj>();
  const visit = (components: unknown) => {
    for (const c of Array.isArray(components) ? components : []) {
      if (!isObject(c)) continue;
      const ref = str(c['bom-ref']);
      if (ref) index.set(ref, c);
      visit(c.components);
    }
  };
  visit(doc.components);
  if (isObject(doc.metadata) && isObject(doc.metadata.component)) visit([doc.metadata.component]);
  return index;
}

/**
 * `components` (and nested ones): an array of objects, each with a `type` and a `name` (both
 * required by the CycloneDX schema). A BOM that breaks this cannot say what was inventoried:
 * the gate cannot judge it (exit 2).
 */
function checkComponents(file: string, components: unknown, where: string): void {
  if (components === undefined) return;
  if (!Array.isArray(components)) throw new ReportFormatError(file, `${where} is not an array`);
  components.forEach((c, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(c)) throw new ReportFormatError(file, `${at} is not an object`);
    if (typeof c.type !== 'string' || c.type.trim() === '') throw new ReportFormatError(file, `${at} has no "type"`);
    if (typeof c.name !== 'string' || c.name.trim() === '') throw new ReportFormatError(file, `${at} has no "name"`);
    checkComponents(file, c.components, `${at}.components`);
  });
}

function packageOf(ref: string, component: Obj | undefined): PackageRef {
  const purl = (component ? str(component.purl) : undefined) ?? (ref.startsWith('pkg:') ? ref : undefined);
  const fromPurl = purl ? packageFromPurl(purl) : undefined;
  return {
    name: (component ? str(component.name) : undefined) ?? fromPurl?.name ?? ref,
    installedVersion: (component ? str(component.version) : undefined) ?? fromPurl?.installedVersion,
    ecosystem: fromPurl?.ecosystem,
  };
}

function vulnFinding(file: string, tool: ToolRef, components: Map<string, Obj>, vuln: unknown, where: string): Finding {
  const v = requireObject(file, vuln, where);
  const id = requireStr(file, v.id, `${where} id`);
  let best: { severity: Severity; raw: string } | undefined;
  optionalList(file, v, 'ratings', `${where} ratings`).forEach((r, i) => {
    const rated = ratingSeverity(file, requireObject(file, r, `${where} rating ${i}`), `${where} (${id}) rating ${i}`);
    if (rated && (!best || worst(rated.severity, best.severity) !== best.severity)) best = rated;
  });
  if (!best) throw new ReportFormatError(file, `${where} (${id}) has no rating with a severity or score`);
  const affects = optionalList(file, v, 'affects', `${where} affects`).filter(isObject);
  const ref = affects.length > 0 ? str(affects[0].ref) : undefined;
  const pkg = ref ? packageOf(ref, components.get(ref)) : undefined;
  const references = optionalList(file, v, 'references', `${where} references`).filter(isObject);
  const advisories = optionalList(file, v, 'advisories', `${where} advisories`).filter(isObject);
  const source = isObject(v.source) ? v.source : {};
  const description = str(v.description) ?? str(v.detail);
  const state = isObject(v.analysis) ? str(v.analysis.state) : undefined;
  return {
    tools: [tool],
    ruleId: id,
    title: description ? `${id}: ${firstLine(description)}` : id,
    description,
    severity: best.severity,
    rawSeverity: best.raw,
    package: pkg,
    resource: pkg ? undefined : ref ? { id: ref } : undefined,
    cves: cveIds(id, ...references.map((r) => r.id)),
    cwes: cweIds(v.cwes),
    fingerprint: dependencyFingerprint(id, pkg?.name ?? ref ?? '', pkg?.installedVersion),
    helpUri: str(source.url) ?? str(advisories[0]?.url),
    suppressedByTool: state && NOT_AFFECTED.has(state) ? true : undefined,
  };
}

export const cyclonedxParser = nativeParser({
  format: 'cyclonedx',
  description: 'CycloneDX JSON BOM with vulnerabilities (or VEX)',
  encoding: 'json',
  detect: (report) => isObject(report.doc) && report.doc.bomFormat === 'CycloneDX',
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'CycloneDX BOM');
    if (doc.bomFormat !== 'CycloneDX') throw new ReportFormatError(report.file, 'not a CycloneDX BOM (bomFormat is not "CycloneDX")');
    checkComponents(report.file, doc.components, 'components');
    const tool = toolOf(doc);
    const components = componentIndex(doc);
    return optionalList(report.file, doc, 'vulnerabilities', 'vulnerabilities', { nullable: false }).map((v, i) => vulnFinding(report.file, tool, components, v, `vulnerability ${i}`));
  },
  // `parse` checked that components, when present, is an array.
  inventory: (report) => (isObject(report.doc) && Array.isArray(report.doc.components) ? report.doc.components.length : 0),
});

import { ReportFormatError } from './types';
import {
  asArray, cveIds, cweIds, firstLine, hasKeys, isObject, nativeParser, Obj, optionalList, packageFromPurl, rate,
  requireObject, requireStr, str, xmlText,
} from './util';
import { Finding, PackageRef, ToolRef } from '../../model/finding';
import { dependencyFingerprint } from '../fingerprint';

/**
 * OWASP dependency-check reports, JSON (`reportSchema` 1.x) and XML (`<analysis>`, schema 2.x).
 * One finding per dependency and vulnerability; suppressed vulnerabilities are kept with
 * `suppressedByTool`.
 * Severity: the CVSS v3 base score when present, else dependency-check's `severity` (which it
 * derives from CVSS v2 or the advisory source). v2 scores are not used: the bands are v3's
 * (a v2 4.3 is a v3 3.7 LOW for the same CVE in the fixtures).
 */

/** What both encodings give for one vulnerability, already unwrapped. */
interface DcVulnerability {
  readonly name: unknown;
  readonly severity: unknown;
  readonly cvss3: unknown;
  readonly cwes: unknown[];
  readonly description: unknown;
  readonly firstReference: unknown;
  readonly suppressed: boolean;
}

interface DcDependency {
  readonly fileName: string;
  readonly purls: string[];
  readonly vulnerabilities: DcVulnerability[];
}

function packageOf(dep: DcDependency): PackageRef {
  const fromPurl = dep.purls.map(packageFromPurl).find((p) => p !== undefined);
  return fromPurl ?? { name: dep.fileName };
}

function toFindings(file: string, tool: ToolRef, dep: DcDependency, di: number): Finding[] {
  const pkg = packageOf(dep);
  return dep.vulnerabilities.map((v, vi) => {
    const where = `dependency ${di} (${dep.fileName}) vulnerability ${vi}`;
    const id = requireStr(file, v.name, `${where} name`);
    const { severity, rawSeverity } = rate(file, v.cvss3, v.severity, `${where} (${id})`);
    const description = str(v.description);
    return {
      tools: [tool],
      ruleId: id,
      title: description ? `${id}: ${firstLine(description)}` : `${id} in ${pkg.name}`,
      description,
      severity,
      rawSeverity,
      // filePath is the build machine's absolute path: kept as the resource, not as a repository location.
      resource: { id: dep.fileName, kind: 'dependency' },
      package: pkg,
      cves: cveIds(id),
      cwes: cweIds(v.cwes),
      fingerprint: dependencyFingerprint(id, pkg.name, pkg.installedVersion),
      helpUri: str(v.firstReference),
      suppressedByTool: v.suppressed ? true : undefined,
    };
  });
}

// ---- JSON

function jsonVulnerability(v: unknown, suppressed: boolean): DcVulnerability {
  const o = isObject(v) ? v : {};
  const refs = Array.isArray(o.references) ? o.references.filter(isObject) : [];
  return {
    name: o.name,
    severity: o.severity,
    cvss3: isObject(o.cvssv3) ? o.cvssv3.baseScore : undefined,
    cwes: Array.isArray(o.cwes) ? o.cwes : [],
    description: o.description,
    firstReference: refs[0]?.url,
    suppressed,
  };
}

function jsonDependency(file: string, d: unknown, i: number): DcDependency {
  const dep = requireObject(file, d, `dependency ${i}`);
  const packages = Array.isArray(dep.packages) ? dep.packages.filter(isObject) : [];
  return {
    fileName: requireStr(file, dep.fileName, `dependency ${i} fileName`),
    purls: packages.map((p) => str(p.id)).filter((p): p is string => !!p),
    vulnerabilities: [
      ...optionalList(file, dep, 'vulnerabilities', `dependency ${i} vulnerabilities`).map((v) => jsonVulnerability(v, false)),
      ...optionalList(file, dep, 'suppressedVulnerabilities', `dependency ${i} suppressedVulnerabilities`).map((v) => jsonVulnerability(v, true)),
    ],
  };
}

export const dependencyCheckJsonParser = nativeParser({
  format: 'dependency-check',
  description: 'OWASP dependency-check JSON report',
  encoding: 'json',
  detect: (report) => hasKeys(report.doc, 'reportSchema', 'scanInfo', 'dependencies'),
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'dependency-check report');
    if (!Array.isArray(doc.dependencies)) throw new ReportFormatError(report.file, 'dependency-check report has no dependencies array');
    const tool: ToolRef = { name: 'dependency-check', version: isObject(doc.scanInfo) ? str(doc.scanInfo.engineVersion) : undefined };
    return doc.dependencies.flatMap((d, i) => toFindings(report.file, tool, jsonDependency(report.file, d, i), i));
  },
});

// ---- XML (fast-xml-parser: single elements are objects, repeated ones arrays; text may be `#text`)

function xmlVulnerability(v: unknown, suppressed: boolean): DcVulnerability {
  const o = isObject(v) ? v : {};
  const refs = isObject(o.references) ? asArray(o.references.reference).filter(isObject) : [];
  return {
    name: xmlText(o.name),
    severity: xmlText(o.severity),
    cvss3: isObject(o.cvssV3) ? xmlText(o.cvssV3.baseScore) : undefined,
    cwes: isObject(o.cwes) ? asArray(o.cwes.cwe).map(xmlText) : [],
    description: xmlText(o.description),
    firstReference: refs.length > 0 ? xmlText(refs[0].url) : undefined,
    suppressed,
  };
}

function xmlDependency(file: string, d: unknown, i: number): DcDependency {
  const dep = requireObject(file, d, `dependency ${i}`);
  const identifiers = isObject(dep.identifiers) ? dep.identifiers : {};
  const vulns = isObject(dep.vulnerabilities) ? dep.vulnerabilities : {};
  const suppressed = isObject(dep.suppressedVulnerabilities) ? dep.suppressedVulnerabilities : {};
  return {
    fileName: requireStr(file, xmlText(dep.fileName), `dependency ${i} fileName`),
    purls: asArray(identifiers.package).map((p) => (isObject(p) ? xmlText(p.id) : undefined)).filter((p): p is string => !!p),
    vulnerabilities: [
      ...asArray(vulns.vulnerability).map((v) => xmlVulnerability(v, false)),
      ...asArray(suppressed.suppressedVulnerability).map((v) => xmlVulnerability(v, true)),
    ],
  };
}

function analysisOf(doc: unknown): Obj | undefined {
  return isObject(doc) && hasKeys(doc.analysis, 'scanInfo', 'dependencies') ? doc.analysis : undefined;
}

export const dependencyCheckXmlParser = nativeParser({
  format: 'dependency-check',
  description: 'OWASP dependency-check XML report',
  encoding: 'xml',
  detect: (report) => analysisOf(report.doc) !== undefined,
  parse(report) {
    const analysis = analysisOf(report.doc);
    if (!analysis) throw new ReportFormatError(report.file, 'not a dependency-check XML report (no <analysis> with scanInfo and dependencies)');
    const tool: ToolRef = { name: 'dependency-check', version: isObject(analysis.scanInfo) ? xmlText(analysis.scanInfo.engineVersion) : undefined };
    // <dependencies/> (nothing scanned) decodes to ''.
    const deps = isObject(analysis.dependencies) ? asArray(analysis.dependencies.dependency) : [];
    if (!isObject(analysis.dependencies) && analysis.dependencies !== '') {
      throw new ReportFormatError(report.file, '<dependencies> is neither empty nor a list of <dependency>');
    }
    return deps.flatMap((d, i) => toFindings(report.file, tool, xmlDependency(report.file, d, i), i));
  },
});

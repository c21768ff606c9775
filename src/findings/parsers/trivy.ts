import { codeFingerprint, dependencyFingerprint, iacFingerprint } from '../fingerprint';
import { Finding, ToolRef } from '../model';
import { ReportFormatError } from './types';
import {
  cveIds, cweIds, firstLine, hasKeys, isObject, line, nativeParser, Obj, optionalArray, packageFromPurl,
  repoPath, requireObject, requireStr, severityOf, str,
} from './util';

/**
 * trivy `--format json`. SchemaVersion 2: `{ SchemaVersion, ArtifactName, Results: [{ Target,
 * Class, Type, Vulnerabilities | Misconfigurations | Secrets }] }`. The legacy form (trivy < 0.20)
 * is a bare array of `{ Target, Type, Vulnerabilities }`.
 *
 * Severity is trivy's `Severity`: trivy already picked it from the advisory source named in
 * `SeveritySource`; its `CVSS` map holds several vendors' scores and none of them is the one
 * trivy decided on, so a score would contradict the tool's own verdict.
 */

/** What a per-result conversion needs from the rest of the report. */
export interface TrivyReportMeta {
  /** Report path, for messages. */
  readonly file: string;
  readonly tool: ToolRef;
  /** `ArtifactName`: the image or directory scanned. */
  readonly artifactName?: string;
  /** `ArtifactType`: container_image, repository, filesystem, ... */
  readonly artifactType?: string;
}

/** One `Results[]` entry's identity, as a per-vulnerability conversion needs it. */
export interface TrivyTarget {
  readonly Target: string;
  readonly Class?: string;
  readonly Type?: string;
}

// Targets of these artifact types are paths in the repository: findings get a file location.
const SOURCE_TREE_ARTIFACTS = new Set(['repository', 'filesystem']);

/**
 * One vulnerability (`Results[i].Vulnerabilities[j]`) to a finding. Pure, so the streaming
 * reader for ~100 MB reports (parsers/decode.ts) can call it per array element.
 */
export function trivyVulnerabilityFinding(meta: TrivyReportMeta, target: TrivyTarget, vuln: unknown, where: string): Finding {
  if (!isObject(vuln)) throw new ReportFormatError(meta.file, `${where} is not an object`);
  const id = requireStr(meta.file, vuln.VulnerabilityID, `${where} VulnerabilityID`);
  const name = requireStr(meta.file, vuln.PkgName, `${where} PkgName`);
  const installed = str(vuln.InstalledVersion);
  const rawSeverity = requireStr(meta.file, vuln.Severity, `${where} Severity`);
  const purl = isObject(vuln.PkgIdentifier) ? str(vuln.PkgIdentifier.PURL) : undefined;
  const title = str(vuln.Title);
  const inTree = SOURCE_TREE_ARTIFACTS.has(meta.artifactType ?? '') && target.Class !== 'os-pkgs';
  return {
    tools: [meta.tool],
    ruleId: id,
    title: title ? `${id}: ${firstLine(title)}` : `${id} in ${name} ${installed ?? ''}`.trim(),
    description: str(vuln.Description),
    severity: severityOf(meta.file, rawSeverity, `${where} (${id})`),
    rawSeverity,
    location: inTree ? { file: repoPath(meta.file, target.Target) } : undefined,
    resource: { id: target.Target, kind: target.Type ?? target.Class, target: meta.artifactName },
    package: {
      name,
      installedVersion: installed,
      fixedVersion: str(vuln.FixedVersion),
      ecosystem: (purl ? packageFromPurl(purl)?.ecosystem : undefined) ?? target.Type,
    },
    cves: cveIds(id),
    cwes: cweIds(vuln.CweIDs),
    // No target in the fingerprint: the same CVE in the same package from two tools must merge.
    fingerprint: dependencyFingerprint(id, name, installed),
    helpUri: str(vuln.PrimaryURL),
  };
}

function misconfigFinding(meta: TrivyReportMeta, target: TrivyTarget, m: Obj, where: string): Finding | undefined {
  const status = str(m.Status) ?? 'FAIL';
  if (status === 'PASS') return undefined;
  if (status !== 'FAIL' && status !== 'EXCEPTION') throw new ReportFormatError(meta.file, `${where} has unknown Status "${status}"`);
  const id = requireStr(meta.file, m.ID ?? m.AVDID, `${where} ID`);
  const rawSeverity = requireStr(meta.file, m.Severity, `${where} Severity`);
  const cause = isObject(m.CauseMetadata) ? m.CauseMetadata : {};
  const file = repoPath(meta.file, target.Target);
  const resource = str(cause.Resource);
  return {
    tools: [meta.tool],
    ruleId: id,
    title: str(m.Title) ?? id,
    description: str(m.Message) ?? str(m.Description),
    severity: severityOf(meta.file, rawSeverity, `${where} (${id})`),
    rawSeverity,
    location: { file, startLine: line(cause.StartLine), endLine: line(cause.EndLine) },
    resource: resource ? { id: resource, kind: str(cause.Service), target: file } : undefined,
    cves: [],
    cwes: [],
    fingerprint: iacFingerprint(id, resource ?? file, file),
    helpUri: str(m.PrimaryURL),
    // EXCEPTION: the check failed but a trivy exception policy accepted it.
    suppressedByTool: status === 'EXCEPTION' ? true : undefined,
  };
}

function secretFinding(meta: TrivyReportMeta, target: TrivyTarget, s: Obj, where: string): Finding {
  const id = requireStr(meta.file, s.RuleID, `${where} RuleID`);
  // Unlike gitleaks and trufflehog, trivy rates each secret rule itself: keep its severity.
  const rawSeverity = requireStr(meta.file, s.Severity, `${where} Severity`);
  const file = repoPath(meta.file, target.Target);
  const startLine = line(s.StartLine);
  return {
    tools: [meta.tool],
    ruleId: id,
    title: `Secret detected: ${str(s.Title) ?? id}`,
    severity: severityOf(meta.file, rawSeverity, `${where} (${id})`),
    rawSeverity,
    location: { file, startLine, endLine: line(s.EndLine) ?? startLine },
    cves: [],
    cwes: ['CWE-798'],
    // trivy masks the secret in Match ("GITHUB_PAT=*****"): safe to fingerprint on.
    fingerprint: codeFingerprint(id, file, str(s.Match), startLine),
  };
}

/**
 * One `Results[]` entry (a target: image OS, lock file, config file) to findings. Pure, so the
 * streaming reader for ~100 MB reports (parsers/decode.ts) can call it per array element.
 */
export function trivyResultFindings(meta: TrivyReportMeta, result: unknown, where: string): Finding[] {
  if (!isObject(result)) throw new ReportFormatError(meta.file, `${where} is not an object`);
  const target: TrivyTarget = {
    Target: requireStr(meta.file, result.Target, `${where} Target`),
    Class: str(result.Class),
    Type: str(result.Type),
  };
  const out: Finding[] = [];
  optionalArray(meta.file, result.Vulnerabilities, `${where} Vulnerabilities`).forEach((v, i) =>
    out.push(trivyVulnerabilityFinding(meta, target, v, `${where} vulnerability ${i}`)));
  optionalArray(meta.file, result.Misconfigurations, `${where} Misconfigurations`).forEach((m, i) => {
    const f = misconfigFinding(meta, target, requireObject(meta.file, m, `${where} misconfiguration ${i}`), `${where} misconfiguration ${i}`);
    if (f) out.push(f);
  });
  optionalArray(meta.file, result.Secrets, `${where} Secrets`).forEach((s, i) =>
    out.push(secretFinding(meta, target, requireObject(meta.file, s, `${where} secret ${i}`), `${where} secret ${i}`)));
  return out;
}

/** The report-level fields of a SchemaVersion 2 report (everything but `Results`). */
export function trivyReportMeta(file: string, doc: Obj): TrivyReportMeta {
  return {
    file,
    tool: { name: 'trivy', version: isObject(doc.Trivy) ? str(doc.Trivy.Version) : undefined },
    artifactName: str(doc.ArtifactName),
    artifactType: str(doc.ArtifactType),
  };
}

function isSchema2(doc: unknown): doc is Obj {
  return isObject(doc) && typeof doc.SchemaVersion === 'number' && ('Results' in doc || 'ArtifactName' in doc);
}

/** Legacy list: every entry a `{ Target, ... }`; checkov's list has `check_type`, cfn-guard's `status`. */
function isLegacyList(doc: unknown): doc is unknown[] {
  return Array.isArray(doc) && doc.length > 0 && hasKeys(doc[0], 'Target') && ('Vulnerabilities' in doc[0] || 'Type' in doc[0]);
}

export const trivyParser = nativeParser({
  format: 'trivy',
  description: 'trivy --format json (SchemaVersion 2 and the legacy list form)',
  encoding: 'json',
  detect: (report) => isSchema2(report.doc) || isLegacyList(report.doc),
  parse(report) {
    const doc = report.doc;
    if (isSchema2(doc)) {
      if (doc.SchemaVersion !== 2) throw new ReportFormatError(report.file, `trivy SchemaVersion ${doc.SchemaVersion} is not supported (expected 2)`);
      const meta = trivyReportMeta(report.file, doc);
      return optionalArray(report.file, doc.Results, 'Results').flatMap((r, i) => trivyResultFindings(meta, r, `result ${i}`));
    }
    if (isLegacyList(doc)) {
      const meta: TrivyReportMeta = { file: report.file, tool: { name: 'trivy' } };
      return doc.flatMap((r, i) => trivyResultFindings(meta, r, `result ${i}`));
    }
    throw new ReportFormatError(report.file, 'not a trivy JSON report (no SchemaVersion 2 and not the legacy list form)');
  },
});

import { forEachElement } from './lazy-json';
import { ReportFormatError } from './types';
import {
  cveIds, cweIds, field, firstLine, flattened, hasKeys, isObject, line, nativeParser, Obj, optionalList,
  repoPath, requireObject, requireStr, severityOf, str,
} from './util';
import { Finding, PackageRef, ResourceRef, SourceLocation, ToolRef } from '../../model/finding';
import { Severity } from '../../model/severity';
import { codeFingerprint, dependencyFingerprint, iacFingerprint } from '../fingerprint';

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
 * reader for ~100 MB reports (parsers/lazy-json.ts) can call it per array element.
 */
export function trivyVulnerabilityFinding(meta: TrivyReportMeta, target: TrivyTarget, vuln: unknown, where: string | (() => string)): Finding {
  // Messages are built only for a bad entry: this runs once per vulnerability (200,000+ on large reports).
  const at = () => (typeof where === 'string' ? where : where());
  if (!isObject(vuln)) throw new ReportFormatError(meta.file, `${at()} is not an object`);
  const id = str(vuln.VulnerabilityID) ?? requireStr(meta.file, vuln.VulnerabilityID, `${at()} VulnerabilityID`);
  const name = str(vuln.PkgName) ?? requireStr(meta.file, vuln.PkgName, `${at()} PkgName`);
  const installed = str(vuln.InstalledVersion);
  const rawSeverity = str(vuln.Severity) ?? requireStr(meta.file, vuln.Severity, `${at()} Severity`);
  const purl = isObject(vuln.PkgIdentifier) ? str(vuln.PkgIdentifier.PURL) : undefined;
  const title = str(vuln.Title);
  const shared = sharedOf(meta, target);
  const rated = shared.severity(rawSeverity, () => `${at()} (${id})`);
  return {
    tools: shared.tools,
    ruleId: id,
    title: flattened(title ? `${id}: ${firstLine(title)}` : `${id} in ${name} ${installed ?? ''}`.trim()),
    description: str(vuln.Description),
    severity: rated.severity,
    rawSeverity: rated.rawSeverity,
    location: shared.location,
    resource: shared.resource,
    package: shared.package(name, installed, str(vuln.FixedVersion), (purl ? shared.ecosystem(purl) : undefined) ?? target.Type),
    cves: CVE_ID.test(id) ? [id] : cveIds(id),
    cwes: shared.cwes(vuln.CweIDs),
    // No target in the fingerprint: the same CVE in the same package from two tools must merge.
    fingerprint: dependencyFingerprint(id, name, installed),
    helpUri: str(vuln.PrimaryURL),
  };
}

// A CVE id as trivy writes it (upper case): its own only CVE.
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/**
 * What the vulnerabilities of one target share: one (frozen) copy each of the tools list, location,
 * resource, ecosystem names, CWE lists and severity words, instead of one per finding.
 */
class TargetShared {
  readonly tools: ToolRef[];
  readonly location?: SourceLocation;
  readonly resource: ResourceRef;
  private readonly ratings = new Map<string, { severity: Severity; rawSeverity: string }>();
  private readonly ecosystems = new Map<string, string>();
  private readonly cweLists = new Map<string, { raw: string[]; list: string[] }>();
  private readonly packages = new Map<string, PackageRef[]>();

  constructor(readonly meta: TrivyReportMeta, readonly target: TrivyTarget) {
    this.tools = Object.freeze([meta.tool]) as ToolRef[];
    const inTree = SOURCE_TREE_ARTIFACTS.has(meta.artifactType ?? '') && target.Class !== 'os-pkgs';
    this.location = inTree ? Object.freeze({ file: repoPath(meta.file, target.Target) }) : undefined;
    this.resource = Object.freeze({ id: target.Target, kind: target.Type ?? target.Class, target: meta.artifactName });
  }

  severity(raw: string, context: () => string): { severity: Severity; rawSeverity: string } {
    let rated = this.ratings.get(raw);
    if (!rated) {
      rated = { severity: severityOf(this.meta.file, raw, context()), rawSeverity: raw };
      if (this.ratings.size < 1000) this.ratings.set(raw, rated);
    }
    return rated;
  }

  /** The ecosystem of a package URL (`pkg:npm/...` is npm), as `packageFromPurl` reads it: one copy per type. */
  ecosystem(purl: string): string | undefined {
    const slash = purl.indexOf('/');
    const next = purl.charCodeAt(slash + 1); // NaN past the end
    // pkg:TYPE/NAME, the name not starting with "@", "?" or "#".
    if (slash <= 4 || !purl.startsWith('pkg:') || next !== next || next === 0x40 || next === 0x3f || next === 0x23) return undefined;
    const type = purl.slice(4, slash);
    let ecosystem = this.ecosystems.get(type);
    if (ecosystem === undefined) {
      ecosystem = type.toLowerCase();
      if (this.ecosystems.size < 1000) this.ecosystems.set(type, ecosystem);
    }
    return ecosystem;
  }

  /** One (frozen) package per name, versions and ecosystem: a package usually has several CVEs. */
  package(name: string, installedVersion: string | undefined, fixedVersion: string | undefined, ecosystem: string | undefined): PackageRef {
    // By name, then the few records of that name compared field by field (no key string to build).
    let records = this.packages.get(name);
    if (records) {
      for (const p of records) {
        if (p.installedVersion === installedVersion && p.fixedVersion === fixedVersion && p.ecosystem === ecosystem) return p;
      }
    } else if (this.packages.size < 100_000) {
      records = [];
      this.packages.set(name, records);
    }
    const pkg: PackageRef = Object.freeze({ name, installedVersion, fixedVersion, ecosystem });
    if (records && records.length < 64) records.push(pkg);
    return pkg;
  }

  /** One (frozen) CWE list per list of CweIDs (compared element by element: ids are only text). */
  cwes(value: unknown): string[] {
    if (value === undefined || value === null) return EMPTY;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return cweIds(value);
    const key = value.join(',');
    const known = this.cweLists.get(key);
    if (known && known.raw.length === value.length && known.raw.every((v, i) => v === value[i])) return known.list;
    const list = Object.freeze(cweIds(value)) as string[];
    if (this.cweLists.size < 10_000) this.cweLists.set(key, { raw: value.slice() as string[], list });
    return list;
  }
}

const EMPTY = Object.freeze([]) as unknown as string[];

// The shared parts of the target last seen (vulnerabilities come target by target).
let lastShared: TargetShared | undefined;

function sharedOf(meta: TrivyReportMeta, target: TrivyTarget): TargetShared {
  if (lastShared?.meta !== meta || lastShared.target !== target) lastShared = new TargetShared(meta, target);
  return lastShared;
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
 * streaming reader for ~100 MB reports (parsers/lazy-json.ts) can call it per array element.
 */
export function trivyResultFindings(meta: TrivyReportMeta, result: unknown, where: string): Finding[] {
  const out: Finding[] = [];
  appendResultFindings(meta, result, where, out);
  return out;
}

/** `trivyResultFindings`, appending to `out` (no list per target to copy). */
function appendResultFindings(meta: TrivyReportMeta, result: unknown, where: string, out: Finding[], legacy = false): void {
  if (!isObject(result)) throw new ReportFormatError(meta.file, `${where} is not an object`);
  // The legacy list always writes the key (null when clean): without it, findings were lost.
  if (legacy && field(meta.file, result, 'Vulnerabilities', `${where} Vulnerabilities`) === undefined && !('Vulnerabilities' in result)) {
    throw new ReportFormatError(meta.file, `${where} has no Vulnerabilities (legacy trivy writes null when there are none)`);
  }
  const target: TrivyTarget = {
    Target: requireStr(meta.file, result.Target, `${where} Target`),
    Class: str(result.Class),
    Type: str(result.Type),
  };
  // forEachElement: large reports' vulnerability lists are read element by element (lazy-json.ts).
  forEachElement(optionalList(meta.file, result, 'Vulnerabilities', `${where} Vulnerabilities`), (v, i) =>
    out.push(trivyVulnerabilityFinding(meta, target, v, () => `${where} vulnerability ${i}`)));
  optionalList(meta.file, result, 'Misconfigurations', `${where} Misconfigurations`).forEach((m, i) => {
    const f = misconfigFinding(meta, target, requireObject(meta.file, m, `${where} misconfiguration ${i}`), `${where} misconfiguration ${i}`);
    if (f) out.push(f);
  });
  optionalList(meta.file, result, 'Secrets', `${where} Secrets`).forEach((s, i) =>
    out.push(secretFinding(meta, target, requireObject(meta.file, s, `${where} secret ${i}`), `${where} secret ${i}`)));
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
      const out: Finding[] = [];
      forEachElement(optionalList(report.file, doc, 'Results', 'Results'), (r, i) => appendResultFindings(meta, r, `result ${i}`, out));
      return out;
    }
    if (isLegacyList(doc)) {
      const meta: TrivyReportMeta = { file: report.file, tool: { name: 'trivy' } };
      const out: Finding[] = [];
      forEachElement(doc, (r, i) => appendResultFindings(meta, r, `result ${i}`, out, true));
      return out;
    }
    throw new ReportFormatError(report.file, 'not a trivy JSON report (no SchemaVersion 2 and not the legacy list form)');
  },
  // Every target trivy recognised (a lock file, an OS) is a result, with or without vulnerabilities.
  inventory(report) {
    const doc = report.doc;
    if (isSchema2(doc)) return Array.isArray(doc.Results) ? doc.Results.length : 0;
    return Array.isArray(doc) ? doc.length : 0;
  },
});

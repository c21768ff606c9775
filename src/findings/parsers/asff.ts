import { ReportFormatError } from './types';
import { cveIds, cweIds, hasKeys, isObject, nativeParser, Obj, optionalList, rate, requireObject, requireStr, str } from './util';
import { Finding } from '../../model/finding';
import { dependencyFingerprint, genericFingerprint } from '../fingerprint';

/**
 * AWS Security Finding Format: `GetFindings` output (`{ Findings: [...] }`, some exports use
 * `findings`), a bare array (prowler v3) or one finding per line (prowler v2 `-M json-asff`).
 * Severity: `Severity.Label`, the product's own verdict; else `Normalized` (0-100, whose bands
 * 1-39 / 40-69 / 70-89 / 90-100 are the CVSS bands times ten).
 * Findings the product marks resolved, archived or passed are not current problems and are left
 * out (each is still checked). Findings it marks SUPPRESSED are kept with `suppressedByTool`: like
 * any scanner's own suppression they count unless the suppressions file accepts them.
 */

function isAsffFinding(value: unknown): value is Obj {
  return hasKeys(value, 'SchemaVersion', 'ProductArn') || hasKeys(value, 'ProductArn', 'GeneratorId', 'Resources');
}

function productName(f: Obj): string {
  const fields = isObject(f.ProductFields) ? f.ProductFields : {};
  return (str(f.ProductName) ?? str(fields['aws/securityhub/ProductName']) ?? str(fields['Product Name']) ?? str(fields.ProviderName) ?? 'securityhub').toLowerCase().replace(/\s+/g, '-');
}

function workflowOf(f: Obj): string | undefined {
  return isObject(f.Workflow) ? str(f.Workflow.Status) : str(f.WorkflowState);
}

/** Fixed, archived or a passed control: not a current problem. */
function isResolved(f: unknown): boolean {
  if (!isObject(f)) return false;
  const compliance = isObject(f.Compliance) ? str(f.Compliance.Status) : undefined;
  return workflowOf(f) === 'RESOLVED' || f.RecordState === 'ARCHIVED' || compliance === 'PASSED';
}

/** Every finding checked, the resolved ones then left out. */
function currentFindings(file: string, findings: unknown[], where: (i: number) => string): Finding[] {
  const out: Finding[] = [];
  findings.forEach((f, i) => {
    const finding = asffFinding(file, f, where(i));
    if (!isResolved(f)) out.push(finding);
  });
  return out;
}

function asffFinding(file: string, finding: unknown, where: string): Finding {
  const f = requireObject(file, finding, where);
  if (!isAsffFinding(f)) throw new ReportFormatError(file, `${where} is not an ASFF finding (no ProductArn)`);
  const id = requireStr(file, f.Id, `${where} Id`);
  const generator = str(f.GeneratorId) ?? id;
  const title = str(f.Title) ?? generator;
  const sev = requireObject(file, f.Severity, `${where} Severity`);
  const normalized = typeof sev.Normalized === 'number' ? sev.Normalized / 10 : undefined;
  const label = str(sev.Label);
  // Label first: `rate` prefers a score, so pass Normalized only when there is no label.
  const { severity, rawSeverity } = rate(file, label ? undefined : normalized, label ?? str(sev.Original), `${where} (${title})`);
  const resources = optionalList(file, f, 'Resources', `${where} Resources`).filter(isObject);
  const res = resources[0];
  const resourceId = res ? str(res.Id) : undefined;
  const vulns = optionalList(file, f, 'Vulnerabilities', `${where} Vulnerabilities`).filter(isObject);
  const vuln = vulns[0];
  const pkg = vuln ? optionalList(file, vuln, 'VulnerablePackages', `${where} VulnerablePackages`).filter(isObject)[0] : undefined;
  const vulnId = vuln ? str(vuln.Id) : undefined;
  const pkgName = pkg ? str(pkg.Name) : undefined;
  const remediation = isObject(f.Remediation) && isObject(f.Remediation.Recommendation) ? f.Remediation.Recommendation : {};
  return {
    tools: [{ name: productName(f) }],
    ruleId: vulnId ?? generator,
    title,
    description: str(f.Description),
    severity,
    rawSeverity,
    resource: resourceId ? { id: resourceId, kind: str(res!.Type) } : undefined,
    package: pkg && pkgName
      ? {
        name: pkgName,
        installedVersion: str(pkg.Version),
        fixedVersion: str(pkg.FixedInVersion),
        ecosystem: str(pkg.PackageManager)?.toLowerCase(),
      }
      : undefined,
    cves: cveIds(...vulns.map((v) => v.Id), title),
    cwes: cweIds(...vulns.map((v) => v.Cwes)),
    // ASFF ids are product-specific (uuids for controls): generator + resource is the identity a
    // rerun keeps; package findings use the dependency fingerprint so they merge with SCA tools.
    fingerprint: vulnId && pkgName ? dependencyFingerprint(vulnId, pkgName, str(pkg!.Version)) : genericFingerprint('asff', generator, resourceId ?? id),
    helpUri: str(remediation.Url) ?? (vuln && isObject(vuln.Vendor) ? str(vuln.Vendor.Url) : undefined),
    suppressedByTool: workflowOf(f) === 'SUPPRESSED' ? true : undefined,
  };
}

/** The findings array of a GetFindings document (`Findings`, or `findings` holding ASFF) or of a bare array. */
function findingsOf(doc: unknown): unknown[] | undefined {
  // prowler v3 writes a bare JSON array of ASFF findings.
  if (Array.isArray(doc)) return doc.length > 0 && isAsffFinding(doc[0]) ? doc : undefined;
  if (!isObject(doc)) return undefined;
  if (Array.isArray(doc.Findings)) return doc.Findings;
  // lowercase `findings` is also Inspector's ListFindings key: only claim it when it holds ASFF.
  if (Array.isArray(doc.findings) && doc.findings.length > 0 && isAsffFinding(doc.findings[0])) return doc.findings;
  return undefined;
}

export const asffParser = nativeParser({
  format: 'asff',
  description: 'AWS Security Finding Format JSON (GetFindings output or an array of findings)',
  encoding: 'json',
  detect: (report) => findingsOf(report.doc) !== undefined,
  parse(report) {
    const findings = findingsOf(report.doc);
    if (!findings) throw new ReportFormatError(report.file, 'not an ASFF document (no Findings array of ASFF findings)');
    return currentFindings(report.file, findings, (i) => `finding ${i}`);
  },
});

export const asffNdjsonParser = nativeParser({
  format: 'asff',
  description: 'AWS Security Finding Format, one finding per line (prowler json-asff)',
  encoding: 'ndjson',
  detect: (report) => Array.isArray(report.doc) && report.doc.length > 0 && isAsffFinding(report.doc[0]),
  parse(report) {
    if (!Array.isArray(report.doc)) throw new ReportFormatError(report.file, 'ASFF lines report is not a list of JSON lines');
    return currentFindings(report.file, report.doc, (i) => `record ${i + 1}`);
  },
});

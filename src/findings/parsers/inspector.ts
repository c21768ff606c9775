import { ReportFormatError } from './types';
import { cveIds, cweIds, hasKeys, isObject, line, nativeParser, Obj, optionalList, rate, repoPath, requireObject, requireStr, str } from './util';
import { Finding, ToolRef } from '../../model/finding';
import { dependencyFingerprint, toolFingerprint } from '../fingerprint';

/**
 * Amazon Inspector (v2) `ListFindings`: `{ findings: [...] }`. ECR enhanced scanning returns the
 * same finding shape (`enhancedFindings`), so `inspectorFinding` serves both.
 * Severity: `inspectorScore` (ECR: `score`), Inspector's CVSS adjusted to the environment,
 * else `severity` (UNTRIAGED maps like unknown, see normalize.ts).
 * Findings Inspector CLOSED (fixed) are not current problems and are left out (each is still
 * checked, see `isClosed`); SUPPRESSED ones are kept with `suppressedByTool` and count unless the
 * suppressions file accepts them.
 */

// Inspector's placeholder when no fix exists.
const NO_FIX = new Set(['NotAvailable', 'None']);

/** One Inspector2 / ECR enhanced finding. Package findings fingerprint on CVE + package, others on the finding ARN. */
/** Inspector closed the finding: the vulnerability is fixed. */
export function isClosed(finding: unknown): boolean {
  return isObject(finding) && finding.status === 'CLOSED';
}

export function inspectorFinding(file: string, tool: ToolRef, finding: unknown, where: string): Finding {
  const f = requireObject(file, finding, where);
  const arn = requireStr(file, f.findingArn, `${where} findingArn`);
  const title = str(f.title) ?? arn;
  const { severity, rawSeverity } = rate(file, f.inspectorScore ?? f.score, f.severity, `${where} (${title})`);
  const resources = optionalList(file, f, 'resources', `${where} resources`).filter(isObject);
  const res = resources[0];
  const status = str(f.status);
  const common = {
    tools: [tool],
    title,
    description: str(f.description),
    severity,
    rawSeverity,
    resource: res ? { id: requireStr(file, res.id, `${where} resource id`), kind: str(res.type) } : undefined,
    suppressedByTool: status === 'SUPPRESSED' ? true : undefined,
  };
  const pkgDetails = isObject(f.packageVulnerabilityDetails) ? f.packageVulnerabilityDetails : undefined;
  if (pkgDetails) {
    const vulnId = requireStr(file, pkgDetails.vulnerabilityId, `${where} vulnerabilityId`);
    // A finding can name several packages (e.g. linux and linux-libc-dev): the first is the package of record.
    const pkg = optionalList(file, pkgDetails, 'vulnerablePackages', `${where} vulnerablePackages`).filter(isObject)[0] as Obj | undefined;
    const name = pkg ? requireStr(file, pkg.name, `${where} package name`) : vulnId;
    const installed = pkg ? str(pkg.version) : undefined;
    const fixed = pkg ? str(pkg.fixedInVersion) : undefined;
    return {
      ...common,
      ruleId: vulnId,
      package: pkg
        ? {
          name,
          installedVersion: installed,
          fixedVersion: fixed && !NO_FIX.has(fixed) ? fixed : undefined,
          ecosystem: str(pkg.packageManager)?.toLowerCase(),
        }
        : undefined,
      cves: cveIds(vulnId, ...(Array.isArray(pkgDetails.relatedVulnerabilities) ? pkgDetails.relatedVulnerabilities : [])),
      cwes: [],
      fingerprint: dependencyFingerprint(vulnId, name, installed),
      helpUri: str(pkgDetails.sourceUrl),
    };
  }
  const code = isObject(f.codeVulnerabilityDetails) ? f.codeVulnerabilityDetails : undefined;
  const codePath = code && isObject(code.filePath) ? code.filePath : undefined;
  const codeFile = codePath ? str(codePath.filePath) ?? str(codePath.fileName) : undefined;
  return {
    ...common,
    ruleId: (code && (str(code.detectorId) ?? str(code.ruleId))) ?? str(f.type) ?? arn,
    location: codeFile && codePath
      ? { file: repoPath(file, codeFile), startLine: line(codePath.startLine), endLine: line(codePath.endLine) }
      : undefined,
    cves: cveIds(title),
    cwes: cweIds(code?.cwes),
    fingerprint: toolFingerprint('inspector', arn),
  };
}

function isInspectorList(doc: unknown): doc is Obj {
  if (!hasKeys(doc, 'findings') || !Array.isArray(doc.findings)) return false;
  // Security Hub's lowercase `findings` export holds ASFF (SchemaVersion, ProductArn) instead.
  return doc.findings.length === 0 || hasKeys(doc.findings[0], 'findingArn');
}

export const inspectorParser = nativeParser({
  format: 'inspector',
  description: 'Amazon Inspector ListFindings JSON',
  encoding: 'json',
  detect: (report) => isInspectorList(report.doc),
  parse(report) {
    if (!isInspectorList(report.doc)) throw new ReportFormatError(report.file, 'not an Inspector ListFindings report (no findings with findingArn)');
    const tool: ToolRef = { name: 'inspector' };
    return (report.doc.findings as unknown[]).map((f, i) => ({ f, finding: inspectorFinding(report.file, tool, f, `finding ${i}`) }))
      .filter((x) => !isClosed(x.f)).map((x) => x.finding);
  },
});

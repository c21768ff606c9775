import { inspectorFinding, isClosed } from './inspector';
import { ReportFormatError } from './types';
import { cveIds, hasKeys, isObject, nativeParser, Obj, optionalList, rate, requireObject, requireStr, str } from './util';
import { Finding, ToolRef } from '../../model/finding';
import { dependencyFingerprint } from '../fingerprint';

/**
 * Amazon ECR `DescribeImageScanFindings`: `{ imageScanFindings: { findings | enhancedFindings },
 * imageScanStatus, repositoryName, imageId }`. Basic scanning gives `findings` with attributes
 * (package_name, package_version, CVSS3_SCORE); enhanced scanning gives Inspector findings.
 * A scan that is not COMPLETE has no trustworthy findings: the report fails.
 * Severity: CVSS3_SCORE when present, else `severity` (CVSS2 is not used: the bands are v3's).
 */

function attributes(f: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of Array.isArray(f.attributes) ? f.attributes : []) {
    if (isObject(a) && str(a.key) && str(a.value)) out[str(a.key)!] = str(a.value)!;
  }
  return out;
}

function basicFinding(file: string, tool: ToolRef, image: string, finding: unknown, where: string): Finding {
  const f = requireObject(file, finding, where);
  const id = requireStr(file, f.name, `${where} name`);
  const attrs = attributes(f);
  const name = attrs.package_name ?? id;
  const installed = attrs.package_version;
  const { severity, rawSeverity } = rate(file, attrs.CVSS3_SCORE, f.severity, `${where} (${id})`);
  return {
    tools: [tool],
    ruleId: id,
    title: `${id} in ${name}${installed ? ` ${installed}` : ''}`,
    description: str(f.description),
    severity,
    rawSeverity,
    resource: { id: image, kind: 'container-image' },
    package: attrs.package_name ? { name, installedVersion: installed } : undefined,
    cves: cveIds(id),
    cwes: [],
    fingerprint: dependencyFingerprint(id, name, installed),
    helpUri: str(f.uri),
  };
}

export const ecrParser = nativeParser({
  format: 'ecr',
  description: 'Amazon ECR DescribeImageScanFindings JSON',
  encoding: 'json',
  detect: (report) => hasKeys(report.doc, 'imageScanFindings'),
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'ECR report');
    const status = isObject(doc.imageScanStatus) ? str(doc.imageScanStatus.status) : undefined;
    if (status !== undefined && status !== 'COMPLETE' && status !== 'ACTIVE') {
      throw new ReportFormatError(report.file, `ECR image scan status is ${status}, not COMPLETE: its findings are incomplete`);
    }
    const scan = requireObject(report.file, doc.imageScanFindings, 'imageScanFindings');
    const repo = str(doc.repositoryName) ?? 'image';
    const digest = isObject(doc.imageId) ? str(doc.imageId.imageDigest) ?? str(doc.imageId.imageTag) : undefined;
    const image = digest ? `${repo}@${digest}` : repo;
    const tool: ToolRef = { name: 'ecr' };
    const findings = [
      ...optionalList(report.file, scan, 'findings', 'findings').map((f, i) => basicFinding(report.file, tool, image, f, `finding ${i}`)),
      ...optionalList(report.file, scan, 'enhancedFindings', 'enhancedFindings')
        .map((f, i) => ({ f, finding: inspectorFinding(report.file, tool, f, `enhanced finding ${i}`) }))
        .filter((x) => !isClosed(x.f)).map((x) => x.finding),
    ];
    // ECR counts every finding in findingSeverityCounts, also those on later pages: a report
    // saved from one page (or with no findings list at all) must not pass as complete.
    const counts = isObject(scan.findingSeverityCounts) ? Object.values(scan.findingSeverityCounts) : undefined;
    const expected = counts?.reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : NaN), 0);
    if (expected === undefined && !('findings' in scan) && !('enhancedFindings' in scan)) {
      throw new ReportFormatError(report.file, 'imageScanFindings has no findings, enhancedFindings or findingSeverityCounts');
    }
    if (expected !== undefined && expected !== findings.length) {
      throw new ReportFormatError(report.file, `findingSeverityCounts add up to ${expected} but the report lists ${findings.length} findings (one page of a paginated result?)`);
    }
    return findings;
  },
});

import { ReportFormatError } from './types';
import { hasKeys, isObject, nativeParser, requireStr, severityOf, str } from './util';
import { Finding } from '../../model/finding';
import { iacFingerprint } from '../fingerprint';

/**
 * cdk-nag reports (`reports: true`), written per stack and pack as
 * `cdk.out/<Pack>-<Stack>-NagReport.csv` or `.json` (`{ lines: [...] }`).
 * Each line is one rule on one resource: `Non-Compliant` lines are findings; `Suppressed` lines
 * (a `NagSuppressions` entry with its reason) are kept with `suppressedByTool` so reports can
 * list the suppression and its reason; `Compliant` lines are not findings.
 * Severity: the rule level (Error / Warning / Info) through the shared table.
 */

/** One report line, from either encoding. */
interface NagLine {
  readonly ruleId: unknown;
  readonly resourceId: unknown;
  readonly compliance: unknown;
  readonly exceptionReason: unknown;
  readonly ruleLevel: unknown;
  readonly ruleInfo: unknown;
}

export const CDK_NAG_CSV_HEADER = ['Rule ID', 'Resource ID', 'Compliance', 'Exception Reason', 'Rule Level', 'Rule Info'];

function toFinding(file: string, l: NagLine, where: string): Finding | undefined {
  const compliance = requireStr(file, l.compliance, `${where} compliance`);
  if (compliance === 'Compliant') return undefined;
  if (compliance !== 'Non-Compliant' && compliance !== 'Suppressed') {
    throw new ReportFormatError(file, `${where} has unknown compliance "${compliance}" (expected Compliant, Non-Compliant or Suppressed)`);
  }
  const ruleId = requireStr(file, l.ruleId, `${where} rule id`);
  const resourceId = requireStr(file, l.resourceId, `${where} resource id`);
  const rawSeverity = requireStr(file, l.ruleLevel, `${where} rule level`);
  const reason = str(l.exceptionReason);
  return {
    tools: [{ name: 'cdk-nag' }],
    ruleId,
    title: str(l.ruleInfo) ?? ruleId,
    description: compliance === 'Suppressed' && reason && reason !== 'N/A' ? `Suppressed: ${reason}` : undefined,
    severity: severityOf(file, rawSeverity, `${where} (${ruleId})`),
    rawSeverity,
    // The construct path names the stack first: `SampleAppStack/DataBucket/Resource`.
    resource: { id: resourceId, kind: 'cdk-construct', target: resourceId.split('/')[0] },
    cves: [],
    cwes: [],
    fingerprint: iacFingerprint(ruleId, resourceId),
    suppressedByTool: compliance === 'Suppressed' ? true : undefined,
  };
}

function present(f: Finding | undefined): f is Finding {
  return f !== undefined;
}

export const cdkNagJsonParser = nativeParser({
  format: 'cdk-nag',
  description: 'cdk-nag NagReport JSON',
  encoding: 'json',
  detect: (report) => {
    const doc = report.doc;
    if (!isObject(doc) || !Array.isArray(doc.lines)) return false;
    return doc.lines.length === 0 || hasKeys(doc.lines[0], 'ruleId', 'resourceId', 'compliance');
  },
  parse(report) {
    const doc = report.doc;
    if (!isObject(doc) || !Array.isArray(doc.lines)) throw new ReportFormatError(report.file, 'not a cdk-nag JSON report (no lines array)');
    return doc.lines.map((l, i) => {
      if (!isObject(l)) throw new ReportFormatError(report.file, `line ${i} is not an object`);
      return toFinding(report.file, l as unknown as NagLine, `line ${i}`);
    }).filter(present);
  },
});

function isHeader(row: unknown): boolean {
  return Array.isArray(row) && row.length === CDK_NAG_CSV_HEADER.length && row.every((cell, i) => String(cell).trim() === CDK_NAG_CSV_HEADER[i]);
}

export const cdkNagCsvParser = nativeParser({
  format: 'cdk-nag',
  description: 'cdk-nag NagReport CSV',
  encoding: 'csv',
  detect: (report) => Array.isArray(report.doc) && isHeader(report.doc[0]),
  parse(report) {
    const rows = report.doc;
    if (!Array.isArray(rows) || !isHeader(rows[0])) {
      throw new ReportFormatError(report.file, `not a cdk-nag CSV report (header is not "${CDK_NAG_CSV_HEADER.join(',')}")`);
    }
    return rows.slice(1).map((row, i) => {
      // Row numbers as a spreadsheet shows them: the header is row 1.
      const where = `row ${i + 2}`;
      if (!Array.isArray(row) || row.length !== CDK_NAG_CSV_HEADER.length) {
        throw new ReportFormatError(report.file, `${where} has ${Array.isArray(row) ? row.length : 0} cells, expected ${CDK_NAG_CSV_HEADER.length}`);
      }
      const [ruleId, resourceId, compliance, exceptionReason, ruleLevel, ruleInfo] = row;
      return toFinding(report.file, { ruleId, resourceId, compliance, exceptionReason, ruleLevel, ruleInfo }, where);
    }).filter(present);
  },
});

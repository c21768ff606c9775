import { ParseContext, ReportFormatError } from './types';
import { cveIds, cweIds, hasKeys, isObject, line, nativeParser, num, Obj, optionalList, requiredList, repoPath, requireObject, requireStr, severityOf, str } from './util';
import { Finding, ToolRef } from '../../model/finding';
import { Severity } from '../../model/severity';
import { dependencyFingerprint, iacFingerprint } from '../fingerprint';

/**
 * checkov `-o json`: one `{ check_type, results: { failed_checks, skipped_checks, ... }, summary }`
 * per framework, a list of them when several frameworks ran, or a bare summary when there was
 * nothing to scan. Findings are the failed checks; skipped checks (`#checkov:skip=`) are kept
 * with `suppressedByTool` so reports can show them.
 *
 * Severity is null unless checkov runs with a Prisma Cloud API key. A failed check then counts
 * as HIGH: that is what checkov's own SARIF output says for the same check (level `error`,
 * which the shared table maps to HIGH), so the same scan gives the same verdict in either format,
 * and a failed policy check should block by default rather than pass a HIGH gate unseen.
 */
export const CHECKOV_DEFAULT_SEVERITY = Severity.HIGH;

function toFinding(file: string, ctx: ParseContext, tool: ToolRef, checkType: string, check: unknown, where: string, skipped: boolean): Finding {
  const c = requireObject(file, check, where);
  const id = requireStr(file, c.check_id, `${where} check_id`);
  const path = str(c.file_path) ?? str(c.repo_file_path);
  const location = path ? repoPath(file, path) : undefined;
  const range = Array.isArray(c.file_line_range) ? c.file_line_range : [];
  const resourceId = str(c.resource) ?? location ?? id;
  const details = isObject(c.vulnerability_details) ? c.vulnerability_details : undefined;
  let severity: Severity;
  let rawSeverity: string | undefined;
  const word = str(c.severity) ?? (details ? str(details.severity) : undefined);
  if (word) {
    severity = severityOf(file, word, `${where} (${id})`);
    rawSeverity = word;
  } else {
    // secrets framework: same rule as the other secret scanners.
    severity = checkType === 'secrets' ? ctx.secretSeverity : CHECKOV_DEFAULT_SEVERITY;
  }
  const common = {
    tools: [tool],
    ruleId: id,
    title: str(c.check_name) ?? id,
    description: str(c.description),
    severity,
    rawSeverity,
    location: location ? { file: location, startLine: line(range[0]), endLine: line(range[1]) } : undefined,
    cwes: cweIds(details?.cwe),
    helpUri: str(c.guideline),
    suppressedByTool: skipped ? true : undefined,
  };
  // sca_package results: a vulnerable dependency rather than a resource.
  if (details && str(details.package_name)) {
    const name = requireStr(file, details.package_name, `${where} package_name`);
    const installed = str(details.package_version);
    const vulnId = str(details.id) ?? id;
    return {
      ...common,
      package: { name, installedVersion: installed, fixedVersion: str(details.fixed_version) },
      cves: cveIds(vulnId),
      fingerprint: dependencyFingerprint(vulnId, name, installed),
    };
  }
  return {
    ...common,
    resource: { id: resourceId, kind: checkType, target: location },
    cves: [],
    fingerprint: iacFingerprint(id, resourceId, location),
  };
}

function isReport(doc: unknown): doc is Obj {
  return hasKeys(doc, 'check_type', 'results');
}

function isSummaryOnly(doc: unknown): boolean {
  return hasKeys(doc, 'checkov_version', 'passed', 'failed') && !('results' in doc);
}

/**
 * Files checkov could not parse were not checked at all: their findings are missing, whatever the
 * rest says. `results.parsing_errors` lists them, `summary.parsing_errors` counts them.
 */
function refuseIncomplete(file: string, results: Obj, summary: Obj, where: string): void {
  const listed = results.parsing_errors;
  if (listed !== undefined && listed !== null && !Array.isArray(listed)) throw new ReportFormatError(file, `${where} parsing_errors is not a list`);
  const count = Math.max(Array.isArray(listed) ? listed.length : 0, num(summary.parsing_errors) ?? 0);
  if (count > 0) {
    throw new ReportFormatError(file, `${where}: checkov could not parse ${count} file(s) (parsing_errors), so they were not checked; fix or exclude them`);
  }
}

function reportFindings(file: string, ctx: ParseContext, doc: Obj, where: string): Finding[] {
  if (isSummaryOnly(doc)) {
    // Written when nothing was scanned; a summary that counts failures without listing them is not trustworthy.
    if (doc.failed !== 0) throw new ReportFormatError(file, `${where} counts ${String(doc.failed)} failed checks but lists none`);
    return [];
  }
  const checkType = requireStr(file, doc.check_type, `${where} check_type`);
  const results = requireObject(file, doc.results, `${where} results`);
  const summary = isObject(doc.summary) ? doc.summary : {};
  const tool: ToolRef = { name: 'checkov', version: str(summary.checkov_version) };
  refuseIncomplete(file, results, summary, where);
  const failedChecks = requiredList(file, results, 'failed_checks', `${where} failed_checks`);
  // A summary counting failed checks that the list does not hold: findings were lost on the way.
  const counted = num(summary.failed);
  if (counted !== undefined && counted > failedChecks.length) {
    throw new ReportFormatError(file, `${where} summary counts ${counted} failed checks but lists ${failedChecks.length}`);
  }
  const failed = failedChecks
    .map((c, i) => toFinding(file, ctx, tool, checkType, c, `${where} failed check ${i}`, false));
  const skipped = optionalList(file, results, 'skipped_checks', `${where} skipped_checks`)
    .map((c, i) => toFinding(file, ctx, tool, checkType, c, `${where} skipped check ${i}`, true));
  return [...failed, ...skipped];
}

export const checkovParser = nativeParser({
  format: 'checkov',
  description: 'checkov -o json report (one framework, a list of frameworks, or a summary)',
  encoding: 'json',
  detect: (report) => {
    const doc = report.doc;
    if (Array.isArray(doc)) return doc.length > 0 && (isReport(doc[0]) || isSummaryOnly(doc[0]));
    return isReport(doc) || isSummaryOnly(doc);
  },
  parse(report, ctx) {
    const docs = Array.isArray(report.doc) ? report.doc : [report.doc];
    return docs.flatMap((d, i) => {
      const where = Array.isArray(report.doc) ? `report ${i}` : 'report';
      if (!isReport(d) && !isSummaryOnly(d)) throw new ReportFormatError(report.file, `${where} is not a checkov report (no check_type and results)`);
      return reportFindings(report.file, ctx, d, where);
    });
  },
});

import { ReportFormatError } from './types';
import { cweIds, hasKeys, line, nativeParser, requiredList, repoPath, requireObject, requireStr, severityOf, str } from './util';
import { Finding, ToolRef } from '../../model/finding';
import { iacFingerprint, toolFingerprint } from '../fingerprint';

/**
 * KICS `--report-formats json`: `{ queries: [{ query_id, query_name, severity, files: [...] }],
 * severity_counters, total_counter }`. One finding per query and file entry (KICS counts them
 * the same way in `total_counter`).
 */

function queryFindings(file: string, tool: ToolRef, query: unknown, qi: number): Finding[] {
  const where = `query ${qi}`;
  const q = requireObject(file, query, where);
  const id = requireStr(file, q.query_id, `${where} query_id`);
  const rawSeverity = requireStr(file, q.severity, `${where} severity`);
  const severity = severityOf(file, rawSeverity, `${where} (${id})`);
  return requiredList(file, q, 'files', `${where} files`).map((entry, fi) => {
    const f = requireObject(file, entry, `${where} file ${fi}`);
    const path = repoPath(file, requireStr(file, f.file_name, `${where} file ${fi} file_name`));
    const searchKey = str(f.search_key);
    const resourceName = str(f.resource_name);
    const similarity = str(f.similarity_id);
    return {
      tools: [tool],
      ruleId: id,
      title: str(q.query_name) ?? id,
      description: str(q.description),
      severity,
      rawSeverity,
      location: { file: path, startLine: line(f.line) },
      resource: resourceName || searchKey ? { id: resourceName ?? searchKey!, kind: str(f.resource_type), target: path } : undefined,
      cves: [],
      cwes: cweIds(q.cwe),
      // KICS' similarity_id ignores line numbers: use it when present.
      fingerprint: similarity ? toolFingerprint('kics', similarity) : iacFingerprint(id, searchKey ?? String(line(f.line) ?? ''), path),
      helpUri: str(q.query_url),
    };
  });
}

export const kicsParser = nativeParser({
  format: 'kics',
  description: 'KICS JSON report',
  encoding: 'json',
  detect: (report) => hasKeys(report.doc, 'queries', 'total_counter') && Array.isArray(report.doc.queries),
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'KICS report');
    if (!Array.isArray(doc.queries)) throw new ReportFormatError(report.file, 'KICS report has no queries array');
    const tool: ToolRef = { name: 'kics', version: str(doc.kics_version) };
    const findings = doc.queries.flatMap((q, i) => queryFindings(report.file, tool, q, i));
    // total_counter is KICS' own count of these entries: a mismatch means a truncated or edited report.
    if (typeof doc.total_counter === 'number' && doc.total_counter !== findings.length) {
      throw new ReportFormatError(report.file, `KICS total_counter is ${doc.total_counter} but the report lists ${findings.length} results`);
    }
    return findings;
  },
});

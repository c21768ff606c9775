import { DecodedReport, ReportFormatError } from './types';
import { cweIds, firstLine, hasKeys, isObject, line, nativeParser, repoPath, requireObject, requireStr, severityOf, str } from './util';
import { Finding } from '../../model/finding';
import { codeFingerprint } from '../fingerprint';

/**
 * bandit `-f json`: `{ errors, generated_at, metrics, results }`; severity is `issue_severity`
 * (HIGH / MEDIUM / LOW; UNDEFINED for plugins that set none).
 */

/**
 * bandit's `code` is numbered context lines ("24     req = ...\n25 ..."). The fingerprint
 * uses only the flagged line, without its number, so it survives line shifts.
 */
function flaggedLine(code: string | undefined, lineNumber: number | undefined): string | undefined {
  if (!code) return undefined;
  const lines = code.split('\n').map((l) => /^(\d+) ?(.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  const hit = lines.find((m) => parseInt(m[1], 10) === lineNumber) ?? lines[0];
  return hit ? hit[2] : undefined;
}

function toFinding(report: DecodedReport, result: unknown, index: number): Finding {
  const where = `result ${index}`;
  if (!isObject(result)) throw new ReportFormatError(report.file, `${where} is not an object`);
  const ruleId = requireStr(report.file, result.test_id, `${where} test_id`);
  const file = repoPath(report.file, requireStr(report.file, result.filename, `${where} filename`));
  const rawSeverity = requireStr(report.file, result.issue_severity, `${where} issue_severity`);
  const startLine = line(result.line_number);
  const range = Array.isArray(result.line_range) ? result.line_range : [];
  const snippet = flaggedLine(str(result.code), startLine);
  const text = str(result.issue_text) ?? ruleId;
  return {
    tools: [{ name: 'bandit' }],
    ruleId,
    title: `${str(result.test_name) ?? ruleId}: ${firstLine(text)}`,
    description: text,
    severity: severityOf(report.file, rawSeverity, `${where} (${ruleId})`),
    rawSeverity,
    location: { file, startLine, endLine: line(range[range.length - 1]) ?? startLine, snippet },
    cves: [],
    cwes: cweIds(isObject(result.issue_cwe) ? result.issue_cwe.id : undefined),
    fingerprint: codeFingerprint(ruleId, file, snippet, startLine),
    helpUri: str(result.more_info),
  };
}

/**
 * bandit skips a file it cannot parse (newer Python syntax, a template) and lists it in `errors`:
 * that file was not analyzed, so the gate cannot judge (exit 2), naming every such file.
 */
function checkErrors(file: string, errors: unknown): void {
  if (errors === undefined) return;
  if (!Array.isArray(errors)) throw new ReportFormatError(file, 'bandit report: "errors" is not an array');
  if (errors.length === 0) return;
  const named = errors.map((e) => isObject(e)
    ? `${str(e.filename) ?? '(no file name)'}${str(e.reason) ? ` (${firstLine(str(e.reason)!)})` : ''}`
    : JSON.stringify(e));
  const shown = named.slice(0, 20).join(', ') + (named.length > 20 ? `, and ${named.length - 20} more` : '');
  throw new ReportFormatError(file, `bandit could not analyze ${errors.length} file(s), so they were not scanned: ${shown}`);
}

export const banditParser = nativeParser({
  format: 'bandit',
  description: 'bandit -f json report',
  encoding: 'json',
  detect: (report) => hasKeys(report.doc, 'results', 'generated_at', 'metrics') && Array.isArray(report.doc.results),
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'bandit report');
    if (!Array.isArray(doc.results)) throw new ReportFormatError(report.file, 'bandit report has no results array');
    checkErrors(report.file, doc.errors);
    return doc.results.map((r, i) => toFinding(report, r, i));
  },
});

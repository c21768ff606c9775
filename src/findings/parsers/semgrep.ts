import { DecodedReport, ReportFormatError } from './types';
import { cweIds, firstLine, isObject, line, nativeParser, Obj, repoPath, requireObject, requireStr, severityOf, str } from './util';
import { Finding } from '../../model/finding';
import { codeFingerprint, toolFingerprint } from '../fingerprint';

/**
 * semgrep `--json`: `{ results: [...], errors: [...] }` (newer versions add `version`, `paths`).
 * Severity words ERROR / WARNING / INFO go through the shared table.
 */

// Placeholders semgrep writes instead of code or fingerprints when not logged in: not usable.
const PLACEHOLDERS = new Set(['requires login']);

function usable(value: unknown): string | undefined {
  const s = str(value);
  return s && !PLACEHOLDERS.has(s.trim()) ? s : undefined;
}

function toFinding(report: DecodedReport, doc: Obj, result: unknown, index: number): Finding {
  const where = `result ${index}`;
  if (!isObject(result)) throw new ReportFormatError(report.file, `${where} is not an object`);
  const ruleId = requireStr(report.file, result.check_id, `${where} check_id`);
  const file = repoPath(report.file, requireStr(report.file, result.path, `${where} path`));
  const extra = requireObject(report.file, result.extra, `${where} extra`);
  const metadata = isObject(extra.metadata) ? extra.metadata : {};
  const rawSeverity = requireStr(report.file, extra.severity, `${where} severity`);
  const startLine = line(isObject(result.start) ? result.start.line : undefined);
  const snippet = usable(extra.lines);
  const own = usable(extra.fingerprint);
  const message = str(extra.message) ?? ruleId;
  const references = Array.isArray(metadata.references) ? metadata.references : [];
  return {
    tools: [{ name: 'semgrep', version: str(doc.version) }],
    ruleId,
    title: firstLine(message),
    description: message,
    severity: severityOf(report.file, rawSeverity, `${where} (${ruleId})`),
    rawSeverity,
    location: { file, startLine, endLine: line(isObject(result.end) ? result.end.line : undefined), snippet },
    cves: [],
    cwes: cweIds(metadata.cwe),
    fingerprint: own ? toolFingerprint('semgrep', own) : codeFingerprint(ruleId, file, snippet, startLine),
    helpUri: str(metadata.shortlink) ?? str(metadata.source) ?? str(references[0]),
    suppressedByTool: extra.is_ignored === true ? true : undefined,
  };
}

export const semgrepParser = nativeParser({
  format: 'semgrep',
  description: 'semgrep --json report',
  encoding: 'json',
  // bandit also has results + errors arrays: its generated_at / metrics keys tell them apart.
  detect: (report) => {
    const doc = report.doc;
    if (!isObject(doc) || !Array.isArray(doc.results) || !Array.isArray(doc.errors)) return false;
    if ('generated_at' in doc || 'metrics' in doc) return false;
    return doc.results.length === 0 || (isObject(doc.results[0]) && 'check_id' in doc.results[0]);
  },
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'semgrep report');
    if (!Array.isArray(doc.results)) throw new ReportFormatError(report.file, 'semgrep report has no results array');
    return doc.results.map((r, i) => toFinding(report, doc, r, i));
  },
});

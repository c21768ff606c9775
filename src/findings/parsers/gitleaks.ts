import { DecodedReport, ParseContext, ReportFormatError } from './types';
import { hasKeys, isObject, line, nativeParser, repoPath, requireStr, secretDigest, str } from './util';
import { Finding } from '../../model/finding';
import { codeFingerprint } from '../fingerprint';

/**
 * gitleaks JSON: an array of leaks. v8 writes PascalCase keys (`RuleID`, `File`, `StartLine`),
 * v7 lowercase ones (`rule`, `file`, `lineNumber`, `offender`). No leaks is `[]`.
 * gitleaks has no severity: findings take the gate's secret severity.
 */

function isV8(leak: unknown): boolean {
  return hasKeys(leak, 'RuleID', 'File');
}

function isV7(leak: unknown): boolean {
  return hasKeys(leak, 'rule', 'offender', 'file');
}

function toFinding(report: DecodedReport, ctx: ParseContext, leak: unknown, index: number): Finding {
  const where = `leak ${index}`;
  if (!isObject(leak)) throw new ReportFormatError(report.file, `${where} is not an object`);
  const v8 = isV8(leak);
  if (!v8 && !isV7(leak)) throw new ReportFormatError(report.file, `${where} has neither gitleaks v8 (RuleID, File) nor v7 (rule, offender, file) keys`);
  const ruleId = requireStr(report.file, v8 ? leak.RuleID : leak.rule, `${where} rule id`);
  const file = repoPath(report.file, requireStr(report.file, v8 ? leak.File : leak.file, `${where} file`));
  const startLine = line(v8 ? leak.StartLine : leak.lineNumber);
  // Fingerprint on the secret's digest, not gitleaks' own Fingerprint (commit:file:rule:line),
  // which changes with every commit and line shift.
  const secret = str(v8 ? (leak.Secret ?? leak.Match) : leak.offender);
  return {
    tools: [{ name: 'gitleaks' }],
    ruleId,
    title: `Secret detected: ${str(v8 ? leak.Description : undefined) ?? ruleId}`,
    severity: ctx.secretSeverity,
    location: { file, startLine, endLine: line(v8 ? leak.EndLine : undefined) ?? startLine },
    cves: [],
    cwes: ['CWE-798'],
    fingerprint: codeFingerprint(ruleId, file, secret ? secretDigest(secret) : undefined, startLine),
  };
}

export const gitleaksParser = nativeParser({
  format: 'gitleaks',
  description: 'gitleaks JSON report (v7 and v8)',
  encoding: 'json',
  // An empty array is gitleaks' "no leaks" report; no other array format is claimed when empty.
  detect: (report) => Array.isArray(report.doc) && (report.doc.length === 0 || isV8(report.doc[0]) || isV7(report.doc[0])),
  parse(report, ctx) {
    if (!Array.isArray(report.doc)) throw new ReportFormatError(report.file, 'gitleaks report is not an array of leaks');
    return report.doc.map((leak, i) => toFinding(report, ctx, leak, i));
  },
});

import { DecodedReport, ParseContext, ReportFormatError } from './types';
import { hasKeys, isObject, line, nativeParser, Obj, repoPath, requireStr, secretDigest, str } from './util';
import { Finding, SourceLocation } from '../../model/finding';
import { codeFingerprint } from '../fingerprint';

/**
 * trufflehog `--json` output: one JSON object per line.
 * v3: `SourceMetadata.Data.<Source>.{file,line}`, `DetectorName`, `Raw`, `Verified`.
 * v2: `path`, `reason`, `stringsFound`.
 * trufflehog has no severity: findings take the gate's secret severity.
 */

function isV3(line0: unknown): line0 is Obj {
  return hasKeys(line0, 'SourceMetadata', 'DetectorName');
}

function isV2(line0: unknown): line0 is Obj {
  return hasKeys(line0, 'reason', 'stringsFound', 'path');
}

/** v3 puts the location under the source's name (Filesystem, Git, Github, ...): take whichever has a file. */
function v3Location(report: DecodedReport, metadata: unknown): SourceLocation | undefined {
  const data = isObject(metadata) ? metadata.Data : undefined;
  if (!isObject(data)) return undefined;
  for (const source of Object.values(data)) {
    if (!isObject(source)) continue;
    const file = str(source.file) ?? str(source.path);
    if (file) return { file: repoPath(report.file, file), startLine: line(source.line) };
  }
  return undefined;
}

function entryFinding(report: DecodedReport, ctx: ParseContext, entry: unknown, where: string): Finding {
  if (isV3(entry)) return v3Finding(report, ctx, entry, where);
  if (isV2(entry)) return v2Finding(report, ctx, entry, where);
  throw new ReportFormatError(report.file, `${where} is not a trufflehog v2 or v3 result`);
}

function v3Finding(report: DecodedReport, ctx: ParseContext, entry: Obj, where: string): Finding {
  const detector = requireStr(report.file, entry.DetectorName, `${where} DetectorName`);
  const location = v3Location(report, entry.SourceMetadata);
  const raw = str(entry.RawV2) ?? str(entry.Raw);
  const verified = entry.Verified === true;
  return {
    tools: [{ name: 'trufflehog' }],
    ruleId: detector,
    title: `${verified ? 'Verified' : 'Unverified'} ${detector} secret`,
    description: str(entry.DetectorDescription),
    severity: ctx.secretSeverity,
    rawSeverity: verified ? 'verified' : 'unverified',
    location,
    cves: [],
    cwes: ['CWE-798'],
    fingerprint: codeFingerprint(detector, location?.file ?? str(entry.SourceName) ?? '', raw ? secretDigest(raw) : undefined, location?.startLine),
  };
}

function v2Finding(report: DecodedReport, ctx: ParseContext, entry: Obj, where: string): Finding {
  const reason = requireStr(report.file, entry.reason, `${where} reason`);
  const file = repoPath(report.file, requireStr(report.file, entry.path, `${where} path`));
  if (!Array.isArray(entry.stringsFound)) throw new ReportFormatError(report.file, `${where} stringsFound is not an array`);
  const found = entry.stringsFound.map((s) => String(s)).sort().join('\n');
  return {
    tools: [{ name: 'trufflehog' }],
    ruleId: reason,
    title: `Secret detected: ${reason}`,
    severity: ctx.secretSeverity,
    location: { file },
    cves: [],
    cwes: ['CWE-798'],
    fingerprint: codeFingerprint(reason, file, secretDigest(found)),
  };
}

export const trufflehogParser = nativeParser({
  format: 'trufflehog',
  description: 'trufflehog --json output (v2 and v3, one object per line)',
  encoding: 'ndjson',
  // trufflehog prints one line per secret and nothing else: a clean scan writes an empty file.
  emptyMeansNoFindings: true,
  detect: (report) => Array.isArray(report.doc) && report.doc.length > 0 && (isV3(report.doc[0]) || isV2(report.doc[0])),
  parse(report, ctx) {
    if (!Array.isArray(report.doc)) throw new ReportFormatError(report.file, 'trufflehog report is not a list of JSON lines');
    return report.doc.map((entry, i) => entryFinding(report, ctx, entry, `record ${i + 1}`));
  },
});

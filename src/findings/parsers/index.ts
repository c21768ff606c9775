import { decodeReport } from './decode';
import { DecodeOptions, DEFAULT_LAZY_ABOVE_BYTES, openLargeJsonReport } from './lazy-json';
import { NATIVE_PARSERS } from './native';
import { isBlank, readReportFile, reportFileSize } from './report-file';
import { sarifParser, sarifTools } from './sarif';
import { inputRoots } from '../input-file';
import { DecodedReport, ParseContext, ReportFormatError, ReportParser } from './types';
import { Finding, ToolRef } from '../../model/finding';
import { Severity } from '../../model/severity';
import { UnknownSeverityError } from '../normalize';

export { ReportFormatError } from './types';

/** Options of `loadReport`. */
export interface LoadOptions {
  /** Forced format (from `--report FILE:FORMAT`); the report must still look like that format. */
  readonly format?: string;
  /** Severity given to secret scanners' findings. @default CRITICAL */
  readonly secretSeverity?: Severity;
  /** The scanned repository's absolute path (see ParseContext). @default CODEBUILD_SRC_DIR, else the working directory */
  readonly sourceRoot?: string;
  /**
   * When JSON reports are decoded lazily, one array element at a time (see `lazy-json.ts`).
   * For tests and benchmarks. @default lazy from 32 MiB, arrays of 1 MiB and more
   */
  readonly decode?: DecodeOptions;
}

/** A report read, decoded, detected and parsed. */
export interface LoadedReport {
  readonly file: string;
  readonly format: string;
  readonly tools: ToolRef[];
  readonly findings: Finding[];
  /** Packages or targets a dependency report inventoried (see `ReportParser.inventory`). */
  readonly inventory?: number;
}

/** Every parser, SARIF first: the formats `--report FILE:FORMAT` accepts. */
export function allParsers(): ReportParser[] {
  return [sarifParser, ...NATIVE_PARSERS];
}

/** Names of the formats `loadReport` knows (a name with parsers for two encodings once). */
export function knownFormats(): string[] {
  return [...new Set(allParsers().map((p) => p.format))];
}

const ENCODING_NAMES: Record<string, string> = { json: 'JSON', ndjson: 'NDJSON', xml: 'XML', csv: 'CSV' };

function claims(parser: ReportParser, report: DecodedReport): boolean {
  if (parser.encoding !== report.encoding) return false;
  try {
    return parser.detect(report);
  } catch {
    // A detector that trips over an unexpected shape does not recognize the report.
    return false;
  }
}

/**
 * The parsers that recognize the report. A one-line NDJSON file decodes as a JSON object: when
 * no JSON parser claims it, NDJSON parsers are asked about it as a one-record list.
 */
function claimants(parsers: ReportParser[], report: DecodedReport): Array<{ parser: ReportParser; report: DecodedReport }> {
  const direct = parsers.filter((p) => claims(p, report)).map((parser) => ({ parser, report }));
  if (direct.length > 0 || report.encoding !== 'json' || typeof report.doc !== 'object' || report.doc === null || Array.isArray(report.doc)) {
    return direct;
  }
  const asLines: DecodedReport = { file: report.file, encoding: 'ndjson', doc: [report.doc] };
  return parsers.filter((p) => claims(p, asLines)).map((parser) => ({ parser, report: asLines }));
}

function describe(report: DecodedReport, found: ReportParser[]): string {
  if (found.length > 0) return `it looks like ${found.map((p) => `${p.format} (${p.description})`).join(' or ')}`;
  return `it is ${ENCODING_NAMES[report.encoding]} that no known format recognizes`;
}

function choose(report: DecodedReport, format: string | undefined): { parser: ReportParser; report: DecodedReport } {
  const parsers = allParsers();
  const known = knownFormats().join(', ');
  const found = claimants(parsers, report);
  if (format !== undefined) {
    // One format name may have a parser per encoding (zap XML and JSON).
    const wanted = format.trim().toLowerCase();
    const named = parsers.filter((p) => p.format.toLowerCase() === wanted);
    if (named.length === 0) throw new ReportFormatError(report.file, `unknown format "${format}"; known formats: ${known}`);
    const match = found.find((f) => named.includes(f.parser));
    if (match) return match;
    const others = found.map((f) => f.parser);
    const encodings = [...new Set(named.map((p) => ENCODING_NAMES[p.encoding]))];
    const expected = named.some((p) => p.encoding === report.encoding)
      ? ''
      : ` (${named[0].format} reports are ${encodings.join(' or ')}, this file is ${ENCODING_NAMES[report.encoding]})`;
    throw new ReportFormatError(report.file, `does not look like a ${named[0].format} report${expected}: ${describe(report, others)}`);
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new ReportFormatError(report.file, `unrecognized format: ${describe(report, [])}; known formats: ${known}`);
  }
  throw new ReportFormatError(report.file, `ambiguous format: ${describe(report, found.map((f) => f.parser))}; name it with FILE:FORMAT`);
}

function parseWith(parser: ReportParser, report: DecodedReport, ctx: ParseContext): Finding[] {
  try {
    const findings = parser.parse(report, ctx);
    if (!Array.isArray(findings)) throw new Error('parser returned no list of findings');
    return findings;
  } catch (e) {
    if (e instanceof ReportFormatError) {
      if (e.file === report.file) throw e;
      throw new ReportFormatError(report.file, e.problem);
    }
    if (e instanceof UnknownSeverityError) throw new ReportFormatError(report.file, e.message);
    // Anything else is a report the parser could not make sense of: fail closed, say which.
    throw new ReportFormatError(report.file, `cannot be read as ${parser.format}: ${(e as Error).message ?? String(e)}`);
  }
}

function toolsOf(parser: ReportParser, report: DecodedReport, findings: Finding[]): ToolRef[] {
  if (parser === sarifParser) return sarifTools(report);
  const seen = new Map<string, ToolRef>();
  for (const f of findings) {
    for (const t of f.tools) {
      const key = `${t.name}\u0000${t.version ?? ''}`;
      if (!seen.has(key)) seen.set(key, t);
    }
  }
  return seen.size > 0 ? [...seen.values()] : [{ name: parser.format }];
}

/**
 * Reads one report file and returns its findings. Fails closed: a missing, empty,
 * truncated or unparsable file, or one that does not match the forced format, throws
 * `ReportFormatError` naming the file and the problem.
 */
export async function loadReport(file: string, options: LoadOptions = {}): Promise<LoadedReport> {
  const ctx: ParseContext = { file, secretSeverity: options.secretSeverity ?? Severity.CRITICAL, sourceRoot: options.sourceRoot };
  const emptyAllowed = emptyMeansNoFindings(options.format);
  // A symlinked report may point into the scanned repository or the working directory only.
  const roots = inputRoots([options.sourceRoot]);
  const size = await reportFileSize(file, { allowEmpty: emptyAllowed !== undefined, roots });
  // Small files only: a large file of white space is no tool's clean output.
  if (emptyAllowed && size < 4096) {
    const bytes = await readReportFile(file, { allowEmpty: true, roots });
    // The tool's own way of saying "nothing found", accepted only because the format was named.
    if (isBlank(bytes)) return { file, format: emptyAllowed.format, tools: [{ name: emptyAllowed.format }], findings: [] };
  }
  if (size >= (options.decode?.lazyAboveBytes ?? DEFAULT_LAZY_ABOVE_BYTES)) {
    // Large JSON: read from the file element by element, never whole (see lazy-json.ts).
    const opened = openLargeJsonReport(file, options.decode, roots);
    if (opened) {
      try {
        return load(opened.report, options.format, ctx);
      } finally {
        opened.source.close();
      }
    }
  }
  return load(decodeReport(file, await readReportFile(file, { roots }), options.decode), options.format, ctx);
}

/** The forced format's parser when that format's clean output is an empty file. */
function emptyMeansNoFindings(format: string | undefined): ReportParser | undefined {
  if (format === undefined) return undefined;
  const wanted = format.trim().toLowerCase();
  return allParsers().find((p) => p.format.toLowerCase() === wanted && p.emptyMeansNoFindings === true);
}

function load(decoded: DecodedReport, format: string | undefined, ctx: ParseContext): LoadedReport {
  const { parser, report } = choose(decoded, format);
  const findings = parseWith(parser, report, ctx);
  // The index only skipped over small values: whatever the parser did not read is checked now.
  decoded.checkRest?.();
  const inventory = parser.inventory?.(report);
  const tools = toolsOf(parser, report, findings);
  return { file: decoded.file, format: parser.format, tools, findings, ...(inventory !== undefined && { inventory }) };
}

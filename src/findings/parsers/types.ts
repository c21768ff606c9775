import { Finding } from '../../model/finding';
import type { ReportFormat } from '../../model/formats';
import { Severity } from '../../model/severity';

/** How the loader decodes a report's text before a parser sees it. */
export type ReportEncoding = 'json' | 'ndjson' | 'xml' | 'csv';

/** A report file, decoded once by the loader. */
export interface DecodedReport {
  /** Path as given on the command line: used in every message. */
  readonly file: string;
  readonly encoding: ReportEncoding;
  /**
   * json: the parsed value; ndjson: array of parsed lines; xml: the fast-xml-parser object;
   * csv: array of rows (arrays of cells), header first.
   */
  readonly doc: unknown;
  /**
   * Lazily decoded JSON only (see lazy-json.ts): parses every element of a lazy array that no parser
   * read, throwing `ReportFormatError` for a malformed one. The loader calls it once the parser is done.
   */
  readonly checkRest?: () => void;
}

export interface ParseContext {
  readonly file: string;
  /** Severity for scanners that give none (secret scanners). Default CRITICAL. */
  readonly secretSeverity: Severity;
  /**
   * The scanned repository's absolute path: absolute locations under it are reported relative
   * to it. Default: CODEBUILD_SRC_DIR, else the working directory.
   */
  readonly sourceRoot?: string;
}

/** One parser per format family. Pure: no I/O. */
export interface ReportParser {
  /** Format name used with `--report FILE:FORMAT`, e.g. `sarif`, `gitleaks`, `trivy`: one of REPORT_FORMATS (the compiler checks). */
  readonly format: ReportFormat;
  readonly description: string;
  readonly encoding: ReportEncoding;
  /**
   * The tool writes an empty file when it finds nothing (trufflehog: JSON lines, zero lines).
   * Only honoured when the format is forced (`--report FILE:FORMAT`) and the file exists: an
   * empty file of an auto-detected format still fails closed, since nothing says which tool wrote it.
   * @default false
   */
  readonly emptyMeansNoFindings?: boolean;
  /** True when the decoded document is of this format (cheap structural check). */
  detect(report: DecodedReport): boolean;
  /** Findings; throws `ReportFormatError` when the structure is not what the format requires. */
  parse(report: DecodedReport, ctx: ParseContext): Finding[];
  /**
   * Dependency reports: how many packages (SBOM components) or targets (trivy results) the report
   * inventoried, called after `parse` succeeded. 0 means the scanner found nothing to analyze, which
   * `evaluate --lock-files-from` turns into "not analyzed". @default not a dependency inventory
   */
  inventory?(report: DecodedReport): number;
}

/** A report that cannot be used: the gate fails closed (exit 2) with this message. */
export class ReportFormatError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}

import { Finding, ToolRef } from '../model';
import { Severity } from '../severity';
import { ReportFormatError } from './types';

export { ReportFormatError } from './types';

/** Options of `loadReport`. */
export interface LoadOptions {
  /** Forced format (from `--report FILE:FORMAT`); the report must still look like that format. */
  readonly format?: string;
  /** Severity given to secret scanners' findings. @default CRITICAL */
  readonly secretSeverity?: Severity;
}

/** A report read, decoded, detected and parsed. */
export interface LoadedReport {
  readonly file: string;
  readonly format: string;
  readonly tools: ToolRef[];
  readonly findings: Finding[];
}

/**
 * Reads one report file and returns its findings. Fails closed: a missing, empty,
 * truncated or unparsable file, or one that does not match the forced format, throws
 * `ReportFormatError` naming the file and the problem.
 */
export async function loadReport(file: string, _options: LoadOptions = {}): Promise<LoadedReport> {
  throw new ReportFormatError(file, 'report loading is not implemented yet');
}

import { ReportParser } from './types';

/** Parsers for every non-SARIF format (one file per format family beside this one). */
export const NATIVE_PARSERS: ReportParser[] = [];

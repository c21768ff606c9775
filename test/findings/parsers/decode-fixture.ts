import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { decodeReport } from '../../../src/findings/parsers/decode';
import { DecodedReport, ParseContext, ReportParser } from '../../../src/findings/parsers/types';
import { Finding } from '../../../src/model/finding';
import { Severity } from '../../../src/model/severity';
import { FIXTURES } from '../../support/fixtures';

export { FIXTURES };

/** Every fixture file, relative to FIXTURES (`trivy/fs-secrets.json`), PROVENANCE.md excluded. */
export function listFixtures(): string[] {
  return readdirSync(FIXTURES)
    .filter((d) => statSync(path.join(FIXTURES, d)).isDirectory())
    .flatMap((d) => readdirSync(path.join(FIXTURES, d)).map((f) => `${d}/${f}`))
    .sort();
}

export function isSarif(rel: string): boolean {
  return rel.endsWith('.sarif');
}

/**
 * Decodes a fixture with the loader's own decoding (`decodeReport`: JSON, NDJSON, XML, CSV chosen
 * from the content, as for a real report), so the parsers are tested on what they will be given.
 */
export function decodeFixture(rel: string): DecodedReport {
  return decodeReport(rel, readFileSync(path.join(FIXTURES, rel)));
}

export const CTX: ParseContext = { file: 'fixture', secretSeverity: Severity.CRITICAL };

/** Decodes a fixture, checks `parser` claims it, and parses it. */
export function parseFixture(parser: ReportParser, rel: string, ctx: ParseContext = CTX): Finding[] {
  const decoded = decodeFixture(rel);
  if (!parser.detect(decoded)) throw new Error(`${parser.format} (${parser.encoding}) does not detect ${rel}`);
  return parser.parse(decoded, { ...ctx, file: rel });
}

/** Finding count per severity, only the severities present: `{ HIGH: 2, LOW: 1 }`. */
export function severityCounts(findings: Finding[]): Partial<Record<Severity, number>> {
  const out: Partial<Record<Severity, number>> = {};
  for (const f of findings) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out;
}

/** Findings the scanner did not mark suppressed. */
export function active(findings: Finding[]): Finding[] {
  return findings.filter((f) => !f.suppressedByTool);
}

/** A decoded report built in a test, for malformed-input cases. */
export function report(doc: unknown, encoding: DecodedReport['encoding'] = 'json'): DecodedReport {
  return { file: 'bad-report', encoding, doc };
}

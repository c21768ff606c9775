import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { XMLParser } from 'fast-xml-parser';
import { Finding } from '../../../src/findings/model';
import { DecodedReport, ParseContext, ReportParser } from '../../../src/findings/parsers/types';
import { Severity } from '../../../src/findings/severity';

/**
 * Fixtures live in the shared checkout beside the repository (`../shared` from the repo root),
 * here and in CI, which clones the repo and places shared/ next to it.
 */
export const FIXTURES = path.join(__dirname, '../../../../shared/fixtures/scanner-reports');

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

// Same options as the loader's XML decoding: attributes as `@_name`, values kept as strings.
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false, trimValues: true });

/** Minimal RFC 4180 reader: quoted cells with commas and doubled quotes; blank lines dropped. */
export function splitCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      if (row.some((x) => x !== '')) rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  row.push(cell);
  if (row.some((x) => x !== '')) rows.push(row);
  return rows;
}

/** Decodes a fixture the way the loader does, by its content's form (told here by its extension). */
export function decodeFixture(rel: string): DecodedReport {
  const file = path.join(FIXTURES, rel);
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (rel.endsWith('.xml')) return { file: rel, encoding: 'xml', doc: xml.parse(text) };
  if (rel.endsWith('.csv')) return { file: rel, encoding: 'csv', doc: splitCsv(text) };
  if (rel.endsWith('.ndjson') || rel.endsWith('.jsonl')) {
    return { file: rel, encoding: 'ndjson', doc: text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)) };
  }
  return { file: rel, encoding: 'json', doc: JSON.parse(text) };
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

import { createHash } from 'crypto';
import { describeKey } from './json-keys';
import { DecodedReport, ReportFormatError, ReportParser } from './types';
import { PackageRef } from '../../model/finding';
import { Severity, severityRank } from '../../model/severity';
import { normalizeSeverity, severityFromScore, UnknownSeverityError } from '../normalize';

/**
 * Helpers shared by the native parsers: structural checks that fail closed with
 * `ReportFormatError`, path and id normalization, severity with the file named.
 */

/** A JSON object (not null, not an array). */
export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` is an object that has every one of `keys`. */
export function hasKeys(value: unknown, ...keys: string[]): value is Obj {
  return isObject(value) && keys.every((k) => k in value);
}

/** The object at `value`, or a `ReportFormatError` naming `what`. */
export function requireObject(file: string, value: unknown, what: string): Obj {
  if (!isObject(value)) throw new ReportFormatError(file, `${what} is not an object`);
  return value;
}

/** The array at `value`, or a `ReportFormatError` naming `what`. */
export function requireArray(file: string, value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ReportFormatError(file, `${what} is not an array`);
  return value;
}

/** Like `requireArray`, but absent (undefined or null) means empty: tools omit empty lists. */
export function optionalArray(file: string, value: unknown, what: string): unknown[] {
  return value === undefined || value === null ? [] : requireArray(file, value, what);
}

/**
 * `obj[key]`. When the key is absent but a key differing only in case is there (`Results` where
 * `results` is expected, `vulnerabilities` where trivy writes `Vulnerabilities`), the parser would
 * silently read nothing: the report fails closed instead. Checked only on a miss, so it costs
 * nothing on reports of the expected shape.
 */
export function field(file: string, obj: Obj, key: string, what: string): unknown {
  const value = obj[key];
  if (value !== undefined) return value;
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) {
    if (k.toLowerCase() === lower) {
      throw new ReportFormatError(file, `${what}: key ${describeKey(k)} where ${describeKey(key)} is expected (keys are case-sensitive; nothing would be read)`);
    }
  }
  return undefined;
}

/**
 * The list at `obj[key]` (see `field`); absent or null is empty: tools omit empty lists (Go tools
 * write null). `nullable: false` for formats whose schema has no null there: null is then refused.
 */
export function optionalList(file: string, obj: Obj, key: string, what: string, options: { nullable?: boolean } = {}): unknown[] {
  const value = field(file, obj, key, what);
  if (value === null && options.nullable === false) throw new ReportFormatError(file, `${what} is null, not a list`);
  return optionalArray(file, value, what);
}

/** The list at `obj[key]` (see `field`), which the tool always writes (an empty list when clean): absent fails closed. */
export function requiredList(file: string, obj: Obj, key: string, what: string): unknown[] {
  const value = field(file, obj, key, what);
  if (value === undefined) throw new ReportFormatError(file, `${what} is missing (the tool writes an empty list when it finds nothing)`);
  return requireArray(file, value, what);
}

/** A string or number as text; anything else undefined. Empty strings are undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A required non-empty text field, or a `ReportFormatError` naming `what`. */
export function requireStr(file: string, value: unknown, what: string): string {
  const s = str(value);
  if (s === undefined) throw new ReportFormatError(file, `${what} is missing or not a string`);
  return s;
}

/** A finite number, or a numeric string; anything else undefined. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return parseFloat(value);
  return undefined;
}

/** A positive whole line number, else undefined (tools write 0 or -1 for "no line"). */
export function line(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && n >= 1 ? Math.floor(n) : undefined;
}

/**
 * XML (fast-xml-parser) and ZAP's JSON repeat an element as an array only when it occurs
 * more than once: this always gives an array. Empty elements decode to '' and count as none.
 */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** Text content of an XML element, whether decoded as a bare value or as `{ '#text': ... }`. */
export function xmlText(value: unknown): string | undefined {
  if (isObject(value)) return str(value['#text']);
  return str(value);
}

/**
 * An attribute of an XML element (fast-xml-parser `ignoreAttributes: false`, prefix `@_`)
 * or ZAP JSON's `@name` keys.
 */
export function attr(node: unknown, name: string): string | undefined {
  if (!isObject(node)) return undefined;
  return str(node[`@_${name}`]) ?? str(node[`@${name}`]);
}

/**
 * A repository-relative POSIX path: backslashes become `/`, a drive letter, leading `/` and `./`
 * are dropped (scanners print paths relative to the scan root with or without them).
 * A `..` segment fails the report: a finding outside the repository cannot be located or
 * suppressed by path, and accepting it would let a crafted report point anywhere.
 */
export function repoPath(file: string, raw: string): string {
  const segments = raw.replace(/\\/g, '/').replace(/^[A-Za-z]:\//, '/').split('/');
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw new ReportFormatError(file, `location "${raw}" contains "..": paths must stay inside the repository`);
    kept.push(segment);
  }
  if (kept.length === 0) throw new ReportFormatError(file, `location "${raw}" is not a file path`);
  return kept.join('/');
}

/** Converts a severity word or score, naming the file when the value is unknown (fail closed). */
export function severityOf(file: string, raw: string | number, context: string): Severity {
  try {
    return normalizeSeverity(raw, context);
  } catch (e) {
    if (e instanceof UnknownSeverityError) throw new ReportFormatError(file, e.message);
    throw e;
  }
}

/** A severity with the raw value it came from. */
export interface RatedSeverity {
  readonly severity: Severity;
  readonly rawSeverity: string;
}

/**
 * Score first (CVSS v3 or a tool's 0-10 score), else the tool's word: the precedence of
 * `normalize.ts`. A score of 0 or less means "not scored" in these reports, not "harmless".
 * Throws when there is neither, or the score is out of range.
 */
export function rate(file: string, score: unknown, word: unknown, context: string): RatedSeverity {
  const n = num(score);
  if (n !== undefined && n > 0) {
    if (n > 10) throw new ReportFormatError(file, `score ${n} of ${context} is outside 0-10`);
    return { severity: severityFromScore(n), rawSeverity: String(n) };
  }
  const w = str(word);
  if (w === undefined) throw new ReportFormatError(file, `${context} has no severity`);
  return { severity: severityOf(file, w, context), rawSeverity: w };
}

/** The more serious of two severities. */
export function worst(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

/** CVE ids in a text (global: for `match`). */
export const CVE_RE = /CVE-\d{4}-\d{4,}/gi;

/** Unique, upper-cased CVE ids found in the given texts, in order of appearance. */
export function cveIds(...texts: unknown[]): string[] {
  const out = new Set<string>();
  for (const t of texts) {
    for (const s of asArray(t)) {
      const text = str(s);
      if (text) for (const m of text.match(CVE_RE) ?? []) out.add(m.toUpperCase());
    }
  }
  return [...out];
}

/** `CWE-79` ids from numbers (79), ids (`CWE-79`) or labels (`CWE-79: Improper ...`); others dropped. */
export function cweIds(...values: unknown[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    for (const item of asArray(v)) {
      if (typeof item === 'number' && Number.isInteger(item) && item > 0) {
        out.add(`CWE-${item}`);
        continue;
      }
      const m = typeof item === 'string' ? /^\s*(?:CWE-)?(\d+)\b/i.exec(item) : null;
      if (m && parseInt(m[1], 10) > 0) out.add(`CWE-${parseInt(m[1], 10)}`);
    }
  }
  return [...out];
}

/** The first `http(s)` URL in a text (ZAP references are HTML paragraphs of URLs). */
export function firstUrl(text: unknown): string | undefined {
  const s = str(text);
  return s ? /https?:\/\/[^\s<>"']+/.exec(s)?.[0] : undefined;
}

/** `%xx` escapes decoded; a text whose escapes are malformed (`%zz`, a lone `%`) as it is. */
export function decodePercent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A package from a package URL (`pkg:maven/org.example/lib@1.2?x=y`): the name keeps its
 * namespace (`org.example/lib`) so that equal names in two ecosystems stay apart.
 */
export function packageFromPurl(purl: string): PackageRef | undefined {
  const m = /^pkg:([^/]+)\/([^@?#]+)(?:@([^?#]+))?/.exec(purl);
  if (!m) return undefined;
  const name = decodePercent(m[2]);
  return { name, ecosystem: m[1].toLowerCase(), installedVersion: m[3] ? decodePercent(m[3]) : undefined };
}

/**
 * A one-way digest of a secret value. Secret findings are fingerprinted on it (stable when the
 * line moves) but never carry the secret itself into reports.
 */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * The same text, made one flat string now. A string built by concatenation is a tree of its pieces
 * until something reads it; reading a character flattens it while the pieces are young and cheap to
 * collect, instead of later, in a reporter, when the finding is old and the copy must be promoted
 * (200,000+ findings on large reports).
 */
export function flattened(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** The first line of a text, trimmed, cut to `max` characters: a title from a long description. */
export function firstLine(text: string, max = 200): string {
  const trimmed = text.trim();
  const nl = trimmed.indexOf('\n');
  // One line already (most titles): returned as is, no copy; else cut at the first line break, no split.
  const first = nl < 0 ? trimmed : trimmed.slice(0, nl).trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

/**
 * Defines a native parser whose `detect` only considers reports decoded with its own encoding
 * (an array of ASFF findings may come from a JSON file or from JSON lines, and each has its parser),
 * and never throws: a detector that cannot read a document does not claim it.
 */
export function nativeParser(parser: ReportParser): ReportParser {
  return {
    ...parser,
    detect(report: DecodedReport): boolean {
      if (report.encoding !== parser.encoding) return false;
      try {
        return parser.detect(report);
      } catch {
        return false;
      }
    },
  };
}

// Both are bundled into the findings CLI by esbuild, hence build-time (dev) dependencies.
// eslint-disable-next-line import/no-extraneous-dependencies
import picomatch from 'picomatch';
// eslint-disable-next-line import/no-extraneous-dependencies
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { Finding } from '../model/finding';

/**
 * The suppressions file (`.devsecops/suppressions.yaml`): justified, expiring exceptions.
 *
 * ```yaml
 * suppressions:
 *   - id: SUP-12                      # optional label used in messages
 *     rule: python.lang.security.audit.eval-detected
 *     path: "scripts/**"              # optional glob, only with `rule`
 *     reason: Input is a constant; reviewed in PR 123
 *     expires: 2025-03-01             # ISO date, at most `horizonDays` ahead
 *     owner: team-payments            # optional
 *     falsePositive: true             # optional
 *   - cve: CVE-2021-44228
 *     reason: ...
 *     expires: ...
 *   - fingerprint: code:0f3a...
 *     reason: ...
 *     expires: ...
 * ```
 * A bare list of entries is accepted too. Each entry matches by exactly one of `fingerprint`,
 * `rule` (with optional `path`) or `cve`.
 *
 * A file that is not YAML or not of this shape is a usage error (`SuppressionFileError`).
 * An entry with a bad field is malformed: it never suppresses and is reported, naming the
 * entry and the field. An entry whose date has passed is expired: it never suppresses and is reported.
 */

/** Default path of the suppressions file, relative to the repository root. */
export { DEFAULT_SUPPRESSIONS_FILE } from '../model/gates';

/** Fewest visible characters a `reason` needs: an exception says why, not "ok". */
export const MIN_REASON_VISIBLE = 10;

// Characters that show nothing: white space, separators, control and format characters
// (U+200B..U+200D, U+2060, U+FEFF, bidi marks), unassigned/private, combining marks on their own,
// and the letters that render blank (Hangul fillers, braille blank).
const INVISIBLE = /[\p{White_Space}\p{Z}\p{C}\p{M}\u115F\u1160\u3164\uFFA0\u2800]/gu;

/** Number of code points in `text` that show something. */
export function visibleLength(text: string): number {
  return [...text.replace(INVISIBLE, '')].length;
}

/** Default maximum time between today and an entry's `expires`. */
export const DEFAULT_HORIZON_DAYS = 90;

/** One well-formed entry. */
export interface Suppression {
  /** Position in the file's list, from 0. */
  readonly index: number;
  /** How messages name the entry: its `id`, else its matcher (`rule X`, `cve Y`, `fingerprint Z`). */
  readonly label: string;
  readonly id?: string;
  readonly fingerprint?: string;
  readonly rule?: string;
  readonly path?: string;
  readonly cve?: string;
  readonly reason: string;
  /** YYYY-MM-DD; the entry suppresses up to and including this day (UTC). */
  readonly expires: string;
  readonly owner?: string;
  readonly falsePositive: boolean;
}

/** One problem with one entry. An entry with any problem does not suppress. */
export interface SuppressionProblem {
  readonly index: number;
  readonly label: string;
  /** The field at fault, or `(entry)` when the entry itself is not a mapping or has no matcher. */
  readonly field: string;
  readonly message: string;
}

/** The file, checked against the schema and against today's date. */
export interface SuppressionSet {
  readonly file: string;
  /** Well-formed and not expired: these suppress. */
  readonly active: Suppression[];
  /** Well-formed but past their `expires` date: these do not suppress. */
  readonly expired: Suppression[];
  /** Every problem of every malformed entry. */
  readonly malformed: SuppressionProblem[];
}

/** The suppressions file cannot be used at all (not YAML, or not a list of entries): a usage error. */
export class SuppressionFileError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}

export interface ParseSuppressionsOptions {
  /** Today, for expiry checks. @default new Date() */
  readonly now?: Date;
  /** Maximum days between today and `expires`. @default 90 */
  readonly horizonDays?: number;
}

const KNOWN_FIELDS = ['id', 'fingerprint', 'rule', 'path', 'cve', 'reason', 'expires', 'owner', 'falsePositive'];
const VULN_ID = /^(CVE-\d{4}-\d{4,}|GHSA(-[0-9a-z]{4}){3})$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC calendar day of `now`, as YYYY-MM-DD. */
export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** True for a real calendar date written YYYY-MM-DD (rejects 2025-02-30). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() + 1 === Number(m[2]) && d.getUTCDate() === Number(m[3]);
}

/** Parses and checks the suppressions file's text. Throws `SuppressionFileError` when the file as a whole is unusable. */
export function parseSuppressions(text: string, file: string, options: ParseSuppressionsOptions = {}): SuppressionSet {
  const today = isoDay(options.now ?? new Date());
  const horizonDays = options.horizonDays ?? DEFAULT_HORIZON_DAYS;
  if (!Number.isInteger(horizonDays) || horizonDays < 1) {
    throw new SuppressionFileError(file, `expiry horizon must be a whole number of days >= 1, got ${horizonDays}`);
  }

  let doc: unknown;
  try {
    // A leading BOM is an editor artefact, not content.
    doc = parseYaml(text.replace(/^\uFEFF/, ''), { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    const firstLine = (e as Error).message.split('\n')[0];
    throw new SuppressionFileError(file, `not valid YAML${where}: ${firstLine}`);
  }

  const entries = topLevelEntries(doc, file);
  const active: Suppression[] = [];
  const expired: Suppression[] = [];
  const malformed: SuppressionProblem[] = [];
  entries.forEach((raw, index) => {
    const checked = checkEntry(raw, index, today, horizonDays);
    if ('problems' in checked) {
      malformed.push(...checked.problems);
    } else if (checked.entry.expires < today) {
      expired.push(checked.entry);
    } else {
      active.push(checked.entry);
    }
  });
  return { file, active, expired, malformed };
}

/** An empty set, for a gate without a suppressions file. */
export function noSuppressions(file = '(none)'): SuppressionSet {
  return { file, active: [], expired: [], malformed: [] };
}

function topLevelEntries(doc: unknown, file: string): unknown[] {
  if (doc === null || doc === undefined) return []; // empty file: no exceptions
  if (Array.isArray(doc)) return doc;
  if (typeof doc === 'object') {
    const obj = doc as Record<string, unknown>;
    const extra = Object.keys(obj).filter((k) => k !== 'suppressions' && k !== 'version');
    if (extra.length > 0) {
      throw new SuppressionFileError(file, `unknown top-level key(s) ${extra.map((k) => `"${k}"`).join(', ')}; expected "suppressions" (and optionally "version: 1")`);
    }
    if (obj.version !== undefined && obj.version !== 1) {
      throw new SuppressionFileError(file, `unsupported "version" ${JSON.stringify(obj.version)}; expected 1`);
    }
    if (obj.suppressions === null || obj.suppressions === undefined) return [];
    if (!Array.isArray(obj.suppressions)) {
      throw new SuppressionFileError(file, '"suppressions" must be a list of entries');
    }
    return obj.suppressions;
  }
  throw new SuppressionFileError(file, `expected a mapping with a "suppressions" list (or a bare list), got ${typeof doc}`);
}

type Checked = { entry: Suppression } | { problems: SuppressionProblem[] };

function checkEntry(raw: unknown, index: number, today: string, horizonDays: number): Checked {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { problems: [{ index, label: `#${index}`, field: '(entry)', message: 'must be a mapping with a matcher, "reason" and "expires"' }] };
  }
  const obj = raw as Record<string, unknown>;
  const label = entryLabel(obj, index);
  const problems: SuppressionProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ index, label, field, message });

  for (const key of Object.keys(obj)) {
    if (!KNOWN_FIELDS.includes(key)) problem(key, `unknown field; known fields: ${KNOWN_FIELDS.join(', ')}`);
  }

  const str = (field: string, required: boolean): string | undefined => {
    const v = obj[field];
    if (v === undefined || v === null) {
      if (required) problem(field, 'required');
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      problem(field, `must be a non-empty string, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v.trim();
  };

  const id = str('id', false);
  const fingerprint = str('fingerprint', false);
  const rule = str('rule', false);
  let path = str('path', false);
  const cve = str('cve', false);
  const reason = str('reason', true);
  const owner = str('owner', false);
  if (reason !== undefined && visibleLength(reason) < MIN_REASON_VISIBLE) {
    problem('reason', `needs at least ${MIN_REASON_VISIBLE} visible characters (white space and invisible format characters such as U+200B do not count), got ${visibleLength(reason)}: say why the finding is accepted`);
  }

  const matchers = [fingerprint, rule, cve].filter((m) => m !== undefined).length;
  const rawMatchers = ['fingerprint', 'rule', 'cve'].filter((f) => obj[f] !== undefined && obj[f] !== null).length;
  if (rawMatchers === 0) problem('(entry)', 'needs exactly one matcher: "fingerprint", "rule" (with optional "path") or "cve"');
  else if (matchers > 1) problem('(entry)', 'has more than one matcher; use exactly one of "fingerprint", "rule" or "cve"');
  if (obj.path !== undefined && obj.path !== null && rule === undefined && obj.rule === undefined) {
    problem('path', '"path" narrows a "rule" matcher and needs "rule"');
  }
  if (path !== undefined) path = path.replace(/^\.\//, '');
  if (cve !== undefined && !VULN_ID.test(cve)) problem('cve', `"${cve}" is not a CVE id (CVE-YYYY-NNNN) or GHSA id`);

  let falsePositive = false;
  if (obj.falsePositive !== undefined && obj.falsePositive !== null) {
    if (typeof obj.falsePositive !== 'boolean') problem('falsePositive', `must be true or false, got ${JSON.stringify(obj.falsePositive)}`);
    else falsePositive = obj.falsePositive;
  }

  let expires: string | undefined;
  const rawExpires = obj.expires instanceof Date ? isoDay(obj.expires) : obj.expires;
  if (rawExpires === undefined || rawExpires === null) {
    problem('expires', 'required (an ISO date YYYY-MM-DD)');
  } else if (typeof rawExpires !== 'string' || !isIsoDate(rawExpires.trim())) {
    problem('expires', `must be an ISO date YYYY-MM-DD, got ${JSON.stringify(rawExpires)}`);
  } else {
    expires = rawExpires.trim();
    const ahead = daysBetween(today, expires);
    if (ahead > horizonDays) {
      problem('expires', `${expires} is ${ahead} days ahead; at most ${horizonDays} days are allowed (review the exception instead of extending it far ahead)`);
    }
  }

  if (problems.length > 0 || reason === undefined || expires === undefined) return { problems };
  return {
    entry: {
      index,
      label,
      ...(id !== undefined && { id }),
      ...(fingerprint !== undefined && { fingerprint }),
      ...(rule !== undefined && { rule }),
      ...(path !== undefined && { path }),
      ...(cve !== undefined && { cve: cve.toUpperCase() }),
      reason,
      expires,
      ...(owner !== undefined && { owner }),
      falsePositive,
    },
  };
}

function entryLabel(obj: Record<string, unknown>, index: number): string {
  for (const field of ['id', 'fingerprint', 'rule', 'cve']) {
    const v = obj[field];
    if (typeof v === 'string' && v.trim() !== '') return field === 'id' ? `#${index} ${v.trim()}` : `#${index} ${field} ${v.trim()}`;
  }
  return `#${index}`;
}

/** `suppressions.yaml: entry #3 rule X: field "expires": required` */
export function describeProblem(file: string, p: SuppressionProblem): string {
  return `${file}: entry ${p.label}: field "${p.field}": ${p.message}`;
}

const globCache = new Map<string, (path: string) => boolean>();

function glob(pattern: string): (path: string) => boolean {
  let m = globCache.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    globCache.set(pattern, m);
  }
  return m;
}

/**
 * The path a `path` glob is matched against: the source file, else the resource's template or image.
 * None for a location outside the repository: a report must not steer a finding into (or out of)
 * a suppression's glob with a path that climbs out of the repository.
 */
function findingPath(finding: Finding): string | undefined {
  if (finding.location?.outsideRepository) return undefined;
  return finding.location?.file ?? finding.resource?.target;
}

/** True when the entry's matcher selects the finding (whatever the entry's dates). */
export function matchesFinding(entry: Suppression, finding: Finding): boolean {
  if (entry.fingerprint !== undefined) {
    return entry.fingerprint === finding.fingerprint || (finding.otherFingerprints?.includes(entry.fingerprint) ?? false);
  }
  if (entry.cve !== undefined) {
    return finding.ruleId.toUpperCase() === entry.cve || finding.cves.some((c) => c.toUpperCase() === entry.cve);
  }
  if (entry.rule !== undefined) {
    if (entry.rule !== finding.ruleId) return false;
    if (entry.path === undefined) return true;
    const p = findingPath(finding);
    return p !== undefined && glob(entry.path)(p);
  }
  return false;
}

import * as crypto from 'crypto';

/**
 * Fingerprints: stable across runs and line shifts.
 * - code (SAST, secrets): the scanner's own partial fingerprint where present, else rule + path + hash of the
 *   normalized snippet (white space folded); the line number is used only when there is no snippet.
 * - dependencies: CVE (or advisory id) + package + installed version (+ target, e.g. image or lock file).
 * - IaC: rule + resource (logical id, with the template when known).
 * Each is the first 128 bits of a SHA-256 over the parts joined by NUL, in hex: the values never change
 * between releases (baselines and suppressions keep matching).
 */

// One-shot hashing (Node >= 20.12) costs a fifth of createHash(...).update(...).digest(...) on the
// short strings hashed here (one per finding: 200,000+ on large reports); same digest either way.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

function part(p: string | number | undefined): string {
  return p === undefined ? '' : typeof p === 'string' ? p : String(p);
}

/** The fingerprint body: 32 hex digits of the SHA-256 of the parts joined by NUL. */
function sha(parts: Array<string | number | undefined>): string {
  let text = part(parts[0]);
  for (let i = 1; i < parts.length; i++) text += `\u0000${part(parts[i])}`;
  return sha256Hex(text).slice(0, 32);
}

/**
 * `kind:body` as one flat string. A fingerprint lives as long as its finding (200,000+ of them on
 * large reports): reading a character makes V8 copy the concatenation (and the slice of the digest
 * it points to) into one flat string now, while the pieces are still young and free to collect,
 * instead of carrying three objects per fingerprint into the old generation.
 */
function flat(kind: string, body: string): string {
  const fingerprint = `${kind}:${body}`;
  fingerprint.charCodeAt(0);
  return fingerprint;
}

// Only plain spaces for white space, none at the start (the end and doubled spaces are checked
// apart): anchored, the way V8 matches fastest (this runs for every snippet of every finding).
const FOLDED_START = /^(?! )[\S ]*$/;

/** True when folding would not change the text: white space is single plain spaces, none at either end. */
function isFolded(text: string): boolean {
  return FOLDED_START.test(text) && text.charCodeAt(text.length - 1) !== 32 && !text.includes('  ');
}

/** Folds white space so that re-indenting a line does not change its fingerprint. */
export function normalizeSnippet(snippet: string): string {
  // Most snippets are one line already folded: no copy.
  return isFolded(snippet) ? snippet : snippet.replace(/\s+/g, ' ').trim();
}

export function codeFingerprint(ruleId: string, file: string, snippet?: string, line?: number): string {
  const folded = snippet ? normalizeSnippet(snippet) : '';
  return flat('code', sha([ruleId, file, folded ? `s:${folded}` : `l:${line ?? ''}`]));
}

export function toolFingerprint(tool: string, partialFingerprint: string): string {
  return flat('tool', sha([tool, partialFingerprint]));
}

export function dependencyFingerprint(vulnId: string, packageName: string, installedVersion?: string, target?: string): string {
  return flat('dep', sha([vulnId.toUpperCase(), packageName, installedVersion, target]));
}

export function iacFingerprint(ruleId: string, resourceId: string, template?: string): string {
  return flat('iac', sha([ruleId, resourceId, template]));
}

/** For findings about something else (DAST url + parameter, cloud resource arn). */
export function genericFingerprint(...parts: Array<string | number | undefined>): string {
  return flat('gen', sha(parts));
}

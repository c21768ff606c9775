import { createHash } from 'crypto';

/**
 * Fingerprints: stable across runs and line shifts.
 * - code (SAST, secrets): the scanner's own partial fingerprint where present, else rule + path + hash of the
 *   normalized snippet (white space folded); the line number is used only when there is no snippet.
 * - dependencies: CVE (or advisory id) + package + installed version (+ target, e.g. image or lock file).
 * - IaC: rule + resource (logical id, with the template when known).
 */

function sha(parts: Array<string | number | undefined>): string {
  return createHash('sha256').update(parts.map((p) => (p === undefined ? '' : String(p))).join('\u0000')).digest('hex').slice(0, 32);
}

/** Folds white space so that re-indenting a line does not change its fingerprint. */
export function normalizeSnippet(snippet: string): string {
  return snippet.replace(/\s+/g, ' ').trim();
}

export function codeFingerprint(ruleId: string, file: string, snippet?: string, line?: number): string {
  const body = snippet && normalizeSnippet(snippet) ? `s:${normalizeSnippet(snippet)}` : `l:${line ?? ''}`;
  return `code:${sha([ruleId, file, body])}`;
}

export function toolFingerprint(tool: string, partialFingerprint: string): string {
  return `tool:${sha([tool, partialFingerprint])}`;
}

export function dependencyFingerprint(vulnId: string, packageName: string, installedVersion?: string, target?: string): string {
  return `dep:${sha([vulnId.toUpperCase(), packageName, installedVersion, target])}`;
}

export function iacFingerprint(ruleId: string, resourceId: string, template?: string): string {
  return `iac:${sha([ruleId, resourceId, template])}`;
}

/** For findings about something else (DAST url + parameter, cloud resource arn). */
export function genericFingerprint(...parts: Array<string | number | undefined>): string {
  return `gen:${sha(parts)}`;
}

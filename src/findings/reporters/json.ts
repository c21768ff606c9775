// Characters JSON.stringify would escape (or that need a look: lone surrogates).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as a JSON string, as `JSON.stringify` writes it. Reporters write one per field of every
 * finding (hundreds of thousands on large reports): most need no escaping, and then cost one test.
 */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * What the DAST engines (zap, wapiti) share: the target URL comes from the build's environment
 * (a Stage's CfnOutput, known only when the Stage has deployed), so it is checked in the build
 * before any scanner sees it, and only ever used double-quoted.
 */
import { shellQuote } from './steps';

/** The environment variable the DAST step gets the target URL in. */
export const DAST_TARGET_VARIABLE = 'DAST_TARGET_URL';
/** The default time bound of a DAST scan, in minutes. */
export const DAST_DEFAULT_MINUTES = 10;

const VARIABLE = /^[A-Z_][A-Z0-9_]*$/;

/** A variable name for a bash line: checked, so it can be written unquoted inside `"${...}"`. */
export function variableName(name: string | undefined, fallback: string): string {
  const v = name ?? fallback;
  if (!VARIABLE.test(v)) throw new Error(`not an environment variable name: ${JSON.stringify(v)}`);
  return v;
}

/**
 * A bash line that fails unless the variable holds an http(s) URL without whitespace or quotes:
 * the URL reaches the scanner only after it passed.
 */
export function targetCheck(variable: string): string {
  const v = variableName(variable, DAST_TARGET_VARIABLE);
  const why = shellQuote(`DAST: ${v} must be an http:// or https:// URL without spaces or quotes (a CfnOutput of the deployed Stage)`);
  return `{ case "\${${v}:-}" in http://?*|https://?*) ! [[ "\${${v}}" =~ [[:space:]\\"\\'\\\`] ]] ;; *) false ;; esac || { echo ${why} >&2; false; }; } && echo "DAST target: \${${v}}"`;
}

/** The scan's time bound in whole minutes (at least 1). */
export function scanMinutes(minutes: number | undefined): number {
  const m = minutes ?? DAST_DEFAULT_MINUTES;
  if (!Number.isInteger(m) || m < 1) throw new Error(`a DAST scan's time bound must be a whole number of minutes, at least 1 (got ${m})`);
  return m;
}

/**
 * Validation of the gates' options at construction. Every value that reaches a buildspec is
 * either checked here against a closed set (severities, engines, generators) or always
 * single-quoted where it is written (paths): from JavaScript or Python any string can arrive
 * where TypeScript would only allow an enum member, and an unquoted `HIGH;true` would make a
 * gate that always passes.
 */
import { Token } from 'aws-cdk-lib';
import { GateOptions } from './options';
import { Severity } from '../model/severity';

/** Renders a value for an error message: strings single-quoted, with newlines and other control characters escaped. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? `'${JSON.stringify(value).slice(1, -1)}'` : String(value);
}

/** A problem when `value` is set, resolved and not one of `allowed` (an enum's values). */
export function enumProblem(prop: string, value: unknown, allowed: readonly string[], example: string): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string' && (Token.isUnresolved(value) || allowed.includes(value))) return [];
  return [`${prop}: ${shown(value)} is not one of ${allowed.join(', ')}: use ${example}`];
}

const SEVERITIES: readonly string[] = Object.values(Severity);

/** Problems of a severity prop (`failOn`, `secretSeverity`). */
export function severityProblems(prop: string, value: unknown): string[] {
  return enumProblem(prop, value, SEVERITIES, 'a Severity value, e.g. Severity.HIGH');
}

/** Problems of a repository path prop: a non-empty string (it is always single-quoted in the buildspec). */
export function pathProblems(prop: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'string' || value.length === 0) {
    return [`${prop}: ${shown(value)} is not a path: give a non-empty path relative to the repository root, e.g. '.devsecops/suppressions.yaml'`];
  }
  return [];
}

/** Problems of a list of repository paths (each always single-quoted in the buildspec). */
export function pathListProblems(prop: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${prop}: ${shown(value)} is not a list: give a list of paths relative to the repository root`];
  return value.flatMap((v, i) => pathProblems(`${prop}[${i}]`, v));
}

/** Problems of the options every gate has. */
export function gateOptionProblems(options: GateOptions | undefined, prefix = ''): string[] {
  if (options === undefined || options === null) return [];
  if (typeof options !== 'object') return [`${prefix || 'options'}: ${shown(options)} is not an object: give e.g. { failOn: Severity.HIGH }`];
  return [
    ...severityProblems(`${prefix}failOn`, options.failOn),
    ...pathProblems(`${prefix}suppressionsFile`, options.suppressionsFile),
  ];
}

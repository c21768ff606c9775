import { Severity } from '../model/severity';

/**
 * Severity normalization: the one table that maps every scanner's values to `Severity`.
 *
 * Order of precedence (used by the SARIF parser, and by native parsers where they carry a score):
 * 1. a numeric `security-severity` / CVSS score: >= 9.0 CRITICAL, >= 7.0 HIGH, >= 4.0 MEDIUM, > 0 LOW, 0 INFO;
 * 2. the SARIF `level` of the result, else of its rule (`error` HIGH, `warning` MEDIUM, `note` LOW, `none` INFO;
 *    absent means `warning` per SARIF 2.1.0 §3.27.10);
 * 3. the tool's own word, through NATIVE_SEVERITY below.
 * Secret scanners have no severity: their findings take the gate's secret severity (default CRITICAL).
 */

/** CVSS / SARIF security-severity score bands. */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return Severity.CRITICAL;
  if (score >= 7) return Severity.HIGH;
  if (score >= 4) return Severity.MEDIUM;
  if (score > 0) return Severity.LOW;
  return Severity.INFO;
}

/** SARIF `level` values. */
export const SARIF_LEVEL_SEVERITY: Readonly<Record<string, Severity>> = {
  error: Severity.HIGH,
  warning: Severity.MEDIUM,
  note: Severity.LOW,
  none: Severity.INFO,
};

/**
 * Tool-native words, lower-cased. Each entry says which tools use it.
 * UNKNOWN / UNTRIAGED (trivy, inspector) map to MEDIUM: unknown is not harmless, but
 * must not block a HIGH gate on its own.
 */
export const NATIVE_SEVERITY: Readonly<Record<string, Severity>> = {
  critical: Severity.CRITICAL, // trivy, grype, inspector, ecr, asff, cyclonedx, npm audit, dependency-check, kics
  high: Severity.HIGH, // most tools
  error: Severity.HIGH, // semgrep JSON, cdk-nag, sarif level
  fail: Severity.HIGH, // cfn-nag FAIL
  medium: Severity.MEDIUM,
  moderate: Severity.MEDIUM, // npm audit, GitHub advisories
  warning: Severity.MEDIUM, // semgrep JSON, cdk-nag Warning
  warn: Severity.MEDIUM, // cfn-nag WARN
  unknown: Severity.MEDIUM, // trivy UNKNOWN
  untriaged: Severity.MEDIUM, // inspector2
  undefined: Severity.MEDIUM, // ecr UNDEFINED, bandit UNDEFINED: the vendor gave none, same rule as unknown
  low: Severity.LOW,
  note: Severity.LOW,
  negligible: Severity.INFO, // grype
  info: Severity.INFO, // semgrep INFO, kics INFO
  informational: Severity.INFO, // zap, asff
  none: Severity.INFO,
  trace: Severity.INFO, // kics
};

/** Error thrown for a severity string no table knows: the gate fails closed rather than guessing. */
export class UnknownSeverityError extends Error {
  constructor(readonly value: string, readonly context: string) {
    super(`unknown severity "${value}" in ${context}; expected one of: ${Object.keys(NATIVE_SEVERITY).join(', ')} or a number 0-10`);
  }
}

/**
 * Normalize a tool's severity word or number. Throws `UnknownSeverityError` for values
 * it does not know (never silently INFO).
 */
export function normalizeSeverity(raw: string | number, context: string): Severity {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0 || raw > 10) throw new UnknownSeverityError(String(raw), context);
    return severityFromScore(raw);
  }
  const word = raw.trim().toLowerCase();
  const mapped = NATIVE_SEVERITY[word];
  if (mapped) return mapped;
  if (/^\d+(\.\d+)?$/.test(word)) return normalizeSeverity(parseFloat(word), context);
  throw new UnknownSeverityError(raw, context);
}

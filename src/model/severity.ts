/**
 * How serious a finding is, after normalization across scanners.
 *
 * The mapping from each scanner's own values to these five levels lives in
 * `src/findings/` (see the severity table in the README); gates compare a
 * finding's severity against their `failOn` threshold.
 */
export enum Severity {
  /** Exploitable with severe impact (CVSS 9.0 and above). */
  CRITICAL = 'CRITICAL',
  /** Serious weakness (CVSS 7.0 to 8.9). */
  HIGH = 'HIGH',
  /** Moderate weakness (CVSS 4.0 to 6.9). */
  MEDIUM = 'MEDIUM',
  /** Minor weakness (CVSS above 0 and below 4.0). */
  LOW = 'LOW',
  /** Informational only; never blocks unless a gate asks for it. */
  INFO = 'INFO',
}

/** Severities from the most to the least serious. */
export const SEVERITY_ORDER: readonly Severity[] = [
  Severity.CRITICAL,
  Severity.HIGH,
  Severity.MEDIUM,
  Severity.LOW,
  Severity.INFO,
];

/** Rank of a severity: 0 for CRITICAL up to 4 for INFO. */
export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.indexOf(severity);
}

/** True when `severity` is at least as serious as `threshold`. */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

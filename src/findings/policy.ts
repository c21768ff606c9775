import { daysBetween, isoDay, matchesFinding, noSuppressions, Suppression, SuppressionProblem, SuppressionSet } from './suppressions';
import { Finding } from '../model/finding';
import { isAtLeast, Severity, SEVERITY_ORDER } from '../model/severity';

/**
 * Gate policy: turns a gate's findings into decisions and a pass/fail status. Pure: no I/O,
 * `now` injectable.
 *
 * Each finding gets exactly one decision, the first that applies in this order:
 * 1. `suppressed`: an active entry of the suppressions file matches it (the first such entry in file order);
 * 2. `baseline`: its fingerprint is in the baseline (it existed before);
 * 3. `below-threshold`: less serious than the gate's `failOn`;
 * 4. `blocking`: everything else. The gate fails when any finding is blocking.
 * A finding the scanner itself marked suppressed (`# nosec`, `nosemgrep`, a checkov skip, a trivy
 * exception, VEX `not_affected`) is decided like any other: those marks live in the repository
 * the gate judges, so only the suppressions file (with a reason and an expiry) accepts a finding.
 * Reports list such findings apart (`toolSuppressedNotAccepted`).
 * Expired and malformed entries never suppress; when an expired entry would have matched a finding,
 * the decision carries it so that reports can say why the finding blocks again.
 */

/** What the gate decided about one finding. */
export type Decision = 'blocking' | 'suppressed' | 'baseline' | 'below-threshold';

/** Decisions in report order. */
export const DECISIONS: readonly Decision[] = ['blocking', 'suppressed', 'baseline', 'below-threshold'];

export interface FindingDecision {
  readonly finding: Finding;
  readonly decision: Decision;
  /** The entry that suppressed it (decision `suppressed`). */
  readonly suppression?: Suppression;
  /** An expired entry that matches it and no longer suppresses. */
  readonly expiredSuppression?: Suppression;
}

export interface GatePolicy {
  /** Gate name, e.g. `sast`, `secrets`. */
  readonly gate: string;
  /** A finding at or above this severity blocks. */
  readonly failOn: Severity;
  /** @default no suppressions */
  readonly suppressions?: SuppressionSet;
  /** Fingerprints of findings that existed before; these do not block. @default no baseline */
  readonly baseline?: ReadonlySet<string>;
  /** @default new Date() */
  readonly now?: Date;
  /** Entries expiring within this many days are listed as expiring soon. @default 14 */
  readonly expiringWithinDays?: number;
  /**
   * What the gate's scanners did not cover (e.g. `Go (12 files)`), as the gate detected it. Any
   * entry fails the gate: a scan that analyzed nothing of some code has not judged it. @default none
   */
  readonly notAnalyzed?: readonly string[];
}

/** How the suppressions file fared in this evaluation. */
export interface SuppressionReport {
  readonly file: string;
  /** Active entries. */
  readonly active: number;
  readonly expired: Suppression[];
  readonly malformed: SuppressionProblem[];
  /** Active entries that matched no finding of this gate. */
  readonly unused: Suppression[];
  /** Active entries expiring within `expiringWithinDays`, soonest first. */
  readonly expiringSoon: Suppression[];
}

export type SeverityCounts = Record<Severity, number>;

export interface GateEvaluation {
  readonly gate: string;
  readonly failOn: Severity;
  readonly status: 'pass' | 'fail';
  /** ISO timestamp of `now`. */
  readonly evaluatedAt: string;
  /** One per finding, in the input order. */
  readonly decisions: FindingDecision[];
  /** Findings per decision and severity. */
  readonly counts: Record<Decision, SeverityCounts>;
  readonly suppressions: SuppressionReport;
  /** True when a baseline was applied. */
  readonly baselineApplied: boolean;
  /** What the scanners did not cover; the gate fails when this is not empty. */
  readonly notAnalyzed: string[];
}

/** Zeroed per-severity counters. */
export function emptySeverityCounts(): SeverityCounts {
  const c = {} as SeverityCounts;
  for (const s of SEVERITY_ORDER) c[s] = 0;
  return c;
}

/** Evaluates a gate's findings against its threshold, suppressions and baseline. */
export function evaluateGate(findings: readonly Finding[], policy: GatePolicy): GateEvaluation {
  const now = policy.now ?? new Date();
  const today = isoDay(now);
  const suppressions = policy.suppressions ?? noSuppressions();
  const used = new Set<Suppression>();
  const counts = {} as Record<Decision, SeverityCounts>;
  for (const d of DECISIONS) counts[d] = emptySeverityCounts();

  // Most files hold a handful of entries; an index by fingerprint, rule and CVE keeps large
  // reports linear anyway, and the first match in file order still wins.
  const index = indexEntries(suppressions.active);
  const expiredIndex = indexEntries(suppressions.expired);

  const decisions: FindingDecision[] = new Array(findings.length);
  for (let i = 0; i < findings.length; i++) {
    const finding = findings[i];
    let decision: Decision;
    let suppression: Suppression | undefined;
    let expiredSuppression: Suppression | undefined;
    suppression = firstMatch(index, finding);
    if (suppression) {
      used.add(suppression);
      decision = 'suppressed';
    } else {
      expiredSuppression = firstMatch(expiredIndex, finding);
      if (policy.baseline && inBaseline(policy.baseline, finding)) decision = 'baseline';
      else if (!isAtLeast(finding.severity, policy.failOn)) decision = 'below-threshold';
      else decision = 'blocking';
    }
    counts[decision][finding.severity]++;
    // One object shape for every decision (no spreads): 200,000+ of them on large reports.
    decisions[i] = { finding, decision, suppression, expiredSuppression };
  }

  const within = policy.expiringWithinDays ?? 14;
  const blocking = SEVERITY_ORDER.reduce((n, s) => n + counts.blocking[s], 0);
  const notAnalyzed = [...(policy.notAnalyzed ?? [])];
  return {
    gate: policy.gate,
    failOn: policy.failOn,
    status: blocking > 0 || notAnalyzed.length > 0 ? 'fail' : 'pass',
    notAnalyzed,
    evaluatedAt: now.toISOString(),
    decisions,
    counts,
    baselineApplied: policy.baseline !== undefined,
    suppressions: {
      file: suppressions.file,
      active: suppressions.active.length,
      expired: suppressions.expired,
      malformed: suppressions.malformed,
      unused: suppressions.active.filter((s) => !used.has(s)),
      expiringSoon: suppressions.active
        .filter((s) => daysBetween(today, s.expires) <= within)
        .sort((a, b) => a.expires.localeCompare(b.expires) || a.index - b.index),
    },
  };
}

/** True when the scanner marked the finding suppressed and no suppressions entry accepts it. */
export function toolSuppressedNotAccepted(d: FindingDecision): boolean {
  return d.finding.suppressedByTool === true && d.decision !== 'suppressed';
}

/** Number of findings with a given decision. */
export function countDecision(evaluation: GateEvaluation, decision: Decision): number {
  return SEVERITY_ORDER.reduce((n, s) => n + evaluation.counts[decision][s], 0);
}

interface EntryIndex {
  readonly byFingerprint: Map<string, Suppression[]>;
  readonly byRule: Map<string, Suppression[]>;
  readonly byCve: Map<string, Suppression[]>;
}

function push(map: Map<string, Suppression[]>, key: string, s: Suppression): void {
  const list = map.get(key);
  if (list) list.push(s);
  else map.set(key, [s]);
}

/** True when the baseline holds any of the finding's fingerprints (a merged finding has several). */
function inBaseline(baseline: ReadonlySet<string>, finding: Finding): boolean {
  if (baseline.has(finding.fingerprint)) return true;
  const others = finding.otherFingerprints;
  return others !== undefined && others.some((f) => baseline.has(f));
}

function indexEntries(entries: readonly Suppression[]): EntryIndex {
  const idx: EntryIndex = { byFingerprint: new Map(), byRule: new Map(), byCve: new Map() };
  for (const s of entries) {
    if (s.fingerprint !== undefined) push(idx.byFingerprint, s.fingerprint, s);
    else if (s.rule !== undefined) push(idx.byRule, s.rule, s);
    else if (s.cve !== undefined) push(idx.byCve, s.cve, s);
  }
  return idx;
}

function firstMatch(idx: EntryIndex, finding: Finding): Suppression | undefined {
  // No entries (most gates, and every large report in practice): nothing to look up.
  if (idx.byFingerprint.size === 0 && idx.byRule.size === 0 && idx.byCve.size === 0) return undefined;
  const candidates: Suppression[] = [];
  const add = (list: Suppression[] | undefined) => {
    if (list) candidates.push(...list);
  };
  add(idx.byFingerprint.get(finding.fingerprint));
  for (const other of finding.otherFingerprints ?? []) add(idx.byFingerprint.get(other));
  add(idx.byRule.get(finding.ruleId));
  add(idx.byCve.get(finding.ruleId.toUpperCase()));
  for (const c of finding.cves) add(idx.byCve.get(c.toUpperCase()));
  let best: Suppression | undefined;
  for (const s of candidates) {
    if ((best === undefined || s.index < best.index) && matchesFinding(s, finding)) best = s;
  }
  return best;
}

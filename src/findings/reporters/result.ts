import { Finding } from '../../model/finding';
import { Severity, SEVERITY_ORDER, severityRank } from '../../model/severity';
import { Decision, DECISIONS, FindingDecision, GateEvaluation, SeverityCounts, toolSuppressedNotAccepted } from '../policy';
import { Suppression, SuppressionProblem } from '../suppressions';
import { jsonString } from './json';
import { Sink } from './sink';

/**
 * `gate-result.json`: the machine-readable outcome of one `evaluate`, read back by `summary`
 * (several gates into one approval summary) and usable as the next run's baseline (`fingerprints`).
 * Finding lists are capped (`LIST_CAP`); the counts and `fingerprints` are complete.
 */

export const GATE_RESULT_SCHEMA = 'devsecops-gate-result/v1';

/** At most this many findings per list; the SARIF output has all of them. */
export const LIST_CAP = 500;

/** What a person needs to recognise a finding. */
export interface BriefFinding {
  readonly fingerprint: string;
  readonly tools: string[];
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly rawSeverity?: string;
  /** `file:line`, resource, or `package@version`. */
  readonly where?: string;
  readonly cves: string[];
  readonly fixedVersion?: string;
  readonly helpUri?: string;
}

export interface SuppressionBrief {
  readonly index: number;
  readonly label: string;
  readonly reason: string;
  readonly expires: string;
  readonly owner?: string;
  readonly falsePositive: boolean;
}

export interface ReportBrief {
  readonly file: string;
  readonly format: string;
  readonly tools: string[];
  readonly findings: number;
}

/** What the secret scanner covered, when the gate says so. */
export type SecretScanScope = 'history' | 'files';

export interface GateResult {
  readonly schema: typeof GATE_RESULT_SCHEMA;
  readonly gate: string;
  readonly status: 'pass' | 'fail';
  readonly failOn: Severity;
  readonly evaluatedAt: string;
  readonly reports: ReportBrief[];
  readonly secretScan?: SecretScanScope;
  /** Versions the gate ran with that are not pinned exactly (apt revision, database digest), by name. */
  readonly toolVersions?: Readonly<Record<string, string>>;
  readonly baselineApplied: boolean;
  /** What the gate's scanners did not cover (the gate fails when there is any). Absent in older results. */
  readonly notAnalyzed?: string[];
  readonly counts: Record<Decision, SeverityCounts>;
  readonly blocking: Array<BriefFinding & { readonly expiredSuppression?: SuppressionBrief }>;
  readonly suppressed: Array<{ readonly finding: BriefFinding; readonly suppression: SuppressionBrief }>;
  /**
   * Findings the scanner marked suppressed itself (in-code comment, its configuration, VEX) that no
   * suppressions entry accepts: they counted like any other finding. Capped; `toolSuppressedTotal` counts them all.
   */
  readonly toolSuppressed: Array<BriefFinding & { readonly decision: Decision }>;
  readonly toolSuppressedTotal?: number;
  readonly suppressions: {
    readonly file: string;
    readonly active: number;
    readonly expired: SuppressionBrief[];
    readonly malformed: SuppressionProblem[];
    readonly unused: SuppressionBrief[];
    readonly expiringSoon: SuppressionBrief[];
  };
  /** Every fingerprint of every finding (all of a merged finding's): the next run's baseline. */
  readonly fingerprints: string[];
}

/** `file:line`, resource, or `package@version`: where to look. */
export function whereOf(f: Finding): string | undefined {
  if (f.location) {
    const at = f.location.startLine ? `${f.location.file}:${f.location.startLine}` : f.location.file;
    return f.location.outsideRepository ? `${at} (outside the repository)` : at;
  }
  if (f.resource) return f.resource.target ? `${f.resource.id} (${f.resource.target})` : f.resource.id;
  if (f.package) return f.package.installedVersion ? `${f.package.name}@${f.package.installedVersion}` : f.package.name;
  return undefined;
}

export function briefFinding(f: Finding): BriefFinding {
  const where = whereOf(f);
  return {
    fingerprint: f.fingerprint,
    tools: f.tools.map((t) => t.name),
    ruleId: f.ruleId,
    title: f.title,
    severity: f.severity,
    ...(f.rawSeverity !== undefined && { rawSeverity: f.rawSeverity }),
    ...(where !== undefined && { where }),
    cves: f.cves,
    ...(f.package?.fixedVersion !== undefined && { fixedVersion: f.package.fixedVersion }),
    ...(f.helpUri !== undefined && { helpUri: f.helpUri }),
  };
}

export function briefSuppression(s: Suppression): SuppressionBrief {
  return {
    index: s.index,
    label: s.label,
    reason: s.reason,
    expires: s.expires,
    ...(s.owner !== undefined && { owner: s.owner }),
    falsePositive: s.falsePositive,
  };
}

// The order of String.prototype.localeCompare, without building a collator per comparison.
const collator = new Intl.Collator();

function bySeverity(a: FindingDecision, b: FindingDecision): number {
  return severityRank(a.finding.severity) - severityRank(b.finding.severity) || collator.compare(a.finding.ruleId, b.finding.ruleId);
}

/**
 * Up to `cap` decisions of one kind, most serious first (ties in input order): the first `cap` of a
 * stable sort, kept in one bounded list instead of sorting every decision (200,000+ on large reports).
 */
function pick(evaluation: GateEvaluation, decision: Decision | ((d: FindingDecision) => boolean), cap: number): FindingDecision[] {
  const out: FindingDecision[] = [];
  if (cap <= 0) return out;
  const wanted = typeof decision === 'function' ? decision : (d: FindingDecision) => d.decision === decision;
  for (const d of evaluation.decisions) {
    if (!wanted(d)) continue;
    if (out.length === cap && bySeverity(d, out[cap - 1]) >= 0) continue;
    // After every equal one already kept: ties stay in input order.
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (bySeverity(d, out[mid]) < 0) hi = mid;
      else lo = mid + 1;
    }
    out.splice(lo, 0, d);
    if (out.length > cap) out.pop();
  }
  return out;
}

export interface GateResultOptions {
  readonly reports: ReportBrief[];
  readonly secretScan?: SecretScanScope;
  readonly toolVersions?: Readonly<Record<string, string>>;
  /** @default LIST_CAP */
  readonly listCap?: number;
}

/** Everything of the gate result except `fingerprints`, which `writeGateResult` streams. */
export function gateResultHead(evaluation: GateEvaluation, options: GateResultOptions): Omit<GateResult, 'fingerprints'> {
  const cap = options.listCap ?? LIST_CAP;
  const s = evaluation.suppressions;
  return {
    schema: GATE_RESULT_SCHEMA,
    gate: evaluation.gate,
    status: evaluation.status,
    failOn: evaluation.failOn,
    evaluatedAt: evaluation.evaluatedAt,
    reports: options.reports,
    ...(options.secretScan !== undefined && { secretScan: options.secretScan }),
    ...(options.toolVersions !== undefined && { toolVersions: { ...options.toolVersions } }),
    baselineApplied: evaluation.baselineApplied,
    notAnalyzed: evaluation.notAnalyzed,
    counts: evaluation.counts,
    blocking: pick(evaluation, 'blocking', cap).map((d) => ({
      ...briefFinding(d.finding),
      ...(d.expiredSuppression && { expiredSuppression: briefSuppression(d.expiredSuppression) }),
    })),
    suppressed: pick(evaluation, 'suppressed', cap).map((d) => ({ finding: briefFinding(d.finding), suppression: briefSuppression(d.suppression!) })),
    toolSuppressed: pick(evaluation, toolSuppressedNotAccepted, cap).map((d) => ({ ...briefFinding(d.finding), decision: d.decision })),
    toolSuppressedTotal: evaluation.decisions.filter(toolSuppressedNotAccepted).length,
    suppressions: {
      file: s.file,
      active: s.active,
      expired: s.expired.map(briefSuppression),
      malformed: s.malformed,
      unused: s.unused.map(briefSuppression),
      expiringSoon: s.expiringSoon.map(briefSuppression),
    },
  };
}

/**
 * Writes `gate-result.json`; the fingerprint list is streamed, one per line: every fingerprint of
 * every finding (a merged finding's `otherFingerprints` too, so that the next run's baseline matches
 * it whichever tools report it then). The gate evaluates merged findings (`mergeFindings`), which
 * never share a fingerprint, so the list needs no second pass to drop repeats (and a repeat would
 * be harmless: a baseline is a set).
 * `head`, when given, is `gateResultHead(evaluation, options)` already made (for the summary).
 */
export function writeGateResult(evaluation: GateEvaluation, options: GateResultOptions, sink: Sink, head?: Omit<GateResult, 'fingerprints'>): void {
  const text = JSON.stringify(head ?? gateResultHead(evaluation, options), null, 2);
  sink.write(text.slice(0, text.lastIndexOf('}')).trimEnd());
  sink.write(',\n  "fingerprints": [');
  let first = true;
  // Written a few hundred at a time: one sink write per fingerprint costs more than the fingerprint.
  let lines = '';
  let pending = 0;
  for (const d of evaluation.decisions) {
    lines += (first ? '\n    ' : ',\n    ') + jsonString(d.finding.fingerprint);
    first = false;
    const others = d.finding.otherFingerprints;
    if (others) for (const other of others) lines += `,\n    ${jsonString(other)}`;
    if (++pending === 256) {
      sink.write(lines);
      lines = '';
      pending = 0;
    }
  }
  sink.write(lines + (first ? ']\n}\n' : '\n  ]\n}\n'));
}

/** A gate-result.json that cannot be used: the summary fails closed. */
export class GateResultError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}

/** Parses and checks a gate-result.json. */
export function parseGateResult(text: string, file: string): GateResult {
  if (text.trim() === '') throw new GateResultError(file, 'file is empty');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new GateResultError(file, `not valid JSON: ${(e as Error).message}`);
  }
  const r = doc as Partial<GateResult> | null;
  if (r === null || typeof r !== 'object' || r.schema !== GATE_RESULT_SCHEMA) {
    throw new GateResultError(file, `not a gate result (expected "schema": "${GATE_RESULT_SCHEMA}")`);
  }
  const missing = (['gate', 'status', 'failOn', 'counts', 'blocking', 'suppressed', 'toolSuppressed', 'suppressions', 'reports'] as const).filter(
    (k) => r[k] === undefined,
  );
  if (missing.length > 0) throw new GateResultError(file, `missing field(s): ${missing.join(', ')}`);
  if (r.status !== 'pass' && r.status !== 'fail') throw new GateResultError(file, `"status" must be "pass" or "fail", got ${JSON.stringify(r.status)}`);
  for (const d of DECISIONS) {
    for (const s of SEVERITY_ORDER) {
      if (typeof r.counts?.[d]?.[s] !== 'number') throw new GateResultError(file, `"counts.${d}.${s}" must be a number`);
    }
  }
  if (r.notAnalyzed !== undefined && !(Array.isArray(r.notAnalyzed) && r.notAnalyzed.every((x) => typeof x === 'string'))) {
    throw new GateResultError(file, '"notAnalyzed" must be a list of strings');
  }
  // A result that says "pass" while counting blocking findings (or code not analyzed) has been tampered with or is corrupt.
  const blocking = SEVERITY_ORDER.reduce((n, s) => n + r.counts!.blocking[s], 0);
  const notAnalyzed = r.notAnalyzed?.length ?? 0;
  if ((blocking > 0 || notAnalyzed > 0) !== (r.status === 'fail')) {
    throw new GateResultError(file, `"status" is "${r.status}" but counts show ${blocking} blocking finding(s)${notAnalyzed > 0 ? ` and ${notAnalyzed} not analyzed` : ''}`);
  }
  return r as GateResult;
}

/** Number of findings with a decision, from a gate result. */
export function resultCount(result: GateResult, decision: Decision): number {
  return SEVERITY_ORDER.reduce((n, s) => n + result.counts[decision][s], 0);
}

import { Finding, ToolRef } from '../../model/finding';
import { Severity, severityRank } from '../../model/severity';
import { SARIF_FINGERPRINT_KEY } from '../baseline';
import { StringTable } from '../merge';
import { FindingDecision, GateEvaluation } from '../policy';
import { jsonString, SharedJson } from './json';
import { Sink } from './sink';

/**
 * Merged SARIF 2.1.0: one run per tool, each with its rules; results carry the level from our
 * severity, `properties.security-severity` (the score GitHub code scanning ranks by), our
 * fingerprint in `partialFingerprints`, and `suppressions` (with the justification) for suppressed
 * findings. Written result by result so that 200,000 results never form one string.
 */

export interface SarifOptions {
  /** Every tool that reported for this gate, including those without findings. */
  readonly tools: readonly ToolRef[];
}

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  [Severity.CRITICAL]: 'error',
  [Severity.HIGH]: 'error',
  [Severity.MEDIUM]: 'warning',
  [Severity.LOW]: 'note',
  [Severity.INFO]: 'note',
};

// A score inside each band of normalize.ts, for findings whose scanner gave no usable number.
const REPRESENTATIVE_SCORE: Record<Severity, number> = {
  [Severity.CRITICAL]: 9.5,
  [Severity.HIGH]: 8.0,
  [Severity.MEDIUM]: 5.5,
  [Severity.LOW]: 2.0,
  [Severity.INFO]: 0.0,
};

const BAND: Record<Severity, [number, number]> = {
  [Severity.CRITICAL]: [9, 10],
  [Severity.HIGH]: [7, 8.95],
  [Severity.MEDIUM]: [4, 6.95],
  [Severity.LOW]: [0.05, 3.95],
  [Severity.INFO]: [0, 0],
};

/** The scanner's own score when it is a number inside the finding's band, else the band's representative score. */
export function securitySeverity(f: Finding): string {
  const raw = f.rawSeverity !== undefined && /^\d+(\.\d+)?$/.test(f.rawSeverity.trim()) ? parseFloat(f.rawSeverity) : NaN;
  const [lo, hi] = BAND[f.severity];
  const score = raw >= lo && raw <= hi ? raw : REPRESENTATIVE_SCORE[f.severity];
  return score.toFixed(1);
}

/** A repository-relative POSIX path as a URI reference (each segment percent-encoded). */
export function pathToUri(path: string): string {
  // Most paths need no encoding; skip the split and join for them.
  if (/^[A-Za-z0-9._~/-]*$/.test(path)) return path;
  return path.split('/').map((seg) => encodeURIComponent(seg)).join('/');
}

const q = JSON.stringify;

/** A list of strings as a JSON array. */
function jsonStrings(list: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) out += (i === 0 ? '' : ',') + jsonString(list[i]);
  return `${out}]`;
}

/**
 * Per finding, the `security-severity` score and the `rawSeverity` property (empty when the scanner's
 * word says no more than our severity): results repeat a few dozen (severity, raw severity) pairs.
 */
class SeverityFields {
  private readonly known = new Map<string, Map<string | undefined, string>>();

  of(f: Finding): string {
    let bySeverity = this.known.get(f.severity);
    if (!bySeverity) {
      bySeverity = new Map();
      this.known.set(f.severity, bySeverity);
    }
    let fields = bySeverity.get(f.rawSeverity);
    if (fields === undefined) {
      fields = `"security-severity":"${securitySeverity(f)}","severity":"${f.severity}"`;
      // The scanner's word only when it says more than our severity does.
      if (f.rawSeverity !== undefined && f.rawSeverity.toUpperCase() !== f.severity) fields += `,"rawSeverity":${jsonString(f.rawSeverity)}`;
      if (bySeverity.size < 10_000) bySeverity.set(f.rawSeverity, fields);
    }
    return fields;
  }
}

/** One rule as JSON, from its first and its most serious finding (built by hand like `resultJson`: a trivy report has one rule per CVE). */
function ruleJson(id: string, f: Finding, worst: Finding, pieces: ResultPieces): string {
  const tags = pieces.tags.of(worst.cwes);
  let out = `{"id":${jsonString(id)},"shortDescription":{"text":${jsonString(f.title || id)}}`;
  if (f.description) out += `,"fullDescription":{"text":${jsonString(f.description)}}`;
  if (f.helpUri) out += `,"helpUri":${jsonString(f.helpUri)}`;
  out += `,"defaultConfiguration":{"level":"${LEVEL[worst.severity]}"}`;
  return `${out},"properties":{"security-severity":"${securitySeverity(worst)}","tags":${tags}}}`;
}

function message(f: Finding): string {
  let text = f.title || f.ruleId;
  const p = f.package;
  if (p) {
    text += ` Package ${p.name}${p.installedVersion ? ` ${p.installedVersion}` : ''}${p.fixedVersion ? `; fixed in ${p.fixedVersion}` : '; no fixed version'}.`;
  }
  const r = f.resource;
  if (r && !p) text += ` Resource ${r.id}${r.kind ? ` (${r.kind})` : ''}${r.target ? ` in ${r.target}` : ''}.`;
  return text;
}

function physicalLocationJson(loc: NonNullable<Finding['location']>): string {
  let region = '';
  const start = loc.startLine !== undefined && Number.isInteger(loc.startLine) && loc.startLine >= 1 ? loc.startLine : undefined;
  if (start !== undefined) {
    const end = loc.endLine !== undefined && Number.isInteger(loc.endLine) && loc.endLine >= start ? `,"endLine":${loc.endLine}` : '';
    region = `,"region":{"startLine":${start}${end}}`;
  }
  return `[{"physicalLocation":{"artifactLocation":{"uri":${jsonString(pathToUri(loc.file))},"uriBaseId":"%SRCROOT%"}${region}}}]`;
}

function logicalLocationJson(r: NonNullable<Finding['resource']>): string {
  const fqn = r.target ? `${r.target}/${r.id}` : r.id;
  return `[{"logicalLocations":[{"name":${jsonString(r.id)},"fullyQualifiedName":${jsonString(fqn)}${r.kind ? `,"kind":${jsonString(r.kind)}` : ''}}]}]`;
}

/** A rule's tags: `security` and its CWE ids. */
function tagsJson(cwes: readonly string[]): string {
  let tags = '["security"';
  for (const c of cwes) tags += `,${jsonString(c.toUpperCase().startsWith('CWE') ? c : `CWE-${c}`)}`;
  return `${tags}]`;
}

function packageJson(p: NonNullable<Finding['package']>): string {
  let out = `{"name":${jsonString(p.name)}`;
  if (p.installedVersion !== undefined) out += `,"installedVersion":${jsonString(p.installedVersion)}`;
  if (p.fixedVersion !== undefined) out += `,"fixedVersion":${jsonString(p.fixedVersion)}`;
  if (p.ecosystem !== undefined) out += `,"ecosystem":${jsonString(p.ecosystem)}`;
  return `${out}}`;
}

/** The pieces of results that findings share, serialized once per writer. */
class ResultPieces {
  readonly severityFields = new SeverityFields();
  readonly physical = new SharedJson(physicalLocationJson);
  readonly logical = new SharedJson(logicalLocationJson);
  readonly packages = new SharedJson(packageJson);
  /** Lists of ids (shared, frozen CWE lists) and a rule's tags from its CWE list. */
  readonly ids = new SharedJson<readonly string[]>(jsonStrings);
  readonly tags = new SharedJson<readonly string[]>(tagsJson);

  /** `locations` as JSON, or '' when the finding has none. */
  locations(f: Finding): string {
    const loc = f.location;
    if (loc && loc.file) return this.physical.of(loc);
    if (f.resource) return this.logical.of(f.resource);
    const p = f.package;
    if (p) return `[{"logicalLocations":[{"name":${jsonString(p.installedVersion ? `${p.name}@${p.installedVersion}` : p.name)},"kind":"package"}]}]`;
    return '';
  }
}


/**
 * One result as JSON. Written by hand rather than through an object and JSON.stringify: this runs
 * once per finding (200,000+ on large reports), and skipping the intermediate objects halves its cost.
 * Every string goes through `jsonString`, so the output is always valid JSON.
 */
export function resultJson(d: FindingDecision, ruleIndex: number, baselineApplied: boolean, pieces = new ResultPieces()): string {
  const f = d.finding;
  let out = `{"ruleId":${jsonString(f.ruleId)},"ruleIndex":${ruleIndex},"level":"${LEVEL[f.severity]}","message":{"text":${jsonString(message(f))}}`;
  const locations = pieces.locations(f);
  if (locations) out += `,"locations":${locations}`;
  out += `,"partialFingerprints":{"${SARIF_FINGERPRINT_KEY}":${jsonString(f.fingerprint)}}`;
  if (baselineApplied) out += `,"baselineState":"${d.decision === 'baseline' ? 'unchanged' : 'new'}"`;
  if (d.decision === 'suppressed' && d.suppression) {
    const s = d.suppression;
    const props: Record<string, unknown> = { entry: s.label, expires: s.expires };
    if (s.owner) props.owner = s.owner;
    props.falsePositive = s.falsePositive;
    // No `status`: absent means accepted (SARIF 2.1.0 §3.35.3), and pre-standard 2.1.0 schemas still
    // used by some consumers reject the property.
    out += `,"suppressions":[{"kind":"external","justification":${q(s.reason)},"properties":${q(props)}}]`;
  }
  out += `,"properties":{${pieces.severityFields.of(f)},"decision":"${d.decision}"`;
  // Not a SARIF suppression: viewers would hide a finding that no suppressions entry accepted.
  if (f.suppressedByTool) out += ',"suppressedByTool":true';
  if (f.tools.length > 1) out += `,"reportedBy":${jsonStrings(f.tools.map((t) => t.name))}`;
  // A merged finding's other fingerprints (SARIF's partialFingerprints holds one value per key).
  if (f.otherFingerprints) out += `,"otherFingerprints":${jsonStrings(f.otherFingerprints)}`;
  if (f.cves.length > 0) out += `,"cves":${pieces.ids.of(f.cves)}`;
  if (f.cwes.length > 0) out += `,"cwes":${pieces.ids.of(f.cwes)}`;
  if (f.package) out += `,"package":${pieces.packages.of(f.package)}`;
  if (d.expiredSuppression) out += `,"expiredSuppression":${q({ entry: d.expiredSuppression.label, expired: d.expiredSuppression.expires })}`;
  return `${out}}}`;
}

/** Writes the merged SARIF log. */
export function writeSarif(evaluation: GateEvaluation, options: SarifOptions, sink: Sink): void {
  // Group findings by their (first) tool; tools named in the options keep their order and version.
  const runs = new Map<string, { tool: ToolRef; decisions: readonly FindingDecision[] }>();
  const run = (tool: ToolRef) => {
    let r = runs.get(tool.name);
    if (!r) {
      r = { tool, decisions: [] as FindingDecision[] };
      runs.set(tool.name, r);
    } else if (!r.tool.version && tool.version) {
      r.tool = tool;
    }
    return r;
  };
  for (const t of options.tools) run(t);
  const all = evaluation.decisions;
  const only = runs.size === 1 ? [...runs.values()][0] : undefined;
  if (only && all.every((d) => d.finding.tools.length > 0 && d.finding.tools[0].name === only.tool.name)) {
    // One tool (a single report, the usual case): its run is every decision, no copy.
    for (const d of all) if (!only.tool.version && d.finding.tools[0].version) only.tool = d.finding.tools[0];
    only.decisions = all;
  } else {
    for (const d of all) (run(d.finding.tools[0] ?? { name: 'unknown' }).decisions as FindingDecision[]).push(d);
  }

  sink.write(`{\n  "$schema": ${JSON.stringify(SARIF_SCHEMA_URI)},\n  "version": "2.1.0",\n  "runs": [`);
  let firstRun = true;
  for (const { tool, decisions } of runs.values()) {
    // Rules by id, as numbers: the rule of each result, each rule's first and most serious result
    // (a trivy report has one rule per CVE, 200,000+: no object per rule).
    const n = decisions.length;
    const ruleIds = new StringTable(Math.min(n, 65_536));
    const ruleOf = new Int32Array(n);
    const firstOf: number[] = [];
    const worstOf: number[] = [];
    for (let i = 0; i < n; i++) {
      const f = decisions[i].finding;
      let r = ruleIds.get(f.ruleId);
      if (r < 0) {
        r = firstOf.length;
        ruleIds.set(f.ruleId, r);
        firstOf.push(i);
        worstOf.push(i);
      } else if (severityRank(f.severity) < severityRank(decisions[worstOf[r]].finding.severity)) {
        worstOf[r] = i;
      }
      ruleOf[i] = r;
    }
    // Rules are written one by one too: a trivy report has one rule per CVE.
    sink.write(firstRun ? '\n    ' : ',\n    ');
    firstRun = false;
    sink.write(`{\n      "tool": { "driver": { "name": ${JSON.stringify(tool.name)}, `);
    if (tool.version) sink.write(`"version": ${JSON.stringify(tool.version)}, `);
    sink.write('"rules": [');
    const pieces = new ResultPieces();
    for (let r = 0; r < firstOf.length; r++) {
      const first = decisions[firstOf[r]].finding;
      sink.write((r === 0 ? '\n        ' : ',\n        ') + ruleJson(first.ruleId, first, decisions[worstOf[r]].finding, pieces));
    }
    sink.write(firstOf.length === 0 ? '] } },\n' : '\n      ] } },\n');
    sink.write(`      "automationDetails": ${JSON.stringify({ id: `${evaluation.gate}/${tool.name}/` })},\n`);
    sink.write(`      "properties": ${JSON.stringify({ gate: evaluation.gate, failOn: evaluation.failOn, status: evaluation.status })},\n`);
    sink.write('      "results": [');
    for (let i = 0; i < n; i++) {
      sink.write((i === 0 ? '\n        ' : ',\n        ') + resultJson(decisions[i], ruleOf[i], evaluation.baselineApplied, pieces));
    }
    const first = decisions.length === 0;
    sink.write(first ? ']\n    }' : '\n      ]\n    }');
  }
  sink.write(firstRun ? ']\n}\n' : '\n  ]\n}\n');
}

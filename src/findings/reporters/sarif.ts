import { SARIF_FINGERPRINT_KEY } from '../baseline';
import { Finding, ToolRef } from '../model';
import { FindingDecision, GateEvaluation } from '../policy';
import { Severity, severityRank } from '../severity';
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
  return path.split('/').map((seg) => encodeURIComponent(seg)).join('/');
}

interface Rule {
  readonly index: number;
  readonly finding: Finding;
  worst: Finding;
}

function ruleObject(id: string, r: Rule): Record<string, unknown> {
  const f = r.finding;
  const tags = ['security', ...r.worst.cwes.map((c) => (c.toUpperCase().startsWith('CWE') ? c : `CWE-${c}`))];
  return {
    id,
    name: id,
    shortDescription: { text: f.title || id },
    ...(f.description && { fullDescription: { text: f.description } }),
    ...(f.helpUri && { helpUri: f.helpUri }),
    defaultConfiguration: { level: LEVEL[r.worst.severity] },
    properties: { 'security-severity': securitySeverity(r.worst), 'tags': tags },
  };
}

function message(f: Finding): string {
  const parts = [f.title || f.ruleId];
  if (f.package) {
    parts.push(`Package ${f.package.name}${f.package.installedVersion ? ` ${f.package.installedVersion}` : ''}${f.package.fixedVersion ? `; fixed in ${f.package.fixedVersion}` : '; no fixed version'}.`);
  }
  if (f.resource) parts.push(`Resource ${f.resource.id}${f.resource.kind ? ` (${f.resource.kind})` : ''}${f.resource.target ? ` in ${f.resource.target}` : ''}.`);
  return parts.join(' ');
}

function resultObject(d: FindingDecision, ruleIndex: number, baselineApplied: boolean): Record<string, unknown> {
  const f = d.finding;
  const loc = f.location;
  const locations: unknown[] = [];
  if (loc && loc.file) {
    const start = loc.startLine !== undefined && Number.isInteger(loc.startLine) && loc.startLine >= 1 ? loc.startLine : undefined;
    const end = start !== undefined && loc.endLine !== undefined && Number.isInteger(loc.endLine) && loc.endLine >= start ? loc.endLine : undefined;
    locations.push({
      physicalLocation: {
        artifactLocation: { uri: pathToUri(loc.file), uriBaseId: '%SRCROOT%' },
        ...(start !== undefined && { region: { startLine: start, ...(end !== undefined && { endLine: end }) } }),
      },
    });
  } else if (f.resource) {
    locations.push({
      logicalLocations: [{
        name: f.resource.id,
        fullyQualifiedName: f.resource.target ? `${f.resource.target}/${f.resource.id}` : f.resource.id,
        ...(f.resource.kind && { kind: f.resource.kind }),
      }],
    });
  } else if (f.package) {
    const name = f.package.installedVersion ? `${f.package.name}@${f.package.installedVersion}` : f.package.name;
    locations.push({ logicalLocations: [{ name, kind: 'package' }] });
  }

  let suppressions: unknown[] | undefined;
  if (d.decision === 'suppressed' && d.suppression) {
    const s = d.suppression;
    // No `status`: absent means accepted (SARIF 2.1.0 §3.35.3), and pre-standard 2.1.0 schemas still
    // used by some consumers reject the property.
    suppressions = [{
      kind: 'external',
      justification: s.reason,
      properties: { entry: s.label, expires: s.expires, ...(s.owner && { owner: s.owner }), falsePositive: s.falsePositive },
    }];
  } else if (d.decision === 'tool-suppressed') {
    suppressions = [{ kind: 'inSource' }];
  }

  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: message(f) },
    ...(locations.length > 0 && { locations }),
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: f.fingerprint },
    ...(baselineApplied && { baselineState: d.decision === 'baseline' ? 'unchanged' : 'new' }),
    ...(suppressions && { suppressions }),
    properties: {
      'security-severity': securitySeverity(f),
      'severity': f.severity,
      ...(f.rawSeverity !== undefined && { rawSeverity: f.rawSeverity }),
      'decision': d.decision,
      ...(f.tools.length > 1 && { reportedBy: f.tools.map((t) => t.name) }),
      ...(f.cves.length > 0 && { cves: f.cves }),
      ...(f.cwes.length > 0 && { cwes: f.cwes }),
      ...(f.package && { package: f.package }),
      ...(d.expiredSuppression && { expiredSuppression: { entry: d.expiredSuppression.label, expired: d.expiredSuppression.expires } }),
    },
  };
}

/** Writes the merged SARIF log. */
export function writeSarif(evaluation: GateEvaluation, options: SarifOptions, sink: Sink): void {
  // Group findings by their (first) tool; tools named in the options keep their order and version.
  const runs = new Map<string, { tool: ToolRef; decisions: FindingDecision[] }>();
  const run = (tool: ToolRef) => {
    let r = runs.get(tool.name);
    if (!r) {
      r = { tool, decisions: [] };
      runs.set(tool.name, r);
    } else if (!r.tool.version && tool.version) {
      r.tool = tool;
    }
    return r;
  };
  for (const t of options.tools) run(t);
  for (const d of evaluation.decisions) run(d.finding.tools[0] ?? { name: 'unknown' }).decisions.push(d);

  sink.write(`{\n  "$schema": ${JSON.stringify(SARIF_SCHEMA_URI)},\n  "version": "2.1.0",\n  "runs": [`);
  let firstRun = true;
  for (const { tool, decisions } of runs.values()) {
    const rules = new Map<string, Rule>();
    for (const d of decisions) {
      const r = rules.get(d.finding.ruleId);
      if (!r) rules.set(d.finding.ruleId, { index: rules.size, finding: d.finding, worst: d.finding });
      else if (severityRank(d.finding.severity) < severityRank(r.worst.severity)) r.worst = d.finding;
    }
    const driver = {
      name: tool.name,
      ...(tool.version && { version: tool.version }),
      rules: [...rules].map(([id, r]) => ruleObject(id, r)),
    };
    sink.write(firstRun ? '\n    ' : ',\n    ');
    firstRun = false;
    sink.write(`{\n      "tool": { "driver": ${JSON.stringify(driver)} },\n`);
    sink.write(`      "automationDetails": ${JSON.stringify({ id: `${evaluation.gate}/${tool.name}/` })},\n`);
    sink.write(`      "properties": ${JSON.stringify({ gate: evaluation.gate, failOn: evaluation.failOn, status: evaluation.status })},\n`);
    sink.write('      "results": [');
    let first = true;
    for (const d of decisions) {
      sink.write(first ? '\n        ' : ',\n        ');
      first = false;
      sink.write(JSON.stringify(resultObject(d, rules.get(d.finding.ruleId)!.index, evaluation.baselineApplied)));
    }
    sink.write(first ? ']\n    }' : '\n      ]\n    }');
  }
  sink.write(firstRun ? ']\n}\n' : '\n  ]\n}\n');
}

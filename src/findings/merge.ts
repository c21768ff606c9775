import { Finding, ToolRef } from './model';
import { severityRank } from './severity';

/**
 * Merges findings that are the same problem:
 * - the same fingerprint (one tool reporting a thing twice, or two runs of a report);
 * - the same vulnerability (CVE) in the same package and installed version from different tools,
 *   e.g. trivy and grype on one image, even when their fingerprints differ (a tool that knows
 *   no package version, or a GHSA id next to the CVE).
 * The merged finding lists every tool, keeps the highest severity (and that finding's raw
 * severity), the union of CVE and CWE ids, the first known location, resource, package fields
 * and help link. It counts as suppressed by the tool only if every merged finding was: one
 * scanner's inline ignore must not hide another scanner's report.
 * Order: the order in which each merged finding first appears. Inputs are not modified.
 */
export function mergeFindings(findings: Finding[]): Finding[] {
  const groups: Group[] = [];
  const byFingerprint = new Map<string, Group>();
  const byVulnerability = new Map<string, Group[]>();

  for (const finding of findings) {
    let group = byFingerprint.get(finding.fingerprint);
    const keys = vulnerabilityKeys(finding);
    if (!group) {
      // Across tools only: one tool's two reports of a CVE in two places stay two findings.
      group = keys.map((k) => byVulnerability.get(k)?.find((g) => !g.hasToolOf(finding))).find((g) => g !== undefined);
    }
    if (!group) {
      group = new Group();
      groups.push(group);
    }
    group.add(finding);
    if (!byFingerprint.has(finding.fingerprint)) byFingerprint.set(finding.fingerprint, group);
    for (const k of keys) {
      const list = byVulnerability.get(k);
      if (!list) byVulnerability.set(k, [group]);
      else if (!list.includes(group)) list.push(group);
    }
  }
  return groups.map((g) => g.merged());
}

/** `CVE|package|version` for each CVE of a dependency finding with a known installed version. */
function vulnerabilityKeys(finding: Finding): string[] {
  const pkg = finding.package;
  if (!pkg || !pkg.installedVersion || finding.cves.length === 0) return [];
  const name = pkg.name.trim().toLowerCase();
  return finding.cves.map((cve) => `${cve.toUpperCase()}\u0000${name}\u0000${pkg.installedVersion}`);
}

function toolKey(tool: ToolRef): string {
  return tool.name.trim().toLowerCase();
}

class Group {
  private readonly members: Finding[] = [];

  add(finding: Finding): void {
    this.members.push(finding);
  }

  // Groups hold a handful of findings: a scan is cheaper than a set per group.
  hasToolOf(finding: Finding): boolean {
    const names = finding.tools.map(toolKey);
    return this.members.some((m) => m.tools.some((t) => names.includes(toolKey(t))));
  }

  merged(): Finding {
    const members = this.members;
    if (members.length === 1) return members[0];
    const first = members[0];
    // The most serious member; on a tie the first one, so the result does not depend on tool order.
    let worst = first;
    for (const m of members) if (severityRank(m.severity) < severityRank(worst.severity)) worst = m;

    const tools: ToolRef[] = [];
    const seenTools = new Set<string>();
    const cves = new Set<string>();
    const cwes = new Set<string>();
    for (const m of members) {
      for (const t of m.tools) {
        const key = `${t.name}\u0000${t.version ?? ''}`;
        if (!seenTools.has(key)) {
          seenTools.add(key);
          tools.push(t);
        }
      }
      for (const c of m.cves) cves.add(c);
      for (const c of m.cwes) cwes.add(c);
    }
    const pick = <K extends keyof Finding>(key: K): Finding[K] => {
      for (const m of [worst, ...members]) if (m[key] !== undefined) return m[key];
      return undefined as Finding[K];
    };
    const pkg = pick('package');
    return {
      ...worst,
      tools,
      title: worst.title,
      description: pick('description'),
      severity: worst.severity,
      rawSeverity: worst.rawSeverity,
      location: pick('location'),
      resource: pick('resource'),
      package: pkg && !pkg.fixedVersion ? { ...pkg, fixedVersion: members.map((m) => m.package?.fixedVersion).find((v) => v) } : pkg,
      cves: [...cves],
      cwes: [...cwes],
      fingerprint: first.fingerprint,
      helpUri: pick('helpUri'),
      suppressedByTool: members.every((m) => m.suppressedByTool === true) ? true : undefined,
    };
  }
}

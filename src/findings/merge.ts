import { Finding, ToolRef } from '../model/finding';
import { severityRank } from '../model/severity';

/**
 * Merges findings that are the same problem:
 * - the same fingerprint (one tool reporting a thing twice, or two runs of a report);
 * - the same vulnerability (CVE) in the same package and installed version from different tools,
 *   e.g. trivy and grype on one image, even when their fingerprints differ (a tool that knows
 *   no package version, or a GHSA id next to the CVE).
 * The merged finding lists every tool, keeps the highest severity (and that finding's raw
 * severity), the union of CVE and CWE ids, the first known location, resource, package fields
 * and help link, and every member's fingerprint: the smallest as `fingerprint` (whatever the
 * order of the reports), the others as `otherFingerprints`. It counts as suppressed by the tool
 * only if every merged finding was: one scanner's inline ignore must not hide another scanner's
 * report.
 * Order: the order in which each merged finding first appears. Inputs are not modified; a
 * finding that merges with nothing is returned as it is (large reports: no copies).
 */
export function mergeFindings(findings: Finding[]): Finding[] {
  const n = findings.length;
  // Group of each finding: the index of the group's first finding.
  const groupOf = new Int32Array(n);
  // Members after the first, only for groups that have them.
  const extra = new Map<number, number[]>();
  const byFingerprint = new StringTable(n);
  // CVE merges are across tools only, so with a single tool there is nothing to key.
  const byVulnerability = manyTools(findings) ? new Map<string, number[]>() : undefined;

  const members = (group: number): number[] => [group, ...(extra.get(group) ?? [])];
  const hasToolOf = (group: number, finding: Finding): boolean => {
    const names = finding.tools.map(toolKey);
    return members(group).some((m) => findings[m].tools.some((t) => names.includes(toolKey(t))));
  };

  for (let i = 0; i < n; i++) {
    const finding = findings[i];
    // One tool (no CVE merges): a new fingerprint starts its own group, added in the same lookup.
    const known = byVulnerability ? byFingerprint.get(finding.fingerprint) : byFingerprint.getOrAdd(finding.fingerprint, i);
    let group = known < 0 ? undefined : known;
    const keys = byVulnerability ? vulnerabilityKeys(finding) : [];
    if (group === undefined && byVulnerability) {
      // Across tools only: one tool's two reports of a CVE in two places stay two findings.
      for (const k of keys) {
        group = byVulnerability.get(k)?.find((g) => !hasToolOf(g, finding));
        if (group !== undefined) break;
      }
    }
    if (group === undefined) {
      group = i;
    } else {
      const list = extra.get(group);
      if (list) list.push(i);
      else extra.set(group, [i]);
    }
    groupOf[i] = group;
    if (known < 0 && byVulnerability) byFingerprint.set(finding.fingerprint, group);
    if (byVulnerability) {
      for (const k of keys) {
        const list = byVulnerability.get(k);
        if (!list) byVulnerability.set(k, [group]);
        else if (!list.includes(group)) list.push(group);
      }
    }
  }

  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    if (groupOf[i] !== i) continue;
    out.push(extra.has(i) ? merge(members(i).map((m) => findings[m])) : findings[i]);
  }
  return out;
}

/**
 * A map of strings (fingerprints) to non-negative numbers, for hundreds of thousands of keys:
 * open addressing over typed arrays with an FNV-1a hash of the key, several times faster than a
 * `Map` to fill and read, and without its per-entry memory.
 */
export class StringTable {
  private slots: Int32Array;
  private keys: string[] = [];
  private values: number[] = [];

  constructor(expected = 8) {
    let size = 16;
    while (size < expected * 2) size *= 2;
    this.slots = new Int32Array(size);
  }

  get size(): number {
    return this.keys.length;
  }

  /** The value of `key`, or -1. */
  get(key: string): number {
    const slot = this.find(key);
    const at = this.slots[slot];
    return at === 0 ? -1 : this.values[at - 1];
  }

  has(key: string): boolean {
    return this.slots[this.find(key)] !== 0;
  }

  /** Adds `key` with `value` (>= 0) unless it is there; returns its value before, or -1 when it was added. */
  getOrAdd(key: string, value: number): number {
    const slot = this.find(key);
    const at = this.slots[slot];
    if (at !== 0) return this.values[at - 1];
    this.keys.push(key);
    this.values.push(value);
    this.slots[slot] = this.keys.length;
    if (this.keys.length * 2 > this.slots.length) this.grow();
    return -1;
  }

  /** Sets `key` to `value` (>= 0). */
  set(key: string, value: number): void {
    const slot = this.find(key);
    const at = this.slots[slot];
    if (at !== 0) {
      this.values[at - 1] = value;
      return;
    }
    this.keys.push(key);
    this.values.push(value);
    this.slots[slot] = this.keys.length;
    if (this.keys.length * 2 > this.slots.length) this.grow();
  }

  /* eslint-disable no-bitwise */
  // FNV-1a and a power-of-two table: 32-bit integer arithmetic is the point here.
  private find(key: string): number {
    const mask = this.slots.length - 1;
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
    let slot = h & mask;
    for (;;) {
      const at = this.slots[slot];
      if (at === 0 || this.keys[at - 1] === key) return slot;
      slot = (slot + 1) & mask;
    }
  }
  /* eslint-enable no-bitwise */

  private grow(): void {
    const keys = this.keys;
    this.slots = new Int32Array(this.slots.length * 2);
    for (let k = 0; k < keys.length; k++) this.slots[this.find(keys[k])] = k + 1;
  }
}

function toolKey(tool: ToolRef): string {
  return tool.name.trim().toLowerCase();
}

function manyTools(findings: Finding[]): boolean {
  let first: string | undefined;
  for (const f of findings) {
    for (const t of f.tools) {
      const key = toolKey(t);
      if (first === undefined) first = key;
      else if (key !== first) return true;
    }
  }
  return false;
}

/** `CVE|package|version` for each CVE of a dependency finding with a known installed version. */
function vulnerabilityKeys(finding: Finding): string[] {
  const pkg = finding.package;
  if (!pkg || !pkg.installedVersion || finding.cves.length === 0) return [];
  const name = pkg.name.trim().toLowerCase();
  return finding.cves.map((cve) => `${cve.toUpperCase()}\u0000${name}\u0000${pkg.installedVersion}`);
}

/** Adds the items of `from` that `into` lacks (lists of a few ids: no set needed). */
function union<T>(into: T[], from: readonly T[], same: (a: T, b: T) => boolean = (a, b) => a === b): void {
  for (const x of from) if (!into.some((y) => same(x, y))) into.push(x);
}

function merge(members: Finding[]): Finding {
  const first = members[0];
  // The most serious member; on a tie the first one, so the result does not depend on tool order.
  let worst = first;
  for (const m of members) if (severityRank(m.severity) < severityRank(worst.severity)) worst = m;

  const tools: ToolRef[] = [];
  const cves: string[] = [];
  const cwes: string[] = [];
  for (const m of members) {
    union(tools, m.tools, (a, b) => a.name === b.name && a.version === b.version);
    union(cves, m.cves);
    union(cwes, m.cwes);
  }
  const pick = <K extends keyof Finding>(key: K): Finding[K] => {
    if (worst[key] !== undefined) return worst[key];
    for (const m of members) if (m[key] !== undefined) return m[key];
    return undefined as Finding[K];
  };
  const prints = fingerprintsOf(members);
  const pkg = pick('package');
  const fixedVersion = pkg && !pkg.fixedVersion ? members.map((m) => m.package?.fixedVersion).find((v) => v) : undefined;
  // Every field named (Complete): a field added to Finding later must be merged here too, and
  // an object literal of one shape is much faster than a spread over findings of many shapes.
  const merged: Complete<Finding> = {
    tools,
    ruleId: worst.ruleId,
    title: worst.title,
    description: pick('description'),
    severity: worst.severity,
    rawSeverity: worst.rawSeverity,
    location: pick('location'),
    resource: pick('resource'),
    package: pkg && fixedVersion ? { ...pkg, fixedVersion } : pkg,
    cves,
    cwes,
    fingerprint: prints[0],
    otherFingerprints: prints.length > 1 ? prints.slice(1) : undefined,
    helpUri: pick('helpUri'),
    suppressedByTool: members.every((m) => m.suppressedByTool === true) ? true : undefined,
  };
  return merged;
}

/** Every distinct fingerprint of the members (their own and those they merged before), sorted. */
function fingerprintsOf(members: Finding[]): string[] {
  const all = new Set<string>();
  for (const m of members) {
    all.add(m.fingerprint);
    for (const other of m.otherFingerprints ?? []) all.add(other);
  }
  // Code-unit order, the same on every machine (no locale).
  return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every property of T, optional ones included (their value may be undefined). */
type Complete<T> = { [K in keyof Required<T>]: T[K] };

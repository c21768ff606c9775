import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { FIXTURES, listFixtures } from './parsers/decode-fixture';
import { loadReport } from '../../src/findings/parsers/index';
import { ReportFormatError } from '../../src/findings/parsers/types';

/**
 * Property: a mutated scanner report (a key duplicated, renamed in another case or deleted, a value
 * of another type, the file truncated) either gives at least as many findings as the real report
 * (and at least as many the scanner did not suppress) or is refused with a ReportFormatError (exit 2).
 * Never fewer findings with a verdict: that is a report the gate would pass while findings are lost.
 * Seeded and bounded: RUNS_PER_FIXTURE cases for each fixture, through the real loader (a few
 * thousand in all, ~15 s). MUTATION_SEED and MUTATION_RUNS explore further by hand.
 */
const SEED = Number(process.env.MUTATION_SEED ?? 20261130);
const RUNS_PER_FIXTURE = Number(process.env.MUTATION_RUNS ?? 40);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const DUP_MARKER = '__fc_duplicate_key_marker__';

interface Nodes {
  /** Paths of every value below the root. */
  readonly values: Path[];
  /** Paths of values that are objects or arrays (the containers parsers read). */
  readonly containers: Path[];
  /** Paths of objects with at least one key. */
  readonly objects: Path[];
}

function nodesOf(root: Json): Nodes {
  const values: Path[] = [];
  const containers: Path[] = [];
  const objects: Path[] = [];
  const walk = (v: Json, p: Path) => {
    if (p.length > 0) values.push(p);
    if (v !== null && typeof v === 'object') {
      if (p.length > 0) containers.push(p);
      if (Array.isArray(v)) {
        v.forEach((x, i) => walk(x, [...p, i]));
      } else {
        if (Object.keys(v).length > 0) objects.push(p);
        for (const k of Object.keys(v)) walk(v[k], [...p, k]);
      }
    }
  };
  walk(root, []);
  return { values, containers, objects };
}

function clone(v: Json): Json {
  return JSON.parse(JSON.stringify(v));
}

function at(root: Json, p: Path): Json {
  let v: Json = root;
  for (const k of p) v = (v as Record<string | number, Json>)[k as string];
  return v;
}

/** Replaces the value at `p` (not the root) with `f(old)`. */
function replace(root: Json, p: Path, f: (old: Json) => Json): Json {
  const out = clone(root);
  const parent = at(out, p.slice(0, -1)) as Record<string | number, Json>;
  parent[p[p.length - 1] as string] = f(parent[p[p.length - 1] as string]);
  return out;
}

/** Rebuilds the object at `p` with `edit(entries)`, keeping key order otherwise. */
function editObject(root: Json, p: Path, edit: (entries: Array<[string, Json]>) => Array<[string, Json]>): Json {
  const rebuild = (o: Json) => Object.fromEntries(edit(Object.entries(o as Record<string, Json>)));
  if (p.length === 0) return rebuild(clone(root));
  return replace(root, p, rebuild);
}

function otherType(v: Json, variant: number): Json {
  const options: Json[] = [];
  if (typeof v === 'string') options.push(v === '' ? 1 : 0, null, [v], { v });
  else if (typeof v === 'number') options.push(String(v), null, [v], true);
  else if (typeof v === 'boolean') options.push(String(v), v ? 1 : 0, null);
  else if (v === null) options.push('', 0, [], {});
  else if (Array.isArray(v)) options.push({}, '', null, v.length, { ...v });
  else options.push([], '', null, [v]);
  return options[variant % options.length];
}

function otherCase(key: string, variant: number): string | undefined {
  const candidates = [
    key.toUpperCase(),
    key.toLowerCase(),
    key.charAt(0).toUpperCase() + key.slice(1),
    key.charAt(0).toLowerCase() + key.slice(1),
  ].filter((k) => k !== key);
  return candidates.length === 0 ? undefined : candidates[variant % candidates.length];
}

interface Mutation {
  readonly kind: 'delete-key' | 'key-case' | 'type' | 'duplicate-key' | 'truncate';
  readonly pick: number;
  readonly containersOnly: boolean;
  readonly variant: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete-key', 'key-case', 'type', 'duplicate-key', 'truncate'),
  pick: fc.nat(),
  containersOnly: fc.boolean(),
  variant: fc.nat(),
});

interface Fixture {
  readonly rel: string;
  readonly text: string;
  /** JSON documents: one, or NDJSON lines. */
  readonly docs?: Json[];
  readonly ndjson: boolean;
  readonly nodes?: Nodes[];
}

function serialize(f: Fixture, docs: Json[]): string {
  return f.ndjson ? `${docs.map((d) => JSON.stringify(d)).join('\n')}\n` : JSON.stringify(docs[0], null, 2);
}

/** What a mutation did, for the failure message and `indistinguishable`. */
let lastChange = '';
let lastKey: string | undefined;
let lastPath: Path = [];
let lastValue: Json | undefined;
let lastTruncated = false;

/**
 * Lists a tool leaves out when they are empty (so a report without one is a real report with
 * fewer findings, which no reader can tell from a cut one): trivy's `Results` and a target's lists
 * (omitempty), dependency-check's per-dependency vulnerabilities, a CycloneDX SBOM's vulnerabilities.
 * `*` is any array index. Deleting one of these, or making it null, may lose findings.
 */
const OMITTED_WHEN_EMPTY: Array<{ readonly dir: string; readonly path: ReadonlyArray<string | readonly string[]> }> = [
  { dir: 'trivy/', path: ['Results'] },
  { dir: 'trivy/', path: ['Results', '*', ['Vulnerabilities', 'Misconfigurations', 'Secrets']] },
  { dir: 'dependency-check/', path: ['dependencies', '*', ['vulnerabilities', 'suppressedVulnerabilities']] },
  { dir: 'cyclonedx/', path: ['vulnerabilities'] },
];

function omittedWhenEmpty(rel: string, p: Path): boolean {
  return OMITTED_WHEN_EMPTY.some((o) => rel.startsWith(o.dir) && o.path.length === p.length && o.path.every((want, i) =>
    (want === '*' ? typeof p[i] === 'number' : Array.isArray(want) ? want.includes(String(p[i])) : want === p[i])));
}

/**
 * Mutations whose result is a report the tool itself writes when it finds less: an omitted empty
 * list (above), and, since CSV and NDJSON have no closing bracket, a file cut at a line's end (a
 * cut anywhere else fails). Everything else must keep its findings or be refused.
 */
function indistinguishable(f: Fixture, m: Mutation, text: string): boolean {
  if (lastTruncated) {
    return (f.rel.endsWith('.csv') || f.ndjson) && (text.endsWith('\n') || f.text[text.length] === '\n' || f.text.startsWith('\r\n', text.length));
  }
  if (Array.isArray(f.docs?.[0]) && f.rel.startsWith('trivy/')) return false;
  if (m.kind === 'delete-key' && lastKey !== undefined) return omittedWhenEmpty(f.rel, [...lastPath, lastKey]);
  if (m.kind === 'type') return lastValue === null && omittedWhenEmpty(f.rel, lastPath);
  return false;
}

/** The mutated text, or undefined when the mutation does not apply to this fixture. */
function mutate(f: Fixture, m: Mutation): string | undefined {
  lastChange = m.kind;
  lastKey = undefined;
  lastPath = [];
  lastValue = undefined;
  lastTruncated = false;
  if (m.kind === 'truncate' || f.docs === undefined) {
    // Never the whole file: a cut anywhere from the first byte to the last but one.
    const cut = m.pick % Math.max(1, f.text.length - 1);
    lastChange = `truncated to ${cut} characters`;
    lastTruncated = true;
    return f.text.slice(0, cut);
  }
  const d = m.variant % f.docs.length;
  const nodes = f.nodes![d];
  const docs = f.docs.slice();
  const pickFrom = (list: Path[]) => (list.length === 0 ? undefined : list[m.pick % list.length]);
  if (m.kind === 'type') {
    const p = pickFrom(m.containersOnly ? nodes.containers : nodes.values);
    if (!p) return undefined;
    docs[d] = replace(docs[d], p, (old) => otherType(old, m.variant));
    lastPath = p;
    lastValue = at(docs[d], p);
    lastChange = `value at ${JSON.stringify(p)} replaced with ${JSON.stringify(at(docs[d], p)).slice(0, 40)}`;
    return serialize(f, docs);
  }
  // Key mutations: an object, and one of its keys (a key holding a container when containersOnly).
  const objectPath = pickFrom(nodes.objects);
  if (!objectPath) return undefined;
  const obj = at(docs[d], objectPath) as Record<string, Json>;
  let keys = Object.keys(obj);
  if (m.containersOnly) {
    const holding = keys.filter((k) => obj[k] !== null && typeof obj[k] === 'object');
    if (holding.length > 0) keys = holding;
  }
  const key = keys[m.variant % keys.length];
  lastChange = `${m.kind} ${JSON.stringify(key)} at ${JSON.stringify(objectPath)}`;
  lastKey = key;
  lastPath = objectPath;
  if (m.kind === 'delete-key') {
    docs[d] = editObject(docs[d], objectPath, (es) => es.filter(([k]) => k !== key));
    return serialize(f, docs);
  }
  if (m.kind === 'key-case') {
    const renamed = otherCase(key, Math.floor(m.variant / 4));
    if (renamed === undefined || renamed in obj) return undefined;
    docs[d] = editObject(docs[d], objectPath, (es) => es.map(([k, v]) => [k === key ? renamed : k, v]));
    return serialize(f, docs);
  }
  // duplicate-key: the same key again, first or last, with the same value, an empty one or null.
  const value: Json = [obj[key], Array.isArray(obj[key]) ? [] : {}, null][m.variant % 3];
  const first = (Math.floor(m.variant / 4)) % 2 === 0;
  docs[d] = editObject(docs[d], objectPath, (es) => (first ? [[DUP_MARKER, value], ...es] : [...es, [DUP_MARKER, value]]));
  return serialize(f, docs).split(JSON.stringify(DUP_MARKER)).join(JSON.stringify(key));
}

function loadFixture(rel: string): Fixture {
  const text = readFileSync(path.join(FIXTURES, rel), 'utf8');
  const ndjson = /\.(ndjson|jsonl)$/.test(rel);
  const trimmed = text.trimStart();
  if (!ndjson && !(trimmed.startsWith('{') || trimmed.startsWith('['))) return { rel, text, ndjson };
  const docs: Json[] = ndjson ? text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)) : [JSON.parse(text)];
  return { rel, text, docs, ndjson, nodes: docs.map(nodesOf) };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mutation-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  readonly findings: number;
  readonly active: number;
}

async function outcome(file: string): Promise<Outcome | ReportFormatError> {
  try {
    const r = await loadReport(file, { sourceRoot: dir });
    return { findings: r.findings.length, active: r.findings.filter((x) => !x.suppressedByTool).length };
  } catch (e) {
    if (e instanceof ReportFormatError) return e;
    throw e;
  }
}

describe('mutated scanner reports give the same findings or fail closed', () => {
  for (const rel of listFixtures()) {
    test(rel, async () => {
      const fixture = loadFixture(rel);
      const original = await outcome(path.join(FIXTURES, rel));
      // Fixtures the engine refuses as they are: a scanner that reports an error (semgrep) or files
      // it could not parse (checkov). They have no findings to lose; the refusal is what they test.
      if (original instanceof ReportFormatError) {
        expect(original.problem).toMatch(/reports an error|could not parse \d+ file/);
        return;
      }
      const file = path.join(dir, path.basename(rel));
      await fc.assert(
        fc.asyncProperty(mutationArb, async (m) => {
          const text = mutate(fixture, m);
          if (text === undefined || text === fixture.text) return;
          writeFileSync(file, text);
          const got = await outcome(file);
          if (got instanceof ReportFormatError) return;
          if ((got.findings < original.findings || got.active < original.active) && !indistinguishable(fixture, m, text)) {
            throw new Error(`${lastChange} (ends ${JSON.stringify(text.slice(-12))}): lost findings: ${got.findings} (${got.active} not suppressed by the scanner) instead of ${original.findings} (${original.active})`);
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_FIXTURE },
      );
    });
  }
});

/**
 * `devsecops-findings policies`: the policy gate's evaluation. Runs the pipeline's policies (as the
 * running pipeline's definition shipped them, each checked against its digest) on the templates
 * of the deployed Stages in the commit's cloud assembly, with the shipped engine, and writes SARIF
 * that `evaluate --gate policies` judges. Violations acknowledged in the assembly (on the
 * construct or a scope above it, as at synth) are written as accepted suppressions with their reason.
 */
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { dirname, join, relative } from 'path';
import { parseArgs } from 'util';
import type { Io } from './cli-io';
import { AcknowledgmentMap, acknowledgmentFor, evaluatePolicies, PolicyEngineError, PolicyRule, PolicyTemplate } from './policy-engine';
import { ACKNOWLEDGED_RULES_METADATA, stacksOf, PostureError } from './posture';
import { INHERITED_ACKNOWLEDGMENTS_METADATA, POLICY_ID_PATTERN, POLICY_PLUGIN_NAME } from '../model/policies';
import { SEVERITY_ORDER, Severity } from '../model/severity';

/** The rules directory's manifest, written at synth beside the rule files. */
export const POLICY_RULES_MANIFEST = 'policies.json';

/** One policy in the rules directory's manifest. */
export interface PolicyManifestEntry {
  readonly id: string;
  readonly message: string;
  readonly fix: string;
  readonly severity: Severity;
  /** The Rego file, relative to the manifest. */
  readonly rego?: string;
  /** The Guard file, relative to the manifest. */
  readonly guard?: string;
}

/** The digest of one policy as the pipeline's posture and the gate's `--policy ID=DIGEST` give it. */
export function policyDigest(id: string, severity: Severity, rego: string | undefined, guard: string | undefined): string {
  return createHash('sha256').update(JSON.stringify([id, severity, rego ?? null, guard ?? null])).digest('hex');
}

export const POLICIES_HELP = `policies: runs the pipeline's policies on the deployed Stages' templates (the policy gate).
  --engine DIR              the policy engine (assets/policy-engine of this package)
  --rules DIR               the policies: ${POLICY_RULES_MANIFEST} and the Rego/Guard files it lists
  --policy ID=SHA256        each policy the pipeline enforces, with its digest (all of them; repeat)
  --assembly DIR            the commit's cloud assembly (cdk.out)
  --stack PATH              construct path of a deployed stack to check (repeat)
  --out FILE                the SARIF report to write (judged by evaluate --gate policies)
  Exit codes: 0 evaluated (evaluate decides); 2 bad input, a policy that does not match its digest, a
  stack missing from the assembly, or an engine error.`;

class PoliciesError extends Error {}

/** Runs `policies`; resolves to the exit code. */
export function policies(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      engine: { type: 'string' },
      rules: { type: 'string' },
      policy: { type: 'string', multiple: true },
      assembly: { type: 'string' },
      stack: { type: 'string', multiple: true },
      out: { type: 'string' },
    },
  });
  try {
    const missing = (['engine', 'rules', 'assembly', 'out'] as const).filter((k) => values[k] === undefined);
    if (missing.length > 0) throw new PoliciesError(`${missing.map((k) => `--${k}`).join(', ')} required`);
    if (!statSync(values.assembly!, { throwIfNoEntry: false })?.isDirectory()) throw new PoliciesError(`--assembly ${values.assembly}: not a directory`);
    const rules = readRules(values.rules!, values.policy ?? []);
    const { templates, acks } = readAssembly(values.assembly!, values.stack ?? []);
    const violations = evaluatePolicies(values.engine!, rules, templates);
    const results = violations.map((v) => {
      const ack = acknowledgmentFor(acks, v.constructPath ?? v.template.stackPath, v.policy.id);
      io.out(`${ack ? 'acknowledged' : 'VIOLATION'} ${v.text}${ack ? ` — acknowledged at ${ack.at || '(app)'}: ${ack.reason}` : ''}\n`);
      return {
        ruleId: v.policy.id,
        level: 'error',
        message: { text: v.text },
        locations: [{
          physicalLocation: { artifactLocation: { uri: relative(values.assembly!, v.template.file).split('\\').join('/') } },
          logicalLocations: [{ fullyQualifiedName: `${v.constructPath ?? v.template.stackPath}${v.property ? `/${v.property}` : ''}`, kind: 'resource' }],
        }],
        ...(ack && { suppressions: [{ kind: 'external', status: 'accepted', justification: `acknowledged at ${ack.at || '(app)'}: ${ack.reason}` }] }),
      };
    });
    const byId = new Map(rules.map((r) => [r.id, r]));
    const sarif = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{
        tool: {
          driver: {
            name: POLICY_PLUGIN_NAME,
            rules: [...byId.values()].map((r) => ({
              id: r.id,
              shortDescription: { text: r.message },
              help: { text: r.fix },
              properties: { 'security-severity': r.severity },
            })),
          },
        },
        results,
      }],
    };
    mkdirSync(dirname(values.out!), { recursive: true });
    writeFileSync(values.out!, `${JSON.stringify(sarif, undefined, 2)}\n`);
    const open = results.filter((r) => !('suppressions' in r)).length;
    io.out(`policies: ${rules.length} polic${rules.length === 1 ? 'y' : 'ies'} on ${templates.length} stack(s): ${open} violation(s), ${results.length - open} acknowledged\n`);
    return 0;
  } catch (e) {
    const known = e instanceof PoliciesError || e instanceof PolicyEngineError || e instanceof PostureError;
    if (!known && (e as NodeJS.ErrnoException).code === undefined) throw e;
    io.err(`devsecops-findings policies: ${(e as Error).message}\n`);
    return 2;
  }
}

/** The policies of the rules directory, each checked against the digest the pipeline's definition gave. */
function readRules(dir: string, given: readonly string[]): PolicyRule[] {
  const expected = new Map<string, string>();
  for (const g of given) {
    const m = /^([A-Z][A-Z0-9_]{1,127})=([0-9a-f]{64})$/.exec(g);
    if (!m) throw new PoliciesError(`--policy ${JSON.stringify(g)}: expected ID=SHA256`);
    expected.set(m[1], m[2]);
  }
  const file = join(dir, POLICY_RULES_MANIFEST);
  if (!existsSync(file)) throw new PoliciesError(`${file}: the policies' manifest is missing`);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { policies?: unknown };
  if (!Array.isArray(doc.policies)) throw new PoliciesError(`${file}: policies is not a list`);
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const p of doc.policies as PolicyManifestEntry[]) {
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || !POLICY_ID_PATTERN.test(p.id) || !SEVERITY_ORDER.includes(p.severity)
      || typeof p.message !== 'string' || typeof p.fix !== 'string') {
      throw new PoliciesError(`${file}: ${JSON.stringify(p)} is not a policy entry`);
    }
    const read = (f: string | undefined) => {
      if (f === undefined) return undefined;
      if (typeof f !== 'string' || f.includes('..') || f.startsWith('/')) throw new PoliciesError(`${file}: ${p.id}: bad file ${JSON.stringify(f)}`);
      return readFileSync(join(dir, f), 'utf8');
    };
    const rego = read(p.rego);
    const guard = read(p.guard);
    const digest = policyDigest(p.id, p.severity, rego, guard);
    if (expected.get(p.id) !== digest) {
      throw new PoliciesError(`policy ${p.id}: its text does not match the digest the pipeline's definition gave (${expected.get(p.id) ?? 'none'}): the policies were changed after synth`);
    }
    seen.add(p.id);
    const base = { id: p.id, message: p.message, fix: p.fix, severity: p.severity };
    if (rego !== undefined) rules.push({ ...base, language: 'rego', content: rego });
    if (guard !== undefined) rules.push({ ...base, language: 'guard', content: guard });
  }
  const absent = [...expected.keys()].filter((id) => !seen.has(id));
  if (absent.length > 0) throw new PoliciesError(`${file}: ${absent.join(', ')} given with --policy but not in the manifest`);
  return rules;
}

/** The deployed stacks' templates, construct paths by logical id, and every acknowledgment the assembly records. */
function readAssembly(dir: string, stackPaths: readonly string[]): { templates: PolicyTemplate[]; acks: AcknowledgmentMap } {
  const stacks = stacksOf(dir);
  const acks = new Map<string, Record<string, string>>();
  const addAck = (at: string, data: unknown) => {
    if (typeof data !== 'object' || data === null) return;
    const key = at.replace(/^\/+/, '');
    for (const [id, reason] of Object.entries(data as Record<string, unknown>)) {
      if (typeof reason === 'string') acks.set(key, { ...(acks.get(key) ?? {}), [id]: reason });
    }
  };
  for (const s of stacks) {
    for (const [at, entries] of Object.entries(s.metadata)) {
      for (const e of entries) {
        if (e.type === ACKNOWLEDGED_RULES_METADATA) addAck(at, e.data);
        if (e.type === INHERITED_ACKNOWLEDGMENTS_METADATA && typeof e.data === 'object' && e.data !== null) {
          for (const [above, data] of Object.entries(e.data as Record<string, unknown>)) addAck(above, data);
        }
      }
    }
  }
  const templates: PolicyTemplate[] = [];
  for (const wanted of stackPaths) {
    const path = wanted.replace(/^\/+/, '');
    const stack = stacks.find((s) => s.stackPath === path);
    if (!stack) throw new PoliciesError(`stack ${path} is not in the cloud assembly ${dir}: the synth step did not produce a Stage the pipeline deploys`);
    const byLogicalId = new Map<string, string>();
    for (const [at, entries] of Object.entries(stack.metadata)) {
      for (const e of entries) if (e.type === 'aws:cdk:logicalId' && typeof e.data === 'string') byLogicalId.set(e.data, at.replace(/^\/+/, ''));
    }
    templates.push({ file: stack.templateFile, stackPath: path, constructPath: (id) => byLogicalId.get(id) });
  }
  return { templates, acks };
}

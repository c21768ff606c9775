/**
 * The policy engine: runs the organization's policies (Rego and Guard) on CloudFormation
 * templates, offline, with the pinned `@aws/cloudformation-validate` WebAssembly engine this
 * package ships in assets/policy-engine. The synth-time validation plugin and the pipeline's
 * policy gate both call `evaluatePolicies`, so both judge a template the same way; both match a
 * violation to acknowledgments with `acknowledgmentFor`.
 *
 * Pure runtime code: no construct imports (the findings CLI bundle ships it).
 */
import { createHash } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { policyAcknowledgmentId } from '../model/policies';
import { Severity } from '../model/severity';

/** One policy as the engine runs it. */
export interface PolicyRule {
  readonly id: string;
  readonly language: 'rego' | 'guard';
  /** The policy's text (a Rego module or Guard rules). */
  readonly content: string;
  readonly message: string;
  readonly fix: string;
  readonly severity: Severity;
}

/** One template to evaluate. */
export interface PolicyTemplate {
  /** The template file. */
  readonly file: string;
  /** The stack's construct path (no leading slash). */
  readonly stackPath: string;
  /** The construct path of a resource by logical id, when known (no leading slash). */
  readonly constructPath: (logicalId: string) => string | undefined;
}

/** One policy violation on one resource. */
export interface PolicyViolation {
  readonly policy: PolicyRule;
  readonly template: PolicyTemplate;
  readonly logicalId?: string;
  readonly constructPath?: string;
  /** The property, without the leading `Properties.` (e.g. `BucketEncryption`). */
  readonly property?: string;
  /** What the engine said about this resource. */
  readonly detail: string;
  /** The full message: policy id, construct path, logical id, property, what is wrong and the fix. */
  readonly text: string;
}

/** Raised when the engine is missing or a policy can't be run: callers fail closed. */
export class PolicyEngineError extends Error {}

interface Diagnostic {
  readonly ruleId: string;
  readonly message: string;
  readonly source?: string;
  readonly propertyPath?: string;
  readonly entity?: { readonly logicalId?: string; readonly entityType?: string };
}
interface Engine {
  validateTemplate(template: unknown, config?: unknown): { diagnostics: Diagnostic[] };
}
interface EngineModule {
  RegoEngine: new (config: unknown) => Engine;
  TemplateFile: new (path: string) => unknown;
  version(): string;
}

const modules = new Map<string, EngineModule>();
const engines = new Map<string, Engine>();

/** The engine module shipped in `dir` (loaded once per process: compiling it takes seconds). */
export function loadPolicyEngine(engineDir: string): EngineModule {
  // require() reads a relative path from this module, not the working directory.
  const dir = resolve(engineDir);
  const cached = modules.get(dir);
  if (cached) return cached;
  const index = join(dir, 'index.js');
  if (!existsSync(index)) {
    throw new PolicyEngineError(`the policy engine is missing (${index}): build it with 'npx projen bundle:policy-engine' (the package ships it)`);
  }
  // Each file is checked against the manifest written when the engine was copied into the package.
  const manifestFile = join(dir, POLICY_ENGINE_MANIFEST);
  if (!existsSync(manifestFile)) throw new PolicyEngineError(`the policy engine's manifest is missing (${manifestFile}): build it with 'npx projen bundle:policy-engine'`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as PolicyEngineManifest;
  for (const [file, sha256] of Object.entries(manifest.files)) {
    const p = join(dir, file);
    if (!existsSync(p) || createHash('sha256').update(readFileSync(p)).digest('hex') !== sha256) {
      throw new PolicyEngineError(`the policy engine file ${p} is missing or does not match its manifest's sha256: rebuild it with 'npx projen bundle:policy-engine' or reinstall the package`);
    }
  }
  // A path known only at run time: bundlers leave it to Node, which loads the shipped engine.
  const mod = (eval('require') as NodeRequire)(index) as EngineModule;
  modules.set(dir, mod);
  return mod;
}

/** The rule names a Guard text defines (`rule NAME ...`): the ids its diagnostics carry. */
export function guardRuleNames(text: string): string[] {
  return [...text.matchAll(/^\s*rule\s+([A-Za-z0-9_]+)/gm)].map((m) => m[1]);
}

function engineFor(mod: EngineModule, rules: readonly PolicyRule[]): Engine {
  const key = createHash('sha256').update(JSON.stringify(rules.map((r) => [r.id, r.language, r.content]))).digest('hex');
  let engine = engines.get(key);
  if (!engine) {
    const source = (r: PolicyRule) => ({ name: `${r.id}.${r.language}`, content: r.content });
    try {
      engine = new mod.RegoEngine({
        customRules: rules.filter((r) => r.language === 'rego').map(source),
        guardRules: rules.filter((r) => r.language === 'guard').map(source),
      });
    } catch (e) {
      throw new PolicyEngineError(`the policies could not be loaded by the policy engine: ${errorText(e)}`);
    }
    engines.set(key, engine);
  }
  return engine;
}

/** Runs `rules` on each template; every diagnostic of another rule (the engine's own checks) is left out. */
export function evaluatePolicies(engineDir: string, rules: readonly PolicyRule[], templates: readonly PolicyTemplate[]): PolicyViolation[] {
  if (rules.length === 0) return [];
  const mod = loadPolicyEngine(engineDir);
  const engine = engineFor(mod, rules);
  // A diagnostic's rule id names its policy: a Rego policy reports its own id, a Guard policy its rules' names.
  const byRuleId = new Map<string, PolicyRule>();
  for (const r of rules) {
    if (r.language === 'rego') byRuleId.set(r.id, r);
    else for (const name of guardRuleNames(r.content)) byRuleId.set(name, r);
  }
  const out: PolicyViolation[] = [];
  for (const template of templates) {
    let diagnostics: Diagnostic[];
    try {
      diagnostics = engine.validateTemplate(new mod.TemplateFile(template.file), { detailLevel: 'STANDARD', disableBuiltinRules: true }).diagnostics;
    } catch (e) {
      throw new PolicyEngineError(`${template.file}: the policy engine failed: ${errorText(e)}`);
    }
    for (const d of diagnostics) {
      const policy = byRuleId.get(d.ruleId);
      if (!policy || (d.source !== 'CUSTOM' && d.source !== 'GUARD')) continue;
      const logicalId = d.entity?.entityType === 'Resource' ? d.entity.logicalId : undefined;
      const constructPath = logicalId !== undefined ? template.constructPath(logicalId) : undefined;
      const property = d.propertyPath && d.propertyPath !== 'Properties' ? d.propertyPath.replace(/^Properties\./, '') : undefined;
      const where = logicalId !== undefined
        ? `${constructPath ?? template.stackPath} (logical id ${logicalId})`
        : template.stackPath;
      const detail = d.message.replace(/\s+/g, ' ').trim();
      const text = `[${policy.id}] ${where}${property ? `, property ${property}` : ''}: ${policy.message}${detail && detail !== policy.message ? ` (${detail})` : ''}. Fix: ${policy.fix}`;
      out.push({ policy, template, logicalId, constructPath, property, detail, text });
    }
  }
  return out;
}

/** Acknowledgments by construct path (no leading slash), then by acknowledgment id, with the reason. */
export type AcknowledgmentMap = ReadonlyMap<string, Readonly<Record<string, string>>>;

/**
 * The acknowledgment of `policyId` that applies at `constructPath`: on the construct itself or the
 * closest scope above it (CDK's own rule), or undefined.
 */
export function acknowledgmentFor(acks: AcknowledgmentMap, constructPath: string, policyId: string): { at: string; reason: string } | undefined {
  const id = policyAcknowledgmentId(policyId);
  const parts = constructPath.replace(/^\/+/, '').split('/').filter(Boolean);
  for (let n = parts.length; n >= 0; n--) {
    const at = parts.slice(0, n).join('/');
    const reason = acks.get(at)?.[id];
    if (reason !== undefined) return { at, reason };
  }
  return undefined;
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

/** The manifest's file name in assets/policy-engine. */
export const POLICY_ENGINE_MANIFEST = 'manifest.json';

/** What assets/policy-engine/manifest.json holds. */
export interface PolicyEngineManifest {
  /** Where the engine was copied from: the pinned aws-cdk-lib dev dependency that bundles it, as npm installed it. */
  readonly source: {
    readonly package: string;
    readonly version: string;
    /** The package that bundles it, with its version. */
    readonly bundledIn: string;
    /** That package's tarball integrity in package-lock.json, which npm checked when it installed it. */
    readonly integrity: string;
    readonly license: string;
    readonly repository: string;
  };
  /** sha256 of each file, by name. */
  readonly files: Readonly<Record<string, string>>;
}

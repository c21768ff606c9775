/**
 * The pipeline's security posture, and the check that a commit does not weaken it.
 *
 * The running pipeline embeds its own posture (taken from its constructs at synth) in the
 * weakening check's build; the check reads the commit's cloud assembly and compares. The new
 * posture's gates and Stage protections come from the pipeline stack's template (what
 * self-mutation would deploy), not from anything the commit says about itself; the cdk-nag packs
 * and acknowledgments are synth-time facts, read from the assembly's metadata. Whatever can't be
 * found counts as weakened: the approval is the safe side.
 *
 * Pure runtime code: no construct imports (the findings CLI bundle ships it).
 */
import { createHash } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { PROACTIVE_GATE_PREFIX, PROACTIVE_STEP_PREFIX } from './proactive-names';
import { GATES_STAGE } from '../model/gates';
import { SEVERITY_ORDER, Severity } from '../model/severity';

/** Metadata type of the nag packs the pipeline registered (on the pipeline construct). */
export const NAG_PACKS_METADATA = 'cdk-devsecops-pipeline:nag-packs';
/** Metadata type CDK records acknowledgments under (Validations.of(x).acknowledge). */
export const ACKNOWLEDGED_RULES_METADATA = 'aws:cdk:acknowledged-rules';

/** One gate's settings that decide how strict it is. */
export interface GatePosture {
  readonly failOn: Severity;
  /** The suppressions file the gate reads; undefined for the default (used if present). */
  readonly suppressions?: string;
}

/** What protects one deployment stage of the pipeline. */
export interface StagePosture {
  readonly approval: boolean;
  readonly confirmPermissionsBroadening: boolean;
}

/** Everything the weakening check compares. */
export interface Posture {
  /** Construct path of the DevSecOpsPipeline (no leading slash). */
  readonly pipelinePath: string;
  /** By gate name (as given to `evaluate --gate`); a gate that is off is absent. */
  readonly gates: Readonly<Record<string, GatePosture>>;
  /** By CodePipeline stage name, for the stages that deploy (CloudFormation actions). */
  readonly stages: Readonly<Record<string, StagePosture>>;
  /** The cdk-nag packs the deployed Stages are held to. */
  readonly nagPacks: readonly string[];
  /** Acknowledgments on the pipeline's constructs, as `ackKey`s. */
  readonly acknowledgments: readonly string[];
  /**
   * The policies the policy gate enforces, as `ID=DIGEST` (the digest of the policy's text and
   * severity). Absent in postures written before policies existed: read as none.
   */
  readonly policies?: readonly string[];
}

export type WeakeningKind =
  | 'pipeline-not-found'
  | 'gate-removed'
  | 'fail-on-raised'
  | 'suppressions-moved'
  | 'nag-pack-removed'
  | 'acknowledgment-added'
  | 'approval-dropped'
  | 'permissions-broadening-check-dropped'
  | 'policy-removed'
  | 'policy-changed';

/** One way a commit weakens the pipeline, said for the approver. */
export interface Weakening {
  readonly kind: WeakeningKind;
  readonly message: string;
}

/** Raised when the assembly or a posture can't be read: the check fails (exit 2), it never passes. */
export class PostureError extends Error {}

/** A short, stable key for one acknowledgment: its construct path (no leading slash) and rule id. */
export function ackKey(constructPath: string, ruleId: string): string {
  return createHash('sha256').update(`${constructPath.replace(/^\/+/, '')}\u0000${ruleId}`).digest('hex').slice(0, 16);
}

/** The ways `after` is weaker than `before`; empty when it is as strict or stricter. */
export function compare(before: Posture, after: Posture | undefined): Weakening[] {
  if (after === undefined) {
    return [{ kind: 'pipeline-not-found', message: `no DevSecOpsPipeline at ${before.pipelinePath} in the new cloud assembly (removed, renamed or moved): nothing shows that its gates remain` }];
  }
  const out: Weakening[] = [];
  for (const [gate, was] of Object.entries(before.gates)) {
    const now = after.gates[gate];
    if (now === undefined) {
      out.push({ kind: 'gate-removed', message: `gate ${gate} removed or turned off (none())` });
      continue;
    }
    if (SEVERITY_ORDER.indexOf(now.failOn) < SEVERITY_ORDER.indexOf(was.failOn)) {
      out.push({ kind: 'fail-on-raised', message: `gate ${gate}: failOn raised from ${was.failOn} to ${now.failOn}` });
    }
    if ((now.suppressions ?? '') !== (was.suppressions ?? '')) {
      out.push({ kind: 'suppressions-moved', message: `gate ${gate}: suppressions file moved from ${was.suppressions ?? '(default)'} to ${now.suppressions ?? '(default)'}` });
    }
  }
  for (const pack of before.nagPacks) {
    if (!after.nagPacks.includes(pack)) out.push({ kind: 'nag-pack-removed', message: `cdk-nag pack ${pack} no longer checks the deployed Stages` });
  }
  const known = new Set(before.acknowledgments);
  const added = after.acknowledgments.filter((a) => !known.has(a));
  if (added.length > 0) out.push({ kind: 'acknowledgment-added', message: `${added.length} new cdk-nag acknowledgment(s) on the pipeline's own constructs` });
  const nowPolicies = new Map((after.policies ?? []).map((p) => [p.split('=')[0], p]));
  for (const was of before.policies ?? []) {
    const id = was.split('=')[0];
    const now = nowPolicies.get(id);
    if (now === undefined) out.push({ kind: 'policy-removed', message: `policy ${id} removed or disabled: the deployed Stages are no longer checked for it` });
    else if (now !== was) out.push({ kind: 'policy-changed', message: `policy ${id} changed (its text or severity): it may check less than before` });
  }
  for (const [stage, was] of Object.entries(before.stages)) {
    const now = after.stages[stage];
    // A Stage that is gone deploys nothing: not a weakening of what protects it.
    if (now === undefined) continue;
    if (was.approval && !now.approval) out.push({ kind: 'approval-dropped', message: `stage ${stage}: manual approval removed` });
    if (was.confirmPermissionsBroadening && !now.confirmPermissionsBroadening) {
      out.push({ kind: 'permissions-broadening-check-dropped', message: `stage ${stage}: confirmPermissionsBroadening removed` });
    }
  }
  return out;
}

/** Reads and checks a posture document (the running pipeline's, embedded in the check). */
export function parsePosture(text: string, what: string): Posture {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PostureError(`${what}: not JSON (${(e as Error).message})`);
  }
  const problems: string[] = [];
  const obj = isObject(doc) ? doc : {};
  if (!isObject(doc)) problems.push('not an object');
  if (typeof obj.pipelinePath !== 'string' || obj.pipelinePath === '') problems.push('pipelinePath is not a non-empty string');
  const gates: Record<string, GatePosture> = {};
  if (!isObject(obj.gates)) problems.push('gates is not an object');
  for (const [name, g] of Object.entries(isObject(obj.gates) ? obj.gates : {})) {
    if (!isObject(g) || !(SEVERITY_ORDER as readonly unknown[]).includes(g.failOn) || (g.suppressions !== undefined && typeof g.suppressions !== 'string')) {
      problems.push(`gates.${name} is not { failOn: <severity>, suppressions?: <string> }`);
      continue;
    }
    gates[name] = { failOn: g.failOn as Severity, ...(g.suppressions !== undefined && { suppressions: g.suppressions as string }) };
  }
  const stages: Record<string, StagePosture> = {};
  if (!isObject(obj.stages)) problems.push('stages is not an object');
  for (const [name, s] of Object.entries(isObject(obj.stages) ? obj.stages : {})) {
    if (!isObject(s) || typeof s.approval !== 'boolean' || typeof s.confirmPermissionsBroadening !== 'boolean') {
      problems.push(`stages.${name} is not { approval: boolean, confirmPermissionsBroadening: boolean }`);
      continue;
    }
    stages[name] = { approval: s.approval, confirmPermissionsBroadening: s.confirmPermissionsBroadening };
  }
  const strings = (key: string): string[] => {
    const v = obj[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      problems.push(`${key} is not a list of strings`);
      return [];
    }
    return v as string[];
  };
  const nagPacks = strings('nagPacks');
  const acknowledgments = strings('acknowledgments');
  const policies = obj.policies === undefined ? [] : strings('policies');
  if (problems.length > 0) throw new PostureError(`${what}: ${problems.join('; ')}`);
  return { pipelinePath: obj.pipelinePath as string, gates, stages, nagPacks, acknowledgments, ...(obj.policies !== undefined && { policies }) };
}

/** One stack of a cloud assembly, as the posture and the policy gate read it. */
export interface StackArtifact {
  readonly templateFile: string;
  /** The stack's construct path (the artifact's display name), when the manifest gives it. */
  readonly stackPath?: string;
  readonly metadata: Record<string, Array<{ type?: unknown; data?: unknown }>>;
}

/**
 * The posture of the pipeline at `pipelinePath` in the cloud assembly at `dir` (nested Stage
 * assemblies included), or undefined when no stack of the assembly holds that pipeline.
 */
export function postureFromAssembly(dir: string, pipelinePath: string): Posture | undefined {
  const path = `/${pipelinePath.replace(/^\/+/, '')}`;
  const stack = stacksOf(dir).find((s) => (s.metadata[path] ?? []).some((e) => e.type === NAG_PACKS_METADATA));
  if (!stack) return undefined;
  const packs = stack.metadata[path].find((e) => e.type === NAG_PACKS_METADATA)!.data;
  const nagPacks = isObject(packs) && Array.isArray(packs.stages) ? packs.stages.filter((p): p is string => typeof p === 'string') : [];
  const acknowledgments: string[] = [];
  for (const [constructPath, entries] of Object.entries(stack.metadata)) {
    if (constructPath !== path && !constructPath.startsWith(`${path}/`)) continue;
    for (const e of entries) {
      if (e.type !== ACKNOWLEDGED_RULES_METADATA || !isObject(e.data)) continue;
      for (const ruleId of Object.keys(e.data)) acknowledgments.push(ackKey(constructPath, ruleId));
    }
  }
  const template = readJson(stack.templateFile, 'template');
  const resources = isObject(template) && isObject(template.Resources) ? template.Resources : {};
  const logicalId = stack.metadata[`${path}/CdkPipeline/Pipeline/Resource`]?.find((e) => e.type === 'aws:cdk:logicalId')?.data;
  const pipeline = typeof logicalId === 'string' ? resources[logicalId] : undefined;
  if (!isObject(pipeline) || pipeline.Type !== 'AWS::CodePipeline::Pipeline') {
    throw new PostureError(`${stack.templateFile}: no AWS::CodePipeline::Pipeline for ${path} (logical id ${String(logicalId)})`);
  }
  const { gates, stages, policies } = readPipeline(pipeline, resources);
  return { pipelinePath: pipelinePath.replace(/^\/+/, ''), gates, stages, nagPacks, acknowledgments: [...new Set(acknowledgments)].sort(), policies };
}

/** Gates (from the gate projects' evaluate lines) and deploying stages (from their actions). */
function readPipeline(pipeline: Record<string, unknown>, resources: Record<string, unknown>): Pick<Posture, 'gates' | 'stages' | 'policies'> {
  const props = isObject(pipeline.Properties) ? pipeline.Properties : {};
  const gates: Record<string, GatePosture> = {};
  const policies = new Set<string>();
  const stages: Record<string, StagePosture> = {};
  for (const stage of Array.isArray(props.Stages) ? props.Stages : []) {
    if (!isObject(stage) || typeof stage.Name !== 'string') continue;
    const actions = (Array.isArray(stage.Actions) ? stage.Actions : []).filter(isObject);
    const provider = (a: Record<string, unknown>) => (isObject(a.ActionTypeId) ? a.ActionTypeId.Provider : undefined);
    if (stage.Name === GATES_STAGE) {
      for (const a of actions) {
        if (provider(a) !== 'CodeBuild') continue;
        // One build can judge several gates (the SCA gate's build judges the SBOM made with its trivy).
        for (const gate of gatesOf(projectOf(a, resources))) gates[gate.name] = gate.posture;
        for (const p of policiesOf(projectOf(a, resources))) policies.add(p);
      }
    }
    if (actions.some((a) => provider(a) === 'CloudFormation')) {
      // A Stage's proactive Config evaluation is a gate in the Stage's own pipeline stage.
      for (const a of actions) {
        if (provider(a) !== 'CodeBuild' || typeof a.Name !== 'string' || !a.Name.startsWith(PROACTIVE_STEP_PREFIX)) continue;
        for (const gate of gatesOf(projectOf(a, resources))) {
          if (gate.name.startsWith(`${PROACTIVE_GATE_PREFIX}.`)) gates[gate.name] = gate.posture;
        }
      }
      // pipelines.ConfirmPermissionsBroadening is a CodeBuild check and a manual confirmation, both named after it.
      const broadening = (a: Record<string, unknown>) => typeof a.Name === 'string' && /(^|\.)ConfirmPermissionsBroadening\./.test(a.Name);
      stages[stage.Name] = {
        approval: actions.some((a) => provider(a) === 'Manual' && !broadening(a)),
        confirmPermissionsBroadening: actions.some((a) => provider(a) === 'CodeBuild' && broadening(a)),
      };
    }
  }
  return { gates, stages, policies: [...policies].sort() };
}

function projectOf(action: Record<string, unknown>, resources: Record<string, unknown>): Record<string, unknown> | undefined {
  const name = isObject(action.Configuration) ? action.Configuration.ProjectName : undefined;
  const ref = isObject(name) && typeof name.Ref === 'string' ? name.Ref : undefined;
  const project = ref !== undefined ? resources[ref] : undefined;
  return isObject(project) && project.Type === 'AWS::CodeBuild::Project' ? project : undefined;
}

// The gate's decision line, as buildGateStep writes it: `node .../cli.js evaluate --gate NAME --fail-on SEV [--suppressions 'PATH']`.
const EVALUATE_LINE = /cli\.js evaluate --gate ([A-Za-z0-9._-]+) --fail-on ([A-Z]+)(?: --suppressions '((?:[^'\\]|'\\'')*)')?/g;

function gatesOf(project: Record<string, unknown> | undefined): Array<{ name: string; posture: GatePosture }> {
  const props = project && isObject(project.Properties) ? project.Properties : undefined;
  const source = props && isObject(props.Source) ? props.Source : undefined;
  return [...flatten(source?.BuildSpec).matchAll(EVALUATE_LINE)]
    .filter((m) => (SEVERITY_ORDER as readonly string[]).includes(m[2]))
    .map((m) => ({ name: m[1], posture: { failOn: m[2] as Severity, ...(m[3] !== undefined && { suppressions: m[3].split('\'\\\'\'').join('\'') }) } }));
}

// The policy gate's line, as policyGateStep writes it: `node .../cli.js policies ... --policy ID=DIGEST ...`.
const POLICY_ARG = /--policy ([A-Z][A-Z0-9_]{1,127}=[0-9a-f]{64})/g;

function policiesOf(project: Record<string, unknown> | undefined): string[] {
  const props = project && isObject(project.Properties) ? project.Properties : undefined;
  const source = props && isObject(props.Source) ? props.Source : undefined;
  const spec = flatten(source?.BuildSpec);
  return spec.includes('cli.js policies') ? [...spec.matchAll(POLICY_ARG)].map((m) => m[1]) : [];
}

/** A template value as text: strings as they are, Fn::Join joined, any other token as a placeholder. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && Array.isArray(value['Fn::Join']) && Array.isArray(value['Fn::Join'][1])) {
    const [sep, parts] = value['Fn::Join'] as [unknown, unknown[]];
    return parts.map(flatten).join(typeof sep === 'string' ? sep : '');
  }
  return '<token>';
}

/** Every stack of the cloud assembly at `dir`, nested Stage assemblies included. */
export function stacksOf(dir: string): StackArtifact[] {
  const manifest = readJson(join(dir, 'manifest.json'), 'cloud assembly manifest');
  const artifacts = isObject(manifest) && isObject(manifest.artifacts) ? manifest.artifacts : {};
  const out: StackArtifact[] = [];
  for (const artifact of Object.values(artifacts)) {
    if (!isObject(artifact)) continue;
    const props = isObject(artifact.properties) ? artifact.properties : {};
    if (artifact.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string' && !props.directoryName.includes('..')) {
      out.push(...stacksOf(join(dir, props.directoryName)));
    }
    if (artifact.type !== 'aws:cloudformation:stack' || typeof props.templateFile !== 'string' || props.templateFile.includes('..')) continue;
    const metadata: StackArtifact['metadata'] = {};
    const add = (m: unknown) => {
      for (const [k, v] of Object.entries(isObject(m) ? m : {})) if (Array.isArray(v)) metadata[k] = [...(metadata[k] ?? []), ...v.filter(isObject)];
    };
    add(artifact.metadata);
    if (typeof artifact.additionalMetadataFile === 'string' && !artifact.additionalMetadataFile.includes('..')) {
      add(readJson(join(dir, artifact.additionalMetadataFile), 'stack metadata'));
    }
    out.push({ templateFile: join(dir, props.templateFile), metadata, ...(typeof artifact.displayName === 'string' && { stackPath: artifact.displayName }) });
  }
  return out;
}

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) throw new PostureError(`${file}: ${what} not found`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PostureError(`${file}: ${what} is not JSON (${(e as Error).message})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `devsecops-findings proactive`: AWS Config proactive evaluation of a Stage's resources before
 * it deploys. For each resource of a supported type in the Stage's templates: StartResourceEvaluation
 * (PROACTIVE, the CloudFormation resource properties as CFN_RESOURCE_SCHEMA), GetResourceEvaluationSummary
 * polled with backoff within a bounded total time, then GetComplianceDetailsByResource. Writes a
 * `config-proactive` report that `evaluate` judges. Every API error, throttling that outlasts the
 * retries, a failed evaluation and a timeout fail the command (exit 2): no report, no pass.
 */
import { readFileSync, statSync } from 'fs';
import { dirname, join } from 'path';
import { parseArgs } from 'util';
import {
  ConfigServiceClient,
  GetComplianceDetailsByResourceCommand,
  GetResourceEvaluationSummaryCommand,
  StartResourceEvaluationCommand,
} from '@aws-sdk/client-config-service';
import type { Io } from './cli-io';
import { prepareOutputFile } from './output-path';
import { POLICY_ID_METADATA, PROACTIVE_REPORT_KIND } from './proactive-names';
import { writeFileWith } from './reporters/sink';

/** Config's limit on ResourceConfiguration (characters). */
export const MAX_RESOURCE_CONFIGURATION = 51200;
/** Default bound on the whole polling phase. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** Config's PROACTIVE evaluation result of one resource, as the report keeps it. */
export interface ProactiveResult {
  readonly configRuleName: string;
  /** The policy id of a rule this library deployed (from the rule's template metadata). */
  readonly policyId?: string;
  readonly complianceType: string;
  readonly annotation?: string;
  /** Why this result does not count (a CDK provider function's timeout). */
  readonly exemption?: string;
}

/** The one policy CDK's own provider functions are exempt from, and why. */
const EXEMPT_POLICY = 'LAMBDA_TIMEOUT_MAXIMUM';
const CDK_PROVIDER_EXEMPTION = 'CDK custom resource provider function: its 900 s timeout is CDK\'s design';

export interface ProactiveEvaluation {
  readonly stack: string;
  readonly template: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly path?: string;
  readonly region: string;
  readonly resourceEvaluationId: string;
  readonly compliance?: string;
  readonly results: ProactiveResult[];
}

export interface ProactiveSkip {
  readonly stack: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly reason: string;
}

export interface ProactiveReport {
  readonly kind: typeof PROACTIVE_REPORT_KIND;
  readonly version: 1;
  readonly stage: string;
  readonly resourceTypes: string[];
  readonly evaluations: ProactiveEvaluation[];
  readonly skipped: ProactiveSkip[];
}

/** What the command needs from the outside world; tests inject a clock and a sleep. */
export interface ProactiveRuntime {
  readonly client: (region: string) => ConfigServiceClient;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

export const PROACTIVE_HELP = `proactive: AWS Config proactive evaluation of a Stage's resources before it deploys. For each resource
  of a --resource-type in the Stage's templates: StartResourceEvaluation (PROACTIVE, CFN_RESOURCE_SCHEMA),
  GetResourceEvaluationSummary (polled with backoff), GetComplianceDetailsByResource. Writes a
  config-proactive report for evaluate. Resources of other types are listed as skipped in the report.
  --assembly DIR            the cloud assembly (cdk.out)
  --stage-assembly ID       the Stage's nested assembly artifact id (e.g. assembly-Prod)
  --stage NAME              the Stage's name, shown in the report
  --resource-type TYPE      a CloudFormation type the Stage's proactive rules evaluate; repeatable, at least one
  --cdk-provider STACK/ID   a CDK custom resource provider function (900 s by CDK's design): its
                            LAMBDA_TIMEOUT_MAXIMUM result is recorded as exempt; repeatable
  --region REGION           for stacks with no region of their own (default AWS_REGION)
  --timeout-seconds N       bound on waiting for all evaluations (default ${DEFAULT_TIMEOUT_SECONDS})
  --out FILE                the report
  Exit codes: 0 report written; 2 bad input, an API error, throttling beyond the retries, a failed
  evaluation or a timeout (no report: the gate fails).`;

export { POLICY_ID_METADATA, PROACTIVE_REPORT_KIND } from './proactive-names';

/** A reason the command cannot produce a trustworthy report: fail closed. */
export class ProactiveError extends Error {}

/** Runs `proactive`; resolves to the exit code. */
export async function proactive(args: string[], io: Io, runtime: ProactiveRuntime = defaultRuntime()): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      'assembly': { type: 'string' },
      'stage-assembly': { type: 'string' },
      'stage': { type: 'string' },
      'resource-type': { type: 'string', multiple: true },
      'cdk-provider': { type: 'string', multiple: true },
      'region': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'out': { type: 'string' },
    },
  });
  try {
    const missing = (['assembly', 'stage-assembly', 'stage', 'out'] as const).filter((k) => values[k] === undefined);
    if (missing.length > 0) throw new ProactiveError(`${missing.map((k) => `--${k}`).join(', ')} required`);
    const types = values['resource-type'] ?? [];
    if (types.length === 0) throw new ProactiveError('--resource-type: give at least one CloudFormation type the proactive rules evaluate');
    const bad = types.filter((t) => !/^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(t));
    if (bad.length > 0) throw new ProactiveError(`--resource-type ${bad.join(', ')}: not a CloudFormation type such as AWS::S3::Bucket`);
    const timeoutSeconds = values['timeout-seconds'] === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(values['timeout-seconds']);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) {
      throw new ProactiveError(`--timeout-seconds ${values['timeout-seconds']}: give a whole number of seconds from 1 to 3600`);
    }
    if (!statSync(values.assembly!, { throwIfNoEntry: false })?.isDirectory()) throw new ProactiveError(`--assembly ${values.assembly}: not a directory`);
    const defaultRegion = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    const resources = stageResources(values.assembly!, values['stage-assembly']!, defaultRegion);
    const providers = new Set(values['cdk-provider'] ?? []);
    const report = await evaluateResources(values.stage!, resources, new Set(types), timeoutSeconds, runtime, io, providers);
    prepareOutputFile(values.out!);
    writeFileWith(values.out!, (sink) => sink.write(`${JSON.stringify(report, undefined, 2)}\n`));
    const noncompliant = report.evaluations.filter((e) => e.results.some((r) => r.complianceType === 'NON_COMPLIANT')).length;
    io.out(`proactive: ${report.evaluations.length} resource(s) evaluated (${noncompliant} non-compliant), ${report.skipped.length} skipped (type not evaluated by the Stage's proactive rules); report in ${values.out}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ProactiveError) {
      io.err(`devsecops-findings proactive: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** One resource of a Stage's template. */
export interface StageResource {
  readonly stack: string;
  readonly template: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: unknown;
  readonly path?: string;
  readonly region?: string;
  /** Config rule name to policy id, from the Config rules this library put in the Stage (filled once every stack is read). */
  readonly policies: ReadonlyMap<string, string>;
}

interface Manifest {
  readonly artifacts?: Record<string, {
    type?: string;
    environment?: string;
    properties?: { templateFile?: string; directoryName?: string; stackName?: string };
  }>;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ProactiveError(`${what} ${file}: ${(e as Error).message}`);
  }
}

/** The nested assembly directory of a Stage, searched through nested assemblies. */
function findStageDir(dir: string, artifactId: string): string | undefined {
  const manifest = readJson(join(dir, 'manifest.json'), 'cloud assembly manifest') as Manifest;
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'cdk:cloud-assembly' || !artifact.properties?.directoryName) continue;
    const nested = join(dir, artifact.properties.directoryName);
    if (id === artifactId) return nested;
    const deeper = findStageDir(nested, artifactId);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Every resource of every stack of the Stage, with the region its stack deploys to. */
export function stageResources(assembly: string, stageArtifactId: string, defaultRegion?: string): StageResource[] {
  const dir = findStageDir(assembly, stageArtifactId);
  if (!dir) throw new ProactiveError(`--stage-assembly ${stageArtifactId}: no such nested assembly in ${assembly} (was the Stage synthesized?)`);
  const manifest = readJson(join(dir, 'manifest.json'), 'Stage manifest') as Manifest;
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length === 0) throw new ProactiveError(`${stageArtifactId}: the Stage has no stack`);
  const out: StageResource[] = [];
  // Config rule name to policy id, over all the Stage's stacks (the rules are in a stack of their own).
  const policies = new Map<string, string>();
  for (const [id, artifact] of stacks) {
    const templateFile = artifact.properties?.templateFile;
    if (!templateFile) throw new ProactiveError(`${stageArtifactId}/${id}: no templateFile in the manifest`);
    const region = /^aws:\/\/[^/]+\/(.+)$/.exec(artifact.environment ?? '')?.[1];
    const concrete = region && region !== 'unknown-region' ? region : defaultRegion;
    const template = readJson(join(dir, templateFile), 'template') as { Resources?: Record<string, { Type?: string; Properties?: unknown; Metadata?: Record<string, unknown> }> };
    const resources = Object.entries(template.Resources ?? {});
    for (const [, r] of resources) {
      const name = (r.Properties as { ConfigRuleName?: unknown } | undefined)?.ConfigRuleName;
      const policy = r.Metadata?.[POLICY_ID_METADATA];
      if (r.Type === 'AWS::Config::ConfigRule' && typeof name === 'string' && typeof policy === 'string') policies.set(name, policy);
    }
    for (const [logicalId, r] of resources) {
      out.push({
        stack: artifact.properties?.stackName ?? id,
        template: join(dirname(join(dir, templateFile)).slice(assembly.length).replace(/^\//, ''), templateFile.split('/').pop()!),
        logicalId,
        type: String(r.Type),
        properties: r.Properties ?? {},
        path: typeof r.Metadata?.['aws:cdk:path'] === 'string' ? r.Metadata['aws:cdk:path'] as string : undefined,
        region: concrete,
        policies,
      });
    }
  }
  return out;
}

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'LimitExceededException']);
/** Attempts of one call while Config throttles, with exponential backoff from 1 s. */
export const THROTTLE_ATTEMPTS = 6;

async function call<T>(what: string, runtime: ProactiveRuntime, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const name = (e as { name?: string }).name ?? '';
      if (THROTTLING.has(name) && attempt < THROTTLE_ATTEMPTS) {
        await runtime.sleep(Math.min(1000 * 2 ** (attempt - 1), 20000));
        continue;
      }
      const hint = name === 'AccessDeniedException'
        ? ' (the step\'s role, or the Stage account\'s role it assumes, needs config:StartResourceEvaluation, config:GetResourceEvaluationSummary and config:GetComplianceDetailsByResource)'
        : THROTTLING.has(name) ? ` (still throttled after ${THROTTLE_ATTEMPTS} attempts)` : '';
      throw new ProactiveError(`${what}: ${name || 'error'}: ${(e as Error).message}${hint}`);
    }
  }
}

/** Starts every evaluation, polls them all until done or the time is up, then reads each one's results. */
export async function evaluateResources(
  stage: string, resources: StageResource[], types: ReadonlySet<string>, timeoutSeconds: number, runtime: ProactiveRuntime, io: Io,
  cdkProviders: ReadonlySet<string> = new Set(),
): Promise<ProactiveReport> {
  const skipped: ProactiveSkip[] = [];
  const started: Array<{ resource: StageResource; region: string; id: string }> = [];
  const clients = new Map<string, ConfigServiceClient>();
  const client = (region: string) => clients.get(region) ?? clients.set(region, runtime.client(region)).get(region)!;
  for (const r of resources) {
    if (!types.has(r.type)) {
      skipped.push({ stack: r.stack, logicalId: r.logicalId, resourceType: r.type, reason: 'no proactive rule of this Stage evaluates this type' });
      continue;
    }
    if (!r.region) throw new ProactiveError(`${r.stack}/${r.logicalId}: the stack has no region and neither --region nor AWS_REGION is set`);
    const configuration = JSON.stringify(r.properties);
    if (configuration.length > MAX_RESOURCE_CONFIGURATION) {
      throw new ProactiveError(`${r.stack}/${r.logicalId} (${r.type}): its properties are ${configuration.length} characters, more than the ${MAX_RESOURCE_CONFIGURATION} Config evaluates; it cannot be checked before deploy`);
    }
    const region = r.region;
    const out = await call(`StartResourceEvaluation ${r.stack}/${r.logicalId} (${r.type}) in ${region}`, runtime, () => client(region).send(new StartResourceEvaluationCommand({
      EvaluationMode: 'PROACTIVE',
      EvaluationTimeout: Math.min(timeoutSeconds, 3600),
      ResourceDetails: {
        ResourceId: `${r.stack}/${r.logicalId}`.slice(0, 768),
        ResourceType: r.type,
        ResourceConfiguration: configuration,
        ResourceConfigurationSchemaType: 'CFN_RESOURCE_SCHEMA',
      },
    })));
    if (!out.ResourceEvaluationId) throw new ProactiveError(`StartResourceEvaluation ${r.stack}/${r.logicalId}: no ResourceEvaluationId in the response`);
    started.push({ resource: r, region, id: out.ResourceEvaluationId });
  }

  const deadline = runtime.now() + timeoutSeconds * 1000;
  const compliance = new Map<string, string | undefined>();
  let pending = [...started];
  let delay = 1000;
  while (pending.length > 0) {
    const still: typeof pending = [];
    for (const s of pending) {
      const summary = await call(`GetResourceEvaluationSummary ${s.id} (${s.resource.stack}/${s.resource.logicalId})`, runtime,
        () => client(s.region).send(new GetResourceEvaluationSummaryCommand({ ResourceEvaluationId: s.id })));
      const status = summary.EvaluationStatus?.Status;
      if (status === 'SUCCEEDED') compliance.set(s.id, summary.Compliance);
      else if (status === 'IN_PROGRESS') still.push(s);
      else throw new ProactiveError(`evaluation ${s.id} of ${s.resource.stack}/${s.resource.logicalId} (${s.resource.type}): ${status ?? 'no status'}${summary.EvaluationStatus?.FailureReason ? `: ${summary.EvaluationStatus.FailureReason}` : ''}`);
    }
    pending = still;
    if (pending.length === 0) break;
    if (runtime.now() + delay > deadline) {
      throw new ProactiveError(`timed out after ${timeoutSeconds}s with ${pending.length} evaluation(s) still in progress: ${pending.map((p) => `${p.resource.stack}/${p.resource.logicalId}`).join(', ')}`);
    }
    io.out(`proactive: ${pending.length} evaluation(s) in progress, next poll in ${delay / 1000}s\n`);
    await runtime.sleep(delay);
    delay = Math.min(delay * 2, 15000);
  }

  const evaluations: ProactiveEvaluation[] = [];
  for (const s of started) {
    const results: ProactiveResult[] = [];
    let token: string | undefined;
    do {
      const page = await call(`GetComplianceDetailsByResource ${s.id} (${s.resource.stack}/${s.resource.logicalId})`, runtime,
        () => client(s.region).send(new GetComplianceDetailsByResourceCommand({ ResourceEvaluationId: s.id, NextToken: token })));
      for (const e of page.EvaluationResults ?? []) {
        const name = e.EvaluationResultIdentifier?.EvaluationResultQualifier?.ConfigRuleName;
        if (!name || !e.ComplianceType) throw new ProactiveError(`GetComplianceDetailsByResource ${s.id}: a result without ConfigRuleName or ComplianceType`);
        const policyId = s.resource.policies.get(name);
        const exempt = policyId === EXEMPT_POLICY && cdkProviders.has(`${s.resource.stack}/${s.resource.logicalId}`);
        results.push({
          configRuleName: name,
          complianceType: e.ComplianceType,
          ...(policyId && { policyId }),
          ...(e.Annotation && { annotation: e.Annotation }),
          ...(exempt && { exemption: CDK_PROVIDER_EXEMPTION }),
        });
      }
      token = page.NextToken;
    } while (token);
    evaluations.push({
      stack: s.resource.stack,
      template: s.resource.template,
      logicalId: s.resource.logicalId,
      resourceType: s.resource.type,
      ...(s.resource.path && { path: s.resource.path }),
      region: s.region,
      resourceEvaluationId: s.id,
      ...(compliance.get(s.id) && { compliance: compliance.get(s.id) }),
      results,
    });
  }
  return { kind: PROACTIVE_REPORT_KIND, version: 1, stage, resourceTypes: [...types].sort(), evaluations, skipped };
}

function defaultRuntime(): ProactiveRuntime {
  return {
    client: (region) => new ConfigServiceClient({ region, maxAttempts: 3 }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

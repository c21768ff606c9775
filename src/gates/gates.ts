import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct, IConstruct } from 'constructs';
import { GateContext } from './context';
import type { Dast } from './dast';
import { DockerfileScan } from './dockerfile';
import { SecurityGate } from './gate';
import { StaticGatesOptions } from './gates-options';
import { IacScan } from './iac';
import { policyGateStep } from './policies';
import { GateNotifications } from './release';
import { Sast } from './sast';
import { Sbom } from './sbom';
import { DependencyScan } from './sca';
import { SecretScan } from './secrets';
import { FindingsCliAsset } from './step';
import { gateOptionProblems, shown } from './validation';
import { GatePosture } from '../findings/posture';
import { DEFAULT_FAIL_ON, GATE_NAMES, GateName, GATES_STAGE } from '../model/gates';
import { COMPLIANCE_PACK_NAMES } from '../model/packs';
import { throwIfProblems } from '../model/problems';
import { Severity } from '../model/severity';
import { PolicySet } from '../policies/policy';

/** What the gates need from the pipeline. */
export interface StaticGatesProps extends StaticGatesOptions {
  readonly codePipeline: pipelines.CodePipeline;
  readonly source: pipelines.IFileSetProducer;
  readonly sourceHasHistory: boolean;
  readonly synth: pipelines.IFileSetProducer;
  readonly key: kms.IKey;
  readonly artifactBucket: s3.IBucket;
  readonly accessLogsBucket?: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  readonly acknowledge: (scope: IConstruct, ruleId: string, reason: string) => void;
  /** Steps that run beside the gates, in the same stage (the weakening check). */
  readonly extraSteps?: (gates: StaticGates) => pipelines.Step[];
  /** Where the gates tell what a person must act on. @default - no notifications */
  readonly notifications?: GateNotifications;
  /** The policies the policy gate runs on the deployed Stages; no policy gate when absent or empty. */
  readonly policies?: PolicySet;
  /** Construct paths of the deployed stacks (read when the gate's build spec is rendered). */
  readonly deployedStacks?: () => string[];
}

/** Each built-in gate's prop, its class and an example factory, in the pipeline's order. */
const BUILT_IN: { readonly [g in GateName]: { readonly kind: Function; readonly example: string; readonly dflt: () => SecurityGate } } = {
  secrets: { kind: SecretScan, example: 'SecretScan.gitleaks()', dflt: () => SecretScan.gitleaks() },
  sast: { kind: Sast, example: 'Sast.detect()', dflt: () => Sast.detect() },
  dependencies: { kind: DependencyScan, example: 'DependencyScan.trivy()', dflt: () => DependencyScan.trivy() },
  sbom: { kind: Sbom, example: 'Sbom.trivy()', dflt: () => Sbom.trivy() },
  iac: { kind: IacScan, example: 'IacScan.cfnGuard()', dflt: () => IacScan.cfnGuard() },
  dockerfile: { kind: DockerfileScan, example: 'DockerfileScan.baseImagePolicy()', dflt: () => DockerfileScan.baseImagePolicy() },
};

/**
 * Places the gates in one wave right after synth (and, once built, before self-mutation): every
 * gate is a pre step of the wave, so they run in parallel, and the Stages added after them deploy
 * only if every gate passed.
 */
export class StaticGates extends Construct {
  /** The gate steps, in the order they appear in the stage. */
  public readonly steps: pipelines.Step[];
  /** The SBOM bucket, when the SBOM gate is on. */
  public readonly sbomBucket?: s3.IBucket;
  /** Each gate that is on, by its name, with what decides how strict it is. */
  public readonly postures: Record<string, GatePosture> = {};

  /** The gates' context (built-in gates bind with it; the image gates too). */
  public readonly context: GateContext;
  /** The wave of the gates' stage: image builds and image gates are added to it. */
  public readonly wave: pipelines.Wave;

  private readonly acknowledge: StaticGatesProps['acknowledge'];
  private readonly gateBuckets: s3.IBucket[] = [];
  private readonly sbom: Sbom;
  private readonly dastSteps: Array<{ dast: Dast; step: pipelines.CodeBuildStep }> = [];

  /** The pipeline's buckets the gates made (SBOMs, scanner cache, users' gates' buckets). */
  public get buckets(): s3.IBucket[] {
    const cache = this.context.createdCacheBucket;
    const reports = this.context.createdReleaseReports;
    return [...this.gateBuckets, ...(cache ? [cache] : []), ...(reports ? [reports] : [])];
  }

  /** The bucket of every execution's gate results and release summaries, once a gate is built. */
  public get releaseReports(): s3.IBucket | undefined {
    return this.context.createdReleaseReports;
  }

  /** Every gate built so far (the static gates, then gates added with Stages), by gate name. */
  public get builtGates(): string[] {
    return this.context.builtGates;
  }

  /** The action names of every gate build so far. */
  public get gateActions(): string[] {
    return this.context.gateActions;
  }

  constructor(scope: Construct, id: string, props: StaticGatesProps) {
    super(scope, id);
    validateGates(props);
    this.acknowledge = props.acknowledge;
    const failOn = props.failOn ?? DEFAULT_FAIL_ON;
    this.context = new GateContext({
      scope: this,
      source: props.source,
      sourceHasHistory: props.sourceHasHistory,
      cloudAssembly: props.synth,
      failOn,
      suppressionsFile: props.suppressionsFile,
      encryptionKey: props.key,
      artifactBucket: props.artifactBucket,
      accessLogsBucket: props.accessLogsBucket,
      removalPolicy: props.removalPolicy,
      acknowledge: props.acknowledge,
      notifications: props.notifications,
      onGate: (gate, posture) => {
        this.postures[gate] = posture;
      },
    });
    if (failOn === Severity.CRITICAL) {
      this.context.warnWeakened('gatesFailOnCritical', 'gates.failOn is CRITICAL: HIGH findings no longer block the pipeline');
    }

    const gate = (name: GateName): SecurityGate => props[name] ?? BUILT_IN[name].dflt();
    const secrets = gate('secrets') as SecretScan;
    const sast = gate('sast') as Sast;
    const dependencies = gate('dependencies') as DependencyScan;
    this.sbom = gate('sbom') as Sbom;
    const iac = gate('iac') as IacScan;
    const dockerfile = gate('dockerfile') as DockerfileScan;
    const off: Record<GateName, boolean> = {
      secrets: secrets._engine === undefined,
      sast: !sast._enabled,
      dependencies: dependencies._engine === undefined,
      sbom: this.sbom._engine === undefined,
      iac: iac._engine === undefined,
      dockerfile: !dockerfile._enabled,
    };
    for (const name of GATE_NAMES) {
      if (off[name]) this.context.warnWeakened(`gateOff:${name}`, `gates.${name} is off: the pipeline deploys without this gate`);
    }

    // trivy is fetched once when it serves both the SCA and the SBOM gate: the SBOM is judged in the SCA build.
    const together = dependencies._engine === 'trivy' && this.sbom._engine === 'trivy';
    const bindings = [
      secrets.bind(this.context),
      sast.bind(this.context),
      together ? dependencies._bindWith(this.context, this.sbom) : dependencies.bind(this.context),
      ...(together ? [] : [this.sbom.bind(this.context)]),
      iac.bind(this.context),
      dockerfile.bind(this.context),
      ...(props.additionalGates ?? []).map((g) => g.bind(this.context)),
    ];
    const policyGate = props.policies && props.policies._active().length > 0
      ? [policyGateStep(this.context, props.policies, props.deployedStacks ?? (() => []))]
      : [];
    this.steps = [...bindings.flatMap((b) => (b.step ? [b.step] : [])), ...policyGate];
    this.gateBuckets.push(...bindings.flatMap((b) => b.buckets ?? []));
    this.sbomBucket = this.sbom._bucket;

    // The wave is always there: the weakening check runs in it even when every gate is off.
    this.wave = props.codePipeline.addWave(GATES_STAGE, { pre: [...this.steps, ...(props.extraSteps?.(this) ?? [])] });
  }

  /** A DAST step after the Stage `stageName` deploys, built with the gates' shared step and context. */
  public dastStep(dast: Dast, stageName: string): pipelines.Step {
    const step = dast._bind(this.context, stageName);
    this.dastSteps.push({ dast, step });
    return step;
  }

  /** The findings CLI asset (one per pipeline), created on first use. */
  public findingsCli(): FindingsCliAsset {
    return FindingsCliAsset.of(this);
  }

  /**
   * Acknowledgments that need the built CodeBuild projects (the SBOM step's write under its
   * prefix), and the gates' buckets' replication rule.
   */
  public afterBuild(): void {
    this.sbom._afterBuild((policy, ruleId, reason) => this.acknowledge(policy, ruleId, reason));
    for (const { dast, step } of this.dastSteps) dast._afterBuild(step, (policy, ruleId, reason) => this.acknowledge(policy, ruleId, reason));
    const reasons = new Map<s3.IBucket, string>();
    if (this.sbomBucket) {
      reasons.set(this.sbomBucket, 'SBOMs are re-created from the commit by re-running the pipeline; the bucket is versioned, KMS-encrypted, access-logged and retained on stack deletion, in the pipeline\'s region.');
    }
    const cache = this.context.createdCacheBucket;
    const reports = this.context.createdReleaseReports;
    if (reports) reasons.set(reports, 'Gate results and release summaries of each execution, re-created by re-running the pipeline; the bucket is versioned, KMS-encrypted, access-logged and retained on stack deletion, in the pipeline\'s region.');
    if (cache) reasons.set(cache, 'Scanner databases and tool downloads cached between gate runs only to save downloads; a missing cache is fetched again (tool downloads from their pinned, checksum-verified addresses).');
    for (const [bucket, reason] of reasons) {
      for (const pack of COMPLIANCE_PACK_NAMES) this.acknowledge(bucket.node.defaultChild as CfnResource, `${pack}-S3BucketReplicationEnabled`, reason);
    }
  }
}

/** `gates` as given from any language: its shared options and that each gate is made by its factory. */
function validateGates(props: StaticGatesProps): void {
  const problems = gateOptionProblems(props, 'gates.');
  for (const name of GATE_NAMES) {
    const { kind, example } = BUILT_IN[name];
    const value: unknown = props[name];
    if (value !== undefined && !(value instanceof kind)) {
      problems.push(`gates.${name}: ${shown(value)} is not made by a ${kind.name} factory: use e.g. ${example}, or ${kind.name}.none() to turn the gate off`);
    }
  }
  const extra: unknown = props.additionalGates;
  if (extra !== undefined) {
    if (!Array.isArray(extra)) {
      problems.push(`gates.additionalGates: ${shown(extra)} is not a list: give a list of SecurityGate subclasses' instances`);
    } else {
      extra.forEach((g, i) => {
        if (!(g instanceof SecurityGate)) {problems.push(`gates.additionalGates[${i}]: ${shown(g)} is not a SecurityGate: extend SecurityGate and implement bind()`);} else if (Object.values(BUILT_IN).some((b) => g instanceof b.kind)) {
          problems.push(`gates.additionalGates[${i}]: ${g.constructor.name} is a built-in gate: set it with its own prop (e.g. gates.${GATE_NAMES.find((n) => g instanceof BUILT_IN[n].kind)})`);
        }
      });
    }
  }
  throwIfProblems('DevSecOpsPipeline', problems);
}

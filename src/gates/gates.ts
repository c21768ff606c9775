import { Annotations, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { EslintEngineAsset } from './eslint-engine';
import { IacScan } from './iac';
import { StaticGatesOptions } from './options';
import { Sast } from './sast';
import { Sbom } from './sbom';
import { DependencyScan } from './sca';
import { SecretScan } from './secrets';
import { FindingsCliAsset, GateContext, SBOM_PREFIX } from './step';
import { gateOptionProblems, shown } from './validation';
import { GatePosture, GATES_STAGE } from '../findings/posture';
import { Severity } from '../findings/severity';
import { secureBucket } from '../pipeline/hardening';
import { PipelineSource } from '../pipeline/source';
import { throwIfProblems } from '../pipeline/validation';

/** What the gates need from the pipeline. */
export interface StaticGatesProps extends StaticGatesOptions {
  readonly codePipeline: pipelines.CodePipeline;
  readonly source: PipelineSource;
  readonly synth: pipelines.IFileSetProducer;
  readonly key: kms.IKey;
  readonly artifactBucket: s3.IBucket;
  readonly accessLogsBucket?: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  readonly acknowledge: (scope: Construct, ruleId: string, reason: string) => void;
  /** Steps that run beside the gates, in the same stage (the weakening check). */
  readonly extraSteps?: (gates: StaticGates) => pipelines.Step[];
}


const COMPLIANCE_PACKS = ['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'];

/**
 * Places the static gates in one wave right after synth (and self-mutation): every gate is a
 * pre step of the wave, so they share one run order and run in parallel, and the Stages added
 * after them deploy only if every gate passed.
 */
export class StaticGates extends Construct {
  /** The gate steps, in the order they appear in the stage. */
  public readonly steps: pipelines.Step[];
  /** The SBOM bucket, when the SBOM gate is on. */
  public readonly sbomBucket?: s3.IBucket;
  /** Each gate that is on, by its name, with what decides how strict it is. */
  public readonly postures: Record<string, GatePosture> = {};

  private readonly sbom: Sbom;
  private readonly acknowledge: StaticGatesProps['acknowledge'];
  private cli?: FindingsCliAsset;
  private eslintEngine?: EslintEngineAsset;
  private cacheBucket?: s3.Bucket;

  /** The pipeline's buckets the gates made (SBOMs, scanner cache). */
  public get buckets(): s3.IBucket[] {
    return [this.sbomBucket, this.cacheBucket].filter((b): b is s3.IBucket => b !== undefined);
  }

  constructor(scope: Construct, id: string, props: StaticGatesProps) {
    super(scope, id);
    validateGates(props);
    this.acknowledge = props.acknowledge;
    const failOn = props.failOn ?? Severity.HIGH;
    const ctx: GateContext = {
      scope: this,
      source: props.source,
      synth: props.synth,
      failOn,
      suppressionsFile: props.suppressionsFile,
      key: props.key,
      artifactBucket: props.artifactBucket,
      accessLogsBucket: props.accessLogsBucket,
      removalPolicy: props.removalPolicy,
      acknowledge: props.acknowledge,
      findingsCli: () => this.findingsCli(),
      eslintEngine: () => this.eslintEngine ?? (this.eslintEngine = new EslintEngineAsset(this, 'EslintEngine')),
      gateCache: () => this.cacheBucket ?? (this.cacheBucket = secureBucket(this, 'CacheBucket', {
        encryptionKey: props.key,
        accessLogs: props.accessLogsBucket ? { bucket: props.accessLogsBucket, prefix: 'gate-cache/' } : undefined,
        removalPolicy: props.removalPolicy,
        // Scanner databases are re-fetched when missing; the cache only saves downloads.
        expiration: Duration.days(30),
        noncurrentVersionExpiration: Duration.days(7),
      })),
      warn: (warning, message) => Annotations.of(this).addWarningV2(`cdk-devsecops-pipeline:${warning}`, `${message} (secure default weakened)`),
      onGate: (gate, posture) => {
        this.postures[gate] = posture;
      },
    };
    if (failOn === Severity.CRITICAL) {
      ctx.warn('gatesFailOnCritical', 'gates.failOn is CRITICAL: HIGH findings no longer block the pipeline');
    }

    const secrets = props.secrets ?? SecretScan.gitleaks();
    const sast = props.sast ?? Sast.detect();
    const dependencies = props.dependencies ?? DependencyScan.trivy();
    this.sbom = props.sbom ?? Sbom.cycloneDx();
    const iac = props.iac ?? IacScan.cfnGuard();

    const off: Array<[string, boolean]> = [
      ['secrets', secrets.engine === undefined],
      ['sast', !sast.enabled],
      ['dependencies', dependencies.engine === undefined],
      ['sbom', !this.sbom.enabled],
      ['iac', iac.engine === undefined],
    ];
    for (const [name, isOff] of off) {
      if (isOff) ctx.warn(`gateOff:${name}`, `gates.${name} is off: the pipeline deploys without this gate`);
    }

    this.steps = [
      secrets._bind(ctx),
      sast._bind(ctx),
      dependencies._bind(ctx),
      this.sbom._bind(ctx),
      iac._bind(ctx),
    ].filter((s): s is pipelines.Step => s !== undefined);
    this.sbomBucket = this.sbom._bucket;
    const replicationReasons: Array<[s3.IBucket | undefined, string]> = [
      [this.sbomBucket, 'SBOMs are re-created from the commit by re-running the pipeline; the bucket is versioned, KMS-encrypted, access-logged and retained on stack deletion, in the pipeline\'s region.'],
      [this.cacheBucket, 'Scanner databases and tool downloads cached between gate runs only to save downloads; a missing cache is fetched again (tool downloads from their pinned, checksum-verified addresses).'],
    ];
    for (const [bucket, reason] of replicationReasons) {
      if (!bucket) continue;
      for (const pack of COMPLIANCE_PACKS) this.acknowledge(bucket.node.defaultChild as CfnResource, `${pack}-S3BucketReplicationEnabled`, reason);
    }

    // The wave is always there: the weakening check runs in it even when every gate is off.
    props.codePipeline.addWave(GATES_STAGE, { pre: [...this.steps, ...(props.extraSteps?.(this) ?? [])] });
  }

  /** The findings CLI asset (one per pipeline), created on first use. */
  public findingsCli(): FindingsCliAsset {
    return this.cli ?? (this.cli = new FindingsCliAsset(this, 'FindingsCli'));
  }

  /**
   * Acknowledgments that need the built CodeBuild projects: the SBOM step writes under the
   * `sbom/` prefix of its own bucket, with object keys known only at run time.
   */
  public afterBuild(): void {
    const bucket = this.sbomBucket;
    const step = this.steps.find((s) => s.id === 'Sbom') as pipelines.CodeBuildStep | undefined;
    if (!bucket || !step) return;
    const policy = step.project.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!(policy instanceof iam.CfnPolicy)) return;
    const stack = Stack.of(this);
    const bucketArn = `<${stack.resolve((bucket.node.defaultChild as CfnResource).logicalId)}.Arn>`;
    const sbomObjects = `${bucketArn}/${SBOM_PREFIX}/*`;
    const doc = stack.resolve(policy.policyDocument) as { Statement?: Array<{ Action?: string | string[]; Resource?: unknown }> };
    // Acknowledged only if every statement naming the prefix allows nothing but s3:PutObject.
    const naming = (doc.Statement ?? []).filter((s) => toArray(s.Resource).map((r) => flattenCfnReference(r)).includes(sbomObjects));
    if (naming.length > 0 && naming.every((s) => toArray(s.Action).every((a) => a === 's3:PutObject'))) {
      this.acknowledge(policy, `AwsSolutions-IAM5[Resource::${sbomObjects}]`,
        'The SBOM step only adds objects (s3:PutObject, no read or delete) under the sbom/ prefix of the pipeline\'s own SBOM bucket; keys are the commit id and pipeline execution id, known only at run time.');
    }
  }
}

/** `gates` as given from any language: its shared options and that each gate is made by its factory. */
function validateGates(props: StaticGatesProps): void {
  const problems = gateOptionProblems(props, 'gates.');
  const kinds: Array<[string, unknown, Function, string]> = [
    ['secrets', props.secrets, SecretScan, 'SecretScan.gitleaks()'],
    ['sast', props.sast, Sast, 'Sast.detect()'],
    ['dependencies', props.dependencies, DependencyScan, 'DependencyScan.trivy()'],
    ['sbom', props.sbom, Sbom, 'Sbom.cycloneDx()'],
    ['iac', props.iac, IacScan, 'IacScan.cfnGuard()'],
  ];
  for (const [name, value, kind, example] of kinds) {
    if (value !== undefined && !(value instanceof kind)) {
      problems.push(`gates.${name}: ${shown(value)} is not made by a ${kind.name} factory: use e.g. ${example}, or ${kind.name}.none() to turn the gate off`);
    }
  }
  throwIfProblems('DevSecOpsPipeline', problems);
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct, IConstruct } from 'constructs';
import { GateStepProps, IGateContext } from './gate';
import { GateNotifications, RELEASES_PREFIX } from './release';
import { secureBucket } from './secure-bucket';
import { buildGateStep, expectReport, GateSpec } from './step';
import { gateOptionProblems, shown } from './validation';
import type { GatePosture } from '../findings/posture';
import { REPORT_FORMATS } from '../model/formats';
import { throwIfProblems } from '../model/problems';
import { Severity } from '../model/severity';

/** What the pipeline gives its gates: IGateContext's values, and where acknowledgments and postures go. */
export interface GateContextProps extends Omit<IGateContext, 'gateStep' | 'acknowledge' | 'warnWeakened'> {
  readonly acknowledge: (construct: IConstruct, ruleId: string, reason: string) => void;
  /** Told each gate's strictness, for the pipeline's posture (the weakening check). */
  readonly onGate: (gate: string, posture: GatePosture) => void;
  /** Where the gates tell what a person must act on. @default - no notifications */
  readonly notifications?: GateNotifications;
}

const GATE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * The pipeline's side of the bind contract. Built-in gates also use its internal parts (the
 * gates' cache bucket, the full step spec); users see `IGateContext`.
 */
export class GateContext implements IGateContext {
  /** The built-in gates' context; a user-made IGateContext cannot bind them. */
  public static internal(context: IGateContext, gate: string): GateContext {
    if (context instanceof GateContext) return context;
    throw new Error(`${gate}: a built-in gate is bound by DevSecOpsPipeline itself; add it through the pipeline's gates props`);
  }

  public readonly scope: Construct;
  public readonly source: pipelines.IFileSetProducer;
  public readonly sourceHasHistory: boolean;
  public readonly cloudAssembly: pipelines.IFileSetProducer;
  public readonly failOn: Severity;
  public readonly suppressionsFile?: string;
  public readonly encryptionKey: kms.IKey;
  public readonly artifactBucket: s3.IBucket;
  public readonly accessLogsBucket?: s3.IBucket;
  public readonly removalPolicy: RemovalPolicy;
  private readonly props: GateContextProps;
  public readonly notifications?: GateNotifications;
  private readonly gateNames = new Set<string>();
  private readonly actions: string[] = [];
  private cacheBucket?: s3.Bucket;
  private reportsBucket?: s3.Bucket;

  constructor(props: GateContextProps) {
    this.props = props;
    this.scope = props.scope;
    this.source = props.source;
    this.sourceHasHistory = props.sourceHasHistory;
    this.cloudAssembly = props.cloudAssembly;
    this.failOn = props.failOn;
    this.suppressionsFile = props.suppressionsFile;
    this.encryptionKey = props.encryptionKey;
    this.artifactBucket = props.artifactBucket;
    this.accessLogsBucket = props.accessLogsBucket;
    this.removalPolicy = props.removalPolicy;
    this.notifications = props.notifications;
  }

  public gateStep(props: GateStepProps): pipelines.CodeBuildStep {
    validateStepProps(props);
    return this.buildStep({
      id: props.id,
      gate: props.gateName,
      input: props.input ?? this.source,
      additionalInputs: props.additionalInputs,
      install: props.installCommands ?? [],
      scan: [...props.reports.map((r) => expectReport(r.file, r.format)), ...props.commands],
      options: { failOn: props.failOn, suppressionsFile: props.suppressionsFile },
      rolePolicyStatements: props.rolePolicyStatements,
      env: props.env,
      // A user's commands may run the repository's code: no access to the gates' cache, which other gates restore.
      runsRepositoryCode: true,
    });
  }

  public acknowledge(construct: IConstruct, ruleId: string, reason: string): void {
    this.props.acknowledge(construct, ruleId, reason);
  }

  public warnWeakened(id: string, message: string): void {
    Annotations.of(this.scope).addWarningV2(`cdk-devsecops-pipeline:${id}`, `${message} (secure default weakened)`);
  }

  /** A gate's step from its full spec; each gate name once. */
  public buildStep(spec: GateSpec): pipelines.CodeBuildStep {
    if (this.gateNames.has(spec.gate)) {
      throw new Error(`gates: two gates are named '${spec.gate}': give each gate its own gateName`);
    }
    this.gateNames.add(spec.gate);
    for (const more of spec.more ?? []) this.gateNames.add(more.gate);
    this.actions.push(spec.id);
    return buildGateStep(this, spec);
  }

  /** Every gate built so far, by gate name, in the order they were built. */
  public get builtGates(): string[] {
    return [...this.gateNames];
  }

  /** The action names (step ids) of every gate build so far. */
  public get gateActions(): string[] {
    return [...this.actions];
  }

  /** Records a gate's strictness in the pipeline's posture. */
  public onGate(gate: string, posture: GatePosture): void {
    this.props.onGate(gate, posture);
  }

  /** The bucket of the gates' caches (created on first use), writable only by the gates given a cache in it. */
  public gateCache(): s3.IBucket {
    return this.cacheBucket ?? (this.cacheBucket = secureBucket(this.scope, 'CacheBucket', {
      encryptionKey: this.encryptionKey,
      accessLogs: this.accessLogsBucket ? { bucket: this.accessLogsBucket, prefix: 'gate-cache/' } : undefined,
      removalPolicy: this.removalPolicy,
      // Scanner databases are re-fetched when missing; the cache only saves downloads.
      expiration: Duration.days(30),
      noncurrentVersionExpiration: Duration.days(7),
    }));
  }

  /**
   * The bucket of every execution's gate results and release summaries (created on first use):
   * KMS-encrypted with the pipeline key, SSL-only, access-logged, kept a year.
   */
  public releaseReports(): s3.IBucket {
    return this.reportsBucket ?? (this.reportsBucket = secureBucket(this.scope, 'ReleaseReportsBucket', {
      encryptionKey: this.encryptionKey,
      accessLogs: this.accessLogsBucket ? { bucket: this.accessLogsBucket, prefix: `${RELEASES_PREFIX}/` } : undefined,
      removalPolicy: this.removalPolicy,
      expiration: Duration.days(365),
      noncurrentVersionExpiration: Duration.days(30),
    }));
  }

  /** The release reports bucket, if a gate was built. */
  public get createdReleaseReports(): s3.IBucket | undefined {
    return this.reportsBucket;
  }

  /** The cache bucket, if a gate asked for it. */
  public get createdCacheBucket(): s3.IBucket | undefined {
    return this.cacheBucket;
  }
}

/** A user gate's step props, as they can arrive from any language. */
function validateStepProps(props: GateStepProps): void {
  const problems: string[] = [];
  const p = props ?? ({} as GateStepProps);
  if (typeof p.id !== 'string' || !STEP_ID.test(p.id)) problems.push(`id: ${shown(p.id)} is not a step id: use letters, digits, '-' and '_', e.g. 'LicenseScan'`);
  if (typeof p.gateName !== 'string' || !GATE_NAME.test(p.gateName)) {
    problems.push(`gateName: ${shown(p.gateName)} is not a gate name: use lower-case letters, digits, '.', '_' and '-', e.g. 'licenses'`);
  }
  if (!Array.isArray(p.commands) || p.commands.length === 0) problems.push('commands: give the commands that run the scanners and write the reports');
  if (!Array.isArray(p.reports) || p.reports.length === 0) {
    problems.push('reports: give at least one report the commands write, e.g. [{ file: \'/tmp/my-gate/report.sarif\', format: \'sarif\' }]: a gate without a report never passes');
  } else {
    p.reports.forEach((r, i) => {
      if (typeof r?.file !== 'string' || !r.file.startsWith('/') || /[\n\r]/.test(r.file)) {
        problems.push(`reports[${i}].file: ${shown(r?.file)} is not an absolute path: write reports outside the scanned tree, e.g. '/tmp/my-gate/report.sarif'`);
      }
      if (!(REPORT_FORMATS as readonly string[]).includes(r?.format)) {
        problems.push(`reports[${i}].format: ${shown(r?.format)} is not a format the findings engine reads: use one of ${REPORT_FORMATS.join(', ')}`);
      }
    });
  }
  problems.push(...gateOptionProblems({ failOn: p.failOn, suppressionsFile: p.suppressionsFile }));
  throwIfProblems(`gateStep(${typeof p.id === 'string' ? p.id : ''})`, problems);
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct, IConstruct } from 'constructs';
import { Severity } from '../model/severity';

/**
 * A report a gate's commands write, for the findings engine to read.
 */
export interface GateReport {
  /** Absolute path of the report in the build (e.g. `/tmp/my-gate/report.sarif`), outside the scanned tree. */
  readonly file: string;

  /**
   * The report's format, as `devsecops-findings evaluate --report FILE:FORMAT` names it: `sarif`,
   * `trivy`, `grype`, `gitleaks`, `checkov`, `zap`, `cyclonedx`, ... (see the README's list).
   */
  readonly format: string;
}

/**
 * A gate's CodeBuild step, as `IGateContext.gateStep` builds it.
 */
export interface GateStepProps {
  /** The step's id: the action name in the pipeline (letters, digits, `-`, `_`), unique among the gates. */
  readonly id: string;

  /**
   * The gate's name in its findings, reports, summary and the pipeline's posture (lower-case
   * letters, digits, `.`, `_`, `-`). Unique among the pipeline's gates.
   */
  readonly gateName: string;

  /**
   * Install-phase commands, after the findings CLI is in place: pinned, checked installs of the scanners.
   *
   * @default - none
   */
  readonly installCommands?: string[];

  /**
   * Build-phase commands that run the scanners and write every report in `reports`. They run
   * with the primary input as the working directory, in bash; a failing command fails the gate.
   */
  readonly commands: string[];

  /**
   * The reports the commands write. The findings engine reads each; a missing, empty or
   * unreadable report fails the gate (it never passes).
   */
  readonly reports: GateReport[];

  /**
   * The lowest severity that fails the gate.
   *
   * @default - the pipeline's `gates.failOn`
   */
  readonly failOn?: Severity;

  /**
   * Suppressions file, relative to the repository root (each entry with a reason and an expiry).
   *
   * @default - the pipeline's `gates.suppressionsFile` ('.devsecops/suppressions.yaml', used if present)
   */
  readonly suppressionsFile?: string;

  /**
   * The primary input: the working directory of the commands.
   *
   * @default - the source (the repository at the commit under review)
   */
  readonly input?: pipelines.IFileSetProducer;

  /**
   * Further inputs, by the directory (relative, not present in the primary input) they appear in.
   *
   * @default - none
   */
  readonly additionalInputs?: Record<string, pipelines.IFileSetProducer>;

  /**
   * Permissions of the step's role beyond the findings CLI and its report group. No wildcards
   * where the service allows it.
   *
   * @default - none
   */
  readonly rolePolicyStatements?: iam.PolicyStatement[];

  /**
   * Environment variables of the step (plain values only: never secrets).
   *
   * @default - none
   */
  readonly env?: Record<string, string>;
}

/**
 * What a gate gets from the pipeline when it is bound.
 */
export interface IGateContext {
  /** The construct a gate creates its resources in (report groups, buckets). */
  readonly scope: Construct;

  /** The repository at the commit under review. */
  readonly source: pipelines.IFileSetProducer;

  /** True when the source is a full clone with the git history (the secrets gate then scans every commit). */
  readonly sourceHasHistory: boolean;

  /** The synth step: its primary output is the cloud assembly (`cdk.out`). */
  readonly cloudAssembly: pipelines.IFileSetProducer;

  /** The pipeline's threshold, for gates that set none. */
  readonly failOn: Severity;

  /**
   * The pipeline's suppressions file, for gates that set none.
   *
   * @default - '.devsecops/suppressions.yaml', used if present
   */
  readonly suppressionsFile?: string;

  /** The pipeline's KMS key (artifacts, logs, the gates' buckets). */
  readonly encryptionKey: kms.IKey;

  /** The pipeline's artifact bucket. */
  readonly artifactBucket: s3.IBucket;

  /**
   * Where the pipeline's buckets log access.
   *
   * @default - no access logs (`serverAccessLogs: false`)
   */
  readonly accessLogsBucket?: s3.IBucket;

  /** What happens to the gates' buckets when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;

  /**
   * A CodeBuild step that installs the findings CLI (checked against its sha256), runs the
   * gate's commands, and has `devsecops-findings evaluate` decide on the reports: exit 0 passes,
   * 1 blocks (a finding at or above `failOn` that no suppression covers), 2 fails closed (a
   * missing or broken report). JUnit goes to a CodeBuild report group; SARIF, the summary and
   * the native reports are the step's output.
   */
  gateStep(props: GateStepProps): pipelines.CodeBuildStep;

  /**
   * Records a narrow cdk-nag acknowledgment with its reason; it is listed with the pipeline's own.
   */
  acknowledge(construct: IConstruct, ruleId: string, reason: string): void;

  /**
   * Leaves a warning annotation for a weakened secure default (e.g. a gate that no longer
   * blocks on HIGH).
   */
  warnWeakened(id: string, message: string): void;
}

/**
 * What a gate gives back when it is bound.
 */
export interface GateBinding {
  /**
   * The gate's step: it runs in the SecurityGates stage, in parallel with the other gates and
   * before self-mutation and any deployment.
   *
   * @default - no step: the gate is off
   */
  readonly step?: pipelines.Step;

  /**
   * Buckets the gate created. The pipeline applies its bucket acknowledgments (replication) to them.
   *
   * @default - none
   */
  readonly buckets?: s3.IBucket[];
}

/**
 * A security gate of a `DevSecOpsPipeline`: every built-in gate is one, and so is any gate a user
 * writes and passes in `gates.additionalGates`.
 *
 * The bind contract: `bind` is called once, while the pipeline is constructed, with the
 * pipeline's `IGateContext`. It returns its step (usually made by `context.gateStep(...)`, so the
 * findings engine decides and the gate fails closed), the buckets it created, and records its
 * cdk-nag acknowledgments with `context.acknowledge`. A gate that returns no step is off.
 *
 * @example
 * class LicenseGate extends SecurityGate {
 *   public readonly gateName = 'licenses';
 *   public bind(context: IGateContext): GateBinding {
 *     return {
 *       step: context.gateStep({
 *         id: 'LicenseScan',
 *         gateName: this.gateName,
 *         installCommands: ['pip install --require-hashes -r /tmp/licenses/requirements.txt'],
 *         commands: ['license-scanner --sarif /tmp/licenses/report.sarif .'],
 *         reports: [{ file: '/tmp/licenses/report.sarif', format: 'sarif' }],
 *       }),
 *     };
 *   }
 * }
 */
export abstract class SecurityGate {
  /** The gate's name, as the findings engine, the summary and the pipeline's posture know it. */
  public abstract readonly gateName: string;

  /** Adds the gate to the pipeline; see the class documentation for the contract. */
  public abstract bind(context: IGateContext): GateBinding;
}

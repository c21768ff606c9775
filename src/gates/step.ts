import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { GateOptions } from './options';
import { EXECUTION_ID_ENV, EXECUTION_ID_VARIABLE, GateNotifications, releaseUploadLines, releaseUploadStatements } from './release';
import { assetReadStatement, sha256Of, unpackVerified } from './verified-asset';
import type { GatePosture } from '../findings/posture';
import { Severity } from '../model/severity';
import { shellArg, shellQuote } from '../scanners/steps';
import { TOOLS_CACHE_DIR } from '../tools/install';

/** Key prefix, in the gates' cache bucket, of the caches of gates with no cache of their own (trivy's gates use `trivy`). */
export const TOOLS_CACHE_PREFIX = 'tools';

/** Where a gate build keeps its work: outside the scanned tree, so scanners never see it. */
export const WORK_DIR = '/tmp/devsecops';
/** Native scanner reports. */
export const REPORTS_DIR = `${WORK_DIR}/reports`;
/** The unpacked findings CLI. */
export const CLI_DIR = `${WORK_DIR}/findings-cli`;
/** The gate's artifact directory (relative to the primary input): findings, native reports. */
export const OUTPUT_DIR = 'devsecops-gate-out';
/** Where evaluate writes JUnit, SARIF, summary, ASFF and the gate result. */
export const FINDINGS_DIR = `${OUTPUT_DIR}/findings`;
/** Key prefix of the SBOMs in the SBOM bucket: `sbom/<commit id>/<pipeline execution id>.cdx.json`. */
export const SBOM_PREFIX = 'sbom';
/** Where the synth step's cloud assembly is linked in the IaC gate's build. */
export const ASSEMBLY_DIR = 'devsecops-cloud-assembly';
/** Key prefix of the JUnit reports CodeBuild exports to the artifact bucket. */
export const REPORT_EXPORT_PREFIX = 'devsecops-reports';
/** The repository's lock files that list a package (one a line), for `evaluate --lock-files-from`. */
export const LOCK_FILES_LIST = `${WORK_DIR}/lock-files`;
/** Lists the `--report FILE:FORMAT` values a gate's scanners produced (one a line). */
export const REPORT_LIST = `${WORK_DIR}/report-list`;
/** Lists the `NAME=VALUE` versions a gate's build recorded (one a line), passed to evaluate as `--tool-version`. */
export const TOOL_VERSIONS = `${WORK_DIR}/tool-versions`;

/** What building a gate step needs from the pipeline's gate context. */
export interface StepContext {
  readonly scope: Construct;
  readonly artifactBucket: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  readonly failOn: Severity;
  readonly suppressionsFile?: string;
  /** Where the gates tell what a person must act on, when the pipeline has notifications. */
  readonly notifications?: GateNotifications;
  warnWeakened(id: string, message: string): void;
  onGate(gate: string, posture: GatePosture): void;
  /** The bucket of the gates' caches, created on first use. */
  gateCache(): s3.IBucket;
  /** The bucket every gate's results go to, per pipeline execution (`releases/<execution id>/<gate>/`), created on first use. */
  releaseReports(): s3.IBucket;
}

/** One gate judged in a step: its scanners' lines and how evaluate decides. */
export interface GateEvaluation {
  /** Gate name given to the findings CLI (e.g. `secrets`). */
  readonly gate: string;
  /**
   * Build phase lines that run the scanners. Each scanner writes its native report under
   * REPORTS_DIR and lists its `FILE:FORMAT` (`expectReport`, in this evaluation's list) before it
   * runs, so a scanner that crashes without a report fails evaluate (fail closed).
   */
  readonly scan: string[];
  /** Lines run after this gate's evaluate passed (e.g. keep the SBOM). */
  readonly after?: string[];
  readonly options: GateOptions;
  /** Extra evaluate arguments (e.g. `--secret-scan history`). */
  readonly evaluateArgs?: string[];
}

/** What one gate kind contributes to its CodeBuild step. */
export interface GateSpec extends GateEvaluation {
  /** Step id, shown as the action name (e.g. `SecretScan`). */
  readonly id: string;
  readonly input: pipelines.IFileSetProducer;
  /** Extra inputs, directory (relative, must not exist in the input) to file set. */
  readonly additionalInputs?: Record<string, pipelines.IFileSetProducer>;
  /** Install phase lines after the findings CLI is in place (pinned, verified tool installs). */
  readonly install: string[];
  /**
   * Further gates judged in the same build, after this one's scanners (e.g. the SBOM made with
   * the trivy the SCA gate installed): each has its own report list, findings directory and JUnit.
   */
  readonly more?: GateEvaluation[];
  /** The CodeBuild S3 cache, in the gates' cache bucket; by default one under the `tools` prefix. */
  readonly cache?: codebuild.Cache;
  /** Paths (on the build host) kept in the CodeBuild S3 cache, besides the tool downloads (TOOLS_CACHE_DIR). */
  readonly cachePaths?: string[];
  /**
   * The build runs the repository's code (e.g. `mvn compile`): it gets no cache, because CodeBuild
   * grants a cache's project the whole bucket, and that code could rewrite what other gates restore.
   */
  readonly runsRepositoryCode?: boolean;
  /**
   * No CodeBuild cache and no access to the gates' cache bucket: the build downloads nothing
   * (everything it runs is a checked asset), or nothing is worth keeping between builds.
   */
  readonly noCache?: boolean;
  readonly rolePolicyStatements?: iam.PolicyStatement[];
  /** Action environment variables (CodePipeline variables such as the execution id). */
  readonly env?: Record<string, string>;
  /** Environment variables from a deployed Stage's outputs (a `post` step of that Stage: DAST's target URL). */
  readonly envFromCfnOutputs?: Record<string, CfnOutput>;
  /** Project environment variables (Secrets Manager references: never plain secrets). */
  readonly projectEnv?: Record<string, codebuild.BuildEnvironmentVariable>;
  /** Runs Docker (DAST: the scanner's image by digest): the project is privileged. */
  readonly privileged?: boolean;
  /** The build's timeout. @default - the pipeline's build timeout */
  readonly timeout?: Duration;
  /** VPC placement of the project (DAST against an internal target). */
  readonly vpc?: ec2.IVpc;
  readonly subnetSelection?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** A gate's part judged in another gate's build, with what that build needs for it. */
export interface SharedEvaluation {
  readonly evaluation: GateEvaluation;
  readonly env: Record<string, string>;
  readonly statements: iam.PolicyStatement[];
}

/** The report list of the gate judged `index`-th in a build (the first keeps REPORT_LIST). */
export function reportList(index: number, gate: string): string {
  return index === 0 ? REPORT_LIST : `${REPORT_LIST}-${gate}`;
}

/** The findings directory of the gate judged `index`-th in a build (the first keeps FINDINGS_DIR). */
export function findingsDir(index: number, gate: string): string {
  return index === 0 ? FINDINGS_DIR : `${FINDINGS_DIR}-${gate}`;
}

/**
 * The bundled findings CLI (assets/findings-cli) as an S3 asset, with the sha256 of cli.js so the
 * build can check what it unpacked before running it.
 */
export class FindingsCliAsset extends Construct {
  /** Directory of the bundled CLI in this package. */
  public static readonly DIRECTORY = path.join(__dirname, '..', '..', 'assets', 'findings-cli');

  /** The pipeline's one findings CLI asset: the child `FindingsCli` of `scope`, created on first use. */
  public static of(scope: Construct): FindingsCliAsset {
    const found = scope.node.tryFindChild('FindingsCli');
    return found instanceof FindingsCliAsset ? found : new FindingsCliAsset(scope, 'FindingsCli');
  }

  public readonly asset: s3assets.Asset;
  public readonly cliSha256: string;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.cliSha256 = sha256Of(FindingsCliAsset.DIRECTORY, ['cli.js'], (_f, p) =>
      `the findings CLI bundle is missing (${p}): build it with 'npx projen pre-compile' (the package ships it prebuilt)`)['cli.js'];
    this.asset = new s3assets.Asset(this, 'Bundle', { path: FindingsCliAsset.DIRECTORY });
  }

  /** Read access to this one object, nothing else in the bootstrap bucket. */
  public readStatement(): iam.PolicyStatement {
    return assetReadStatement(this.asset);
  }

  /** Copies the CLI in, unpacks it and checks cli.js against the sha256 taken at synth. */
  public installCommands(): string[] {
    return [
      `mkdir -p ${REPORTS_DIR} ${CLI_DIR}`,
      ...unpackVerified(this.asset, `${WORK_DIR}/findings-cli.zip`, CLI_DIR, { 'cli.js': this.cliSha256 }),
    ];
  }
}

/** Appends `FILE:FORMAT` to a report list: evaluate reads every listed report and fails on a missing one. */
export function expectReport(file: string, format: string, list: string = REPORT_LIST): string {
  return `echo ${shellQuote(`${file}:${format}`)} >> ${list}`;
}

/**
 * Builds a gate's CodeBuild step: the findings CLI and the scanner are installed (pinned,
 * verified), the scanner writes its native report, and `devsecops-findings evaluate` decides.
 * A CodeBuild report group receives the JUnit (exported to S3, KMS-encrypted with the
 * pipeline key); SARIF, summary and native reports are the step's output artifact.
 */
export function buildGateStep(ctx: StepContext, spec: GateSpec): pipelines.CodeBuildStep {
  const cli = FindingsCliAsset.of(ctx.scope);
  const reportGroup = new codebuild.ReportGroup(ctx.scope, `${spec.id}Reports`, {
    type: codebuild.ReportGroupType.TEST,
    exportBucket: ctx.artifactBucket,
    zipExport: true,
    removalPolicy: ctx.removalPolicy,
  });
  // Exports go under their own prefix, the only place the report statement below lets the build write.
  (reportGroup.node.defaultChild as codebuild.CfnReportGroup).addPropertyOverride('ExportConfig.S3Destination.Path', REPORT_EXPORT_PREFIX);
  const evaluations: GateEvaluation[] = [spec, ...(spec.more ?? [])];
  const evaluateLines = evaluations.map((e, i) => {
    const failOn = e.options.failOn ?? ctx.failOn;
    if (e.options.failOn === Severity.CRITICAL && ctx.failOn !== Severity.CRITICAL) {
      ctx.warnWeakened(`failOnCritical:${e.gate}`, `the ${e.gate} gate's failOn is CRITICAL: its HIGH findings no longer block the pipeline`);
    }
    const suppressions = e.options.suppressionsFile ?? ctx.suppressionsFile;
    ctx.onGate(e.gate, { failOn, ...(suppressions !== undefined && { suppressions }) });
    const evaluate = [
      `node ${CLI_DIR}/cli.js evaluate --gate ${e.gate}`,
      // Validated at construction; quoted as well, so no value can end the command.
      `--fail-on ${shellArg(failOn)}`,
      ...(suppressions !== undefined ? [`--suppressions ${shellQuote(suppressions)}`] : []),
      ...(e.evaluateArgs ?? []),
      `--out ${findingsDir(i, e.gate)}`,
      '"${reports[@]}"',
    ].join(' ');
    // Every listed report goes to evaluate; an empty list fails it (no report, no pass).
    // Recorded versions (apt revision, database digest) go with them, into the gate result.
    return `mapfile -t listed < ${reportList(i, e.gate)} && reports=() && for r in "\${listed[@]}"; do reports+=(--report "$r"); done && mapfile -t recorded < ${TOOL_VERSIONS} && for v in "\${recorded[@]}"; do reports+=(--tool-version "$v"); done && ${evaluate}`;
  });
  // One gate: evaluate, then its after lines, each failing the build. Several: every gate is
  // judged (and its after lines run only when it passed); the build fails if any did not pass.
  const decide = evaluations.length === 1
    ? [evaluateLines[0], ...(spec.after ?? [])]
    : [
      `status=0; ${evaluations.map((e, i) => `if ${evaluateLines[i]}; then ${[...(e.after ?? []), 'true'].join(' && ')} || status=1; else status=1; fi`).join('; ')}; [ "$status" -eq 0 ]`,
    ];

  const statements = [
    cli.readStatement(),
    // The report group by ARN: no wildcard, no report groups created at run time.
    new iam.PolicyStatement({
      actions: ['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases'],
      resources: [reportGroup.reportGroupArn],
    }),
    // Report export: CodeBuild writes the raw reports to the pipeline's own bucket with the build role, under their prefix.
    new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [ctx.artifactBucket.arnForObjects(`${REPORT_EXPORT_PREFIX}/*`)],
    }),
    // Every gate's results of this execution, for the release summary at a protected Stage's approval.
    ...releaseUploadStatements(ctx.releaseReports(), evaluations.map((e) => e.gate), ctx.notifications),
    ...(spec.rolePolicyStatements ?? []),
  ];

  if (spec.runsRepositoryCode && (spec.cache || spec.cachePaths)) {
    throw new Error(`${spec.id}: a build that runs the repository's code must not have a cache in the gates' cache bucket`);
  }
  // One CodeBuild cache per project: the tool downloads go with the gate's own cached paths, under its prefix.
  const noCache = spec.runsRepositoryCode || spec.noCache;
  const cache = noCache ? undefined : spec.cache ?? codebuild.Cache.bucket(ctx.gateCache(), { prefix: TOOLS_CACHE_PREFIX });
  const cachePaths = noCache ? undefined : [...(spec.cachePaths ?? []), `${TOOLS_CACHE_DIR}/**/*`];

  return new pipelines.CodeBuildStep(spec.id, {
    input: spec.input,
    additionalInputs: spec.additionalInputs,
    installCommands: [...cli.installCommands(), ...spec.install],
    commands: [
      `mkdir -p ${REPORTS_DIR} ${OUTPUT_DIR}/reports ${evaluations.map((e, i) => findingsDir(i, e.gate)).join(' ')} && ${evaluations.map((e, i) => `: > ${reportList(i, e.gate)}`).join(' && ')} && : > ${TOOL_VERSIONS}`,
      ...evaluations.flatMap((e) => e.scan),
      // Native reports are kept as artifacts too, before evaluate decides.
      `cp -R ${REPORTS_DIR}/. ${OUTPUT_DIR}/reports/`,
      ...decide,
    ],
    primaryOutputDirectory: OUTPUT_DIR,
    env: { [EXECUTION_ID_ENV]: EXECUTION_ID_VARIABLE, ...spec.env },
    envFromCfnOutputs: spec.envFromCfnOutputs,
    buildEnvironment: { privileged: spec.privileged ?? false, ...(spec.projectEnv ? { environmentVariables: spec.projectEnv } : {}) },
    timeout: spec.timeout,
    vpc: spec.vpc,
    subnetSelection: spec.subnetSelection,
    securityGroups: spec.securityGroups,
    cache,
    rolePolicyStatements: statements,
    partialBuildSpec: codebuild.BuildSpec.fromObject({
      // bash: the commands use arrays and mapfile; one shell for all of them.
      env: { shell: 'bash' },
      phases: {
        install: { 'runtime-versions': { nodejs: 20 } },
        // post_build runs whether the gate passed or blocked: its results are filed either way.
        post_build: {
          commands: releaseUploadLines(
            ctx.releaseReports(),
            evaluations.map((e, i) => ({ gate: e.gate, dir: findingsDir(i, e.gate) })),
            { cli: `${CLI_DIR}/cli.js`, notice: `${WORK_DIR}/notice.txt` },
            ctx.notifications,
          ),
        },
      },
      reports: {
        [reportGroup.reportGroupArn]: evaluations.length === 1
          ? { 'files': ['junit.xml'], 'base-directory': FINDINGS_DIR, 'file-format': 'JUNITXML' }
          : { 'files': evaluations.map((e, i) => `${findingsDir(i, e.gate).slice(OUTPUT_DIR.length + 1)}/junit.xml`), 'base-directory': OUTPUT_DIR, 'file-format': 'JUNITXML' },
      },
      ...(cachePaths ? { cache: { paths: cachePaths } } : {}),
    }),
  });
}

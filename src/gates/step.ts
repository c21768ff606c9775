import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { shellArg, shellQuote } from './commands';
import { EslintEngineAsset } from './eslint-engine';
import { GateOptions } from './options';
import { assetReadStatement, sha256Of, unpackVerified } from './verified-asset';
import type { GatePosture } from '../findings/posture';
import { Severity } from '../findings/severity';
import { PipelineSource } from '../pipeline/source';
import { TOOLS_CACHE_DIR, UnverifiableInstallError } from '../tools/install';

// Kept importable from here: the gates quote with it.
export { shellQuote };

/** Key prefix, in the gates' cache bucket, of the caches of gates with no cache of their own (trivy's gates use `trivy`). */
export const TOOLS_CACHE_PREFIX = 'tools';

/** The default suppressions file: read by the findings CLI when present in the repository. */
export const DEFAULT_SUPPRESSIONS_FILE = '.devsecops/suppressions.yaml';

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

/**
 * What a gate needs from the pipeline it runs in.
 */
export interface GateContext {
  /** The construct the gate's resources (report group, buckets) are created in. */
  readonly scope: Construct;
  readonly source: PipelineSource;
  /** The synth step: its primary output is the cloud assembly. */
  readonly synth: pipelines.IFileSetProducer;
  readonly failOn: Severity;
  /** The suppressions file, or undefined for the default (used if present). */
  readonly suppressionsFile?: string;
  readonly key: kms.IKey;
  readonly artifactBucket: s3.IBucket;
  readonly accessLogsBucket?: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  /** Records a narrow cdk-nag acknowledgment with its reason. */
  readonly acknowledge: (scope: Construct, ruleId: string, reason: string) => void;
  /** The findings CLI, shipped once per pipeline as an S3 asset. */
  readonly findingsCli: () => FindingsCliAsset;
  /** The eslint-security engine's npm project (package.json and lock), shipped once per pipeline as an S3 asset. */
  readonly eslintEngine: () => EslintEngineAsset;
  /** Leaves a warning annotation for a weakened secure default. */
  readonly warn: (id: string, message: string) => void;
  /** The bucket of the gates' caches (created on first use), writable only by the gates given a cache in it. */
  readonly gateCache: () => s3.IBucket;
  /** Told each gate's strictness, for the pipeline's posture (the weakening check). */
  readonly onGate?: (gate: string, posture: GatePosture) => void;
}

/** What one gate kind contributes to its CodeBuild step. */
export interface GateSpec {
  /** Step id, shown as the action name (e.g. `SecretScan`). */
  readonly id: string;
  /** Gate name given to the findings CLI (e.g. `secrets`). */
  readonly gate: string;
  readonly input: pipelines.IFileSetProducer;
  /** Extra inputs, directory (relative, must not exist in the input) to file set. */
  readonly additionalInputs?: Record<string, pipelines.IFileSetProducer>;
  /** Install phase lines after the findings CLI is in place (pinned, verified tool installs). */
  readonly install: string[];
  /**
   * Build phase lines that run the scanners. Each scanner writes its native report under
   * REPORTS_DIR and appends its `FILE:FORMAT` to REPORT_LIST before it runs, so a scanner
   * that crashes without a report fails evaluate (fail closed).
   */
  readonly scan: string[];
  /** Lines run after evaluate passed (e.g. keep the SBOM). */
  readonly after?: string[];
  readonly options: GateOptions;
  /** Extra evaluate arguments (e.g. `--secret-scan history`). */
  readonly evaluateArgs?: string[];
  /** The CodeBuild S3 cache, in the gates' cache bucket; by default one under the `tools` prefix. */
  readonly cache?: codebuild.Cache;
  /** Paths (on the build host) kept in the CodeBuild S3 cache, besides the tool downloads (TOOLS_CACHE_DIR). */
  readonly cachePaths?: string[];
  /**
   * The build runs the repository's code (e.g. `mvn compile`): it gets no cache, because CodeBuild
   * grants a cache's project the whole bucket, and that code could rewrite what other gates restore.
   */
  readonly runsRepositoryCode?: boolean;
  readonly rolePolicyStatements?: iam.PolicyStatement[];
  /** Action environment variables (CodePipeline variables such as the execution id). */
  readonly env?: Record<string, string>;
}

/**
 * The bundled findings CLI (assets/findings-cli) as an S3 asset, with the sha256 of cli.js so the
 * build can check what it unpacked before running it.
 */
export class FindingsCliAsset extends Construct {
  /** Directory of the bundled CLI in this package. */
  public static readonly DIRECTORY = path.join(__dirname, '..', '..', 'assets', 'findings-cli');

  public readonly asset: s3assets.Asset;
  public readonly cliSha256: string;

  constructor(scope: Construct, id: string) {
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

/** The install lines of a tool, or one line that stops the build when it cannot be installed verifiably. */
export function verifiedInstall(name: string, lines: () => string[]): string[] {
  try {
    return lines();
  } catch (e) {
    if (!(e instanceof UnverifiableInstallError)) throw e;
    // Never install unverified: the gate fails at run time, saying why.
    return [`echo ${shellQuote(`${name}: ${e.message}. This gate fails closed until the tools table (src/tools/tools.ts) can verify it; choose another engine or turn the gate off explicitly.`)} >&2 && exit 1`];
  }
}

/** True when the tool's install lines can be generated (pinned and verified). */
export function installable(lines: () => string[]): boolean {
  try {
    lines();
    return true;
  } catch (e) {
    if (e instanceof UnverifiableInstallError) return false;
    throw e;
  }
}

/** Appends `FILE:FORMAT` to the report list: evaluate reads every listed report and fails on a missing one. */
export function expectReport(file: string, format: string): string {
  return `echo '${file}:${format}' >> ${REPORT_LIST}`;
}

/**
 * Builds a gate's CodeBuild step: the findings CLI and the scanner are installed (pinned,
 * verified), the scanner writes its native report, and `devsecops-findings evaluate` decides.
 * A CodeBuild report group receives the JUnit (exported to S3, KMS-encrypted with the
 * pipeline key); SARIF, summary and native reports are the step's output artifact.
 */
export function buildGateStep(ctx: GateContext, spec: GateSpec): pipelines.CodeBuildStep {
  const cli = ctx.findingsCli();
  const reportGroup = new codebuild.ReportGroup(ctx.scope, `${spec.id}Reports`, {
    type: codebuild.ReportGroupType.TEST,
    exportBucket: ctx.artifactBucket,
    zipExport: true,
    removalPolicy: ctx.removalPolicy,
  });
  // Exports go under their own prefix, the only place the report statement below lets the build write.
  (reportGroup.node.defaultChild as codebuild.CfnReportGroup).addPropertyOverride('ExportConfig.S3Destination.Path', REPORT_EXPORT_PREFIX);
  const failOn = spec.options.failOn ?? ctx.failOn;
  if (spec.options.failOn === Severity.CRITICAL && ctx.failOn !== Severity.CRITICAL) {
    ctx.warn(`failOnCritical:${spec.gate}`, `the ${spec.gate} gate's failOn is CRITICAL: its HIGH findings no longer block the pipeline`);
  }
  const suppressions = spec.options.suppressionsFile ?? ctx.suppressionsFile;
  ctx.onGate?.(spec.gate, { failOn, ...(suppressions !== undefined && { suppressions }) });

  const evaluate = [
    `node ${CLI_DIR}/cli.js evaluate --gate ${spec.gate}`,
    // Validated at construction; quoted as well, so no value can end the command.
    `--fail-on ${shellArg(failOn)}`,
    ...(suppressions !== undefined ? [`--suppressions ${shellQuote(suppressions)}`] : []),
    ...(spec.evaluateArgs ?? []),
    `--out ${FINDINGS_DIR}`,
    '"${reports[@]}"',
  ].join(' ');

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
    ...(spec.rolePolicyStatements ?? []),
  ];

  if (spec.runsRepositoryCode && (spec.cache || spec.cachePaths)) {
    throw new Error(`${spec.id}: a build that runs the repository's code must not have a cache in the gates' cache bucket`);
  }
  // One CodeBuild cache per project: the tool downloads go with the gate's own cached paths, under its prefix.
  const cache = spec.runsRepositoryCode ? undefined : spec.cache ?? codebuild.Cache.bucket(ctx.gateCache(), { prefix: TOOLS_CACHE_PREFIX });
  const cachePaths = spec.runsRepositoryCode ? undefined : [...(spec.cachePaths ?? []), `${TOOLS_CACHE_DIR}/**/*`];

  return new pipelines.CodeBuildStep(spec.id, {
    input: spec.input,
    additionalInputs: spec.additionalInputs,
    installCommands: [...cli.installCommands(), ...spec.install],
    commands: [
      `mkdir -p ${REPORTS_DIR} ${OUTPUT_DIR}/reports ${FINDINGS_DIR} && : > ${REPORT_LIST} && : > ${TOOL_VERSIONS}`,
      ...spec.scan,
      // Native reports are kept as artifacts too, before evaluate decides.
      `cp -R ${REPORTS_DIR}/. ${OUTPUT_DIR}/reports/`,
      // Every listed report goes to evaluate; an empty list fails it (no report, no pass).
      // Recorded versions (apt revision, database digest) go with them, into the gate result.
      `mapfile -t listed < ${REPORT_LIST} && reports=() && for r in "\${listed[@]}"; do reports+=(--report "$r"); done && mapfile -t recorded < ${TOOL_VERSIONS} && for v in "\${recorded[@]}"; do reports+=(--tool-version "$v"); done && ${evaluate}`,
      ...(spec.after ?? []),
    ],
    primaryOutputDirectory: OUTPUT_DIR,
    env: spec.env,
    buildEnvironment: { privileged: false },
    cache,
    rolePolicyStatements: statements,
    partialBuildSpec: codebuild.BuildSpec.fromObject({
      // bash: the commands use arrays and mapfile; one shell for all of them.
      env: { shell: 'bash' },
      phases: { install: { 'runtime-versions': { nodejs: 20 } } },
      reports: {
        [reportGroup.reportGroupArn]: {
          'files': ['junit.xml'],
          'base-directory': FINDINGS_DIR,
          'file-format': 'JUNITXML',
        },
      },
      ...(cachePaths ? { cache: { paths: cachePaths } } : {}),
    }),
  });
}

import { Annotations, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { GateContext } from './context';
import { scannerInstall, verifiedInstall } from './install';
import { GateOptions } from './options';
import { expectReport, REPORTS_DIR, WORK_DIR } from './step';
import { gateOptionProblems, shown } from './validation';
import { DAST_GATE } from '../model/gates';
import { throwIfProblems } from '../model/problems';
import { gateEngine } from '../scanners';
import { DAST_DEFAULT_MINUTES, DAST_TARGET_VARIABLE } from '../scanners/dast';
import { InvocationContext } from '../scanners/scanner';
import { shellLines } from '../scanners/steps';
import { wapitiTimeoutMinutes } from '../scanners/wapiti';
import { REPOSITORY_FILE, TARGET_PATH, zapRulesFile, zapTimeoutMinutes } from '../scanners/zap';

/** What ZAP does with an alert of a rule (its `-c` rule configuration). */
export enum ZapRuleAction {
  /** ZAP reports the alert as a failure. */
  FAIL = 'FAIL',
  /** ZAP reports the alert as a warning. */
  WARN = 'WARN',
  /** ZAP ignores the rule's alerts. */
  IGNORE = 'IGNORE',
}

/** The format of the API definition a ZAP API scan reads. */
export enum ZapApiFormat {
  /** OpenAPI (Swagger) 2 or 3. */
  OPENAPI = 'openapi',
  /** SOAP (WSDL). */
  SOAP = 'soap',
  /** GraphQL (schema or introspection). */
  GRAPHQL = 'graphql',
}

/**
 * A DAST scan of a deployed Stage.
 */
export interface DastProps extends GateOptions {
  /**
   * The Stage's output holding the URL to scan (`http://` or `https://`, checked in the build).
   * It must belong to a stack of the Stage the scan is added to.
   */
  readonly targetUrl: CfnOutput;

  /**
   * The scan's time bound (at most 8 hours). ZAP: the spider's or the active scan's minutes and
   * the wait for its passive scan, each; the build's timeout is twice this plus 20 minutes.
   * wapiti: the whole scan; the build's timeout is this plus 20 minutes.
   *
   * @default Duration.minutes(10)
   */
  readonly maxScanTime?: Duration;

  /**
   * ZAP's rule configuration (`-c`), by ZAP alert id (e.g. `'10038'`): FAIL, WARN or IGNORE.
   * It decides ZAP's own summary and exit code; the gate's verdict is the findings engine's,
   * on ZAP's JSON report (`failOn`, suppressions). ZAP engines only.
   *
   * @default - no rule configured: ZAP's defaults
   */
  readonly zapRules?: { [ruleId: string]: ZapRuleAction };

  /**
   * A Secrets Manager secret holding an authentication header's value (e.g. a token). It reaches
   * the scan through a Secrets Manager environment variable of the build; it is in no buildspec,
   * log line or report. ZAP engines only.
   *
   * @default - no authentication
   */
  readonly authSecret?: secretsmanager.ISecret;

  /**
   * The JSON key of the value in `authSecret`.
   *
   * @default - the whole secret string
   */
  readonly authSecretField?: string;

  /**
   * The authentication header's name.
   *
   * @default 'Authorization'
   */
  readonly authHeaderName?: string;

  /**
   * Send the secret as a bearer token (`Bearer <secret>`).
   *
   * @default false - the header's value is the secret as it is
   */
  readonly bearerToken?: boolean;

  /**
   * A VPC to run the scan in, for a target only reachable inside it. The subnets need a route
   * to the image registry (ZAP) or the distribution's mirror (wapiti), e.g. a NAT gateway.
   *
   * @default - no VPC: the scan runs on CodeBuild's network and reaches public targets
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` to use.
   *
   * @default - the VPC's private subnets
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Security groups of the scan's project in `vpc`.
   *
   * @default - one created by CodeBuild, all egress allowed
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The gate's name in its findings, summary and the pipeline's posture; one per pipeline.
   * Give each DAST scan its own when several Stages are scanned.
   *
   * @default 'dast'
   */
  readonly gateName?: string;
}

/**
 * A ZAP API scan: the DAST props and the API definition.
 */
export interface ZapApiScanProps extends DastProps {
  /**
   * The API definition: a file in the repository (`api/openapi.yaml`), an `https://` URL, or a
   * path on the target (`/openapi.json`, appended to the target URL).
   */
  readonly apiDefinition: string;

  /**
   * The definition's format.
   *
   * @default ZapApiFormat.OPENAPI
   */
  readonly apiFormat?: ZapApiFormat;
}

/**
 * A wapiti scan: the DAST props and wapiti's attack modules.
 */
export interface WapitiProps extends DastProps {
  /**
   * wapiti's attack modules (`-m`, e.g. `['xss', 'sql', 'exec']`).
   *
   * @default - wapiti's default set
   */
  readonly modules?: string[];
}

const GATE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const SECRET_FIELD = /^[A-Za-z0-9._-]{1,128}$/;
const MODULE = /^-?[a-z][a-z_]*$/;
/** The variable the build gets the secret in (Secrets Manager): used only by name in the buildspec. */
const AUTH_VARIABLE = 'DAST_AUTH_VALUE';
/** The longest scan bound accepted, in minutes. */
const MAX_SCAN_MINUTES = 480;

/**
 * Dynamic application security testing of a deployed Stage: added with
 * `pipeline.addStage(stage, { dast: Dast.zapBaseline({ targetUrl }) })`, it runs right after the
 * Stage deploys (a `post` step), before anything later in the pipeline. Its report goes through
 * the findings engine like every gate's: `failOn`, suppressions, SARIF, JUnit and the summary.
 *
 * @example
 * declare const stack: Stack;
 * declare const pipeline: DevSecOpsPipeline;
 * declare const staging: Stage;
 * declare const apiUrl: CfnOutput;
 * pipeline.addStage(staging, { dast: Dast.zapBaseline({ targetUrl: apiUrl }) });
 */
export class Dast {
  /** ZAP's baseline scan (passive: it spiders the target and reports what it sees, attacking nothing). */
  public static zapBaseline(props: DastProps): Dast {
    return new Dast('zap-baseline', props);
  }

  /**
   * ZAP's full scan: it actively attacks the target (injections, fuzzing). Run it only against a
   * Stage made for it; it leaves a warning on the pipeline.
   */
  public static zapFullScan(props: DastProps): Dast {
    return new Dast('zap-full', props);
  }

  /** ZAP's API scan (`zap-api-scan.py`) from an OpenAPI, SOAP or GraphQL definition; it attacks the API's operations. */
  public static zapApiScan(props: ZapApiScanProps): Dast {
    return new Dast('zap-api', props);
  }

  /** wapiti: crawls the target and attacks the parameters it finds (the engine the tests run for real). */
  public static wapiti(props: WapitiProps): Dast {
    return new Dast('wapiti', props);
  }

  /** @internal */
  public readonly _engine: string;
  /** The gate's name. */
  public readonly gateName: string;
  private readonly props: ZapApiScanProps & WapitiProps;

  private constructor(engine: string, props: DastProps) {
    this._engine = engine;
    this.props = props as ZapApiScanProps & WapitiProps;
    validate(engine, this.props);
    this.gateName = this.props.gateName ?? DAST_GATE;
  }

  /**
   * @internal Acknowledgments that need the built project: CodeBuild's own grants for the Secrets
   * Manager variable (the secret's ARN and a trailing `*`) and for the VPC's network interfaces.
   */
  public _afterBuild(step: pipelines.CodeBuildStep, acknowledge: (construct: iam.CfnPolicy, ruleId: string, reason: string) => void): void {
    const policy = step.project.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!(policy instanceof iam.CfnPolicy)) return;
    const doc = Stack.of(policy).resolve(policy.policyDocument) as PolicyDoc;
    const statements = doc.Statement ?? [];
    const only = (resource: string, actions: string[]): boolean => {
      const naming = statements.filter((st) => toArray(st.Resource).map((r) => flattenCfnReference(r)).includes(resource));
      return naming.length > 0 && naming.every((st) => toArray(st.Action).every((a) => actions.includes(String(a))));
    };
    if (this.props.authSecret) {
      // CodeBuild's grant for the Secrets Manager variable: the secret's ARN (or name) with a wildcard for its suffix.
      const reads = statements.filter((st) => toArray(st.Action).every((a) => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].includes(String(a))));
      for (const resource of new Set(reads.flatMap((st) => toArray(st.Resource).map((r) => flattenCfnReference(r))).filter((r) => r.includes('*')))) {
        acknowledge(policy, `AwsSolutions-IAM5[Resource::${resource}]`,
          'CodeBuild grants its Secrets Manager environment variable on the secret\'s ARN with a trailing wildcard (the version suffix); it reads this one secret, the DAST authentication header.');
      }
    }
    if (this.props.vpc) {
      const nis = 'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*';
      if (only(nis, ['ec2:CreateNetworkInterfacePermission'])) {
        acknowledge(policy, `AwsSolutions-IAM5[Resource::${nis}]`,
          'CodeBuild in a VPC creates the build\'s network interfaces at run time, so their ids are unknown; the permission is conditioned on the given subnets and on the CodeBuild service.');
      }
      // CodeBuild's own VPC policy on the project: ENIs created per build, and ec2 Describe* (no resource-level permissions).
      const vpcPolicy = step.project.node.tryFindChild('PolicyDocument')?.node.defaultChild;
      if (vpcPolicy instanceof iam.CfnPolicy) {
        const vpcDoc = Stack.of(vpcPolicy).resolve(vpcPolicy.policyDocument) as PolicyDoc;
        const known = new Set(['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups', 'ec2:DescribeDhcpOptions', 'ec2:DescribeVpcs']);
        const wild = (vpcDoc.Statement ?? []).filter((st) => toArray(st.Resource).includes('*'));
        if (wild.length > 0 && wild.every((st) => toArray(st.Action).every((a) => known.has(String(a))))) {
          acknowledge(vpcPolicy, 'AwsSolutions-IAM5[Resource::*]',
            'CodeBuild\'s VPC policy for the DAST project: the ec2 Describe actions have no resource-level permissions, and the build\'s network interfaces are created and deleted per build, with ids unknown before it.');
        }
      }
    }
  }

  /** @internal The DAST step of the Stage `stageName`, built with the gates' shared step. */
  public _bind(ctx: GateContext, stageName: string): pipelines.CodeBuildStep {
    const p = this.props;
    const engine = gateEngine('dast', this._engine);
    const minutes = p.maxScanTime ? p.maxScanTime.toMinutes() : undefined;
    const zapEngine = engine.scanner.name === 'zap';
    const invocation: InvocationContext = {
      reportDir: REPORTS_DIR,
      workDir: WORK_DIR,
      targetUrlVariable: DAST_TARGET_VARIABLE,
      maxScanMinutes: minutes,
      zapRules: p.zapRules,
      apiDefinition: p.apiDefinition,
      apiFormat: p.apiFormat,
      wapitiModules: p.modules,
      ...(p.authSecret ? { authValueVariable: AUTH_VARIABLE, authValuePrefix: p.bearerToken ? 'Bearer ' : '' } : {}),
    };
    const { steps, report } = engine.invoke(invocation);
    const how = scannerInstall(ctx, engine.scanner);
    if (this._engine === 'zap-full' || this._engine === 'zap-api') {
      Annotations.of(ctx.scope).addWarningV2(`cdk-devsecops-pipeline:dastActiveScan:${stageName}`,
        `the DAST scan of ${stageName} (${this._engine}) actively attacks the target: run it only against a Stage made for it, never production`);
    }
    const projectEnv: Record<string, codebuild.BuildEnvironmentVariable> = {};
    const statements: iam.PolicyStatement[] = [...how.statements()];
    if (p.authSecret) {
      // The full ARN, or the name (a secret imported by name has only a partial ARN): CodeBuild
      // reads it at the start of the build and grants the project GetSecretValue on that one secret.
      const secretId = p.authSecret.secretFullArn ?? p.authSecret.secretName;
      projectEnv[AUTH_VARIABLE] = {
        type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
        value: p.authSecretField ? `${secretId}:${p.authSecretField}` : secretId,
      };
      if (p.authSecret.encryptionKey) {
        statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [p.authSecret.encryptionKey.keyArn] }));
      }
    }
    const step = ctx.buildStep({
      id: `Dast${this.gateName === DAST_GATE ? '' : `-${this.gateName.replace(/[^A-Za-z0-9-]/g, '-')}`}`,
      gate: this.gateName,
      // The source: the suppressions file and a repository API definition.
      input: ctx.source,
      install: verifiedInstall(engine.scanner.name, how.lines),
      scan: [
        // The header's name is no secret; its value stays in the Secrets Manager variable.
        ...(p.authSecret ? [`export ZAP_AUTH_HEADER=${p.authHeaderName ?? 'Authorization'}`] : []),
        expectReport(report.file, report.format),
        ...shellLines(steps),
      ],
      options: { failOn: p.failOn, suppressionsFile: p.suppressionsFile },
      rolePolicyStatements: statements,
      envFromCfnOutputs: { [DAST_TARGET_VARIABLE]: p.targetUrl },
      projectEnv: Object.keys(projectEnv).length > 0 ? projectEnv : undefined,
      // ZAP runs in its official image (docker run, by digest): Docker needs a privileged build.
      privileged: zapEngine,
      noCache: true,
      timeout: Duration.minutes((zapEngine ? zapTimeoutMinutes : wapitiTimeoutMinutes)(minutes ?? DAST_DEFAULT_MINUTES)),
      vpc: p.vpc,
      subnetSelection: p.subnetSelection,
      securityGroups: p.securityGroups,
    });
    return step;
  }
}

/** A resolved IAM policy document, as far as the acknowledgments read it. */
interface PolicyDoc { readonly Statement?: Array<{ Action?: string | string[]; Resource?: unknown }> }

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The props as they can arrive from any language: every value that reaches the buildspec is checked. */
function validate(engine: string, p: ZapApiScanProps & WapitiProps): void {
  const problems: string[] = [];
  const name = `Dast.${{ 'zap-baseline': 'zapBaseline', 'zap-full': 'zapFullScan', 'zap-api': 'zapApiScan', 'wapiti': 'wapiti' }[engine]}`;
  if (!p || !(p.targetUrl instanceof CfnOutput)) {
    problems.push(`targetUrl: ${shown(p?.targetUrl)} is not a CfnOutput: give the Stage's output holding the URL, e.g. new CfnOutput(stack, 'Url', { value: api.url })`);
  }
  problems.push(...gateOptionProblems(p));
  if (p?.maxScanTime && !p.maxScanTime.isUnresolved()) {
    const m = p.maxScanTime.toMinutes({ integral: false });
    if (!Number.isInteger(m) || m < 1 || m > MAX_SCAN_MINUTES) {
      problems.push(`maxScanTime: ${p.maxScanTime.toHumanString()} is not a whole number of minutes between 1 and ${MAX_SCAN_MINUTES}: e.g. Duration.minutes(10)`);
    }
  }
  const zapEngine = engine.startsWith('zap');
  if (p?.zapRules !== undefined) {
    if (!zapEngine) problems.push('zapRules: only ZAP engines read a ZAP rule configuration: remove it, or use Dast.zapBaseline()');
    try {
      zapRulesFile(p.zapRules);
    } catch (e) {
      problems.push(`zapRules: ${(e as Error).message.replace(/^zap: /, '')}: e.g. { '10038': ZapRuleAction.WARN }`);
    }
  }
  if (p?.authSecret !== undefined && !zapEngine) {
    problems.push('authSecret: only the ZAP engines send an authentication header (wapiti would copy it into its report): use Dast.zapBaseline() or scan without authentication');
  }
  if (p?.authSecretField !== undefined && (typeof p.authSecretField !== 'string' || !SECRET_FIELD.test(p.authSecretField))) {
    problems.push(`authSecretField: ${shown(p.authSecretField)} is not a JSON key of letters, digits, '.', '_' or '-'`);
  }
  if (p?.authHeaderName !== undefined && (typeof p.authHeaderName !== 'string' || !HEADER_NAME.test(p.authHeaderName))) {
    problems.push(`authHeaderName: ${shown(p.authHeaderName)} is not an HTTP header name: e.g. 'Authorization' or 'X-Api-Key'`);
  }
  if ((p?.authSecretField !== undefined || p?.authHeaderName !== undefined || p?.bearerToken) && p?.authSecret === undefined) {
    problems.push('authSecret: authHeaderName, authSecretField and bearerToken need the secret: give authSecret');
  }
  if (p?.gateName !== undefined && (typeof p.gateName !== 'string' || !GATE_NAME.test(p.gateName))) {
    problems.push(`gateName: ${shown(p.gateName)} is not a gate name: use lower-case letters, digits, '.', '_' and '-', e.g. 'dast-api'`);
  }
  if (engine === 'zap-api') {
    const def: unknown = p?.apiDefinition;
    if (typeof def !== 'string' || !(/^https?:\/\/[^\s"'`\\]+$/.test(def) || TARGET_PATH.test(def) || REPOSITORY_FILE.test(def))) {
      problems.push(`apiDefinition: ${shown(def)} is not a repository file ('api/openapi.yaml'), an http(s) URL or a path on the target ('/openapi.json')`);
    }
    if (p.apiFormat !== undefined && !Object.values(ZapApiFormat).includes(p.apiFormat)) {
      problems.push(`apiFormat: ${shown(p.apiFormat)} is not one of ${Object.values(ZapApiFormat).join(', ')}: use e.g. ZapApiFormat.OPENAPI`);
    }
  }
  if (p?.modules !== undefined) {
    if (engine !== 'wapiti') {
      problems.push('modules: only wapiti has attack modules: remove it');
    } else if (!Array.isArray(p.modules) || p.modules.length === 0 || p.modules.some((m) => typeof m !== 'string' || !MODULE.test(m))) {
      problems.push(`modules: ${JSON.stringify(p.modules)} is not a list of wapiti module names: e.g. ['xss', 'sql', 'exec']`);
    }
  }
  if ((p?.subnetSelection !== undefined || p?.securityGroups !== undefined) && p?.vpc === undefined) {
    problems.push('vpc: subnetSelection and securityGroups place the scan in a VPC: give vpc');
  }
  throwIfProblems(name, problems);
}

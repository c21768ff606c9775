import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
// The same flattening cdk-nag applies to build IAM5 finding ids, so our ids match its ids exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';
import type { AcknowledgmentRecord } from './acknowledgment-record';
import { PipelineStorage } from './hardening';
import { PROACTIVE_ACTIONS } from '../gates/config-proactive';
import { RELEASES_PREFIX } from '../gates/release';
import { REPORT_EXPORT_PREFIX } from '../gates/step';
import { COMPLIANCE_PACK_NAMES, NAG_PACK_NAMES } from '../model/packs';

/** Makes acknowledgments and keeps a record of each. */
export class Acknowledger {
  public readonly records: AcknowledgmentRecord[] = [];

  public acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
    if (this.records.some((r) => r.constructPath === scope.node.path && r.ruleId === ruleId)) return;
    Validations.of(scope).acknowledge({ id: ruleId, reason });
    this.records.push({ constructPath: scope.node.path, ruleId, reason });
  }
}


/** Why each kind of wildcard that CDK Pipelines generates is safe, and when it applies. */
interface WildcardRule {
  /** Matches the flattened resource (for Resource findings) or the action (for Action findings). */
  readonly matches: (value: string, ctx: OwnedResources) => boolean;
  /** Every action of the statement must satisfy this for the acknowledgment to apply. */
  readonly actionsAllowed: (action: string) => boolean;
  /** Extra statement condition, e.g. a required IAM condition. */
  readonly statementOk?: (statement: PolicyStatementJson) => boolean;
  readonly reason: string;
}

interface PolicyStatementJson {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

interface OwnedResources {
  /** `<LogicalId.Arn>` of the artifact bucket. */
  readonly bucketArn: string;
  /** `<LogicalId.Arn>` of the pipeline's own buckets that CDK grants whole (the artifact bucket, the gates' cache bucket). */
  readonly bucketArns: readonly string[];
  /** `<LogicalId.Arn>` of the pipeline key. */
  readonly keyArn: string;
  /** Logical ids of the pipeline's CodeBuild projects. */
  readonly projectIds: Set<string>;
  /** Logical ids of the pipeline's Lambda functions (CDK Pipelines' approval function). */
  readonly functionIds: Set<string>;
}

const S3_OBJECT_ACTIONS = /^s3:(GetObject\*|GetBucket\*|List\*|DeleteObject\*|Abort\*|PutObject[A-Za-z]*|GetObject[A-Za-z]*)$/;
const KMS_DATA_ACTIONS = /^kms:(Decrypt|DescribeKey|Encrypt|ReEncrypt\*|GenerateDataKey\*)$/;

/** Wildcard actions: acknowledged only when every resource of the statement is the pipeline's own bucket or key. */
const ACTION_RULES: WildcardRule[] = [
  {
    matches: (action) => /^s3:(GetObject\*|GetBucket\*|List\*|DeleteObject\*|Abort\*)$/.test(action),
    actionsAllowed: (a) => S3_OBJECT_ACTIONS.test(a),
    reason: 'CDK grant on one of the pipeline\'s own buckets (pipeline artifacts, or the gates\' scanner cache): read, write and clean up; the statement\'s resources are only that bucket and its objects.',
  },
  {
    matches: (action) => /^kms:(ReEncrypt\*|GenerateDataKey\*)$/.test(action),
    actionsAllowed: (a) => KMS_DATA_ACTIONS.test(a),
    reason: 'CDK grant to use the pipeline\'s own KMS key for artifact encryption; the statement\'s only resource is that key.',
  },
];

/** Wildcard resources, each with the only actions it may come with. */
const RESOURCE_RULES: WildcardRule[] = [
  {
    matches: (r, ctx) => r === `${ctx.bucketArn}/*`,
    actionsAllowed: (a) => S3_OBJECT_ACTIONS.test(a),
    reason: 'Objects of the pipeline\'s own artifact bucket; artifact object keys are generated per execution, so they cannot be listed.',
  },
  {
    matches: (r, ctx) => ctx.bucketArns.some((b) => b !== ctx.bucketArn && r === `${b}/*`),
    actionsAllowed: (a) => S3_OBJECT_ACTIONS.test(a),
    reason: 'Objects of the gates\' own cache bucket, granted by CodeBuild\'s S3 cache to exactly the gates that use it (no build that runs repository code); cache keys are chosen by CodeBuild.',
  },
  {
    matches: (r, ctx) => ctx.bucketArns.some((b) => b !== ctx.bucketArn && r.startsWith(`${b}/${RELEASES_PREFIX}/*/`)),
    actionsAllowed: (a) => a === 's3:PutObject' || a === 's3:GetObject',
    reason: 'Gate results and release summaries under the releases/ prefix of the pipeline\'s own release reports bucket, keyed by the pipeline execution id, known only at run time; each gate writes only its own gate directory, the release summary reads gate results and writes summary.md.',
  },
  {
    matches: (r, ctx) => r === `${ctx.bucketArn}/${REPORT_EXPORT_PREFIX}/*`,
    actionsAllowed: (a) => a === 's3:PutObject',
    reason: 'CodeBuild exports each test report under its own generated key, below the report export prefix of the pipeline\'s own bucket; write only.',
  },
  {
    matches: (r, ctx) => matchesProjectRef(r, /^arn:<AWS::Partition>:logs:[^:]+:[^:]+:log-group:\/aws\/codebuild\/<([A-Za-z0-9]+)>:\*$/, ctx),
    actionsAllowed: (a) => /^logs:(CreateLogGroup|CreateLogStream|PutLogEvents)$/.test(a),
    reason: 'Log streams of this CodeBuild project\'s own default log group (CDK default grant); stream names are generated per build.',
  },
  {
    matches: (r, ctx) => matchesProjectRef(r, /^arn:<AWS::Partition>:codebuild:[^:]+:[^:]+:report-group\/<([A-Za-z0-9]+)>-\*$/, ctx),
    actionsAllowed: (a) => /^codebuild:(CreateReportGroup|CreateReport|UpdateReport|BatchPutTestCases|BatchPutCodeCoverages)$/.test(a),
    reason: 'Report groups named after this CodeBuild project (CDK default grant for test reports); report group names carry the project name as prefix.',
  },
  {
    matches: (r) => r === '*' || /^arn:\*:iam::(\d{12}|<AWS::AccountId>):role\/\*$/.test(r),
    actionsAllowed: (a) => a === 'sts:AssumeRole',
    statementOk: (s) => {
      const tags = s.Condition?.['ForAnyValue:StringEquals']?.['iam:ResourceTag/aws-cdk:bootstrap-role'];
      return Array.isArray(tags) && tags.length > 0;
    },
    reason: 'CDK Pipelines assumes only the CDK bootstrap roles (deploy, file and image publishing): the statement is conditioned on the iam:ResourceTag/aws-cdk:bootstrap-role tag.',
  },
  {
    matches: (r) => r === '*',
    actionsAllowed: (a) => (PROACTIVE_ACTIONS as readonly string[]).includes(a),
    reason: 'AWS Config\'s proactive evaluation (StartResourceEvaluation, GetResourceEvaluationSummary, GetComplianceDetailsByResource) supports no resource-level permission; the statement grants only these three actions.',
  },
  {
    matches: (r) => r === '*',
    actionsAllowed: (a) => a === 'cloudformation:DescribeStacks' || a === 's3:ListBucket',
    reason: 'Read-only calls of the CDK CLI during self-mutation (DescribeStacks of the bootstrap and pipeline stacks, ListBucket of the bootstrap staging bucket); neither action grants access to data.',
  },
  {
    matches: (r) => r === '*',
    actionsAllowed: (a) => a === 'codepipeline:GetPipelineState' || a === 'codepipeline:PutApprovalResult',
    statementOk: (s) => s.Condition?.StringEquals?.['aws:ResourceTag/SECURITY_CHECK'] === 'ALLOW_APPROVE',
    reason: 'CDK Pipelines\' permissions-broadening check approves only pipelines tagged SECURITY_CHECK=ALLOW_APPROVE (aws:ResourceTag condition on the statement).',
  },
  {
    matches: (r, ctx) => { const m = /^<([A-Za-z0-9]+)\.Arn>:\*$/.exec(r); return !!m && ctx.functionIds.has(m[1]); },
    actionsAllowed: (a) => a === 'lambda:InvokeFunction',
    reason: 'Versions and aliases of the pipeline\'s own approval function (CDK Pipelines\' permissions-broadening check); nothing else can be invoked.',
  },
];

/**
 * Acknowledges, narrowly and with a reason, the cdk-nag findings that CDK Pipelines' own design
 * makes unavoidable on the pipeline's resources. Each IAM5 acknowledgment is at finding level
 * (`AwsSolutions-IAM5[Action::s3:GetObject*]`) on the one policy that needs it, and only when the
 * whole statement targets the pipeline's own resources; anything else stays an error.
 */
export function acknowledgePipelineFindings(
  pipeline: IConstruct, storage: PipelineStorage, ack: Acknowledger, ownBuckets: readonly s3.IBucket[] = [],
): void {
  const stack = Stack.of(pipeline);
  const logicalIdOf = (c: CfnResource) => stack.resolve(c.logicalId) as string;
  const projects = pipeline.node.findAll().filter((c): c is codebuild.Project => c instanceof codebuild.Project);
  const owned: OwnedResources = {
    bucketArn: `<${logicalIdOf(storage.artifactBucket.node.defaultChild as CfnResource)}.Arn>`,
    bucketArns: [storage.artifactBucket, ...ownBuckets].map((b) => `<${logicalIdOf(b.node.defaultChild as CfnResource)}.Arn>`),
    keyArn: `<${logicalIdOf(storage.key.node.defaultChild as CfnResource)}.Arn>`,
    projectIds: new Set(projects.map((p) => logicalIdOf(p.node.defaultChild as CfnResource))),
    functionIds: new Set(pipeline.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction).map(logicalIdOf)),
  };

  for (const c of pipeline.node.findAll()) {
    if (c instanceof iam.CfnPolicy) {
      acknowledgeWildcards(c, owned, ack);
      for (const pack of COMPLIANCE_PACK_NAMES) {
        ack.acknowledge(c, `${pack}-IAMNoInlinePolicy`,
          'AWS::IAM::Policy generated by CDK grants, attached to exactly one role of this pipeline and deleted with it; it is not shared and not attached to users or groups.');
      }
    }
  }

  for (const project of projects) {
    const cfn = project.node.defaultChild as codebuild.CfnProject;
    const source = stack.resolve(cfn.source) as { type?: string };
    if (source?.type === 'CODEPIPELINE' || source?.type === 'NO_SOURCE') {
      for (const pack of [NAG_PACK_NAMES.pciDss321, NAG_PACK_NAMES.hipaaSecurity]) {
        ack.acknowledge(cfn, `${pack}-CodeBuildProjectSourceRepoUrl`,
          `Source type ${source.type}: the project never reads a repository URL (it gets pipeline artifacts, or no source); repository access goes through CodeConnections, with no credentials in the project.`);
      }
    }
  }

  acknowledgeApprovalFunctions(pipeline, ack);

  const buckets = [storage.artifactBucket, storage.accessLogsBucket].filter((b) => b !== undefined);
  for (const bucket of buckets) {
    for (const pack of COMPLIANCE_PACK_NAMES) {
      ack.acknowledge(bucket.node.defaultChild as CfnResource, `${pack}-S3BucketReplicationEnabled`,
        'Pipeline artifacts and access logs are build by-products kept in one region; they are versioned, retained on stack deletion and re-created from source by re-running the pipeline.');
    }
  }
  if (storage.accessLogsBucket) {
    const cfn = storage.accessLogsBucket.node.defaultChild as CfnResource;
    for (const pack of COMPLIANCE_PACK_NAMES) {
      ack.acknowledge(cfn, `${pack}-S3DefaultEncryptionKMS`,
        'S3 server access logging delivers only to buckets encrypted with SSE-S3; this log bucket is SSE-S3, SSL-only, private and versioned.');
    }
  }
}

/**
 * CDK Pipelines' permissions-broadening check deploys a small Lambda function that approves the
 * pipeline's manual approval when nothing broadens. It is hardened where CDK lets us (explicit
 * memory) and acknowledged where the rule does not fit a synchronously invoked, API-only function.
 */
function acknowledgeApprovalFunctions(pipeline: IConstruct, ack: Acknowledger): void {
  const functions = pipeline.node.findAll().filter((c): c is lambda.CfnFunction =>
    c instanceof lambda.CfnFunction && c.node.path.includes('/PipelinesSecurityCheck/'));
  for (const fn of functions) {
    fn.memorySize = fn.memorySize ?? 128;
    for (const id of ['Serverless-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ']) {
      ack.acknowledge(fn, id, 'Invoked synchronously by the permissions-broadening CodeBuild check, which sees and reports every failure; a dead-letter queue only receives failed asynchronous invocations.');
    }
    for (const id of ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency']) {
      ack.acknowledge(fn, id, 'Invoked once per guarded Stage per pipeline execution; reserving concurrency would take from the account\'s unreserved pool, which must stay at 10 or more, and could block deployment in new accounts.');
    }
    for (const id of ['NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC']) {
      ack.acknowledge(fn, id, 'Calls only the CodePipeline API (GetPipelineState, PutApprovalResult) and reaches no VPC resource; a VPC would add NAT or endpoints the pipeline does not otherwise need.');
    }
    const role = fn.node.scope?.node.tryFindChild('ServiceRole')?.node.defaultChild;
    if (role instanceof iam.CfnRole) {
      ack.acknowledge(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AWS managed policy that grants only CloudWatch Logs writes for the function\'s own logs; attached by CDK Pipelines to its approval function.');
    }
  }
}

function acknowledgeWildcards(policy: iam.CfnPolicy, owned: OwnedResources, ack: Acknowledger): void {
  const doc = Stack.of(policy).resolve(policy.policyDocument) as { Statement?: PolicyStatementJson[] };
  // A finding id is per policy: acknowledge it only if every statement that produces it is safe.
  const findings = new Map<string, string | undefined>();
  const record = (id: string, reason: string | undefined) => {
    findings.set(id, findings.has(id) && findings.get(id) === undefined ? undefined : reason);
  };
  for (const statement of doc.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    const actions = toArray(statement.Action).map(String);
    const resources = toArray(statement.Resource).map((r) => flattenCfnReference(r));
    const ownOnly = resources.every((r) => owned.bucketArns.some((b) => r === b || r === `${b}/*`) || r === owned.keyArn);

    for (const action of actions.filter((a) => a.includes('*'))) {
      const rule = ACTION_RULES.find((r) => r.matches(action, owned));
      const safe = rule && ownOnly && actions.every(rule.actionsAllowed);
      record(`AwsSolutions-IAM5[Action::${action}]`, safe ? rule.reason : undefined);
    }
    for (const resource of resources.filter((r) => r.includes('*'))) {
      // Several rules may know '*'; the statement must satisfy one of them whole.
      const rule = RESOURCE_RULES.find((r) => r.matches(resource, owned) && actions.every(r.actionsAllowed) && (r.statementOk?.(statement) ?? true));
      record(`AwsSolutions-IAM5[Resource::${resource}]`, rule?.reason);
    }
  }
  for (const [id, reason] of findings) {
    if (reason) ack.acknowledge(policy, id, reason);
  }
}

function matchesProjectRef(resource: string, pattern: RegExp, ctx: OwnedResources): boolean {
  const m = pattern.exec(resource);
  return !!m && ctx.projectIds.has(m[1]);
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

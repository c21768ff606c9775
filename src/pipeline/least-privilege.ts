import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

/**
 * Grants that CDK adds to every CodeBuild role by default but that nothing in this pipeline uses:
 * - `codebuild:CreateReportGroup` (the gates' report groups are created by CloudFormation, by ARN);
 * - `s3:PutObjectAcl` and `s3:PutObjectVersionAcl` (the pipeline's buckets have ACLs disabled);
 * - report-group grants by name (`report-group/<project>-*`, `report-group/*`): no build spec
 *   names a report group, the gates address theirs by ARN with a statement of their own;
 * - writes to CodeBuild's default log groups (`/aws/codebuild/...`): every project logs to the
 *   pipeline's KMS-encrypted log group (checked: a project that does not keeps its grant).
 */
const UNUSED_ACTIONS = new Set(['codebuild:CreateReportGroup', 's3:PutObjectAcl', 's3:PutObjectVersionAcl']);
const REPORT_ACTIONS = /^codebuild:(CreateReportGroup|CreateReport|UpdateReport|BatchPutTestCases|BatchPutCodeCoverages)$/;
const NAMED_REPORT_GROUPS = /:report-group\/.*\*$/;
const LOG_ACTIONS = /^logs:(CreateLogGroup|CreateLogStream|PutLogEvents)$/;
const DEFAULT_LOG_GROUPS = /:log-group:\/aws\/codebuild\//;
// Resources as cdk-nag reads them (`arn:<AWS::Partition>:...:report-group/<Project>-*`).
const flat = (r: unknown): string => flattenCfnReference(r);
/** CDK Pipelines gives its shared asset-publishing role these on `*`; they are scoped to the projects that use the role. */
const BUILD_CONTROL = /^codebuild:(BatchGetBuilds|StartBuild|StopBuild)$/;

interface ProjectLogs { readonly cloudWatchLogs?: { readonly status?: string; readonly groupName?: unknown } }

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
  [key: string]: unknown;
}

/**
 * Removes, from every IAM policy under `scope`, the grants listed above, and scopes the asset role's
 * build control to its own projects. Call once the pipeline is built; returns how many statements
 * changed (for tests).
 */
export function dropUnusedGrants(scope: IConstruct, logGroupName: string): number {
  const stack = Stack.of(scope);
  const projects = scope.node.findAll().filter((c): c is codebuild.Project => c instanceof codebuild.Project);
  const logsElsewhere = projects.every((p) => {
    const logs = stack.resolve((p.node.defaultChild as codebuild.CfnProject).logsConfig) as ProjectLogs | undefined;
    return logs?.cloudWatchLogs?.status === 'ENABLED' && JSON.stringify(logs.cloudWatchLogs.groupName) === JSON.stringify(stack.resolve(logGroupName));
  });
  let changed = 0;
  for (const policy of scope.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
    const doc = stack.resolve(policy.policyDocument) as { Statement?: Statement[]; Version?: string };
    const roles = (stack.resolve(policy.roles) ?? []) as unknown[];
    const roleRef = (p: codebuild.Project) => JSON.stringify(stack.resolve((p.role?.node.defaultChild as iam.CfnRole | undefined)?.ref));
    const ownProjects = projects.filter((p) => p.role && roles.some((r) => JSON.stringify(r) === roleRef(p)));
    const kept: Statement[] = [];
    let touched = false;
    for (const st of doc.Statement ?? []) {
      const actions = toArray(st.Action).map(String);
      const resources = toArray(st.Resource);
      if (st.Effect === 'Allow' && actions.length > 0 && actions.every((a) => REPORT_ACTIONS.test(a)) && resources.length > 0 && resources.every((r) => NAMED_REPORT_GROUPS.test(flat(r)))) {
        touched = true;
        continue;
      }
      if (st.Effect === 'Allow' && logsElsewhere && actions.length > 0 && actions.every((a) => LOG_ACTIONS.test(a)) && resources.length > 0 && resources.every((r) => DEFAULT_LOG_GROUPS.test(flat(r)))) {
        touched = true;
        continue;
      }
      if (st.Effect === 'Allow' && actions.length > 0 && actions.every((a) => BUILD_CONTROL.test(a)) && resources.length === 1 && resources[0] === '*' && ownProjects.length > 0) {
        touched = true;
        kept.push({ ...st, Resource: ownProjects.map((p) => stack.resolve(p.projectArn)) });
        continue;
      }
      const useful = actions.filter((a) => !UNUSED_ACTIONS.has(a));
      if (useful.length !== actions.length) {
        touched = true;
        if (useful.length > 0) kept.push({ ...st, Action: useful.length === 1 ? useful[0] : useful });
        continue;
      }
      kept.push(st);
    }
    if (touched) {
      changed++;
      policy.policyDocument = { ...doc, Statement: kept };
    }
  }
  return changed;
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The release summary at a protected Stage's approval and the notifications: what the template
 * holds (buckets, builds, approval, rules, topic, policies) and the five packs at zero.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { errorsOf, pipelineApp, synthViolations } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { DevSecOpsPipeline, DevSecOpsPipelineProps, GateBinding, IGateContext, PipelineNotifications, SecurityGate } from '../../src';
import { flatten } from '../gates/support';

/** A gate bound with the others that keeps the context, to build a gate step after a Stage (as a DAST gate does). */
class ContextCapture extends SecurityGate {
  public readonly gateName = 'capture';
  public context?: IGateContext;
  public bind(context: IGateContext): GateBinding {
    this.context = context;
    return {};
  }
}

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: DevSecOpsPipeline;
  readonly template: Template;
  readonly resources: Record<string, any>;
}

/** Staging with a DAST-like gate after its deployment and a smoke test, then Prod behind an approval. */
function build(props: Partial<DevSecOpsPipelineProps> = {}, synth = true): Built {
  const capture = new ContextCapture();
  const { app, stack, pipeline } = pipelineApp({ ...props, gates: { ...props.gates, additionalGates: [capture] } });
  const dast = capture.context!.gateStep({
    id: 'Dast', gateName: 'dast', commands: ['zap-baseline.py -J /tmp/dast/zap.json || true'], reports: [{ file: '/tmp/dast/zap.json', format: 'zap' }],
  });
  const smoke = new pipelines.ShellStep('Smoke', { commands: ['echo smoke'] });
  pipeline.addStage(new AppStage(app, 'Staging'), { post: [smoke, dast] });
  pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
  pipeline.codePipeline.buildPipeline();
  const template = synth ? Template.fromStack(stack) : (undefined as unknown as Template);
  return { app, stack, pipeline, template, resources: synth ? template.toJSON().Resources : {} };
}

const byId = (resources: Record<string, any>, pattern: RegExp): [string, any] => {
  const found = Object.entries<any>(resources).filter(([id]) => pattern.test(id));
  expect(found).toHaveLength(1);
  return found[0];
};
const buildspecOf = (project: any) => JSON.parse(flatten(project.Properties.Source.BuildSpec));
const statementsOf = (resources: Record<string, any>, rolePattern: RegExp) =>
  Object.entries<any>(resources).filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && rolePattern.test(id)).flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
const releasesRef = (resources: Record<string, any>) => byId(resources, /^PipelineGatesReleaseReportsBucket[0-9A-F]{8}$/)[0];

describe('release summary at the approval', () => {
  let b: Built;
  beforeAll(() => { b = build(); });

  test('the release reports bucket: SSE-KMS with the pipeline key, SSL-only, access-logged under releases/', () => {
    const [, bucket] = byId(b.resources, /^PipelineGatesReleaseReportsBucket[0-9A-F]{8}$/);
    const key = byId(b.resources, /^PipelineStorageKey[0-9A-F]{8}$/)[0];
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] } });
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^PipelineStorageAccessLogsBucket/) }, LogFilePrefix: 'releases/' });
    const [, policy] = Object.entries<any>(b.resources).find(([, r]) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === releasesRef(b.resources))!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]));
  });

  test.each([
    ['SecurityGatesSecretScan', ['secrets']],
    ['SecurityGatesDependencyScan', ['dependencies', 'sbom']],
    ['StagingDast', ['dast']],
  ])('the %s build files each of its gates\' results under releases/<execution id>/<gate>/, with only that permission', (project, gates) => {
    const [id, p] = byId(b.resources, new RegExp(`^PipelineCdkPipeline${project}[0-9A-F]{8}$`));
    const post: string[] = buildspecOf(p).phases.post_build.commands;
    expect(post[0]).toBe(': "${PIPELINE_EXECUTION_ID:?no pipeline execution id to file the gate results under}"');
    gates.forEach((g, i) => {
      const dir = i === 0 ? 'devsecops-gate-out/findings' : `devsecops-gate-out/findings-${g}`;
      expect(post).toContain(`if [ -f ${dir}/gate-result.json ]; then aws s3 cp --only-show-errors --recursive ${dir} "s3://<TOKEN:{Ref:${releasesRef(b.resources)}}>/releases/\${PIPELINE_EXECUTION_ID}/${g}/"; fi`);
    });
    const role = p.Properties.ServiceRole['Fn::GetAtt'][0];
    const puts = statementsOf(b.resources, new RegExp(`^${role.replace(/[0-9A-F]{8}$/, '')}DefaultPolicy`))
      .filter((s) => JSON.stringify(s.Resource).includes(releasesRef(b.resources)));
    expect(puts).toEqual([{
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: gates.length === 1
        ? { 'Fn::Join': ['', [{ 'Fn::GetAtt': [releasesRef(b.resources), 'Arn'] }, `/releases/*/${gates[0]}/*`]] }
        : gates.map((g) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [releasesRef(b.resources), 'Arn'] }, `/releases/*/${g}/*`]] })),
    }]);
    expect(id).toBeDefined();
  });

  test('every gate action gets the execution id from #{codepipeline.PipelineExecutionId}', () => {
    const stages = Object.values<any>(b.template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    const actions = stages.flatMap((s: any) => s.Actions);
    for (const name of ['SecretScan', 'Sast', 'DependencyScan', 'IacScan', 'DockerfileScan', 'PolicyCheck', 'Dast', 'ReleaseSummary']) {
      const action = actions.find((a: any) => a.Name === name);
      const env = JSON.parse(flatten(action.Configuration.EnvironmentVariables));
      expect(env).toEqual(expect.arrayContaining([{ name: 'PIPELINE_EXECUTION_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' }]));
    }
  });

  test('ReleaseSummary runs in Prod before the approval, after Staging\'s deployment, smoke test and DAST gate', () => {
    const stages = Object.values<any>(b.template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    const names = stages.map((s: any) => s.Name);
    expect(names.indexOf('Staging')).toBeLessThan(names.indexOf('Prod'));
    const staging = stages.find((s: any) => s.Name === 'Staging').Actions;
    const deploy = staging.find((a: any) => a.Name === 'App.Deploy');
    for (const post of ['Smoke', 'Dast']) expect(staging.find((a: any) => a.Name === post).RunOrder).toBeGreaterThan(deploy.RunOrder);
    const prod = stages.find((s: any) => s.Name === 'Prod').Actions;
    const order = (n: string) => prod.find((a: any) => a.Name === n).RunOrder;
    expect(order('ReleaseSummary')).toBeLessThan(order('Approve'));
    expect(order('Approve')).toBeLessThan(order('App.Deploy'));
    expect(staging.find((a: any) => a.Name === 'ReleaseSummary')).toBeUndefined();
  });

  test('the approval links the summary object in the S3 console and names it in the comment', () => {
    const stages = Object.values<any>(b.template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    const approve = stages.find((s: any) => s.Name === 'Prod').Actions.find((a: any) => a.Name === 'Approve');
    const bucket = `<TOKEN:{Ref:${releasesRef(b.resources)}}>`;
    expect(flatten(approve.Configuration.ExternalEntityLink))
      .toBe(`https://console.aws.amazon.com/s3/object/${bucket}?region=eu-west-1&prefix=releases/#{codepipeline.PipelineExecutionId}/summary.md`);
    expect(flatten(approve.Configuration.CustomData)).toBe(`Approve deployment of Prod. Release summary of this execution (each gate's status and counts, blocking and suppressed findings, suppressions expiring within 14 days): s3://${bucket}/releases/#{codepipeline.PipelineExecutionId}/summary.md (the review link opens it in the S3 console).`);
    // Within CodePipeline's 1000-character limit on a configuration field (with a 63-character bucket name).
    expect(flatten(approve.Configuration.CustomData).replace(bucket, 'b'.repeat(63)).length).toBeLessThan(1000);
  });

  test('the summary reads every gate built before Prod (the DAST gate after Staging too) and fails closed on a missing one', () => {
    const stages = Object.values<any>(b.template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    const action = stages.find((s: any) => s.Name === 'Prod').Actions.find((a: any) => a.Name === 'ReleaseSummary');
    const [project] = byId(b.resources, /^PipelineReleaseSummary[0-9A-F]{8}$/);
    expect(action.Configuration.ProjectName).toEqual({ Ref: project });
    expect(JSON.parse(flatten(action.Configuration.EnvironmentVariables))).toEqual([
      { name: 'PIPELINE_EXECUTION_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
      { name: 'RELEASE_GATES', type: 'PLAINTEXT', value: 'secrets sast dependencies sbom iac dockerfile policies dast' },
      { name: 'RELEASE_WHAT', type: 'PLAINTEXT', value: 'Prod' },
    ]);
    const commands: string[] = buildspecOf(b.resources[project]).phases.build.commands;
    expect(commands).toContain(`aws s3 cp --only-show-errors --content-type "text/markdown; charset=utf-8" /tmp/devsecops/summary.md "s3://<TOKEN:{Ref:${releasesRef(b.resources)}}>/releases/\${PIPELINE_EXECUTION_ID}/summary.md"`);
  });

  test('one summary project for every protected Stage: a new protected Stage adds an action, not a project', () => {
    const { app, stack, pipeline } = pipelineApp();
    pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
    pipeline.addStage(new AppStage(app, 'Prod2'), { approval: true });
    pipeline.codePipeline.buildPipeline();
    const t = Template.fromStack(stack);
    expect(Object.keys(t.findResources('AWS::CodeBuild::Project')).filter((id) => /ReleaseSummary/.test(id))).toHaveLength(1);
    const stages = Object.values<any>(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    expect(stages.filter((s: any) => s.Actions.some((a: any) => a.Name === 'ReleaseSummary')).map((s: any) => s.Name)).toEqual(['Prod', 'Prod2']);
  });

  test('the summary\'s role: list and read under releases/, write summary.md only; no wildcard action', () => {
    const [, p] = byId(b.resources, /^PipelineReleaseSummary[0-9A-F]{8}$/);
    const role = p.Properties.ServiceRole['Fn::GetAtt'][0];
    const statements = statementsOf(b.resources, new RegExp(`^${role.replace(/[0-9A-F]{8}$/, '')}DefaultPolicy`));
    const onReports = statements.filter((s) => JSON.stringify(s.Resource).includes(releasesRef(b.resources)));
    const arn = { 'Fn::GetAtt': [releasesRef(b.resources), 'Arn'] };
    expect(onReports).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: arn, Condition: { StringLike: { 's3:prefix': ['releases/*'] } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [arn, '/releases/*/gate-result.json']] } },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [arn, '/releases/*/summary.md']] } },
    ]);
    // The bucket's key: the pipeline key, which every build of the pipeline is granted.
    const key = byId(b.resources, /^PipelineStorageKey[0-9A-F]{8}$/)[0];
    expect(statements.some((s) => [s.Action].flat().includes('kms:Decrypt') && JSON.stringify(s.Resource).includes(key))).toBe(true);
  });

  test('a Stage without approval gets no summary; without notifications there are no rules or topic', () => {
    const stages = Object.values<any>(b.template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    expect(stages.filter((s: any) => s.Actions.some((a: any) => a.Name === 'ReleaseSummary')).map((s: any) => s.Name)).toEqual(['Prod']);
    b.template.resourceCountIs('AWS::Events::Rule', 0);
    b.template.resourceCountIs('AWS::SNS::Topic', 0);
    const post = buildspecOf(byId(b.resources, /^PipelineCdkPipelineSecurityGatesSast[0-9A-F]{8}$/)[1]).phases.post_build.commands;
    expect(post.join('\n')).not.toMatch(/sns publish|cli\.js notice/);
  });

  test('a wave with an approval gets the summary and the link too', () => {
    const { app, stack, pipeline } = pipelineApp();
    pipeline.addWave('Regional', { approval: true }).addStage(new AppStage(app, 'EuWest'));
    pipeline.codePipeline.buildPipeline();
    const stages = Object.values<any>(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    // CDK Pipelines names the pipeline stage of a one-Stage wave after its Stage.
    const regional = stages.find((s: any) => s.Name === 'EuWest').Actions;
    const order = (n: string) => regional.find((a: any) => a.Name === n).RunOrder;
    expect(order('ReleaseSummary')).toBeLessThan(order('Approve'));
    expect(flatten(regional.find((a: any) => a.Name === 'Approve').Configuration.ExternalEntityLink)).toMatch(/prefix=releases\/#\{codepipeline\.PipelineExecutionId\}\/summary\.md$/);
  });
});

describe('notifications', () => {
  let b: Built;
  beforeAll(() => { b = build({ notifications: PipelineNotifications.newTopic() }); });

  const rule = (name: string) => byId(b.resources, new RegExp(`^PipelineNotify${name}[0-9A-F]{8}$`))[1].Properties;
  const topicRef = () => byId(b.resources, /^PipelineNotificationsTopic[0-9A-F]{8}$/)[0];
  const keyRef = () => byId(b.resources, /^PipelineNotificationsKey[0-9A-F]{8}$/)[0];
  const pipelineArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:eu-west-1:111111111111:', { Ref: Match.stringLikeRegexp('^PipelineCdkPipeline') }]] };

  test('a KMS-encrypted topic (a key of its own, with rotation), SSL-only', () => {
    b.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyRef(), 'Arn'] } });
    b.template.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('notifications'), EnableKeyRotation: true });
    b.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the topic policy lets EventBridge publish for these rules only; the key policy lets EventBridge encrypt', () => {
    const rules = ['ExecutionFailed', 'ApprovalWaiting', 'GateFailed'].map((n) => byId(b.resources, new RegExp(`^PipelineNotify${n}[0-9A-F]{8}$`))[0]);
    b.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'AllowThePipelinesNotificationRules',
          Effect: 'Allow',
          Action: 'sns:Publish',
          Principal: { Service: 'events.amazonaws.com' },
          Resource: { Ref: topicRef() },
          Condition: { ArnEquals: { 'aws:SourceArn': rules.map((r) => ({ 'Fn::GetAtt': [r, 'Arn'] })) } },
        }]),
      },
    });
    const key = b.resources[keyRef()].Properties.KeyPolicy.Statement;
    const events = key.filter((s: any) => s.Principal?.Service === 'events.amazonaws.com');
    expect(events).toEqual([expect.objectContaining({ Effect: 'Allow', Action: ['kms:GenerateDataKey*', 'kms:Decrypt'] })]);
  });

  test('a failed execution: pipeline execution FAILED, the message names the execution and where the results are', () => {
    const p = rule('ExecutionFailed');
    expect(p.EventPattern).toEqual({ 'source': ['aws.codepipeline'], 'resources': [expect.anything()], 'detail-type': ['CodePipeline Pipeline Execution State Change'], 'detail': { state: ['FAILED'] } });
    Template.fromJSON({ Resources: { R: { Type: 'X', Properties: { r: p.EventPattern.resources[0] } } } }).hasResourceProperties('X', { r: pipelineArn });
    expect(p.Targets).toHaveLength(1);
    expect(p.Targets[0].Arn).toEqual({ Ref: topicRef() });
    expect(p.Targets[0].InputTransformer.InputPathsMap).toEqual({ 'detail-pipeline': '$.detail.pipeline', 'detail-execution-id': '$.detail.execution-id' });
    expect(flatten(p.Targets[0].InputTransformer.InputTemplate)).toMatch(/^"Pipeline <detail-pipeline>: execution <detail-execution-id> FAILED\. Gate results: https:\/\/console\.aws\.amazon\.com\/s3\/buckets\/<TOKEN:\{Ref:PipelineGatesReleaseReportsBucket[0-9A-F]+\}>\?region=eu-west-1&prefix=releases\/<detail-execution-id>\/"$/);
  });

  test('a blocked gate: action FAILED for exactly the gate actions (the DAST gate after Staging too), naming the gate', () => {
    const p = rule('GateFailed');
    expect(p.EventPattern['detail-type']).toEqual(['CodePipeline Action Execution State Change']);
    expect(p.EventPattern.detail).toEqual({ state: ['FAILED'], action: ['SecretScan', 'Sast', 'DependencyScan', 'IacScan', 'DockerfileScan', 'PolicyCheck', 'Dast'] });
    expect(flatten(p.Targets[0].InputTransformer.InputTemplate)).toMatch(/^"Pipeline <detail-pipeline>: gate <detail-action> in stage <detail-stage> FAILED \(execution <detail-execution-id>\); the gate's own message gives its blocking count\. Gate results: https:/);
  });

  test('an approval waiting: Approval actions STARTED, the message links the release summary', () => {
    const p = rule('ApprovalWaiting');
    expect(p.EventPattern.detail).toEqual({ state: ['STARTED'], type: { category: ['Approval'] } });
    expect(flatten(p.Targets[0].InputTransformer.InputTemplate))
      .toMatch(/^"Pipeline <detail-pipeline>: approval <detail-action> in stage <detail-stage> is waiting \(execution <detail-execution-id>\)\. Release summary: https:\/\/console\.aws\.amazon\.com\/s3\/object\/<TOKEN:\{Ref:PipelineGatesReleaseReportsBucket[0-9A-F]+\}>\?region=eu-west-1&prefix=releases\/<detail-execution-id>\/summary\.md"$/);
  });

  test('each rule keeps undeliverable messages in an encrypted, SSL-only dead-letter queue only these rules can write', () => {
    const [dlq, queue] = byId(b.resources, /^PipelineNotificationsDeadLetterQueue[0-9A-F]{8}$/);
    expect(queue.Properties).toEqual(expect.objectContaining({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 }));
    for (const n of ['ExecutionFailed', 'ApprovalWaiting', 'GateFailed']) {
      expect(rule(n).Targets[0]).toEqual(expect.objectContaining({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 8 } }));
    }
    b.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } } }),
        ]),
      },
    });
  });

  test('a suppression close to expiry: every gate build writes a notice and publishes it to the topic, with Publish on that topic only', () => {
    for (const project of ['SecurityGatesSecretScan', 'SecurityGatesDependencyScan', 'StagingDast']) {
      const [, p] = byId(b.resources, new RegExp(`^PipelineCdkPipeline${project}[0-9A-F]{8}$`));
      const post: string[] = buildspecOf(p).phases.post_build.commands;
      const notice = post.find((c) => c.includes('cli.js notice'))!;
      expect(notice).toMatch(/^node \/tmp\/devsecops\/findings-cli\/cli\.js notice --in devsecops-gate-out\/findings( --in devsecops-gate-out\/findings-sbom)? --out \/tmp\/devsecops\/notice\.txt --link "https:\/\/console\.aws\.amazon\.com\/s3\/buckets\/.*&prefix=releases\/\$\{PIPELINE_EXECUTION_ID\}\/"$/);
      expect(post[post.length - 1]).toBe(`if [ -s /tmp/devsecops/notice.txt ]; then aws sns publish --topic-arn "<TOKEN:{Ref:${topicRef()}}>" --subject "Security gates: execution \${PIPELINE_EXECUTION_ID}" --message "file:///tmp/devsecops/notice.txt" > /dev/null; fi`);
      const role = p.Properties.ServiceRole['Fn::GetAtt'][0];
      const statements = statementsOf(b.resources, new RegExp(`^${role.replace(/[0-9A-F]{8}$/, '')}DefaultPolicy`));
      expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('sns:')))).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicRef() } }]);
      expect(statements).toContainEqual({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [keyRef(), 'Arn'] } });
    }
  });

  test('a topic the user passes: the rules and gates publish to it; no topic or key is created', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'TeamTopic', { masterKey: key, enforceSSL: true });
    const pipeline = new DevSecOpsPipeline(stack, 'Pipeline', {
      source: pipelineApp().pipeline.source,
      notifications: PipelineNotifications.toTopic(topic),
    });
    pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
    pipeline.codePipeline.buildPipeline();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    expect(pipeline.notificationTopic).toBe(topic);
    const topicId = Object.keys(t.findResources('AWS::SNS::Topic'))[0];
    expect(topicId).toMatch(/^TeamTopic/);
    for (const r of Object.values<any>(t.findResources('AWS::Events::Rule'))) expect(r.Properties.Targets[0].Arn).toEqual({ Ref: topicId });
    expect(Object.keys(t.findResources('AWS::Events::Rule'))).toHaveLength(3);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } }]) },
    });
  });
});

describe('notifications props', () => {
  test('an imported topic: rules and gates publish to it by ARN; its policy is the owner\'s', () => {
    const { app, stack, pipeline } = pipelineApp({
      notifications: PipelineNotifications.toTopic(sns.Topic.fromTopicArn(new Stack(new App(), 'Other'), 'Team', 'arn:aws:sns:eu-west-1:111111111111:team')),
    });
    pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
    pipeline.codePipeline.buildPipeline();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SNS::Topic', 0);
    t.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    for (const r of Object.values<any>(t.findResources('AWS::Events::Rule'))) expect(r.Properties.Targets[0].Arn).toBe('arn:aws:sns:eu-west-1:111111111111:team');
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sns:Publish', Resource: 'arn:aws:sns:eu-west-1:111111111111:team' }]) },
    });
  });

  test('a value not made by a factory is refused with the fix', () => {
    expect(() => pipelineApp({ notifications: { topic: 'arn:aws:sns:eu-west-1:111111111111:team' } as any }))
      .toThrow(/notifications is not made by a PipelineNotifications factory: use PipelineNotifications\.newTopic\(\) or PipelineNotifications\.toTopic\(topic\)/);
    expect(() => PipelineNotifications.toTopic(undefined as any)).toThrow(/give an SNS topic/);
  });
});

describe('under the five packs', () => {
  test('a pipeline with notifications, a DAST-like gate after Staging and an approved Prod stays at zero', () => {
    const capture = new ContextCapture();
    const { app, pipeline } = pipelineApp({ notifications: PipelineNotifications.newTopic(), gates: { additionalGates: [capture] } });
    const dast = capture.context!.gateStep({ id: 'Dast', gateName: 'dast', commands: ['echo'], reports: [{ file: '/tmp/dast/zap.json', format: 'zap' }] });
    pipeline.addStage(new AppStage(app, 'Staging'), { post: [dast] });
    pipeline.addWave('Prod', { approval: true }).addStage(new AppStage(app, 'Prod'));
    expect(errorsOf(synthViolations(app))).toEqual([]);
    const acks = pipeline.acknowledgments;
    expect(acks.every((a) => a.reason.length > 40)).toBe(true);
    // The release prefixes are acknowledged for what they are, not as the artifact bucket.
    expect(acks.some((a) => /releases\/\*\/dast\/\*/.test(a.ruleId) && /release reports bucket/.test(a.reason))).toBe(true);
  });
});

import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { connectionSource, ENV, pipelineApp } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { DevSecOpsPipeline } from '../../src';

function templateOf(props: Parameters<typeof pipelineApp>[0] = {}): Template {
  const { app, stack, pipeline } = pipelineApp(props);
  pipeline.addStage(new AppStage(app, 'Staging'));
  pipeline.codePipeline.buildPipeline();
  return Template.fromStack(stack, { skipCyclicalDependenciesCheck: false });
}

describe('hardened defaults', () => {
  let template: Template;
  beforeAll(() => { template = templateOf(); });

  test('pipeline type V2 with the hardened artifact bucket', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      ArtifactStore: { Type: 'S3', Location: { Ref: Match.stringLikeRegexp('ArtifactsBucket') }, EncryptionKey: { Type: 'KMS' } },
    });
  });

  test('one customer-managed key, with rotation, retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  test('artifact bucket: SSE-KMS with the key, private, versioned, lifecycle, access logs to the log bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogsBucket') }, LogFilePrefix: 'artifacts/' },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' })]) },
    });
  });

  test('access log bucket: SSE-S3, private, versioned, ACLs off, lifecycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365 })] },
    });
  });

  test('both buckets deny non-TLS requests and TLS below 1.2', () => {
    // The pipeline's storage buckets (the SBOM gate's bucket is tested in test/gates).
    const policies = Object.fromEntries(Object.entries(template.findResources('AWS::S3::BucketPolicy')).filter(([id]) => id.startsWith('PipelineStorage')));
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values<any>(policies)) {
      const statements = policy.Properties.PolicyDocument.Statement;
      expect(statements).toEqual(expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]));
    }
  });

  test('build logs: KMS-encrypted log group with one-year retention; the key policy names only that group', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('StorageKey'), 'Arn'] },
      RetentionInDays: 365,
      LogGroupName: Match.stringLikeRegexp('^/aws/codebuild/'),
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsForBuildLogs', Condition: { ArnEquals: Match.anyValue() } })]) },
    });
  });

  test('every CodeBuild project: encrypted with the key, unprivileged, current image, timeout, logs to the group', () => {
    const projects = template.findResources('AWS::CodeBuild::Project');
    expect(Object.keys(projects).length).toBeGreaterThanOrEqual(2);
    for (const project of Object.values<any>(projects)) {
      const p = project.Properties;
      expect(p.EncryptionKey).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/StorageKey/), 'Arn'] });
      expect(p.Environment.PrivilegedMode).toBe(false);
      expect(p.Environment.Image).toBe('aws/codebuild/standard:7.0');
      expect(p.TimeoutInMinutes).toBe(60);
      expect(p.LogsConfig.CloudWatchLogs).toEqual({ GroupName: { Ref: expect.stringMatching(/BuildLogs/) }, Status: 'ENABLED' });
    }
  });

  test('no IAM statement allows every action', () => {
    for (const policy of Object.values<any>(template.findResources('AWS::IAM::Policy'))) {
      for (const s of policy.Properties.PolicyDocument.Statement) {
        expect([s.Action].flat()).not.toContain('*');
      }
    }
  });
});

describe('tunable defaults', () => {
  test('log retention, artifact expiration, timeout, image and removal policy follow the props', () => {
    const template = templateOf({
      logRetention: logs.RetentionDays.TWO_YEARS,
      artifactExpiration: Duration.days(30),
      buildTimeout: Duration.minutes(20),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) } });
    template.hasResourceProperties('AWS::CodeBuild::Project', { TimeoutInMinutes: 20 });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('serverAccessLogs: false removes the log bucket and leaves a warning', () => {
    const { app, stack, pipeline } = pipelineApp({ serverAccessLogs: false });
    pipeline.addStage(new AppStage(app, 'Staging'));
    pipeline.codePipeline.buildPipeline();
    // Template.fromStack would synthesize, and the nag packs rightly fail it (see nag.test.ts): count constructs.
    expect(stack.node.findAll().filter((c) => c instanceof s3.CfnBucket && c.node.path.includes('/Storage/'))).toHaveLength(1);
    expect(pipeline.accessLogsBucket).toBeUndefined();
    const warnings = pipeline.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.join('\n')).toMatch(/serverAccessLogs is false.*weakened/);
  });

  test('a Stage in another account (bootstrapped with --trust): its deploy role may read the artifacts and use the key', () => {
    const { app, stack, pipeline } = pipelineApp();
    pipeline.addStage(new AppStage(app, 'Prod', { env: { account: '222222222222', region: ENV.region } }), { approval: true });
    pipeline.codePipeline.buildPipeline();
    const template = Template.fromStack(stack);
    const deployRole = `cdk-hnb659fds-deploy-role-222222222222-${ENV.region}`;
    for (const type of ['AWS::KMS::Key', 'AWS::S3::BucketPolicy']) {
      const granted = Object.values(template.findResources(type)).filter((r) => JSON.stringify(r).includes(deployRole));
      expect({ type, granted: granted.length }).toEqual({ type, granted: 1 });
    }
  });

  test('nagPacks: [] checks the Stages with no pack, with a warning; the default leaves none', () => {
    const warningsOf = (p: DevSecOpsPipeline) => p.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    const { pipeline } = pipelineApp({ nagPacks: [] });
    expect(pipeline.nagPacks).toEqual([]);
    expect(warningsOf(pipeline)).toEqual([expect.stringMatching(/^nagPacks is empty: the application Stages .* no cdk-nag pack \(secure default weakened\)/)]);
    expect(warningsOf(pipelineApp().pipeline)).toEqual([]);
  });

  test('dockerEnabledForSynth makes only the synth project privileged, with a warning', () => {
    const { app, stack, pipeline } = pipelineApp({ dockerEnabledForSynth: true });
    pipeline.addStage(new AppStage(app, 'Staging'));
    pipeline.codePipeline.buildPipeline();
    const projects = Object.entries<any>(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'));
    const privileged = projects.filter(([, p]) => p.Properties.Environment.PrivilegedMode).map(([id]) => id);
    expect(privileged).toEqual([expect.stringMatching(/Synth/)]);
    const warnings = pipeline.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.join('\n')).toMatch(/dockerEnabledForSynth is true/);
  });

  test('addStage with approval and confirmPermissionsBroadening puts both before the deployment', () => {
    const { app, stack, pipeline } = pipelineApp();
    pipeline.addStage(new AppStage(app, 'Prod'), { approval: true, confirmPermissionsBroadening: true, approvalComment: 'Ship it?' });
    pipeline.codePipeline.buildPipeline();
    const p = Object.values<any>(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0];
    const prod = p.Properties.Stages.find((s: any) => s.Name === 'Prod');
    const approve = prod.Actions.find((a: any) => a.Name === 'Approve');
    const check = prod.Actions.find((a: any) => a.Name === 'ConfirmPermissionsBroadening.Check');
    const deploy = prod.Actions.find((a: any) => a.ActionTypeId.Provider === 'CloudFormation');
    // The user's comment, then where the release summary is (test/pipeline/release.test.ts).
    expect(approve.Configuration.CustomData['Fn::Join'][1][0]).toMatch(/^Ship it\?\. Release summary of this execution/);
    expect(approve.RunOrder).toBeLessThan(deploy.RunOrder);
    expect(check.RunOrder).toBeLessThan(deploy.RunOrder);
  });

  test('a full synth step replaces the default one', () => {
    const other = new Stack(new App(), 'Custom', { env: ENV });
    const source = connectionSource();
    const pipeline = new DevSecOpsPipeline(other, 'Pipeline', {
      source,
      synth: new pipelines.ShellStep('Synth', { input: source.fileSetProducer, commands: ['yarn install --frozen-lockfile', 'yarn cdk synth'] }),
    });
    pipeline.codePipeline.buildPipeline();
    const project = Object.values<any>(Template.fromStack(other).findResources('AWS::CodeBuild::Project'))
      .find((p) => JSON.stringify(p.Properties.Source.BuildSpec).includes('yarn cdk synth'));
    expect(project).toBeDefined();
  });
});

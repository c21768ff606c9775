import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Stage, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { errorsOf, InsecureStage, pipelineApp, synthViolations } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { CompliancePack } from '../../src';

const ROOT = path.join(__dirname, '..', '..');
const PIPELINE_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'Serverless'];

describe('the quickstart example under the nag packs', () => {
  let outdir: string;
  let report: any;
  let run: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'quickstart-'));
    run = spawnSync(process.execPath, [
      require.resolve('ts-node/dist/bin'), '--project', path.join(ROOT, 'examples', 'tsconfig.json'),
      path.join(ROOT, 'examples', 'quickstart', 'app.ts'),
    ], {
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:validateAgainstDefaultRules': true }) },
      encoding: 'utf8',
    });
    const reportFile = path.join(outdir, 'validation-report.json');
    report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('synthesizes without credentials', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(outdir, 'QuickstartPipeline.template.json'))).toBe(true);
  });

  test('the five packs run on the pipeline and AwsSolutions on its Stages', () => {
    const metadata = JSON.parse(fs.readFileSync(path.join(outdir, 'QuickstartPipeline.metadata.json'), 'utf8'));
    const entries = Object.values<any[]>(metadata).flat().filter((e) => e.type === 'cdk-devsecops-pipeline:nag-packs');
    expect(entries).toEqual([{ type: 'cdk-devsecops-pipeline:nag-packs', data: { pipeline: PIPELINE_PACKS, stages: ['AwsSolutions'] } }]);
  });

  test('zero unacknowledged errors under every pack, and none from CloudFormation Validate', () => {
    const errors = (report.pluginReports as any[]).flatMap((p) =>
      p.violations.filter((v: any) => v.severity === 'error').map((v: any) => `${p.pluginName}: ${v.ruleName}`));
    expect(errors).toEqual([]);
  });

  test('every acknowledgment carries a reason', () => {
    const metadata = JSON.parse(fs.readFileSync(path.join(outdir, 'QuickstartPipeline.metadata.json'), 'utf8'));
    const acks = Object.values<any[]>(metadata).flat().filter((e) => e.type === 'aws:cdk:acknowledged-rules');
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      for (const [id, reason] of Object.entries<string>(ack.data)) {
        expect(id).not.toMatch(/AwsSolutions-(IAM5|CB4|S1)$/); // no blanket IAM5, CB4 or S1
        expect(reason.length).toBeGreaterThan(40);
      }
    }
  });
});

describe('packs that can fail', () => {
  test('turning off access logs weakens a default: S1 and the logging rules report errors, with a warning', () => {
    const { app, pipeline } = pipelineApp({ serverAccessLogs: false });
    pipeline.addStage(new AppStage(app, 'Staging'));
    const warnings = pipeline.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/serverAccessLogs is false/)]);
    const errors = errorsOf(synthViolations(app));
    const bucketErrors = errors.filter((e) => e.path === 'PipelineStack/Pipeline/Storage/ArtifactsBucket/Resource').map((e) => e.rule);
    expect(bucketErrors).toEqual(expect.arrayContaining([
      'AwsSolutions-S1',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketLoggingEnabled',
      'HIPAA.Security-S3BucketLoggingEnabled',
    ]));
  });

  test('a Stage added through the pipeline gets the default AwsSolutions pack, not the pipeline-only packs', () => {
    const { app, pipeline } = pipelineApp();
    pipeline.addStage(new InsecureStage(app, 'Dev'));
    const errors = errorsOf(synthViolations(app));
    const stageErrors = errors.filter((e) => e.path.startsWith('Dev/'));
    expect(stageErrors.map((e) => e.rule)).toContain('AwsSolutions-S1');
    // Besides AwsSolutions, only the pipeline's policies (the plain bucket declares no encryption).
    expect(stageErrors.filter((e) => !e.plugin.startsWith('AwsSolutions')).map((e) => `${e.plugin} ${e.rule}`)).toEqual(['devsecops-policies S3_BUCKET_ENCRYPTED']);
    // and the pipeline itself stays clean
    expect(errors.filter((e) => e.path.startsWith('PipelineStack/'))).toEqual([]);
  });

  test('nagPacks reach Stages added to a wave, and Stages not deployed by the pipeline are left alone', () => {
    const { app, pipeline } = pipelineApp({ nagPacks: [CompliancePack.AWS_SOLUTIONS, CompliancePack.NIST_800_53_R5] });
    const wave = pipeline.addWave('Regional');
    wave.addStage(new InsecureStage(app, 'EuWest'));
    new InsecureStage(app, 'NotDeployed');
    const errors = errorsOf(synthViolations(app));
    const plugins = new Set(errors.filter((e) => e.path.startsWith('EuWest/')).map((e) => e.plugin));
    expect([...plugins].sort()).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'devsecops-policies']);
    expect(errors.filter((e) => e.path.startsWith('NotDeployed/'))).toEqual([]);
  });

  test('the README\'s way to acknowledge a finding in your own Stage: a plain bucket fails S1 and S10; enforceSSL and a reasoned acknowledgment pass', () => {
    // The README's WebStage (section "Acknowledging a cdk-nag finding in your own Stage").
    class WebStage extends Stage {
      constructor(scope: Construct, id: string, acknowledge: boolean) {
        super(scope, id);
        const stack = new Stack(this, 'Web');
        const assets = new s3.Bucket(stack, 'Assets', { enforceSSL: acknowledge, encryption: s3.BucketEncryption.S3_MANAGED });
        if (acknowledge) {
          Validations.of(assets).acknowledge({
            id: 'AwsSolutions::AwsSolutions-S1',
            reason: 'Public build assets only; every request is logged by the CloudFront distribution in front of it',
          });
        }
      }
    }
    const plain = pipelineApp();
    plain.pipeline.addStage(new WebStage(plain.app, 'Web', false));
    expect(errorsOf(synthViolations(plain.app)).map((e) => `${e.rule} ${e.path}`).sort()).toEqual([
      'AwsSolutions-S1 Web/Web/Assets/Resource',
      'AwsSolutions-S10 Web/Web/Assets/Resource',
    ]);
    const fixed = pipelineApp();
    fixed.pipeline.addStage(new WebStage(fixed.app, 'Web', true));
    expect(errorsOf(synthViolations(fixed.app))).toEqual([]);
    const ack = fixed.app.node.findChild('Web').node.findChild('Web').node.findChild('Assets').node.metadata.find((m) => m.type === 'aws:cdk:acknowledged-rules');
    expect(ack?.data).toEqual({ 'AwsSolutions::AwsSolutions-S1': expect.stringMatching(/CloudFront/) });
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain("id: 'AwsSolutions::AwsSolutions-S1',");
    expect(readme).toContain("const assets = new s3.Bucket(stack, 'Assets', { enforceSSL: true, encryption: s3.BucketEncryption.S3_MANAGED });");
  });

  test('a resource beside the pipeline, in its stack or another stack of the app, is held to nagPacks; the pipeline is checked once', () => {
    const { app, stack, pipeline } = pipelineApp();
    new sns.Topic(stack, 'Beside');
    new sns.Topic(new Stack(app, 'Other'), 'Elsewhere');
    pipeline.addStage(new AppStage(app, 'Staging'));
    const errors = errorsOf(synthViolations(app));
    const topics = errors.filter((e) => e.path.endsWith('/Beside/Resource') || e.path.endsWith('/Elsewhere/Resource'));
    expect([...new Set(topics.map((e) => `${e.plugin} ${e.path}`))].sort()).toEqual([
      'AwsSolutions Other/Elsewhere/Resource',
      'AwsSolutions PipelineStack/Beside/Resource',
    ]);
    // Only those: the pipeline stays clean, and nothing is reported twice.
    expect(errors.filter((e) => !topics.includes(e))).toEqual([]);
    const keys = errors.map((e) => `${e.plugin} ${e.rule} ${e.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('an app with file assets stays clean under the five packs: the asset role keeps no wildcard CDK added by default', () => {
    const { app, stack, pipeline } = pipelineApp();
    const stage = new AppStage(app, 'Staging');
    new s3assets.Asset(stage.node.findChild('App'), 'Site', { path: path.join(ROOT, 'examples', 'clean-app', 'infra') });
    pipeline.addStage(stage);
    expect(errorsOf(synthViolations(app))).toEqual([]);
    const template = JSON.parse(fs.readFileSync(path.join(app.outdir, `${stack.artifactId}.template.json`), 'utf8'));
    const policies = JSON.stringify(Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy').map((r) => r.Properties.PolicyDocument));
    for (const unused of ['codebuild:CreateReportGroup', 's3:PutObjectAcl', ':log-group:/aws/codebuild/', ':report-group/']) expect(policies).not.toContain(unused);
    const statements = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy').flatMap((r) => r.Properties.PolicyDocument.Statement);
    const buildControl = statements.filter((s) => [s.Action].flat().includes('codebuild:StartBuild'));
    for (const s of buildControl) expect(s.Resource).not.toEqual('*');
  });

  test('a pipeline with ConfirmPermissionsBroadening and approvals stays clean under all five packs', () => {
    const { app, pipeline } = pipelineApp();
    pipeline.addStage(new AppStage(app, 'Staging'), { confirmPermissionsBroadening: true });
    pipeline.addWave('Prod', { approval: true }).addStage(new AppStage(app, 'Prod'));
    expect(errorsOf(synthViolations(app))).toEqual([]);
    expect(pipeline.acknowledgments.every((a) => a.reason.length > 40)).toBe(true);
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { main } from '../../src/findings/cli';
import { policies } from '../../src/findings/policies-cli';
import { PolicyRulesAsset } from '../../src/gates/policies';
import { POLICY_ENGINE_DIR } from '../../src/policies/plugin';
import { errorsOf, pipelineApp, synthViolations } from '../pipeline/support';

/** One resource breaking each built-in policy; two of them acknowledged (on the Stage, on the function). */
class BreakingStage extends Stage {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = new Stack(this, 'App');
    new s3.CfnBucket(stack, 'Plain', {});
    new lambda.Function(stack, 'Slow', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
      timeout: Duration.seconds(900),
    });
    new ec2.CfnInstance(stack, 'Classic', { imageId: 'ami-12345678', instanceType: 't3.micro' });
    Validations.of(this).acknowledge({ id: 'devsecops-policies::S3_BUCKET_ENCRYPTED', reason: 'test data only, removed nightly' });
    Validations.of(stack.node.findChild('Slow')).acknowledge({ id: 'devsecops-policies::LAMBDA_TIMEOUT_MAXIMUM', reason: 'batch export, runs 14 minutes' });
  }
}

function gateCommand(template: Template): string {
  const projects = template.findResources('AWS::CodeBuild::Project');
  const spec = Object.values<any>(projects).map((p) => JSON.stringify(p.Properties.Source.BuildSpec)).find((s) => s.includes('cli.js policies'));
  if (!spec) throw new Error('no policy gate build');
  return spec;
}

describe('the policy gate', () => {
  // No cdk-nag pack on the Stage: this test is about the policies alone.
  const { app, stack, pipeline } = pipelineApp({ nagPacks: [] });
  pipeline.addStage(new BreakingStage(app, 'Prod'));
  const violations = synthViolations(app);
  // Read from the assembly: Template.fromStack would synthesize again, and the violation would throw.
  const template = Template.fromJSON(JSON.parse(fs.readFileSync(path.join(app.outdir, `${stack.artifactId}.template.json`), 'utf8')));
  const buildSpec = gateCommand(template);

  test('at synth: only the unacknowledged violation fails, with its message', () => {
    const errors = errorsOf(violations).filter((v) => v.plugin === 'devsecops-policies');
    expect(errors.map((e) => `${e.rule} ${e.path}`)).toEqual(['EC2_INSTANCE_IN_VPC Prod/App/Classic']);
  });

  test('the pipeline with its policy gate stays at zero under the five cdk-nag packs, and passes its own policies', () => {
    const pipelineErrors = errorsOf(violations).filter((v) => v.path.startsWith('PipelineStack/'));
    expect(pipelineErrors).toEqual([]);
    const packs = new Set(violations.map((v) => v.plugin));
    // The five packs did run (their warnings or acknowledged findings would show otherwise: assert via metadata).
    const metadata = JSON.parse(fs.readFileSync(path.join(app.outdir, `${stack.artifactId}.metadata.json`), 'utf8'));
    const nag = Object.values<any[]>(metadata).flat().find((e) => e.type === 'cdk-devsecops-pipeline:nag-packs');
    expect(nag.data.pipeline).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security', 'Serverless']);
    expect(packs.has('devsecops-policies')).toBe(true);
  });

  test('the gate runs in the SecurityGates stage with every policy and its digest, on the deployed stacks', () => {
    const stages = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    const gates = stages.find((s: any) => s.Name === 'SecurityGates');
    expect(gates.Actions.map((a: any) => a.Name)).toContain('PolicyCheck');
    for (const id of ['EC2_INSTANCE_IN_VPC', 'S3_BUCKET_ENCRYPTED', 'LAMBDA_TIMEOUT_MAXIMUM']) {
      expect(buildSpec).toMatch(new RegExp(`--policy ${id}=[0-9a-f]{64}`));
    }
    expect(buildSpec).toContain("--stack 'Prod/App'");
    expect(buildSpec).toContain('evaluate --gate policies --fail-on HIGH');
  });

  test('the gate honours exactly the acknowledgments synth honoured, read from the cloud assembly, and blocks', async () => {
    const rulesAsset = pipeline.node.findAll().find((c): c is PolicyRulesAsset => c instanceof PolicyRulesAsset)!;
    const rulesDir = path.join(app.outdir, rulesAsset.asset.assetPath);
    const args = [...buildSpec.matchAll(/--policy (\S+)/g)].flatMap((m) => ['--policy', m[1]]);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-gate-'));
    const sarifFile = path.join(out, 'policies.sarif');
    let printed = '';
    const io = { out: (t: string) => { printed += t; }, err: (t: string) => { printed += t; } };
    const code = policies(['--engine', POLICY_ENGINE_DIR, '--rules', rulesDir, ...args, '--assembly', app.outdir, '--stack', 'Prod/App', '--out', sarifFile], io);
    expect(code).toBe(0);
    const sarif = JSON.parse(fs.readFileSync(sarifFile, 'utf8'));
    const results = sarif.runs[0].results as any[];
    const open = results.filter((r) => !r.suppressions).map((r) => `${r.ruleId} ${r.locations[0].logicalLocations[0].fullyQualifiedName}`);
    const accepted = results.filter((r) => r.suppressions).map((r) => `${r.ruleId} ${r.suppressions[0].justification}`);
    // The same violation synth refused, and nothing else.
    const synthOpen = errorsOf(violations).filter((v) => v.plugin === 'devsecops-policies').map((v) => v.rule);
    expect(open.map((o) => o.split(' ')[0])).toEqual(synthOpen);
    expect(open).toEqual(['EC2_INSTANCE_IN_VPC Prod/App/Classic/SubnetId']);
    expect(accepted.sort()).toEqual([
      'LAMBDA_TIMEOUT_MAXIMUM acknowledged at Prod/App/Slow: batch export, runs 14 minutes',
      'S3_BUCKET_ENCRYPTED acknowledged at Prod: test data only, removed nightly',
    ]);
    expect(printed).toMatch(/VIOLATION \[EC2_INSTANCE_IN_VPC\] Prod\/App\/Classic \(logical id Classic\), property SubnetId: EC2 instances must be placed in a VPC subnet.*Fix: launch the instance in a VPC/);

    const verdict = await main(['evaluate', '--gate', 'policies', '--fail-on', 'HIGH', '--report', `${sarifFile}:sarif`, '--out', path.join(out, 'findings')], io);
    expect(verdict).toBe(1);
    expect(fs.existsSync(path.join(out, 'findings', 'junit.xml'))).toBe(true);
  });

  test('a policy text that does not match the digest of the running definition fails closed', () => {
    const rulesAsset = pipeline.node.findAll().find((c): c is PolicyRulesAsset => c instanceof PolicyRulesAsset)!;
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-rules-'));
    fs.cpSync(path.join(app.outdir, rulesAsset.asset.assetPath), copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'S3_BUCKET_ENCRYPTED.rego'), 'package weakened\n');
    const args = [...buildSpec.matchAll(/--policy (\S+)/g)].flatMap((m) => ['--policy', m[1]]);
    let err = '';
    const code = policies(['--engine', POLICY_ENGINE_DIR, '--rules', copy, ...args, '--assembly', app.outdir, '--stack', 'Prod/App', '--out', path.join(copy, 'x.sarif')],
      { out: () => undefined, err: (t) => { err += t; } });
    expect(code).toBe(2);
    expect(err).toMatch(/S3_BUCKET_ENCRYPTED: its text does not match the digest/);
  });

  test('a stack missing from the assembly fails closed', () => {
    const rulesAsset = pipeline.node.findAll().find((c): c is PolicyRulesAsset => c instanceof PolicyRulesAsset)!;
    const args = [...buildSpec.matchAll(/--policy (\S+)/g)].flatMap((m) => ['--policy', m[1]]);
    let err = '';
    const code = policies(['--engine', POLICY_ENGINE_DIR, '--rules', path.join(app.outdir, rulesAsset.asset.assetPath), ...args, '--assembly', app.outdir, '--stack', 'Gone/App', '--out', path.join(os.tmpdir(), 'x.sarif')],
      { out: () => undefined, err: (t) => { err += t; } });
    expect(code).toBe(2);
    expect(err).toMatch(/stack Gone\/App is not in the cloud assembly/);
  });
});

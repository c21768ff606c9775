import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, App, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { checkAssembly } from './check-assembly';
import { DevSecOpsPipeline } from '../../src';
import { connectionSource, ENV, InsecureStage } from '../pipeline/support';

// The checker the language smoke tests (run.sh) rely on: it passes the app they run, written here
// in TypeScript, and fails each way that app could go wrong.

/** The smoke tests' application: a KMS-encrypted bucket logging to a second bucket. */
class AppStage extends Stage {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = new Stack(this, 'App');
    const key = new kms.Key(stack, 'DataKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
    });
    new s3.Bucket(stack, 'Data', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
    });
  }
}

const dirs: string[] = [];
function tmpdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-assembly-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function synth(build: (app: App, pipeline: DevSecOpsPipeline) => void): string {
  const outdir = tmpdir();
  const app = new App({ outdir });
  const stack = new Stack(app, 'PipelineStack', { env: ENV });
  build(app, new DevSecOpsPipeline(stack, 'Pipeline', { source: connectionSource() }));
  try {
    app.synth();
  } catch {
    // A failed validation still writes the assembly and its report: the checker must see them.
  }
  return outdir;
}

/** The smoke tests' app, as the README's quick start builds it. */
function quickStart(app: App, pipeline: DevSecOpsPipeline): void {
  pipeline.addStage(new AppStage(app, 'Staging'));
  pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
}

/** A copy of an assembly with one JSON file changed. */
function mutated(outdir: string, file: string, change: (json: any) => void): string {
  const copy = tmpdir();
  fs.cpSync(outdir, copy, { recursive: true });
  const json = JSON.parse(fs.readFileSync(path.join(copy, file), 'utf8'));
  change(json);
  fs.writeFileSync(path.join(copy, file), JSON.stringify(json));
  return copy;
}

function pipelineOf(template: any): any {
  return Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
}

let good: string;
beforeAll(() => {
  good = synth(quickStart);
});

test('the quick start with two Stages passes: seven gates, the stage order, no nag error', () => {
  const { failures, summary } = checkAssembly(good);
  expect(failures).toEqual([]);
  expect(summary[0]).toBe('gates dependencies, dockerfile, iac, policies, sast, sbom, secrets');
  expect(summary[1]).toMatch(/^stages Source > Build > SecurityGates > .*UpdatePipeline > Staging > Prod$/);
});

test('a missing gate fails, named by the gates that remain', () => {
  const outdir = mutated(good, 'PipelineStack.template.json', (t) => {
    const gates = pipelineOf(t).Properties.Stages.find((s: any) => s.Name === 'SecurityGates');
    gates.Actions = gates.Actions.filter((a: any) => !JSON.stringify(t.Resources[a.Configuration.ProjectName.Ref]).includes('--gate iac'));
  });
  expect(checkAssembly(outdir).failures).toEqual([expect.stringMatching(/^gates: expected dependencies, dockerfile, iac, policies, sast, sbom, secrets, found dependencies, dockerfile, policies, sast, sbom, secrets$/)]);
});

test('the Stages in the wrong order, or no approval before Prod, fail', () => {
  const swapped = synth((app, pipeline) => {
    pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
    pipeline.addStage(new AppStage(app, 'Staging'));
  });
  expect(checkAssembly(swapped).failures).toEqual([expect.stringMatching(/^stage order: expected Staging, Prod last/)]);
  const noApproval = synth((app, pipeline) => {
    pipeline.addStage(new AppStage(app, 'Staging'));
    pipeline.addStage(new AppStage(app, 'Prod'));
  });
  expect(checkAssembly(noApproval).failures).toEqual(['Prod: expected a manual approval (addStage approval: true)']);
});

test('UpdatePipeline moved before the gates fails', () => {
  const outdir = mutated(good, 'PipelineStack.template.json', (t) => {
    const stages = pipelineOf(t).Properties.Stages;
    const update = stages.splice(stages.findIndex((s: any) => s.Name === 'UpdatePipeline'), 1)[0];
    stages.splice(1, 0, update);
  });
  expect(checkAssembly(outdir).failures).toEqual(expect.arrayContaining([expect.stringMatching(/^stage order: expected Source, Build, SecurityGates first/)]));
});

test('an unacknowledged nag error in a Stage fails', () => {
  const outdir = synth((app, pipeline) => {
    pipeline.addStage(new AppStage(app, 'Staging'));
    pipeline.addStage(new InsecureStage(app, 'Prod'), { approval: true });
  });
  expect(checkAssembly(outdir).failures).toEqual([expect.stringMatching(/^unacknowledged nag errors: .*AwsSolutions-S1/)]);
});

test('an error annotation fails', () => {
  const outdir = synth((app, pipeline) => {
    quickStart(app, pipeline);
    Annotations.of(pipeline).addError('something is wrong');
  });
  expect(checkAssembly(outdir).failures).toEqual(['error annotations: something is wrong']);
});

test('no cloud assembly, or no pipeline in it, fails', () => {
  expect(checkAssembly(path.join(good, 'nowhere')).failures).toEqual([expect.stringMatching(/no cloud assembly/)]);
  const empty = tmpdir();
  new App({ outdir: empty }).synth();
  expect(checkAssembly(empty).failures).toEqual([expect.stringMatching(/^no DevSecOpsPipeline at PipelineStack\/Pipeline/)]);
});

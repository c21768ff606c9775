/**
 * Gate integrity, end to end on synthesized cloud assemblies: the stage order (every gate and the
 * weakening check before self-mutation and asset publishing), and the weakening check itself, run
 * with the posture the running definition embeds in its own build against the commit's assembly.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { pipelineApp, synthViolations } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { DependencyScan, DevSecOpsPipeline, DevSecOpsPipelineProps, DockerfileScan, IacScan, Sast, Sbom, SecretScan, Severity } from '../../src';
import { POSTURE_OUTPUTS, posture } from '../../src/findings/posture-cli';
import { LicenseGate } from '../support/license-gate';

interface Built { readonly app: App; readonly outdir: string; readonly pipeline: DevSecOpsPipeline; readonly template: any }

/** The quickstart's shape (two Stages, Prod approved), synthesized; `tweak` changes it as a commit would. */
interface Tweak { readonly prodApproval?: boolean; readonly broadening?: boolean; readonly extra?: (p: DevSecOpsPipeline) => void }

function build(props: Partial<DevSecOpsPipelineProps> = {}, tweak: Tweak = {}): Built {
  const { app, stack, pipeline } = pipelineApp(props);
  pipeline.addStage(new AppStage(app, 'Staging'), { confirmPermissionsBroadening: tweak.broadening ?? true });
  pipeline.addStage(new AppStage(app, 'Prod'), { approval: tweak.prodApproval ?? true });
  tweak.extra?.(pipeline);
  const assembly = app.synth();
  return { app, outdir: assembly.directory, pipeline, template: JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.template.json`), 'utf8')) };
}

function stagesOf(template: any): string[] {
  const p = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  return p.Properties.Stages.map((s: any) => s.Name);
}

/** The posture the check's build writes (`printf '%s' '<json>'`), read back from the synthesized build spec. */
function embeddedPosture(template: any): string {
  const project = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.includes('PostureCheck'))![1];
  const spec = JSON.parse(project.Properties.Source.BuildSpec);
  const line: string = spec.phases.build.commands.find((c: string) => c.startsWith('printf \'%s\' \''));
  const quoted = line.slice('printf \'%s\' '.length, line.indexOf(' > '));
  // Undo shellQuote: '...' with '\'' for each quote.
  return quoted.slice(1, -1).split('\'\\\'\'').join('\'');
}

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'posture-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function check(before: Built, after: Built, withSummary = false): { code: number; weakened: string; line: string; stderr: string; summary?: string } {
  const dir = fs.mkdtempSync(path.join(work, 'check-'));
  const file = path.join(dir, 'before.json');
  fs.writeFileSync(file, embeddedPosture(before.template));
  let stderr = '';
  const out = path.join(dir, 'out');
  const code = posture(['--before', file, '--assembly', after.outdir, '--out', out], { out: () => undefined, err: (t) => (stderr += t) });
  const read = (f: string) => (fs.existsSync(path.join(out, f)) ? fs.readFileSync(path.join(out, f), 'utf8') : '');
  const summary = withSummary ? { summary: read(POSTURE_OUTPUTS.summary) } : {};
  return { code, weakened: read(POSTURE_OUTPUTS.weakened), line: read(POSTURE_OUTPUTS.line), stderr, ...summary };
}

describe('stage order', () => {
  test('Source, Build, SecurityGates (with the weakening check), the weakening approval, then UpdatePipeline, assets and the Stages', () => {
    const b = build();
    const stages = stagesOf(b.template);
    expect(stages).toEqual(['Source', 'Build', 'SecurityGates', 'PipelineSecurityChange', 'UpdatePipeline', 'Staging', 'Prod']);
    const p = Object.values<any>(b.template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const gates = p.Properties.Stages.find((s: any) => s.Name === 'SecurityGates');
    expect(gates.Actions.map((a: any) => a.Name).sort()).toEqual(['DependencyScan', 'DockerfileScan', 'IacScan', 'PolicyCheck', 'PostureCheck', 'Sast', 'SecretScan']);
    // All in one run order: in parallel.
    expect(new Set(gates.Actions.map((a: any) => a.RunOrder))).toEqual(new Set([1]));
  });

  test('an app with file assets publishes them only after the gates and self-mutation', () => {
    const { app, stack, pipeline } = pipelineApp();
    const stage = new AppStage(app, 'Staging');
    // A file asset in the Stage: published by an asset stage.
    new s3assets.Asset(stage.node.findChild('App'), 'Site', { path: path.join(__dirname, '..', '..', 'examples', 'clean-app', 'infra') });
    pipeline.addStage(stage);
    synthViolations(app);
    const stages = stagesOf(JSON.parse(fs.readFileSync(path.join(app.outdir, `${stack.artifactId}.template.json`), 'utf8')));
    expect(stages.indexOf('Assets')).toBeGreaterThan(stages.indexOf('UpdatePipeline'));
    expect(stages.slice(0, 5)).toEqual(['Source', 'Build', 'SecurityGates', 'PipelineSecurityChange', 'UpdatePipeline']);
  });

  test('the approval stage is skipped unless the check says WEAKENED is true, and tells what weakened', () => {
    const b = build();
    const p = Object.values<any>(b.template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const stage = p.Properties.Stages.find((s: any) => s.Name === 'PipelineSecurityChange');
    const gates = p.Properties.Stages.find((s: any) => s.Name === 'SecurityGates');
    const namespace = gates.Actions.find((a: any) => a.Name === 'PostureCheck').Namespace;
    expect(stage.BeforeEntry).toEqual({
      Conditions: [{
        Result: 'SKIP',
        Rules: [expect.objectContaining({
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' },
          Configuration: { Variable: `#{${namespace}.WEAKENED}`, Value: 'true', Operator: 'EQ' },
        })],
      }],
    });
    expect(stage.Actions).toEqual([expect.objectContaining({
      ActionTypeId: expect.objectContaining({ Category: 'Approval', Provider: 'Manual' }),
      Configuration: { CustomData: expect.stringContaining(`#{${namespace}.WEAKENINGS}`) },
    })]);
  });

  test('without self-mutation there is no check and no approval stage; the gates still come right after Build', () => {
    const stages = stagesOf(build({ selfMutation: false }).template);
    expect(stages).toEqual(['Source', 'Build', 'SecurityGates', 'Staging', 'Prod']);
  });

  test('with every static gate off, the policy gate and the weakening check still run before self-mutation', () => {
    const off = {
      secrets: SecretScan.none(),
      sast: Sast.none(),
      dependencies: DependencyScan.none(),
      sbom: Sbom.none(),
      iac: IacScan.none(),
      dockerfile: DockerfileScan.none(),
    };
    const b = build({ gates: off });
    const p = Object.values<any>(b.template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const gates = p.Properties.Stages.find((s: any) => s.Name === 'SecurityGates');
    expect(gates.Actions.map((a: any) => a.Name)).toEqual(['PolicyCheck', 'PostureCheck']);
  });
});

describe('the weakening check on before/after assemblies', () => {
  let base: Built;
  beforeAll(() => {
    base = build({ gates: { suppressionsFile: 'security/suppressions.yaml' } });
  });

  test('the same definition weakens nothing', () => {
    expect(check(base, base)).toEqual({ code: 0, weakened: 'false', line: 'nothing weakened', stderr: '' });
  });

  test('a commit that weakens every way at once: each kind is named', () => {
    const weaker = build({
      nagPacks: [],
      // The Dockerfile gate unchanged: the one-line list (cut at 900 characters) keeps room for the stages.
      gates: {
        failOn: Severity.CRITICAL,
        secrets: SecretScan.none(),
        suppressionsFile: 'somewhere/else.yaml',
        dockerfile: DockerfileScan.baseImagePolicy({ failOn: Severity.HIGH, suppressionsFile: 'security/suppressions.yaml' }),
      },
    }, {
      prodApproval: false,
      broadening: false,
      extra: (p) => Validations.of(p.artifactBucket.node.defaultChild as s3.CfnBucket).acknowledge({ id: 'AwsSolutions::AwsSolutions-S99', reason: 'A commit that quietly acknowledges a finding on the pipeline' }),
    });
    const r = check(base, weaker, true);
    expect({ code: r.code, weakened: r.weakened }).toEqual({ code: 0, weakened: 'true' });
    for (const what of [
      'gate secrets removed or turned off (none())',
      'gate sast: failOn raised from HIGH to CRITICAL',
      'gate iac: suppressions file moved from security/suppressions.yaml to somewhere/else.yaml',
      'cdk-nag pack AwsSolutions no longer checks the deployed Stages',
      '1 new cdk-nag acknowledgment(s) on the pipeline\'s own constructs',
      'stage Prod: manual approval removed',
      'stage Staging: confirmPermissionsBroadening removed',
      // The one-line text is cut for CodePipeline (WEAKENINGS_MAX); the summary lists everything.
    ]) expect(r.summary).toContain(what);
  });

  test.each([
    ['a gate turned off', { gates: { suppressionsFile: 'security/suppressions.yaml', secrets: SecretScan.none() } }, {}, /^gate secrets removed/],
    ['a nag pack removed', { gates: { suppressionsFile: 'security/suppressions.yaml' }, nagPacks: [] }, {}, /^cdk-nag pack AwsSolutions/],
    ['an approval dropped', { gates: { suppressionsFile: 'security/suppressions.yaml' } }, { prodApproval: false }, /^stage Prod: manual approval removed$/],
  ] as const)('one weakening alone: %s', (_name, props, tweak, expected) => {
    const r = check(base, build(props as Partial<DevSecOpsPipelineProps>, tweak));
    expect({ weakened: r.weakened, line: r.line }).toEqual({ weakened: 'true', line: expect.stringMatching(expected) });
  });

  test('a commit that strengthens (a lower failOn, an approval added) weakens nothing', () => {
    const stronger = build({ gates: { suppressionsFile: 'security/suppressions.yaml', failOn: Severity.MEDIUM } }, {
      extra: (p) => p.addStage(new AppStage(p.node.root as App, 'Prod2'), { approval: true }),
    });
    expect(check(base, stronger)).toEqual({ code: 0, weakened: 'false', line: 'nothing weakened', stderr: '' });
  });

  test('a commit that moves or removes the pipeline counts as weakened; an unreadable assembly fails the check', () => {
    const { app } = (() => {
      const a = new App();
      return { app: a };
    })();
    const empty = app.synth();
    const r = check(base, { app, outdir: empty.directory, pipeline: base.pipeline, template: base.template });
    expect({ weakened: r.weakened, line: r.line }).toEqual({ weakened: 'true', line: expect.stringMatching(/^no DevSecOpsPipeline at PipelineStack\/Pipeline in the new cloud assembly/) });
    const missing = check(base, { ...base, outdir: path.join(work, 'no-such-assembly') });
    expect({ code: missing.code, weakened: missing.weakened, stderr: missing.stderr }).toEqual({ code: 2, weakened: '', stderr: expect.stringMatching(/--assembly .*: not a directory/) });
  });
});

describe('waves and gates of your own are part of the posture', () => {
  const withWave = (approval: boolean) => (p: DevSecOpsPipeline) => {
    const app = p.node.root as App;
    const wave = p.addWave('Regional');
    wave.addStage(new AppStage(app, 'EuWest'), { approval, confirmPermissionsBroadening: true });
    wave.addStage(new AppStage(app, 'EuCentral'));
    // A wave of one Stage: CDK Pipelines names its pipeline stage after the Stage.
    p.addWave('Single', { approval: true }).addStage(new AppStage(app, 'UsEast'));
  };

  test('a wave\'s Stage takes addStage\'s options; the same definition weakens nothing', () => {
    const b = build({ gates: { additionalGates: [new LicenseGate()] } }, { extra: withWave(true) });
    const p = Object.values<any>(b.template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const regional = p.Properties.Stages.find((s: any) => s.Name === 'Regional');
    const deploy = regional.Actions.find((a: any) => a.ActionTypeId.Provider === 'CloudFormation' && a.Name.startsWith('EuWest.'));
    for (const name of ['EuWest.Approve', 'EuWest.ConfirmPermissionsBroadening.Check']) {
      expect(regional.Actions.find((a: any) => a.Name === name).RunOrder).toBeLessThan(deploy.RunOrder);
    }
    const embedded = JSON.parse(embeddedPosture(b.template));
    expect(embedded.stages.Regional).toEqual({ approval: true, confirmPermissionsBroadening: true });
    expect(embedded.stages.UsEast).toEqual({ approval: true, confirmPermissionsBroadening: false });
    expect(embedded.gates.licenses).toEqual({ failOn: 'HIGH' });
    expect(check(b, b)).toEqual({ code: 0, weakened: 'false', line: 'nothing weakened', stderr: '' });
  });

  test('dropping the wave Stage\'s approval, or weakening a gate of your own, needs the approval', () => {
    const before = build({ gates: { additionalGates: [new LicenseGate()] } }, { extra: withWave(true) });
    expect(check(before, build({ gates: { additionalGates: [new LicenseGate()] } }, { extra: withWave(false) })).line).toMatch(/stage Regional: manual approval removed/);
    expect(check(before, build({ gates: { additionalGates: [new LicenseGate('licenses', { failOn: Severity.CRITICAL })] } }, { extra: withWave(true) })).line).toMatch(/gate licenses: failOn raised from HIGH to CRITICAL/);
    expect(check(before, build({}, { extra: withWave(true) })).line).toMatch(/gate licenses removed/);
  });
});

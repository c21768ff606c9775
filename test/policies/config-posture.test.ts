/**
 * Turning a Stage's Config rules off is weakening the pipeline: its proactive gate is in the
 * posture, so the weakening check sees it go and the pipeline waits for an approval.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AppStage } from '../../examples/quickstart/app-stage';
import { POSTURE_OUTPUTS, posture } from '../../src/findings/posture-cli';
import { pipelineApp } from '../pipeline/support';

function build(configRules: boolean): { outdir: string; template: any } {
  const { app, stack, pipeline } = pipelineApp();
  pipeline.addStage(new AppStage(app, 'Prod'), { approval: true, configRules });
  const assembly = app.synth();
  return { outdir: assembly.directory, template: JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.template.json`), 'utf8')) };
}

/** The posture the check's build writes (`printf '%s' '<json>'`), read back from the synthesized build spec. */
function embeddedPosture(template: any): string {
  const project = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.includes('PostureCheck'))![1];
  const line: string = JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands.find((c: string) => c.startsWith('printf \'%s\' \''));
  const quoted = line.slice('printf \'%s\' '.length, line.indexOf(' > '));
  return quoted.slice(1, -1).split('\'\\\'\'').join('\'');
}

test('the running posture records the Stage\'s proactive gate, and removing it is a weakening', () => {
  const before = build(true);
  const after = build(false);
  const running = JSON.parse(embeddedPosture(before.template));
  expect(running.gates['config-proactive.prod']).toEqual({ failOn: 'HIGH' });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-posture-'));
  const file = path.join(dir, 'before.json');
  fs.writeFileSync(file, embeddedPosture(before.template));
  const out = path.join(dir, 'out');
  expect(posture(['--before', file, '--assembly', after.outdir, '--out', out], { out: () => undefined, err: () => undefined })).toBe(0);
  expect(fs.readFileSync(path.join(out, POSTURE_OUTPUTS.weakened), 'utf8')).toBe('true');
  expect(fs.readFileSync(path.join(out, POSTURE_OUTPUTS.line), 'utf8')).toContain('gate config-proactive.prod removed');

  // The same definition again weakens nothing.
  const same = path.join(dir, 'same');
  posture(['--before', file, '--assembly', build(true).outdir, '--out', same], { out: () => undefined, err: () => undefined });
  expect(fs.readFileSync(path.join(same, POSTURE_OUTPUTS.line), 'utf8')).toBe('nothing weakened');
  fs.rmSync(dir, { recursive: true, force: true });
});

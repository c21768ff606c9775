/**
 * Removing or weakening a policy weakens the pipeline: the weakening check, run with the posture
 * the running definition embeds in its own build against the commit's assembly, asks for approval.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { AppStage } from '../../examples/quickstart/app-stage';
import { DevSecOpsPipelineProps } from '../../src';
import { POSTURE_OUTPUTS, posture } from '../../src/findings/posture-cli';
import { Policy, PolicySet } from '../../src/policies/policy';
import { pipelineApp } from '../pipeline/support';

interface Built { readonly outdir: string; readonly template: any }

function build(props: Partial<DevSecOpsPipelineProps> = {}): Built {
  const { app, stack, pipeline } = pipelineApp(props);
  pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
  const assembly = app.synth();
  return { outdir: assembly.directory, template: JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.template.json`), 'utf8')) };
}

function embeddedPosture(template: any): string {
  const project = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.includes('PostureCheck'))![1];
  const spec = JSON.parse(project.Properties.Source.BuildSpec);
  const line: string = spec.phases.build.commands.find((c: string) => c.startsWith('printf \'%s\' \''));
  const quoted = line.slice('printf \'%s\' '.length, line.indexOf(' > '));
  return quoted.slice(1, -1).split('\'\\\'\'').join('\'');
}

function check(before: Built, after: Built): { weakened: string; line: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-posture-'));
  fs.writeFileSync(path.join(dir, 'before.json'), embeddedPosture(before.template));
  const code = posture(['--before', path.join(dir, 'before.json'), '--assembly', after.outdir, '--out', path.join(dir, 'out')], { out: () => undefined, err: () => undefined });
  expect(code).toBe(0);
  const read = (f: string) => fs.readFileSync(path.join(dir, 'out', f), 'utf8');
  return { weakened: read(POSTURE_OUTPUTS.weakened), line: read(POSTURE_OUTPUTS.line) };
}

const extra = () => new Policy({
  id: 'NO_NAMED_BUCKETS',
  message: 'buckets must not have fixed names',
  fix: 'remove bucketName',
  rego: 'package org.named\nimport rego.v1\nviolation contains v if {\n\tsome name, res in input.resources\n\tres.resourceType == "AWS::S3::Bucket"\n\tres.properties.BucketName\n\tv := make_diag_at("NO_NAMED_BUCKETS", "ERROR", name, "Properties.BucketName", "named")\n}\n',
});

describe('policies in the pipeline posture', () => {
  const base = build();

  test('the posture lists each policy with its digest', () => {
    const p = JSON.parse(embeddedPosture(base.template));
    expect(p.policies.map((x: string) => x.split('=')[0]).sort()).toEqual(['EC2_INSTANCE_IN_VPC', 'LAMBDA_TIMEOUT_MAXIMUM', 'S3_BUCKET_ENCRYPTED']);
    expect(p.policies.every((x: string) => /=[0-9a-f]{64}$/.test(x))).toBe(true);
  });

  test('an unchanged commit and an added policy weaken nothing', () => {
    expect(check(base, build()).weakened).toBe('false');
    expect(check(base, build({ policies: PolicySet.builtIn().add(extra()) })).weakened).toBe('false');
  });

  test('disabling a built-in policy is a weakening', () => {
    const r = check(base, build({ policies: PolicySet.builtIn().disable('S3_BUCKET_ENCRYPTED', 'test') }));
    expect(r.weakened).toBe('true');
    expect(r.line).toContain('policy S3_BUCKET_ENCRYPTED removed or disabled');
  });

  test('a changed policy (a higher Lambda maximum) is a weakening', () => {
    const strict = build({ policies: PolicySet.builtIn({ lambdaMaxTimeout: Duration.minutes(5) }) });
    const r = check(strict, base);
    expect(r.weakened).toBe('true');
    expect(r.line).toContain('policy LAMBDA_TIMEOUT_MAXIMUM changed');
  });
});

/**
 * Nothing a build of the pipeline runs is installed floating: CDK Pipelines' own
 * `npm install -g aws-cdk@2` (self-mutation) and `npm install -g cdk-assets@latest` (asset
 * publishing) are replaced with the tarballs the tools table pins, checked by sha512.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnWaitConditionHandle, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { pipelineApp } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { pinCdkCliInstalls } from '../../src/pipeline/cli-pins';
import { commandsFor, sriToSha512Hex } from '../../src/tools/install';
import { CDK_CLIS, npmTarballUrl } from '../../src/tools/tools';
import { flatten } from '../gates/support';

const ROOT = path.join(__dirname, '..', '..');

/** A Stage with a file asset, so the pipeline gets an asset publishing build. */
class AssetStage extends Stage {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = new Stack(this, 'Files');
    new s3assets.Asset(stack, 'Reports', { path: path.join(ROOT, 'test', 'fixtures', 'scanner-reports') });
    new CfnWaitConditionHandle(stack, 'Placeholder');
  }
}

/** Every CodeBuild project of the synthesized pipeline stack: logical id and buildspec commands, install phase first. */
function projects(selfMutation = true): Array<{ id: string; commands: string[] }> {
  const { app, stack, pipeline } = pipelineApp({ selfMutation });
  // confirmPermissionsBroadening: CDK Pipelines' security check build installs the CDK CLI too.
  pipeline.addStage(new AppStage(app, 'Staging'), { confirmPermissionsBroadening: true });
  pipeline.addStage(new AssetStage(app, 'Files'));
  // Built and resolved without synthesizing the app: cdk-nag's verdict on asset publishing roles is not this test's subject.
  pipeline.codePipeline.buildPipeline();
  const resources = stack.node.findAll().filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject)
    .flatMap((c) => Object.entries<any>(stack.resolve((c as any)._toCloudFormation()).Resources));
  return resources.map(([id, p]) => {
    const spec = JSON.parse(flatten(p.Properties.Source.BuildSpec));
    const phases = spec.phases ?? {};
    return { id, commands: ['install', 'pre_build', 'build', 'post_build'].flatMap((ph) => phases[ph]?.commands ?? []) };
  });
}

const ALL = projects();

describe('CDK Pipelines\' own installs', () => {
  test.each([['SelfMutation', 'aws-cdk'], ['CDKSecurityCheck', 'aws-cdk'], ['FileAsset', 'cdk-assets']] as const)('%s installs %s from its pinned, checked tarball', (kind, name) => {
    const found = ALL.filter((p) => p.id.includes(kind));
    expect(found.length).toBeGreaterThan(0);
    const pkg = CDK_CLIS[name].packages[0];
    const file = `/tmp/devsecops-tools/${name}-${pkg.version}.tgz`;
    for (const p of found) {
      expect(p.commands.join('\n')).not.toMatch(/npm install -g/);
      const curl = p.commands.indexOf(`curl -fsSL --retry 3 -o ${file} ${npmTarballUrl(pkg)}`);
      const check = p.commands.indexOf(`echo "${sriToSha512Hex(pkg.integrity)}  ${file}" | sha512sum -c -`);
      const install = p.commands.indexOf(`npm install --global --ignore-scripts --no-audit --no-fund ${file}`);
      expect(curl).toBeGreaterThanOrEqual(0);
      expect(check).toBeGreaterThan(curl);
      expect(install).toBeGreaterThan(check);
    }
  });

  test('no build of the pipeline installs a global npm package that was not checked first', () => {
    expect(ALL.length).toBeGreaterThan(5);
    for (const p of ALL) {
      const checked = new Set<string>();
      for (const line of p.commands.flatMap((c) => c.split(/\s*(?:&&|;|\n)\s*/))) {
        const check = /^echo "[0-9a-f]{128} {2}(\S+)" \| sha512sum -c -$/.exec(line);
        if (check) checked.add(check[1]);
        if (/\bnpm (install|i|add)\b/.test(line) && /\s(-g|--global)\b/.test(line)) {
          // Only local tarballs checked above: never a name the registry resolves.
          const args = line.split(' ').slice(2).filter((a) => !a.startsWith('--'));
          expect({ project: p.id, line, args: args.map((a) => checked.has(a)) }).toEqual({ project: p.id, line, args: args.map(() => true) });
          expect(args.length).toBeGreaterThan(0);
        }
      }
    }
  });

  test('the synthesized template carries the pinned self-mutation install', () => {
    const { app, stack, pipeline } = pipelineApp();
    pipeline.addStage(new AppStage(app, 'Staging'));
    const built = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
    const selfMutation = Object.entries<any>(built).filter(([id]) => id.includes('SelfMutation'));
    expect(selfMutation).toHaveLength(1);
    const install: string[] = JSON.parse(flatten(selfMutation[0][1].Properties.Source.BuildSpec)).phases.install.commands;
    expect(install).toEqual([
      'mkdir -p /tmp/devsecops-tools',
      `curl -fsSL --retry 3 -o /tmp/devsecops-tools/aws-cdk-2.1148.1.tgz ${npmTarballUrl(CDK_CLIS['aws-cdk'].packages[0])}`,
      `echo "${sriToSha512Hex(CDK_CLIS['aws-cdk'].packages[0].integrity)}  /tmp/devsecops-tools/aws-cdk-2.1148.1.tgz" | sha512sum -c -`,
      'npm install --global --ignore-scripts --no-audit --no-fund /tmp/devsecops-tools/aws-cdk-2.1148.1.tgz',
    ]);
  });

  test('without self-mutation there is nothing to pin and no SelfMutation build', () => {
    expect(projects(false).filter((p) => p.id.includes('SelfMutation'))).toEqual([]);
  });
});

describe('the pinned CDK CLI', () => {
  test('is the aws-cdk devDependency: the version of .projenrc.ts and the integrity of package-lock.json', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    const entry = lock.packages['node_modules/aws-cdk'];
    const pkg = CDK_CLIS['aws-cdk'].packages[0];
    expect(pkg).toEqual({ name: 'aws-cdk', version: entry.version, integrity: entry.integrity });
    expect(CDK_CLIS['aws-cdk'].version).toBe(entry.version);
    const projenrc = fs.readFileSync(path.join(ROOT, '.projenrc.ts'), 'utf8');
    expect(/const CDK_CLI_VERSION = '([^']+)'/.exec(projenrc)?.[1]).toBe(entry.version);
  });

  test('both CLIs are exact versions with a sha512 integrity, and bundle everything (no dependencies to float)', () => {
    for (const t of Object.values(CDK_CLIS)) {
      expect(t.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(t.packages).toHaveLength(1);
      expect(t.packages[0].version).toBe(t.version);
      expect(t.packages[0].integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    }
    // The installed aws-cdk declares no dependencies: its tarball is all that runs.
    const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk', 'package.json'), 'utf8'));
    expect(installed.dependencies ?? {}).toEqual({});
  });
});

describe('pinCdkCliInstalls fails closed', () => {
  /** A stand-in for the built CodePipeline: a construct with CDK Pipelines' generated scopes and one project in `scope`. */
  function fakePipeline(scope: string, command: string, selfMutation: boolean): { pipeline: any; project: codebuild.Project } {
    const stack = new Stack();
    const root = new Construct(stack, 'CdkPipeline');
    const project = new codebuild.Project(new Construct(root, scope), 'SelfMutation', {
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { install: { commands: [command] }, build: { commands: ['cdk --version'] } } }),
    });
    return { pipeline: { node: root.node, selfMutationEnabled: selfMutation, selfMutationProject: project }, project };
  }
  const installOf = (project: codebuild.Project): string[] => {
    const cfn = Stack.of(project).resolve((project.node.defaultChild as any)._toCloudFormation());
    const p = Object.values<any>(cfn.Resources)[0];
    return JSON.parse(p.Properties.Source.BuildSpec).phases.install.commands;
  };

  test('CDK Pipelines\' line is replaced, whatever version it names', () => {
    for (const line of ['npm install -g aws-cdk@2', 'npm install -g aws-cdk', 'npm install -g aws-cdk@latest']) {
      const { pipeline, project } = fakePipeline('UpdatePipeline', line, true);
      pinCdkCliInstalls(pipeline);
      expect(installOf(project)).toEqual(commandsFor(CDK_CLIS['aws-cdk']));
    }
  });

  test('another global npm install in a generated build stops the synth', () => {
    const { pipeline } = fakePipeline('Assets', 'npm install -g typescript', false);
    expect(() => pinCdkCliInstalls(pipeline)).toThrow(/installs an npm package globally with no pinned integrity[^]*npm install -g typescript/);
  });

  test('a self-mutation build without the line to pin stops the synth (CDK Pipelines changed)', () => {
    const { pipeline } = fakePipeline('UpdatePipeline', 'npx aws-cdk@2 --version', true);
    expect(() => pinCdkCliInstalls(pipeline)).toThrow(/no `npm install -g aws-cdk` line to pin/);
  });
});

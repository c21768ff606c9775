import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { flatten, GateBuild } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { Dast, DevSecOpsPipeline, DevSecOpsPipelineProps } from '../../src';
import { pipelineApp } from '../pipeline/support';

export interface DastSynth {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: DevSecOpsPipeline;
  readonly template: Template;
  /** Every CodeBuild project whose build runs `evaluate --gate dast...`. */
  readonly builds: GateBuild[];
}

/** A pipeline whose Staging Stage (the quickstart's, with an output `Url`) is scanned by `dast(url)`. */
export function dastPipeline(dast: (url: CfnOutput, pipelineStack: Stack) => Dast, props: Partial<DevSecOpsPipelineProps> = {}): DastSynth {
  const { app, stack, pipeline } = pipelineApp(props);
  const staging = new AppStage(app, 'Staging');
  const url = new CfnOutput(staging.node.findChild('App') as Stack, 'Url', { value: 'https://staging.example.com/' });
  pipeline.addStage(staging, { dast: dast(url, stack) });
  const template = Template.fromStack(stack);
  const builds = Object.entries<any>(template.findResources('AWS::CodeBuild::Project'))
    .map(([logicalId, project]) => ({ logicalId, project, buildspec: JSON.parse(flatten(project.Properties.Source.BuildSpec)) }))
    .filter((p) => JSON.stringify(p.buildspec).includes('evaluate --gate dast'))
    .map(({ logicalId, project, buildspec }) => ({
      logicalId, project, buildspec, install: buildspec.phases?.install?.commands ?? [], build: buildspec.phases?.build?.commands ?? [],
    }));
  return { app, stack, pipeline, template, builds };
}

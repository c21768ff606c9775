import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppStage } from '../../examples/quickstart/app-stage';
import { ContainerImageOptions, DevSecOpsPipeline, DevSecOpsPipelineProps, PipelineImage } from '../../src';
import { flatten } from '../gates/support';
import { pipelineApp } from '../pipeline/support';

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
export const PROD_ACCOUNT = '222222222222';

export interface ImagePipeline {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: DevSecOpsPipeline;
  readonly image: PipelineImage;
}

/** A pipeline with one image, a Stage in its own account and one in another account. */
export function imagePipeline(options: Partial<ContainerImageOptions> = {}, props: Partial<DevSecOpsPipelineProps> = {}): ImagePipeline {
  process.env.CODEBUILD_RESOLVED_SOURCE_VERSION = COMMIT;
  const { app, stack, pipeline } = pipelineApp(props);
  const image = pipeline.addContainerImage('api', { directory: 'services/api', ...options });
  pipeline.addStage(new AppStage(app, 'Staging'));
  pipeline.addStage(new AppStage(app, 'Prod', { env: { account: PROD_ACCOUNT, region: 'eu-west-1' } }));
  return { app, stack, pipeline, image };
}

/** A CodeBuild project's build commands by a fragment of its logical id. */
export function commandsOfProject(template: Template, idPart: string): { project: any; install: string[]; build: string[] } {
  const found = Object.entries<any>(template.findResources('AWS::CodeBuild::Project')).filter(([id]) => id.includes(idPart));
  if (found.length !== 1) throw new Error(`${found.length} projects match ${idPart}`);
  const project = found[0][1];
  const spec = JSON.parse(flatten(project.Properties.Source.BuildSpec));
  return { project, install: spec.phases?.install?.commands ?? [], build: spec.phases?.build?.commands ?? [] };
}

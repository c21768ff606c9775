import { App, Stack } from 'aws-cdk-lib';
import { AppStage } from './app-stage';
import { DevSecOpsPipeline, PipelineSource } from '../../src';

const app = new App();
const stack = new Stack(app, 'QuickstartPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
const pipeline = new DevSecOpsPipeline(stack, 'Pipeline', {
  source: PipelineSource.connection('my-org/my-app', 'main', {
    connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/11111111-2222-3333-4444-555555555555',
  }),
});
pipeline.addStage(new AppStage(app, 'Staging'));
pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
app.synth();

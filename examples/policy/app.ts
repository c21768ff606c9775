import { App, Stack } from 'aws-cdk-lib';
import { PolicyStage } from './policy-stage';
import { DevSecOpsPipeline, PipelineSource } from '../../src';

// `npm run example policy`: synth fails, showing one message per built-in policy (id, construct
// path and logical id, property, fix). Set POLICY_EXAMPLE_FIXED=1 for the compliant Stage.
const app = new App();
const stack = new Stack(app, 'PolicyPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
const pipeline = new DevSecOpsPipeline(stack, 'Pipeline', {
  source: PipelineSource.connection('my-org/my-app', 'main', {
    connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/11111111-2222-3333-4444-555555555555',
  }),
  // This example is about the policies: no cdk-nag pack on its Stage, so only their messages show
  // (the pipeline itself keeps its five packs).
  nagPacks: [],
});
pipeline.addStage(new PolicyStage(app, 'Prod', { fixed: process.env.POLICY_EXAMPLE_FIXED === '1' }));
app.synth();

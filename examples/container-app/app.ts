import { App, Stack } from 'aws-cdk-lib';
import { ServiceStage } from './app-stage';
import { DevSecOpsPipeline, ImageScan, PipelineSource } from '../../src';

const app = new App();
const stack = new Stack(app, 'ContainerAppPipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
const pipeline = new DevSecOpsPipeline(stack, 'Pipeline', {
  source: PipelineSource.connection('my-org/container-app', 'main', {
    connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/11111111-2222-3333-4444-555555555555',
  }),
});

// Built from services/api, pushed to its own hardened repository tagged with the commit id,
// scanned by trivy (and ECR's own scan) before any Stage deploys it.
const api = pipeline.addContainerImage('api', {
  directory: 'services/api',
  scan: ImageScan.trivy({ ecrScanFindings: true }),
});

pipeline.addStage(new ServiceStage(app, 'Staging', { image: api }));
// Production in its own account: the repository policy lets that account pull.
pipeline.addStage(new ServiceStage(app, 'Prod', { image: api, env: { account: '222222222222', region: 'eu-west-1' } }), { approval: true });
app.synth();

/**
 * The release summary before an approval reads exactly the gates that ran before it in the same
 * execution: the static gates, a real DAST gate after an earlier Stage, and an earlier Stage's
 * proactive Config evaluation; never the gates that run after the approval it precedes.
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { pipelineApp } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { Dast } from '../../src';
import { flatten } from '../gates/support';

function releaseGates(template: Template, stageName: string): string[] {
  const stages = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
  const action = stages.find((s: any) => s.Name === stageName).Actions.find((a: any) => a.Name === 'ReleaseSummary');
  const env: Array<{ name: string; value: string }> = JSON.parse(flatten(action.Configuration.EnvironmentVariables));
  return env.find((e) => e.name === 'RELEASE_GATES')!.value.split(' ');
}

test('the summary before Prod lists Staging\'s DAST gate and its proactive evaluation; the one before Staging lists neither', () => {
  const { app, stack, pipeline } = pipelineApp({ configRules: true });
  const staging = new AppStage(app, 'Staging');
  const url = new CfnOutput(Stack.of(staging.node.findChild('App')), 'Url', { value: 'https://staging.example.com' });
  pipeline.addStage(staging, { approval: true, dast: Dast.zapBaseline({ targetUrl: url }) });
  pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
  pipeline.codePipeline.buildPipeline();
  const template = Template.fromStack(stack);

  const beforeStaging = releaseGates(template, 'Staging');
  expect(beforeStaging).toEqual(expect.arrayContaining(['secrets', 'sast', 'dependencies', 'iac']));
  expect(beforeStaging).not.toContain('dast');
  expect(beforeStaging.some((g) => g.startsWith('config-proactive'))).toBe(false);

  const beforeProd = releaseGates(template, 'Prod');
  expect(beforeProd).toEqual(expect.arrayContaining([...beforeStaging, 'dast', 'config-proactive.staging']));
  // Prod's own proactive evaluation runs after Prod's approval: the summary before it cannot wait for it.
  expect(beforeProd).not.toContain('config-proactive.prod');
});

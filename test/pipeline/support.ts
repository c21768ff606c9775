import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DevSecOpsPipeline, DevSecOpsPipelineProps, PipelineSource } from '../../src';

export const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/11111111-2222-3333-4444-555555555555';
export const ENV = { account: '111111111111', region: 'eu-west-1' };

export function connectionSource(): PipelineSource {
  return PipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN });
}

/** A pipeline stack in a fresh App; CloudFormation Validate's default rules report errors. */
export function pipelineApp(props: Partial<DevSecOpsPipelineProps> = {}): { app: App; stack: Stack; pipeline: DevSecOpsPipeline } {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const stack = new Stack(app, 'PipelineStack', { env: ENV });
  const pipeline = new DevSecOpsPipeline(stack, 'Pipeline', { source: connectionSource(), ...props });
  return { app, stack, pipeline };
}

/** A Stage with one plain bucket: AwsSolutions (S1, S10) and NIST rules flag it. */
export class InsecureStage extends Stage {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = new Stack(this, 'Data');
    new s3.Bucket(stack, 'PlainBucket');
  }
}

export interface ReportedViolation {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** Synthesizes the app and returns every violation of the validation report (empty when none). */
export function synthViolations(app: App): ReportedViolation[] {
  let failure: Error | undefined;
  try {
    app.synth({ force: true });
  } catch (e) {
    // Failed validation throws after writing the report; anything else has no report and is rethrown below.
    failure = e as Error;
  }
  const reportFile = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) {
    if (failure) throw failure;
    return [];
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const found: ReportedViolation[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      for (const c of v.violatingConstructs ?? []) {
        found.push({ plugin: plugin.pluginName, rule: v.ruleName, severity: v.severity, path: c.constructPath });
      }
    }
  }
  return found;
}

export function errorsOf(violations: ReportedViolation[]): ReportedViolation[] {
  return violations.filter((v) => v.severity === 'error');
}

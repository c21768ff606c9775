import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ConfigServiceClient,
  GetComplianceDetailsByResourceCommand,
  GetResourceEvaluationSummaryCommand,
  StartResourceEvaluationCommand,
  ComplianceType,
  GetComplianceDetailsByResourceCommandOutput,
  GetResourceEvaluationSummaryCommandOutput,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../src/findings/cli';
import { POLICY_ID_METADATA, proactive, ProactiveRuntime, THROTTLE_ATTEMPTS } from '../../src/findings/proactive';
import { bundleFindingsCli } from '../support/findings-cli';

/**
 * The proactive command against a mocked AWS Config (aws-sdk-client-mock), with the response
 * shapes of the AWS Config API reference (StartResourceEvaluation, GetResourceEvaluationSummary,
 * GetComplianceDetailsByResource), then its report judged by `evaluate`.
 */

const config = mockClient(ConfigServiceClient);
let dir: string;
let slept: number[];
let clock: number;

/** A cloud assembly with a nested Stage assembly: an app stack (bucket, function, role) and the Config rules stack. */
function writeAssembly(root: string): string {
  const assembly = path.join(root, 'cdk.out');
  const stage = path.join(assembly, 'assembly-Prod');
  fs.mkdirSync(stage, { recursive: true });
  fs.writeFileSync(path.join(assembly, 'manifest.json'), JSON.stringify({
    version: '48.0.0',
    artifacts: {
      'assembly-Prod': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Prod', displayName: 'Prod' } },
      'PipelineStack': { type: 'aws:cloudformation:stack', environment: 'aws://111111111111/eu-west-1', properties: { templateFile: 'PipelineStack.template.json' } },
    },
  }));
  fs.writeFileSync(path.join(stage, 'manifest.json'), JSON.stringify({
    version: '48.0.0',
    artifacts: {
      ProdApp: { type: 'aws:cloudformation:stack', environment: 'aws://222222222222/eu-central-1', properties: { templateFile: 'ProdApp.template.json', stackName: 'Prod-App' } },
      ProdDevSecOpsConfigRules: { type: 'aws:cloudformation:stack', environment: 'aws://222222222222/eu-central-1', properties: { templateFile: 'ProdDevSecOpsConfigRules.template.json', stackName: 'Prod-DevSecOpsConfigRules' } },
    },
  }));
  fs.writeFileSync(path.join(stage, 'ProdApp.template.json'), JSON.stringify({
    Resources: {
      Fn9270CBC0: {
        Type: 'AWS::Lambda::Function',
        Properties: { Handler: 'index.handler', Runtime: 'nodejs20.x', Timeout: 900, Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } },
        Metadata: { 'aws:cdk:path': 'Prod/App/Fn/Resource' },
      },
      FnRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
    },
  }));
  fs.writeFileSync(path.join(stage, 'ProdDevSecOpsConfigRules.template.json'), JSON.stringify({
    Resources: {
      LambdaTimeout: {
        Type: 'AWS::Config::ConfigRule',
        Properties: { ConfigRuleName: 'Prod-DevSecOpsConfigRules-LAMBDA_TIMEOUT_MAXIMUM' },
        Metadata: { [POLICY_ID_METADATA]: 'LAMBDA_TIMEOUT_MAXIMUM' },
      },
    },
  }));
  return assembly;
}

const runtime = (): ProactiveRuntime => ({
  client: (region) => new ConfigServiceClient({ region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
  sleep: async (ms) => {
    slept.push(ms);
    clock += ms;
  },
  now: () => clock,
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

async function run(extra: string[] = []) {
  const assembly = writeAssembly(dir);
  const report = path.join(dir, 'out', 'config-proactive.json');
  const captured = io();
  const code = await proactive([
    '--assembly', assembly, '--stage-assembly', 'assembly-Prod', '--stage', 'Prod',
    '--resource-type', 'AWS::Lambda::Function', '--out', report, ...extra,
  ], captured.io, runtime());
  return { code, report, ...captured };
}

type SummaryOutput = Omit<GetResourceEvaluationSummaryCommandOutput, '$metadata'>;
type DetailsOutput = Omit<GetComplianceDetailsByResourceCommandOutput, '$metadata'>;

const SUMMARY_DONE = (compliance: ComplianceType): SummaryOutput => ({
  ResourceEvaluationId: 'eval-1',
  EvaluationMode: 'PROACTIVE' as const,
  EvaluationStatus: { Status: 'SUCCEEDED' },
  EvaluationStartTimestamp: new Date('2026-12-08T03:00:00Z'),
  Compliance: compliance,
  ResourceDetails: { ResourceId: 'Prod-App/Fn9270CBC0', ResourceType: 'AWS::Lambda::Function', ResourceConfiguration: '{}', ResourceConfigurationSchemaType: 'CFN_RESOURCE_SCHEMA' as const },
});

const DETAILS = (complianceType: ComplianceType, annotation?: string): DetailsOutput => ({
  EvaluationResults: [{
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ConfigRuleName: 'Prod-DevSecOpsConfigRules-LAMBDA_TIMEOUT_MAXIMUM', ResourceType: 'AWS::Lambda::Function', ResourceId: 'Prod-App/Fn9270CBC0', EvaluationMode: 'PROACTIVE' as const },
      OrderingTimestamp: new Date('2026-12-08T03:00:01Z'),
      ResourceEvaluationId: 'eval-1',
    },
    ComplianceType: complianceType,
    ResultRecordedTime: new Date('2026-12-08T03:00:02Z'),
    ConfigRuleInvokedTime: new Date('2026-12-08T03:00:01Z'),
    ...(annotation && { Annotation: annotation }),
  }],
});

async function evaluate(report: string): Promise<{ code: number; result: any }> {
  const out = path.join(dir, 'findings');
  const captured = io();
  const code = await main(['evaluate', '--gate', 'config-proactive.prod', '--report', `${report}:config-proactive`, '--out', out], captured.io);
  const result = JSON.parse(fs.readFileSync(path.join(out, 'gate-result.json'), 'utf8'));
  return { code, result };
}

beforeEach(() => {
  config.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proactive-'));
  slept = [];
  clock = 0;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('devsecops-findings proactive', () => {
  test('a non-compliant resource: the report names the policy, and evaluate blocks (exit 1)', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves(SUMMARY_DONE('NON_COMPLIANT'));
    config.on(GetComplianceDetailsByResourceCommand).resolves(DETAILS('NON_COMPLIANT', 'timeout 900 is not below 900'));
    const { code, report, out } = await run();
    expect(code).toBe(0);
    expect(out.join('')).toContain('1 resource(s) evaluated (1 non-compliant), 2 skipped');

    // The resource is sent as its CloudFormation properties, PROACTIVE, with the CFN schema.
    const start = config.commandCalls(StartResourceEvaluationCommand);
    expect(start).toHaveLength(1);
    expect(start[0].args[0].input).toEqual({
      EvaluationMode: 'PROACTIVE' as const,
      EvaluationTimeout: 300,
      ResourceDetails: {
        ResourceId: 'Prod-App/Fn9270CBC0',
        ResourceType: 'AWS::Lambda::Function',
        ResourceConfiguration: JSON.stringify({ Handler: 'index.handler', Runtime: 'nodejs20.x', Timeout: 900, Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } }),
        ResourceConfigurationSchemaType: 'CFN_RESOURCE_SCHEMA',
      },
    });
    // In the Stage's Region, from its stack's environment.
    expect(await config.call(0).thisValue.config.region()).toBe('eu-central-1');
    expect(config.commandCalls(GetComplianceDetailsByResourceCommand)[0].args[0].input).toEqual({ ResourceEvaluationId: 'eval-1' });

    const doc = JSON.parse(fs.readFileSync(report, 'utf8'));
    expect(doc.evaluations[0]).toMatchObject({
      stack: 'Prod-App',
      logicalId: 'Fn9270CBC0',
      path: 'Prod/App/Fn/Resource',
      region: 'eu-central-1',
      compliance: 'NON_COMPLIANT',
      results: [{ policyId: 'LAMBDA_TIMEOUT_MAXIMUM', complianceType: 'NON_COMPLIANT', annotation: 'timeout 900 is not below 900' }],
    });
    expect(doc.skipped.map((s: any) => s.resourceType)).toEqual(['AWS::IAM::Role', 'AWS::Config::ConfigRule']);

    const judged = await evaluate(report);
    expect(judged.code).toBe(1);
    expect(judged.result.status).toBe('fail');
    const summary = fs.readFileSync(path.join(dir, 'findings', 'summary.md'), 'utf8');
    expect(summary).toContain('| HIGH | LAMBDA\\_TIMEOUT\\_MAXIMUM | AWS::Lambda::Function Prod-App/Fn9270CBC0 (Prod/App/Fn/Resource) is NON\\_COMPLIANT');
  });

  test('a CDK provider function\'s LAMBDA_TIMEOUT_MAXIMUM result is recorded as exempt and does not block; others still do', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves(SUMMARY_DONE('NON_COMPLIANT'));
    config.on(GetComplianceDetailsByResourceCommand).resolves(DETAILS('NON_COMPLIANT'));
    const { report } = await run(['--cdk-provider', 'Prod-App/Fn9270CBC0']);
    expect(JSON.parse(fs.readFileSync(report, 'utf8')).evaluations[0].results[0].exemption).toMatch(/CDK custom resource provider function/);
    expect((await evaluate(report)).code).toBe(0);

    // The exemption is for that policy only: another rule's NON_COMPLIANT still blocks.
    const other = DETAILS('NON_COMPLIANT');
    other.EvaluationResults![0].EvaluationResultIdentifier!.EvaluationResultQualifier!.ConfigRuleName = 'org-lambda-in-vpc';
    config.on(GetComplianceDetailsByResourceCommand).resolves(other);
    const second = await run(['--cdk-provider', 'Prod-App/Fn9270CBC0']);
    expect(JSON.parse(fs.readFileSync(second.report, 'utf8')).evaluations[0].results[0].exemption).toBeUndefined();
    expect((await evaluate(second.report)).code).toBe(1);
  });

  test('a compliant resource passes evaluate (exit 0)', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves(SUMMARY_DONE('COMPLIANT'));
    config.on(GetComplianceDetailsByResourceCommand).resolves(DETAILS('COMPLIANT'));
    const { code, report } = await run();
    expect(code).toBe(0);
    const judged = await evaluate(report);
    expect(judged.code).toBe(0);
    expect(judged.result.status).toBe('pass');
  });

  test('in progress, then done: polled with a growing backoff', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand)
      .resolvesOnce({ ResourceEvaluationId: 'eval-1', EvaluationStatus: { Status: 'IN_PROGRESS' } })
      .resolvesOnce({ ResourceEvaluationId: 'eval-1', EvaluationStatus: { Status: 'IN_PROGRESS' } })
      .resolves(SUMMARY_DONE('NON_COMPLIANT'));
    config.on(GetComplianceDetailsByResourceCommand).resolves(DETAILS('NON_COMPLIANT'));
    const { code, report } = await run();
    expect(code).toBe(0);
    expect(config.commandCalls(GetResourceEvaluationSummaryCommand)).toHaveLength(3);
    expect(slept).toEqual([1000, 2000]);
    expect(JSON.parse(fs.readFileSync(report, 'utf8')).evaluations[0].results[0].complianceType).toBe('NON_COMPLIANT');
  });

  test('results are read across pages (NextToken)', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves(SUMMARY_DONE('NON_COMPLIANT'));
    const other = DETAILS('NON_COMPLIANT');
    other.EvaluationResults![0].EvaluationResultIdentifier!.EvaluationResultQualifier!.ConfigRuleName = 'org-lambda-in-vpc';
    config.on(GetComplianceDetailsByResourceCommand)
      .resolvesOnce({ ...DETAILS('COMPLIANT'), NextToken: 'page-2' })
      .resolves(other);
    const { report } = await run();
    const results = JSON.parse(fs.readFileSync(report, 'utf8')).evaluations[0].results;
    expect(results.map((r: any) => [r.configRuleName, r.complianceType, r.policyId])).toEqual([
      ['Prod-DevSecOpsConfigRules-LAMBDA_TIMEOUT_MAXIMUM', 'COMPLIANT', 'LAMBDA_TIMEOUT_MAXIMUM'],
      ['org-lambda-in-vpc', 'NON_COMPLIANT', undefined],
    ]);
    expect(config.commandCalls(GetComplianceDetailsByResourceCommand)[1].args[0].input).toEqual({ ResourceEvaluationId: 'eval-1', NextToken: 'page-2' });
    const judged = await evaluate(report);
    expect(judged.code).toBe(1);
  });

  test('throttled, then answered: retried with backoff', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    config.on(StartResourceEvaluationCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves(SUMMARY_DONE('COMPLIANT'));
    config.on(GetComplianceDetailsByResourceCommand).resolves(DETAILS('COMPLIANT'));
    const { code } = await run();
    expect(code).toBe(0);
    expect(slept).toEqual([1000, 2000]);
  });

  test('throttling that outlasts the retries fails closed (exit 2, no report)', async () => {
    config.on(StartResourceEvaluationCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const { code, report, err } = await run();
    expect(code).toBe(2);
    expect(config.commandCalls(StartResourceEvaluationCommand)).toHaveLength(THROTTLE_ATTEMPTS);
    expect(err.join('')).toContain(`still throttled after ${THROTTLE_ATTEMPTS} attempts`);
    expect(fs.existsSync(report)).toBe(false);
  });

  test('access denied fails closed and names the permissions', async () => {
    config.on(StartResourceEvaluationCommand).rejects(Object.assign(new Error('User is not authorized to perform: config:StartResourceEvaluation'), { name: 'AccessDeniedException' }));
    const { code, report, err } = await run();
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/AccessDeniedException.*config:StartResourceEvaluation, config:GetResourceEvaluationSummary and config:GetComplianceDetailsByResource/);
    expect(fs.existsSync(report)).toBe(false);
  });

  test('a type Config does not evaluate proactively (InvalidParameterValueException) fails closed', async () => {
    config.on(StartResourceEvaluationCommand).rejects(Object.assign(new Error('The resource type AWS::Lambda::Function is not supported for proactive evaluation.'), { name: 'InvalidParameterValueException' }));
    const { code, err } = await run();
    expect(code).toBe(2);
    expect(err.join('')).toContain('InvalidParameterValueException');
  });

  test('types no proactive rule of the Stage evaluates are skipped and listed, never sent', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves(SUMMARY_DONE('COMPLIANT'));
    config.on(GetComplianceDetailsByResourceCommand).resolves(DETAILS('COMPLIANT'));
    const { report } = await run();
    const sent = config.commandCalls(StartResourceEvaluationCommand).map((c) => c.args[0].input.ResourceDetails?.ResourceType);
    expect(sent).toEqual(['AWS::Lambda::Function']);
    const doc = JSON.parse(fs.readFileSync(report, 'utf8'));
    expect(doc.skipped).toEqual([
      { stack: 'Prod-App', logicalId: 'FnRole', resourceType: 'AWS::IAM::Role', reason: 'no proactive rule of this Stage evaluates this type' },
      { stack: 'Prod-DevSecOpsConfigRules', logicalId: 'LambdaTimeout', resourceType: 'AWS::Config::ConfigRule', reason: 'no proactive rule of this Stage evaluates this type' },
    ]);
  });

  test('a supported resource no rule evaluated (rules not deployed yet) is a MEDIUM finding, not a silent pass', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves({ ...SUMMARY_DONE('COMPLIANT'), Compliance: undefined });
    config.on(GetComplianceDetailsByResourceCommand).resolves({ EvaluationResults: [] });
    const { report } = await run();
    const out = path.join(dir, 'findings');
    const blocked = await main(['evaluate', '--gate', 'g', '--report', `${report}:config-proactive`, '--fail-on', 'MEDIUM', '--out', out], io().io);
    expect(blocked).toBe(1);
    const sarif = JSON.parse(fs.readFileSync(path.join(out, 'findings.sarif'), 'utf8'));
    expect(sarif.runs.flatMap((r: any) => r.results.map((x: any) => x.ruleId))).toContain('CONFIG_PROACTIVE_NOT_EVALUATED');
    // With the default failOn (HIGH) it is reported, not blocking.
    expect((await evaluate(report)).result.status).toBe('pass');
  });

  test('an evaluation still in progress when the time is up fails closed', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves({ ResourceEvaluationId: 'eval-1', EvaluationStatus: { Status: 'IN_PROGRESS' } });
    const { code, report, err } = await run(['--timeout-seconds', '20']);
    expect(code).toBe(2);
    expect(err.join('')).toContain('timed out after 20s with 1 evaluation(s) still in progress: Prod-App/Fn9270CBC0');
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20000);
    expect(fs.existsSync(report)).toBe(false);
  });

  test('a FAILED evaluation fails closed with its reason', async () => {
    config.on(StartResourceEvaluationCommand).resolves({ ResourceEvaluationId: 'eval-1' });
    config.on(GetResourceEvaluationSummaryCommand).resolves({ ResourceEvaluationId: 'eval-1', EvaluationStatus: { Status: 'FAILED', FailureReason: 'Invalid resource configuration' } });
    const { code, err } = await run();
    expect(code).toBe(2);
    expect(err.join('')).toContain('FAILED: Invalid resource configuration');
  });

  test('bad input is a usage error: no resource type, an unknown Stage assembly', async () => {
    const assembly = writeAssembly(dir);
    const a = io();
    expect(await proactive(['--assembly', assembly, '--stage-assembly', 'assembly-Prod', '--stage', 'Prod', '--out', path.join(dir, 'r.json')], a.io, runtime())).toBe(2);
    expect(a.err.join('')).toContain('--resource-type: give at least one');
    const b = io();
    expect(await proactive(['--assembly', assembly, '--stage-assembly', 'assembly-Nope', '--stage', 'Nope', '--resource-type', 'AWS::S3::Bucket', '--out', path.join(dir, 'r.json')], b.io, runtime())).toBe(2);
    expect(b.err.join('')).toContain('assembly-Nope: no such nested assembly');
    expect(config.calls()).toHaveLength(0);
  });

  test('the CLI routes the command (main proactive)', async () => {
    const captured = io();
    expect(await main(['proactive', '--assembly', dir, '--stage', 'x'], captured.io)).toBe(2);
    expect(captured.err.join('')).toContain('--stage-assembly, --out required');
  });

  test('the bundled CLI (the one the step runs) carries the command and the AWS SDK, and fails closed without credentials', () => {
    const cli = bundleFindingsCli(path.join(dir, 'cli.js'));
    const assembly = writeAssembly(dir);
    const r = spawnSync(process.execPath, [cli, 'proactive', '--assembly', assembly, '--stage-assembly', 'assembly-Prod', '--stage', 'Prod',
      '--resource-type', 'AWS::Lambda::Function', '--out', path.join(dir, 'report.json')], {
      encoding: 'utf8',
      // No credentials anywhere and no metadata endpoint: the SDK cannot sign, so the command must fail, not pass.
      env: { PATH: process.env.PATH, HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') },
      timeout: 60000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/devsecops-findings proactive: StartResourceEvaluation Prod-App\/Fn9270CBC0 \(AWS::Lambda::Function\) in eu-central-1: CredentialsProviderError/);
    expect(fs.existsSync(path.join(dir, 'report.json'))).toBe(false);
  });

  test('evaluate fails closed (exit 2) on a malformed proactive report', async () => {
    const report = path.join(dir, 'bad.json');
    const base = { kind: 'devsecops-config-proactive', version: 1, stage: 'Prod', resourceTypes: [], skipped: [] };
    const evaluation = { stack: 'S', template: 't.json', logicalId: 'L', resourceType: 'AWS::S3::Bucket', region: 'eu-west-1', resourceEvaluationId: 'e' };
    for (const doc of [
      { ...base, evaluations: [{ ...evaluation, results: [{ configRuleName: 'r', complianceType: 'MAYBE' }] }] },
      { ...base, evaluations: [{ ...evaluation }] },
      { ...base, version: 2, evaluations: [] },
    ]) {
      fs.writeFileSync(report, JSON.stringify(doc));
      expect(await main(['evaluate', '--gate', 'g', '--report', `${report}:config-proactive`, '--out', path.join(dir, 'f')], io().io)).toBe(2);
    }
  });
});

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lambdaTimeoutGuard } from '../../src/policies/config-rules';

/**
 * The built-in Config custom policy (LAMBDA_TIMEOUT_MAXIMUM) run through the real cfn-guard binary
 * (3.x, the one bundled in @cdklabs/cdk-validator-cfnguard; Config's runtime is guard-2.x.x, whose
 * syntax this rule keeps to) over configuration items shaped as AWS Config records them.
 */

const GUARD = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'bin', 'ubuntu', process.arch === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');

/** A configuration item of a Lambda function, as AWS Config records it (configuration = GetFunctionConfiguration). */
function lambdaItem(timeout: number | undefined): Record<string, unknown> {
  return {
    version: '1.3',
    accountId: '111111111111',
    configurationItemCaptureTime: '2026-12-08T03:00:00.000Z',
    configurationItemStatus: 'OK',
    configurationStateId: '1765162800000',
    arn: 'arn:aws:lambda:eu-west-1:111111111111:function:Prod-App-Handler886CB40B-AbCdEf123456',
    resourceType: 'AWS::Lambda::Function',
    resourceId: 'Prod-App-Handler886CB40B-AbCdEf123456',
    resourceName: 'Prod-App-Handler886CB40B-AbCdEf123456',
    awsRegion: 'eu-west-1',
    availabilityZone: 'Not Applicable',
    tags: { 'aws:cloudformation:stack-name': 'Prod-App' },
    relatedEvents: [],
    relationships: [{ resourceType: 'AWS::IAM::Role', resourceName: 'Prod-App-HandlerRole', relationshipName: 'Is associated with ' }],
    configuration: {
      functionName: 'Prod-App-Handler886CB40B-AbCdEf123456',
      functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:Prod-App-Handler886CB40B-AbCdEf123456',
      runtime: 'nodejs22.x',
      role: 'arn:aws:iam::111111111111:role/Prod-App-HandlerRole',
      handler: 'index.handler',
      codeSize: 1024,
      description: '',
      ...(timeout !== undefined && { timeout }),
      memorySize: 128,
      lastModified: '2026-12-08T02:59:00.000+0000',
      codeSha256: 'n1Xb1ZcP8z5f5bXkzWk1m5tM8y0p2Q3r4s5t6u7v8w0=',
      version: '$LATEST',
      tracingConfig: { mode: 'PassThrough' },
      packageType: 'Zip',
      architectures: ['x86_64'],
      ephemeralStorage: { size: 512 },
    },
    supplementaryConfiguration: {},
  };
}

function bucketItem(): Record<string, unknown> {
  return {
    version: '1.3',
    accountId: '111111111111',
    configurationItemStatus: 'OK',
    resourceType: 'AWS::S3::Bucket',
    resourceId: 'prod-app-data',
    awsRegion: 'eu-west-1',
    configuration: { name: 'prod-app-data', owner: { id: 'abc' }, creationDate: '2026-12-01T00:00:00.000Z' },
    supplementaryConfiguration: {},
  };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-guard-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** cfn-guard's verdict on one item: 0 compliant (or not applicable), 19 non-compliant. */
function guard(rules: string, item: Record<string, unknown>, name: string): { status: number | null; output: string } {
  const rulesFile = path.join(dir, `${name}.guard`);
  const dataFile = path.join(dir, `${name}.json`);
  fs.writeFileSync(rulesFile, rules);
  fs.writeFileSync(dataFile, JSON.stringify(item));
  const r = spawnSync(GUARD, ['validate', '--rules', rulesFile, '--data', dataFile, '--show-summary', 'fail'], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('LAMBDA_TIMEOUT_MAXIMUM as a Config custom policy, through cfn-guard', () => {
  test('the bundled binary runs', () => {
    const r = spawnSync(GUARD, ['--version'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^cfn-guard 3\./);
  });

  test.each([
    [30, 0],
    [899, 0],
    [900, 19],
  ])('default maximum (900 exclusive): timeout %d gives exit %d', (timeout, expected) => {
    const r = guard(lambdaTimeoutGuard(900), lambdaItem(timeout), `default-${timeout}`);
    expect(r.status).toBe(expected);
    if (expected !== 0) expect(r.output).toContain('LAMBDA_TIMEOUT_MAXIMUM');
  });

  test('a configured maximum: 299 passes, 300 and 600 fail', () => {
    expect(guard(lambdaTimeoutGuard(300), lambdaItem(299), 'max300-299').status).toBe(0);
    expect(guard(lambdaTimeoutGuard(300), lambdaItem(300), 'max300-300').status).toBe(19);
    const r = guard(lambdaTimeoutGuard(300), lambdaItem(600), 'max300-600');
    expect(r.status).toBe(19);
    expect(r.output).toContain('/configuration/timeout');
  });

  test('no timeout recorded (Lambda\'s default of 3 s) is compliant', () => {
    expect(guard(lambdaTimeoutGuard(900), lambdaItem(undefined), 'none').status).toBe(0);
  });

  test('another resource type is not applicable', () => {
    expect(guard(lambdaTimeoutGuard(900), bucketItem(), 'bucket').status).toBe(0);
  });

  test('template-shaped properties (Timeout) are judged the same, should a proactive evaluation present them', () => {
    const item = { resourceType: 'AWS::Lambda::Function', configuration: { Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 900 } };
    expect(guard(lambdaTimeoutGuard(900), item, 'cfn-900').status).toBe(19);
    expect(guard(lambdaTimeoutGuard(900), { ...item, configuration: { ...item.configuration, Timeout: 60 } }, 'cfn-60').status).toBe(0);
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DescribeImageScanFindingsCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../src/findings/cli';
import { ecrScanFindings, EcrScanDeps } from '../../src/findings/ecr-scan-cli';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'scanner-reports');
const BASIC = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ecr', 'describe-image-scan-findings-basic-one-medium.json'), 'utf8'));
const INSPECTOR = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'inspector', 'inspector2-list-findings-ecr-ec2-mixed.json'), 'utf8'));
// Enhanced scanning: ECR returns Inspector's findings of the image under enhancedFindings, status ACTIVE.
const ENHANCED_FINDINGS = INSPECTOR.findings.filter((f: any) => f.resources[0].type === 'AWS_ECR_CONTAINER_IMAGE');
const ENHANCED = {
  repositoryName: 'pipelinestack/api',
  imageId: { imageTag: 'abc123' },
  imageScanStatus: { status: 'ACTIVE', description: 'Continuous scan is selected for image.' },
  imageScanFindings: { enhancedFindings: ENHANCED_FINDINGS },
};

const ecr = mockClient(ECRClient);

function run(args: string[] = []) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-scan-')), 'ecr.json');
  let clock = 0;
  const slept: number[] = [];
  const deps: EcrScanDeps = {
    client: new ECRClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    sleep: async (ms) => { slept.push(ms); clock += ms; },
    now: () => clock,
  };
  const captured = { out: '', err: '' };
  const p = ecrScanFindings(['--repository', 'pipelinestack/api', '--tag', 'abc123', '--out', out, '--timeout-seconds', '60', '--interval-seconds', '10', ...args],
    { out: (t) => { captured.out += t; }, err: (t) => { captured.err += t; } }, deps);
  return { p, out, slept, captured };
}

/** The written report judged by evaluate, as the gate's build does. */
async function judge(file: string, failOn: string): Promise<{ code: number; text: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecr-eval-'));
  let text = '';
  const code = await main(['evaluate', '--gate', 'image-api', '--fail-on', failOn, '--out', dir, '--report', `${file}:ecr`], { out: (t) => { text += t; }, err: () => undefined });
  return { code, text };
}

beforeEach(() => ecr.reset());

test('basic scan COMPLETE: written as is, judged by the ecr parser', async () => {
  ecr.on(DescribeImageScanFindingsCommand).resolves(BASIC);
  const { p, out, slept } = run();
  expect(await p).toBe(0);
  expect(slept).toEqual([]);
  const written = JSON.parse(fs.readFileSync(out, 'utf8'));
  expect(written.imageScanFindings.findings).toHaveLength(1);
  expect((await judge(out, 'HIGH')).code).toBe(0);
  const medium = await judge(out, 'MEDIUM');
  expect(medium.code).toBe(1);
  expect(medium.text).toContain('CVE-2019-5188');
});

test('enhanced scan ACTIVE: findings under enhancedFindings, HIGH ones block', async () => {
  ecr.on(DescribeImageScanFindingsCommand).resolves(ENHANCED as any);
  const { p, out } = run();
  expect(await p).toBe(0);
  expect(JSON.parse(fs.readFileSync(out, 'utf8')).imageScanFindings.enhancedFindings).toHaveLength(ENHANCED_FINDINGS.length);
  const verdict = await judge(out, 'HIGH');
  expect(verdict.code).toBe(1);
  expect(verdict.text).toMatch(/FAIL: 2 blocking finding/);
});

test('not started, then in progress, then complete: waits between polls', async () => {
  const notFound = Object.assign(new Error('no scan'), { name: 'ScanNotFoundException' });
  ecr.on(DescribeImageScanFindingsCommand)
    .rejectsOnce(notFound)
    .resolvesOnce({ imageScanStatus: { status: 'IN_PROGRESS' } })
    .resolves(BASIC);
  const { p, slept, captured } = run();
  expect(await p).toBe(0);
  expect(slept).toEqual([10000, 10000]);
  expect(captured.out).toMatch(/not started yet[\s\S]*IN_PROGRESS[\s\S]*scan COMPLETE, 1 finding/);
});

test('pages are merged into one report', async () => {
  const [one] = BASIC.imageScanFindings.findings;
  ecr.on(DescribeImageScanFindingsCommand, { nextToken: undefined } as any).resolves({
    ...BASIC, nextToken: 'p2', imageScanFindings: { findings: [one], findingSeverityCounts: { MEDIUM: 2 } },
  });
  ecr.on(DescribeImageScanFindingsCommand, { nextToken: 'p2' } as any).resolves({ imageScanFindings: { findings: [{ ...one, name: 'CVE-2020-0001' }] } });
  const { p, out } = run();
  expect(await p).toBe(0);
  const written = JSON.parse(fs.readFileSync(out, 'utf8'));
  expect(written.imageScanFindings.findings.map((f: any) => f.name)).toEqual(['CVE-2019-5188', 'CVE-2020-0001']);
  expect(written.nextToken).toBeUndefined();
  expect((await judge(out, 'MEDIUM')).text).toMatch(/2 blocking finding/);
});

test('timeout: fails closed, no report', async () => {
  ecr.on(DescribeImageScanFindingsCommand).resolves({ imageScanStatus: { status: 'IN_PROGRESS' } });
  const { p, out, slept, captured } = run();
  expect(await p).toBe(2);
  expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60000);
  expect(captured.err).toMatch(/did not finish within 60 s \(last status IN_PROGRESS\): failing closed/);
  expect(fs.existsSync(out)).toBe(false);
});

test('access denied: fails closed, naming the error', async () => {
  ecr.on(DescribeImageScanFindingsCommand).rejects(Object.assign(new Error('not authorized to perform ecr:DescribeImageScanFindings'), { name: 'AccessDeniedException' }));
  const { p, out, captured } = run();
  expect(await p).toBe(2);
  expect(captured.err).toMatch(/AccessDeniedException: not authorized/);
  expect(fs.existsSync(out)).toBe(false);
});

test.each(['FAILED', 'UNSUPPORTED_IMAGE', 'SCAN_ELIGIBILITY_EXPIRED', 'FINDINGS_UNAVAILABLE'])('status %s: fails closed', async (status) => {
  ecr.on(DescribeImageScanFindingsCommand).resolves({ imageScanStatus: { status: status as any, description: 'why' } });
  const { p, captured } = run();
  expect(await p).toBe(2);
  expect(captured.err).toContain(`ECR scan status ${status} (why)`);
});

test('bad input: usage errors', async () => {
  const captured = { err: '' };
  const io = { out: () => undefined, err: (t: string) => { captured.err += t; } };
  expect(await ecrScanFindings(['--repository', 'r', '--out', '/tmp/x'], io)).toBe(2);
  expect(captured.err).toMatch(/exactly one of --tag and --digest/);
  expect(await ecrScanFindings(['--repository', 'r', '--tag', 't', '--out', '/tmp/x', '--timeout-seconds', '0'], io)).toBe(2);
  expect(captured.err).toMatch(/--timeout-seconds 0: give a positive whole number/);
});

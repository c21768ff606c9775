import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PolicyStage } from '../../examples/policy/policy-stage';
import { errorsOf, pipelineApp, synthViolations } from '../pipeline/support';

const ROOT = path.join(__dirname, '..', '..');

test('`npm run example policy` exits non-zero with one message per built-in policy', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-example-'));
  const run = spawnSync(process.execPath, [
    require.resolve('ts-node/dist/bin'), '--project', path.join(ROOT, 'examples', 'tsconfig.json'),
    path.join(ROOT, 'examples', 'run-example.ts'), 'policy', '--out', outdir,
  ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(run.status).toBe(1);
  expect(run.stdout).toMatch(/ERROR \[EC2_INSTANCE_IN_VPC\] Prod\/App\/Server \(logical id Server\), property SubnetId: .*Fix: /);
  expect(run.stdout).toMatch(/ERROR \[S3_BUCKET_ENCRYPTED\] Prod\/App\/Uploads\/Resource \(logical id Uploads[0-9A-F]{8}\), property BucketEncryption: .*Fix: /);
  expect(run.stdout).toMatch(/ERROR \[LAMBDA_TIMEOUT_MAXIMUM\] Prod\/App\/Export\/Resource \(logical id Export[0-9A-F]{8}\), property Timeout: .*Fix: /);
  expect(run.stdout).toContain('devsecops-policies: 3 errors');
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('the fixed Stage passes all three policies', () => {
  const { app, pipeline } = pipelineApp({ nagPacks: [] });
  pipeline.addStage(new PolicyStage(app, 'Prod', { fixed: true }));
  const errors = errorsOf(synthViolations(app));
  expect(errors.filter((e) => e.plugin === 'devsecops-policies')).toEqual([]);
  expect(errors).toEqual([]);
});

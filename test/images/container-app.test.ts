/** examples/container-app synthesized as a user would: five packs at zero on the pipeline, AwsSolutions on its Stages. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const COMMIT = 'fedcba9876543210fedcba9876543210fedcba98';

describe('examples/container-app', () => {
  let outdir: string;
  let report: any;
  let run: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'container-app-'));
    run = spawnSync(process.execPath, [
      require.resolve('ts-node/dist/bin'), '--project', path.join(ROOT, 'examples', 'tsconfig.json'),
      path.join(ROOT, 'examples', 'container-app', 'app.ts'),
    ], {
      env: { ...process.env, CDK_OUTDIR: outdir, CODEBUILD_RESOLVED_SOURCE_VERSION: COMMIT, CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:validateAgainstDefaultRules': true }) },
      encoding: 'utf8',
    });
    const reportFile = path.join(outdir, 'validation-report.json');
    report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('synthesizes without credentials', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(outdir, 'ContainerAppPipeline.template.json'))).toBe(true);
  });

  test('zero unacknowledged errors under every pack', () => {
    const errors = (report.pluginReports as any[]).flatMap((p) =>
      p.violations.filter((v: any) => v.severity === 'error').map((v: any) => `${p.pluginName}: ${v.ruleName} ${v.violatingConstructs.map((c: any) => c.constructPath)}`));
    expect(errors).toEqual([]);
  });

  test('each Stage runs the commit\'s image from the pipeline\'s repository; Prod\'s account may pull', () => {
    const pipeline = JSON.parse(fs.readFileSync(path.join(outdir, 'ContainerAppPipeline.template.json'), 'utf8'));
    const [repo] = Object.values<any>(pipeline.Resources).filter((r) => r.Type === 'AWS::ECR::Repository');
    expect(repo.Properties.RepositoryName).toBe('containerapppipeline/api');
    expect(JSON.stringify(repo.Properties.RepositoryPolicyText)).toContain(':iam::222222222222:root');
    for (const stage of ['Staging', 'Prod']) {
      const dir = path.join(outdir, `assembly-${stage}`);
      const file = fs.readdirSync(dir).find((f) => f.endsWith('.template.json'))!;
      const text = JSON.stringify(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
      expect(text).toContain(`containerapppipeline/api:${COMMIT}`);
      expect(text).toContain('111111111111.dkr.ecr.eu-west-1.');
    }
  });

  test('the Dockerfile\'s base image is distroless and pinned by digest', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'examples', 'container-app', 'services', 'api', 'Dockerfile'), 'utf8');
    const froms = dockerfile.split('\n').filter((l) => /^FROM\s/i.test(l));
    expect(froms).toEqual([expect.stringMatching(/^FROM gcr\.io\/distroless\/nodejs22-debian12:nonroot@sha256:[0-9a-f]{64}$/)]);
  });
});

/**
 * The ZAP DAST build's commands, run as CodeBuild would (gate-runs.ts), with `docker` replaced by
 * a stand-in that plays ZAP: it writes a real ZAP JSON report (fixture) into the mounted
 * /zap/wrk and exits with the code under test. What is checked: the findings engine decides
 * on the report whatever ZAP's exit code 0-2; exit 3 fails closed; the authentication header's
 * value reaches ZAP only through the environment, and is in no output, log or file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { dastPipeline } from './dast-support';
import { useGateRuns } from './gate-runs';
import { GateBuild } from './support';
import { Dast } from '../../src';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'scanner-reports', 'zap', 'json-v2.7.0-webgoat-multi-site.json');
const TOKEN = 's3cr3t-t0ken-value-never-logged';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:staging/dast-token-AbCdEf';
const { runGateBuild } = useGateRuns();

/** A `docker` stand-in: records how it was called (not the secret's value, only whether it matched), plays ZAP. */
const STUB = `#!/usr/bin/env bash
set -u
wrk=""
prev=""
for a in "$@"; do
  if [ "$prev" = "-v" ]; then wrk="\${a%%:/zap/wrk:rw}"; fi
  prev="$a"
done
echo "docker $*"
[ -d "$wrk" ] || { echo "no /zap/wrk mount" >&2; exit 3; }
[ -w "$wrk" ] || { echo "/zap/wrk not writable" >&2; exit 3; }
[ -f "$wrk/rules.tsv" ] || { echo "no rules.tsv" >&2; exit 3; }
if [ "\${ZAP_AUTH_HEADER_VALUE:-}" = "Bearer $STUB_EXPECTED_TOKEN" ]; then echo matched > "$STUB_RECORD/auth"; else echo "not matched" > "$STUB_RECORD/auth"; fi
printf '%s\\n%s\\n' "\${ZAP_AUTH_HEADER:-}" "\${ZAP_AUTH_HEADER_SITE:-}" > "$STUB_RECORD/header"
if [ "$STUB_EXIT" != "3" ]; then cp "$STUB_REPORT" "$wrk/zap.json"; fi
exit "$STUB_EXIT"
`;

function zapBuild(): GateBuild {
  const { builds } = dastPipeline((url, stack) => Dast.zapBaseline({
    targetUrl: url,
    authSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Token', SECRET_ARN),
    bearerToken: true,
  }));
  return builds[0];
}

function run(build: GateBuild, exit: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dast-run-'));
  const bin = path.join(dir, 'bin');
  const record = path.join(dir, 'record');
  const src = path.join(dir, 'app');
  for (const d of [bin, record, src]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(bin, 'docker'), STUB, { mode: 0o755 });
  const saved = { ...process.env };
  Object.assign(process.env, {
    PATH: `${bin}:${process.env.PATH}`,
    DAST_TARGET_URL: 'https://staging.example.com:8443/app/',
    // What CodeBuild puts in the Secrets Manager variable.
    DAST_AUTH_VALUE: TOKEN,
    STUB_EXPECTED_TOKEN: TOKEN,
    STUB_RECORD: record,
    STUB_REPORT: FIXTURE,
    STUB_EXIT: String(exit),
  });
  try {
    const r = runGateBuild(build, src, () => undefined);
    const files = listFiles(r.src);
    return { ...r, record, files, dir };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true } as any)
    .filter((e: any) => e.isFile())
    .map((e: any) => path.join(e.parentPath ?? e.path, e.name));
}

describe('the ZAP DAST build, run with a stand-in for docker', () => {
  const build = zapBuild();

  test.each([0, 1, 2])('ZAP exit %i: the findings engine judges the report (three High alerts block)', (exit) => {
    const r = run(build, exit);
    expect(r.output).toContain(`ZAP exited ${exit}: its JSON report goes to the findings engine, which decides`);
    const result = JSON.parse(fs.readFileSync(path.join(r.src, 'devsecops-gate-out', 'findings', 'gate-result.json'), 'utf8'));
    expect(result.gate).toBe('dast');
    expect(r.status).toBe(1);
    fs.rmSync(r.dir, { recursive: true, force: true });
  });

  test('ZAP exit 3 (ZAP itself failed): the step fails closed before evaluate', () => {
    const r = run(build, 3);
    expect(r.output).toContain('ZAP failed (exit 3): the DAST gate fails closed');
    expect(r.status).not.toBe(0);
    expect(fs.existsSync(path.join(r.src, 'devsecops-gate-out', 'findings', 'gate-result.json'))).toBe(false);
    fs.rmSync(r.dir, { recursive: true, force: true });
  });

  test('the header\'s value reaches ZAP through its environment only, for the target\'s host, and is in no output or file', () => {
    const r = run(build, 2);
    expect(fs.readFileSync(path.join(r.record, 'auth'), 'utf8').trim()).toBe('matched');
    expect(fs.readFileSync(path.join(r.record, 'header'), 'utf8')).toBe('Authorization\nstaging.example.com\n');
    // The build's whole log (every command's output, the docker command line included) and every file it left.
    expect(r.output).toContain('docker run --rm --user zap -e ZAP_AUTH_HEADER -e ZAP_AUTH_HEADER_VALUE -e ZAP_AUTH_HEADER_SITE');
    expect(r.output).not.toContain(TOKEN);
    expect(r.files.length).toBeGreaterThan(3);
    for (const f of r.files) expect(fs.readFileSync(f, 'utf8')).not.toContain(TOKEN);
    // Nor in the synthesized buildspec and project (only the secret's ARN).
    expect(JSON.stringify(build.project)).not.toContain(TOKEN);
    expect(JSON.stringify(build.buildspec)).toContain('${DAST_AUTH_VALUE}');
    fs.rmSync(r.dir, { recursive: true, force: true });
  });
});

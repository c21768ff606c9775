/**
 * The release summary, run: each gate's real `evaluate` output is filed by the gate's own
 * post_build lines (as synthesized), then the ReleaseSummary step's commands (as synthesized) run
 * the real findings CLI `summary` over them. `aws` is a stand-in that maps s3://BUCKET/KEY to a
 * directory and records `sns publish` messages; everything else is the generated bash.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { flatten } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { BuiltInPolicies, DependencyScan, DockerfileScan, GateBinding, IacScan, IGateContext, PipelineNotifications, PolicySet, Sast, Sbom, SecretScan, SecurityGate } from '../../src';
import { pipelineApp } from '../pipeline/support';
import { bundleFindingsCli } from '../support/findings-cli';
import { FIXTURES } from '../support/fixtures';
import { LicenseGate } from '../support/license-gate';

const TRIVY_SARIF = path.join(FIXTURES, 'trivy/image-alpine-310-vulns.sarif'); // 4 MEDIUM: CVE-2019-1549 and CVE-2019-1551, twice each
const EXECUTION = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

class ContextCapture extends SecurityGate {
  public readonly gateName = 'capture';
  public context?: IGateContext;
  public bind(context: IGateContext): GateBinding {
    this.context = context;
    return {};
  }
}

interface Lines {
  /** post_build lines of each gate's build, by gate name. */
  readonly post: Record<string, string[]>;
  /** build lines of the ReleaseSummary project. */
  readonly summary: string[];
  /** The Prod ReleaseSummary action's environment. */
  readonly summaryEnv: Record<string, string>;
}

/** Two user gates (the built-in ones off), one after Staging, notifications on, Prod approved. */
function synthesizedLines(): Lines {
  const capture = new ContextCapture();
  const { app, stack, pipeline } = pipelineApp({
    notifications: PipelineNotifications.newTopic(),
    // Every built-in policy off: no policy gate either.
    policies: PolicySet.builtIn()
      .disable(BuiltInPolicies.EC2_INSTANCE_IN_VPC, 'test: only the two user gates')
      .disable(BuiltInPolicies.S3_BUCKET_ENCRYPTED, 'test: only the two user gates')
      .disable(BuiltInPolicies.LAMBDA_TIMEOUT_MAXIMUM, 'test: only the two user gates'),
    gates: {
      secrets: SecretScan.none(),
      sast: Sast.none(),
      dependencies: DependencyScan.none(),
      sbom: Sbom.none(),
      iac: IacScan.none(),
      dockerfile: DockerfileScan.none(),
      // A user's gate in the gates' stage, and one built with the pipeline's context to run after Staging.
      additionalGates: [new LicenseGate(), capture],
    },
  });
  const dast = capture.context!.gateStep({ id: 'Dast', gateName: 'dast', commands: ['true'], reports: [{ file: '/tmp/x/report.sarif', format: 'sarif' }] });
  pipeline.addStage(new AppStage(app, 'Staging'), { post: [dast] });
  pipeline.addStage(new AppStage(app, 'Prod'), { approval: true });
  pipeline.codePipeline.buildPipeline();
  const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
  const spec = (pattern: RegExp) => {
    const found = Object.entries<any>(projects).filter(([id]) => pattern.test(id));
    expect(found).toHaveLength(1);
    // Bucket and topic references become plain names for the stand-in.
    const text = flatten(found[0][1].Properties.Source.BuildSpec)
      .replace(/<TOKEN:\{Ref:PipelineGatesReleaseReportsBucket[0-9A-F]+\}>/g, 'release-bucket')
      .replace(/<TOKEN:\{Ref:PipelineNotificationsTopic[0-9A-F]+\}>/g, 'arn:aws:sns:eu-west-1:111111111111:notifications');
    return JSON.parse(text);
  };
  const summary = spec(/^PipelineReleaseSummary[0-9A-F]{8}$/);
  const stages = Object.values<any>(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
  const action = stages.find((s: any) => s.Name === 'Prod').Actions.find((a: any) => a.Name === 'ReleaseSummary');
  const summaryEnv = Object.fromEntries(JSON.parse(flatten(action.Configuration.EnvironmentVariables)).map((v: any) => [v.name, v.value]));
  return {
    post: {
      licenses: spec(/LicenseScan[0-9A-F]{8}$/).phases.post_build.commands,
      dast: spec(/StagingDast[0-9A-F]{8}$/).phases.post_build.commands,
    },
    // The CLI install (asset download and sha256 check) is replaced by the bundle built here.
    summary: summary.phases.build.commands,
    summaryEnv,
  };
}

let work: string;
let cli: string;
let lines: Lines;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'release-run-'));
  cli = bundleFindingsCli(path.join(work, 'cli', 'cli.js'));
  lines = synthesizedLines();
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function isoDaysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** `aws s3 cp` between s3://BUCKET/KEY (a directory under root/s3) and files; `aws sns publish` records its message. */
function fakeAws(root: string): string {
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'aws'), `#!/usr/bin/env bash
echo "$@" >> ${root}/aws-calls
map() { case "$1" in s3://*) echo "${root}/s3/\${1#s3://}";; *) echo "$1";; esac; }
if [ "$1" = s3 ] && [ "$2" = cp ]; then
  shift 2; rec=0; args=()
  while [ $# -gt 0 ]; do case "$1" in --recursive) rec=1;; --only-show-errors) ;; --content-type|--exclude|--include) shift;; *) args+=("$1");; esac; shift; done
  s=$(map "\${args[0]}"); d=$(map "\${args[1]}")
  if [ $rec = 1 ]; then [ -d "$s" ] || exit 0; mkdir -p "$d"; cp -R "$s/." "$d/"; else mkdir -p "$(dirname "$d")"; cp "$s" "$d"; fi
  exit 0
fi
if [ "$1" = sns ] && [ "$2" = publish ]; then
  while [ $# -gt 0 ]; do case "$1" in --message) cat "\${2#file://}" >> ${root}/sns-messages;; esac; shift; done
  exit 0
fi
exit 1
`, { mode: 0o755 });
  return bin;
}

/** Runs lines in bash as CodeBuild does (stop at the first failure), /tmp/devsecops moved under `dir`. */
function run(commands: string[], root: string, cwd: string, extraEnv: Record<string, string> = {}): { status: number | null; output: string } {
  const relocate = (c: string) => c.split('node /tmp/devsecops/findings-cli/cli.js').join(`node ${cli}`).split('/tmp/devsecops/').join(`${root}/devsecops/`);
  const script = ['set -e', `mkdir -p ${root}/devsecops ${cwd}`, `cd ${cwd}`, ...commands.map(relocate)].join('\n');
  const env = { ...process.env, PATH: `${path.join(root, 'bin')}:${process.env.PATH}`, PIPELINE_EXECUTION_ID: EXECUTION, AWS_REGION: 'eu-west-1', ...extraEnv };
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** One gate's build: the real evaluate into the gate's findings directory, then its synthesized post_build lines. */
function gateBuild(root: string, gate: string, evaluateArgs: string[]): { status: number | null; output: string } {
  const src = path.join(root, `src-${gate}`);
  fs.mkdirSync(src, { recursive: true });
  const evaluate = spawnSync(process.execPath, [cli, 'evaluate', '--gate', gate, '--report', `${TRIVY_SARIF}:sarif`, '--out', 'devsecops-gate-out/findings', ...evaluateArgs], {
    cwd: src, encoding: 'utf8', env: { ...process.env, AWS_REGION: 'eu-west-1', AWS_ACCOUNT_ID: '111111111111' },
  });
  expect(evaluate.status === 0 || evaluate.status === 1).toBe(true);
  return run(lines.post[gate], root, src);
}

/** The ReleaseSummary action: its project's build lines with the Prod action's environment (the execution id is the test's). */
function summarize(root: string): { status: number | null; output: string } {
  expect(lines.summaryEnv).toEqual({ PIPELINE_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}', RELEASE_GATES: 'licenses dast', RELEASE_WHAT: 'Prod' });
  const env = Object.fromEntries(Object.entries(lines.summaryEnv).filter(([name]) => name !== 'PIPELINE_EXECUTION_ID'));
  return run(lines.summary, root, path.join(root, 'src-summary'), env);
}

function suppressions(root: string): string {
  const file = path.join(root, 'suppressions.yaml');
  fs.writeFileSync(file, `suppressions:
  - cve: CVE-2019-1549
    reason: openssl is not used for fork()ed processes here
    expires: ${isoDaysFromToday(5)}
    owner: platform-team
  - cve: CVE-2019-1551
    reason: no RSA on x86_64 in this image
    expires: ${isoDaysFromToday(60)}
`);
  return file;
}

function caseRoot(name: string): string {
  const root = fs.mkdtempSync(path.join(work, `${name}-`));
  fakeAws(root);
  return root;
}

test('both gates pass: the approval summary has every gate\'s status and counts, suppressed findings and the suppression expiring within 14 days', () => {
  const root = caseRoot('pass');
  const sup = suppressions(root);
  // licenses: every finding suppressed (one entry expires in 5 days); dast: all below its HIGH threshold.
  expect(gateBuild(root, 'licenses', ['--fail-on', 'MEDIUM', '--suppressions', sup]).status).toBe(0);
  expect(gateBuild(root, 'dast', ['--fail-on', 'HIGH']).status).toBe(0);
  const filed = path.join(root, 's3', 'release-bucket', 'releases', EXECUTION);
  for (const gate of ['licenses', 'dast']) {
    expect(fs.readdirSync(path.join(filed, gate)).sort()).toEqual(['asff.json', 'findings.sarif', 'gate-result.json', 'junit.xml', 'summary.md']);
  }

  const r = summarize(root);
  expect(r).toEqual({ status: 0, output: expect.stringContaining('all 2 gate(s) passed') });
  const md = fs.readFileSync(path.join(filed, 'summary.md'), 'utf8');
  expect(md.split('\n')[0]).toBe(`# Release summary before Prod (execution ${EXECUTION}): PASS (2 gate(s))`);
  // Status and counts per gate: 4 MEDIUM each; licenses 4 suppressed, dast 4 below threshold.
  expect(md).toMatch(/^\| licenses \| PASS \| MEDIUM \| 0 \| 0 \| 4 \| 0 \| 0 \| 0 \| 4 \| 0 \| 0 \|$/m);
  expect(md).toMatch(/^\| dast \| PASS \| HIGH \| 0 \| 0 \| 4 \| 0 \| 0 \| 0 \| 0 \| 0 \| 4 \|$/m);
  expect(md).toContain('Suppressions expiring within 14 days, all gates: 1');
  expect(md).toMatch(new RegExp(`^\\| licenses \\| \\\\#0 cve CVE-2019-1549 \\| ${isoDaysFromToday(5)} \\| 5 day\\(s\\) left \\| platform-team \\| openssl is not used for fork\\(\\)ed processes here \\|$`, 'm'));
  expect(md).toContain('Suppressed findings (accepted, do not block):');
  expect(md).toMatch(/^\| MEDIUM \| CVE-2019-1551 \| .* _by \\#1 cve CVE-2019-1551 until \d{4}-\d\d-\d\d_ \|/m);
  expect(md).toMatch(/### Blocking findings \(0\)/);

  // The suppression close to expiry was told by the licenses gate's build, with where its results are.
  const messages = fs.readFileSync(path.join(root, 'sns-messages'), 'utf8');
  expect(messages).toBe([
    `Gate licenses: suppression #0 cve CVE-2019-1549 expires on ${isoDaysFromToday(5)} (in 5 day(s)), owner platform-team: openssl is not used for fork()ed processes here. Review or renew it.`,
    `Results: https://console.aws.amazon.com/s3/buckets/release-bucket?region=eu-west-1&prefix=releases/${EXECUTION}/`,
    '',
  ].join('\n'));
  expect(fs.readFileSync(path.join(root, 'aws-calls'), 'utf8').match(/^sns publish --topic-arn arn:aws:sns:eu-west-1:111111111111:notifications /gm)).toHaveLength(1);
});

test('a blocked gate files its results too and tells its blocking count; the summary then fails', () => {
  const root = caseRoot('blocked');
  expect(gateBuild(root, 'licenses', ['--fail-on', 'MEDIUM']).status).toBe(0);
  expect(gateBuild(root, 'dast', ['--fail-on', 'HIGH']).status).toBe(0);
  expect(fs.readFileSync(path.join(root, 'sns-messages'), 'utf8')).toMatch(/^Gate licenses BLOCKED: 4 blocking finding\(s\) at or above MEDIUM\.\nResults: https:/);
  const r = summarize(root);
  expect(r.status).not.toBe(0);
  expect(r.output).toContain('gate(s) failed: licenses');
});

test('a gate without a result: nothing is filed for it, and the summary fails closed before any approval', () => {
  const root = caseRoot('missing');
  expect(gateBuild(root, 'licenses', ['--fail-on', 'HIGH']).status).toBe(0);
  // The DAST build crashed before evaluate: its post_build finds no result and files nothing.
  const src = path.join(root, 'src-dast');
  expect(run(lines.post.dast, root, src).status).toBe(0);
  expect(fs.existsSync(path.join(root, 's3', 'release-bucket', 'releases', EXECUTION, 'dast'))).toBe(false);
  const r = summarize(root);
  expect(r.status).toBe(2);
  expect(r.output).toMatch(/release\/dast: no gate-result\.json \(the gate did not run or did not finish\); failing closed/);
  expect(fs.existsSync(path.join(root, 's3', 'release-bucket', 'releases', EXECUTION, 'summary.md'))).toBe(false);
});

test('no execution id: a gate build files nothing and fails', () => {
  const root = caseRoot('no-id');
  const r = spawnSync('bash', ['-c', lines.post.dast[0]], { encoding: 'utf8', env: { ...process.env, PIPELINE_EXECUTION_ID: '' } });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('no pipeline execution id');
  expect(fs.existsSync(path.join(root, 'aws-calls'))).toBe(false);
});

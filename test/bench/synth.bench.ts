/**
 * `npm run bench:synth`: synthesis time of the quickstart DevSecOpsPipeline (five nag packs on the
 * pipeline, AwsSolutions on its Stages) against a bare pipelines.CodePipeline with the same source,
 * synth and stages, in one run; then 20 DevSecOpsPipelines in one app against one.
 * The hardened pipeline is measured with its gates off (the same work as the bare pipeline) and,
 * as the quickstart runs it, with the six static gates on.
 * The quickstart is also measured with every policy off (policy as code: the built-in policies at
 * synth and the policy gate), against the same app with them on.
 * Prints medians and ratios (targets: at most 1.5x the bare pipeline; 20 pipelines at most 22x one;
 * policies on at most 1.15x off).
 * A benchmark, not a test: it asserts nothing and never runs under jest.
 */
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { AppStage } from '../../examples/quickstart/app-stage';
import { DependencyScan, DevSecOpsPipeline, IacScan, PipelineSource, PolicySet, Sast, Sbom, SecretScan, StaticGatesOptions } from '../../src';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/11111111-2222-3333-4444-555555555555';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 4);

/** Every static gate off: the hardened pipeline alone, doing what the bare pipeline does. */
const NO_GATES: StaticGatesOptions = {
  secrets: SecretScan.none(),
  sast: Sast.none(),
  dependencies: DependencyScan.none(),
  sbom: Sbom.none(),
  iac: IacScan.none(),
};

/** Every built-in policy off: no policy runs at synth and there is no policy gate. */
function noPolicies(): PolicySet {
  return PolicySet.builtIn()
    .disable('EC2_INSTANCE_IN_VPC', 'benchmark')
    .disable('S3_BUCKET_ENCRYPTED', 'benchmark')
    .disable('LAMBDA_TIMEOUT_MAXIMUM', 'benchmark');
}

function devSecOpsApp(pipelineCount: number, gates?: StaticGatesOptions, policies?: () => PolicySet): App {
  const app = new App();
  for (let i = 0; i < pipelineCount; i++) {
    const stack = new Stack(app, `Pipeline${i}`, { env: ENV });
    const pipeline = new DevSecOpsPipeline(stack, 'Pipeline', {
      source: PipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN }),
      gates,
      policies: policies?.(),
    });
    pipeline.addStage(new AppStage(app, `Staging${i}`));
    pipeline.addStage(new AppStage(app, `Prod${i}`), { approval: true });
  }
  return app;
}

function bareApp(): App {
  const app = new App();
  const stack = new Stack(app, 'Pipeline0', { env: ENV });
  const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN }),
      commands: ['npm ci', 'npx cdk synth'],
    }),
  });
  pipeline.addStage(new AppStage(app, 'Staging0'));
  pipeline.addStage(new AppStage(app, 'Prod0'), { pre: [new pipelines.ManualApprovalStep('Approve')] });
  return app;
}

/** Construction plus synthesis (with every registered validation plugin), in milliseconds. */
function time(make: () => App): number {
  const start = performance.now();
  make().synth();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  // Warm up module loading, the JIT and the validation engine, so neither side pays for it alone.
  for (let i = 0; i < WARMUP; i++) {
    time(bareApp);
    time(() => devSecOpsApp(1));
  }

  const bare: number[] = [];
  const hardened: number[] = [];
  const one: number[] = [];
  const noPolicy: number[] = [];
  const twenty: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(time(bareApp));
    hardened.push(time(() => devSecOpsApp(1, NO_GATES)));
    one.push(time(() => devSecOpsApp(1)));
    noPolicy.push(time(() => devSecOpsApp(1, undefined, noPolicies)));
  }
  for (let r = 0; r < Math.max(1, Math.ceil(ROUNDS / 2)); r++) {
    twenty.push(time(() => devSecOpsApp(20)));
  }

  const mBare = median(bare);
  const mHardened = median(hardened);
  const mOne = median(one);
  const mTwenty = median(twenty);
  const mNoPolicy = median(noPolicy);
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(`synth benchmark (median of ${ROUNDS} rounds; node ${process.version})`);
  console.log(`  bare pipelines.CodePipeline            ${fmt(mBare)}`);
  console.log(`  DevSecOpsPipeline, gates off           ${fmt(mHardened)}`);
  console.log(`  DevSecOpsPipeline (quickstart, gates)  ${fmt(mOne)}`);
  console.log(`  DevSecOpsPipeline, every policy off    ${fmt(mNoPolicy)}`);
  console.log(`  20 DevSecOpsPipelines in one app       ${fmt(mTwenty)}`);
  console.log(`  ratio hardened pipeline / bare         ${(mHardened / mBare).toFixed(2)}x (target <= 1.5x: same source, synth and stages)`);
  console.log(`  ratio quickstart with gates / bare     ${(mOne / mBare).toFixed(2)}x (five gate projects, six gates, more than the bare pipeline)`);
  console.log(`  ratio 20 pipelines / one               ${(mTwenty / mOne).toFixed(2)}x (target <= 22x)`);
  console.log(`  ratio policies on / off                ${(mOne / mNoPolicy).toFixed(2)}x (target <= 1.15x: the built-in policies at synth and the policy gate)`);
}

main();

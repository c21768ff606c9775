/**
 * The assertions of the language smoke tests (test/languages/run.sh), on the cloud assembly an app
 * written in Python, Java or Go synthesized with the built package:
 * - the pipeline has the five security gates (by the gate names the findings CLI is run with, as
 *   the weakening check reads them, so merging two gates' CodeBuild steps does not change it);
 * - its stages run Source, Build, SecurityGates, UpdatePipeline, ..., Staging, Prod, with the manual
 *   approval on Prod only;
 * - every cdk-nag pack ran, and the assembly holds no error: no error annotation, and no
 *   unacknowledged error in the policy validation report.
 *
 * Usage: ts-node --transpile-only test/languages/check-assembly.ts LANGUAGE CDK_OUT
 * Prints what it checked; exits 1 naming each failed assertion.
 */
import * as fs from 'fs';
import * as path from 'path';
import { NAG_PACKS_METADATA, postureFromAssembly } from '../../src/findings/posture';
import { GATE_NAMES, GATES_STAGE, POLICY_GATE } from '../../src/model/gates';

const PIPELINE_PATH = 'PipelineStack/Pipeline';
// The static gates and the policy gate (the built-in policies are on by default).
const GATES = [...GATE_NAMES, POLICY_GATE].sort();
const FIRST_STAGES = ['Source', 'Build', GATES_STAGE, 'UpdatePipeline'];
const APP_STAGES = ['Staging', 'Prod'];
const PIPELINE_PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless'];

/** What failed (empty when every assertion holds), and a summary of what was checked. */
export function checkAssembly(outdir: string): { failures: string[]; summary: string[] } {
  const failures: string[] = [];
  const summary: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) failures.push(what);
  };
  if (!fs.existsSync(path.join(outdir, 'manifest.json'))) return { failures: [`${outdir}: no cloud assembly (manifest.json)`], summary };

  const posture = postureFromAssembly(outdir, PIPELINE_PATH);
  if (!posture) return { failures: [`no DevSecOpsPipeline at ${PIPELINE_PATH} (no ${NAG_PACKS_METADATA} metadata)`], summary };
  const gates = Object.keys(posture.gates).sort();
  expect(JSON.stringify(gates) === JSON.stringify(GATES), `gates: expected ${GATES.join(', ')}, found ${gates.join(', ') || 'none'}`);

  // Source, Build and the gates first; UpdatePipeline after them (other stages, such as the
  // weakening check's, may come between); the application Stages last, in the order added.
  const stages = pipelineStages(outdir);
  const head = stages.slice(0, FIRST_STAGES.length - 1);
  expect(JSON.stringify(head) === JSON.stringify(FIRST_STAGES.slice(0, -1)), `stage order: expected ${FIRST_STAGES.slice(0, -1).join(', ')} first, found ${stages.join(', ')}`);
  const update = stages.indexOf('UpdatePipeline');
  expect(update >= head.length && update < stages.length - APP_STAGES.length, `stage order: expected UpdatePipeline after ${GATES_STAGE} and before the application Stages, found ${stages.join(', ')}`);
  const tail = stages.slice(-APP_STAGES.length);
  expect(JSON.stringify(tail) === JSON.stringify(APP_STAGES), `stage order: expected ${APP_STAGES.join(', ')} last, found ${stages.join(', ')}`);
  expect(posture.stages.Staging?.approval === false, 'Staging: expected no manual approval');
  expect(posture.stages.Prod?.approval === true, 'Prod: expected a manual approval (addStage approval: true)');

  const packs = nagPacks(outdir);
  expect(JSON.stringify(packs.pipeline) === JSON.stringify(PIPELINE_PACKS), `nag packs on the pipeline: expected ${PIPELINE_PACKS.join(', ')}, found ${packs.pipeline.join(', ')}`);
  expect(JSON.stringify(posture.nagPacks) === JSON.stringify(['AwsSolutions']), `nag packs on the Stages: expected AwsSolutions, found ${posture.nagPacks.join(', ')}`);
  const errors = errorAnnotations(outdir);
  expect(errors.length === 0, `error annotations: ${errors.slice(0, 5).join('; ')}`);
  const violations = unacknowledgedErrors(outdir);
  expect(violations.length === 0, `unacknowledged nag errors: ${violations.slice(0, 5).join('; ')}`);

  summary.push(`gates ${gates.join(', ')}`);
  summary.push(`stages ${stages.join(' > ')}`);
  summary.push(`nag packs ${packs.pipeline.join(', ')} on the pipeline, ${posture.nagPacks.join(', ')} on the Stages; ${errors.length + violations.length} errors`);
  return { failures, summary };
}

/** The stage names of the one CodePipeline in the assembly's top-level stacks. */
function pipelineStages(outdir: string): string[] {
  for (const stack of stackArtifacts(outdir)) {
    const template = readJson(path.join(outdir, stack.properties.templateFile));
    for (const r of Object.values<any>(template.Resources ?? {})) {
      if (r.Type === 'AWS::CodePipeline::Pipeline') return (r.Properties.Stages ?? []).map((s: any) => s.Name);
    }
  }
  return [];
}

function nagPacks(outdir: string): { pipeline: string[] } {
  for (const entries of allMetadata(outdir)) {
    const e = entries.find((m) => m.type === NAG_PACKS_METADATA);
    if (e) return { pipeline: [...e.data.pipeline].sort() };
  }
  return { pipeline: [] };
}

/** `aws:cdk:error` annotations anywhere in the assembly (nested Stage assemblies included). */
function errorAnnotations(outdir: string): string[] {
  const found: string[] = [];
  for (const entries of allMetadata(outdir)) {
    for (const e of entries) if (e.type === 'aws:cdk:error') found.push(String(e.data));
  }
  return found;
}

/** Error-level violations in the policy validation report (cdk-nag's packs report there). */
function unacknowledgedErrors(outdir: string): string[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const found: string[] = [];
  for (const report of readJson(file).pluginReports ?? []) {
    for (const v of report.violations ?? []) {
      if (v.severity === 'error') found.push(`${report.pluginName} ${v.ruleName} (${(v.violatingConstructs ?? []).length})`);
    }
  }
  return found;
}

function allMetadata(dir: string): any[][] {
  const out: any[][] = [];
  const manifest = readJson(path.join(dir, 'manifest.json'));
  for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') out.push(...allMetadata(path.join(dir, artifact.properties.directoryName)));
    out.push(...Object.values<any[]>(artifact.metadata ?? {}));
    if (artifact.additionalMetadataFile) out.push(...Object.values<any[]>(readJson(path.join(dir, artifact.additionalMetadataFile))));
  }
  return out;
}

function stackArtifacts(outdir: string): any[] {
  return Object.values<any>(readJson(path.join(outdir, 'manifest.json')).artifacts ?? {}).filter((a) => a.type === 'aws:cloudformation:stack');
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

if (require.main === module) {
  const [language, outdir] = process.argv.slice(2);
  if (!language || !outdir) {
    console.error('usage: check-assembly.ts LANGUAGE CDK_OUT');
    process.exit(2);
  }
  const { failures, summary } = checkAssembly(path.resolve(outdir));
  for (const line of summary) console.log(`${language}: ${line}`);
  for (const f of failures) console.error(`${language}: FAIL ${f}`);
  process.exit(failures.length ? 1 : 0);
}

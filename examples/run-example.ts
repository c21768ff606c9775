/**
 * `npm run example`: synthesizes an example app into cdk.out (no AWS credentials needed), with the
 * cdk-nag packs and CloudFormation Validate's default rules as errors, then prints a one-screen
 * summary. Exits non-zero on any unacknowledged nag error or failed synthesis.
 *
 * Usage: ts-node examples/run-example.ts [quickstart|policy] [--out DIR]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ACKNOWLEDGED_RULES_METADATA as ACK_METADATA, NAG_PACKS_METADATA } from '../src/findings/posture';
import { POLICY_PLUGIN_NAME } from '../src/model/policies';

interface Summary {
  readonly lines: string[];
  readonly errors: number;
}

function main(): number {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith('--')) ?? 'quickstart';
  const outIdx = args.indexOf('--out');
  const outdir = path.resolve(outIdx >= 0 ? args[outIdx + 1] : 'cdk.out');
  const appFile = path.join(__dirname, name, 'app.ts');
  if (!fs.existsSync(appFile)) {
    process.stderr.write(`example '${name}' not found: expected ${appFile}\n`);
    return 2;
  }
  fs.rmSync(outdir, { recursive: true, force: true });

  const run = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--project', path.join(__dirname, 'tsconfig.json'), appFile], {
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      // CloudFormation Validate's default rules report errors, not warnings.
      CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:validateAgainstDefaultRules': true }),
    },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const synthFailed = run.status !== 0;
  const summary = summarize(name, outdir);
  process.stdout.write(summary.lines.join('\n') + '\n');
  if (synthFailed) {
    process.stderr.write(`\nsynthesis failed (exit ${run.status}):\n${tail(run.stderr || run.stdout, 60)}\n`);
    return 1;
  }
  return summary.errors > 0 ? 1 : 0;
}

function summarize(name: string, outdir: string): Summary {
  const lines: string[] = [`cdk-devsecops-pipeline example '${name}' -> ${path.relative(process.cwd(), outdir) || '.'}`];
  const manifestFile = path.join(outdir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    lines.push('  no cloud assembly was written');
    return { lines, errors: 1 };
  }
  const manifest = readJson(manifestFile);
  const artifacts = Object.entries<any>(manifest.artifacts ?? {});
  const stages = artifacts.filter(([, a]) => a.type === 'cdk:cloud-assembly').map(([, a]) => a.properties.displayName ?? a.properties.directoryName);
  const stacks = artifacts.filter(([, a]) => a.type === 'aws:cloudformation:stack');

  for (const [id, stack] of stacks) {
    const template = readJson(path.join(outdir, stack.properties.templateFile));
    const pipelines = Object.values<any>(template.Resources ?? {}).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    for (const p of pipelines) {
      lines.push(`Pipeline (stack ${id}, type ${p.Properties.PipelineType ?? 'V1'}):`);
      for (const stage of p.Properties.Stages ?? []) {
        const actions = (stage.Actions ?? []).map((a: any) => `${a.Name}[${a.ActionTypeId.Provider}]`);
        lines.push(`  ${stage.Name.padEnd(16)} ${actions.join(', ')}`);
      }
    }
  }
  lines.push(`Application Stages: ${stages.length ? stages.join(', ') : 'none'}`);

  let acks = 0;
  const packs: string[] = [];
  for (const file of metadataFiles(outdir)) {
    for (const entries of Object.values<any[]>(readJson(file))) {
      for (const e of entries) {
        if (e.type === ACK_METADATA) acks += Object.keys(e.data ?? {}).length;
        if (e.type === NAG_PACKS_METADATA) packs.push(`pipeline: ${e.data.pipeline.join(', ')}; stages: ${e.data.stages.join(', ')}`);
      }
    }
  }
  lines.push(`cdk-nag packs run: ${packs.length ? packs.join(' | ') : 'none found'}`);

  let errors = 0;
  let warnings = 0;
  const reportFile = path.join(outdir, 'validation-report.json');
  const byPlugin: string[] = [];
  if (fs.existsSync(reportFile)) {
    for (const report of readJson(reportFile).pluginReports ?? []) {
      const e = report.violations.filter((v: any) => v.severity === 'error').reduce((n: number, v: any) => n + v.violatingConstructs.length, 0);
      const w = report.violations.filter((v: any) => v.severity !== 'error').reduce((n: number, v: any) => n + v.violatingConstructs.length, 0);
      errors += e;
      warnings += w;
      if (e || w) byPlugin.push(`${report.pluginName}: ${e} errors, ${w} warnings`);
      // The policies' messages name the policy, the construct and logical id, the property and the fix.
      if (report.pluginName === POLICY_PLUGIN_NAME) {
        for (const v of report.violations) lines.push(`  ${v.severity.toUpperCase()} ${v.description}`);
      }
    }
  }
  lines.push(`Unacknowledged findings: ${errors} errors, ${warnings} warnings${byPlugin.length ? ` (${byPlugin.join('; ')})` : ''}`);
  lines.push(`Acknowledgments: ${acks} (each with a reason; listed in ${path.relative(process.cwd(), outdir)}/*.metadata.json)`);
  lines.push(errors === 0 ? 'Result: PASS' : `Result: FAIL (see ${path.relative(process.cwd(), reportFile)})`);
  return { lines, errors };
}

function metadataFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...metadataFiles(full));
    else if (entry.name.endsWith('.metadata.json')) found.push(full);
  }
  return found;
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function tail(text: string, n: number): string {
  return text.split('\n').slice(-n).join('\n');
}

process.exitCode = main();

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { GateContext } from './context';
import { ShippedFilesAsset } from './shipped-files';
import { ASSEMBLY_DIR, CLI_DIR, expectReport, REPORTS_DIR, WORK_DIR } from './step';
import { assetReadStatement, sha256Of, unpackVerified } from './verified-asset';
import { POLICY_RULES_MANIFEST, PolicyManifestEntry } from '../findings/policies-cli';
import { POLICY_GATE } from '../model/gates';
import { PolicySet } from '../policies/policy';
import { shellQuote } from '../scanners/steps';

/**
 * The pipeline's policies as an S3 asset: one file per policy text and a manifest, staged at
 * synth in a directory named by its content; the gate's build checks every file against the
 * sha256 taken at synth, and the findings CLI checks each policy against its digest.
 */
export class PolicyRulesAsset extends Construct {
  public readonly asset: s3assets.Asset;
  /** sha256 of each staged file. */
  public readonly sha256: Readonly<Record<string, string>>;
  /** `ID=DIGEST` of each policy, for `policies --policy`. */
  public readonly digests: readonly string[];

  constructor(scope: Construct, id: string, policies: PolicySet) {
    super(scope, id);
    const files: Record<string, string> = {};
    const entries: PolicyManifestEntry[] = [];
    for (const p of policies._active()) {
      const entry: { -readonly [K in keyof PolicyManifestEntry]: PolicyManifestEntry[K] } = {
        id: p.id, message: p.message, fix: p.fix, severity: p.severity,
      };
      if (p.rego !== undefined) files[(entry.rego = `${p.id}.rego`)] = p.rego;
      if (p.guard !== undefined) files[(entry.guard = `${p.id}.guard`)] = p.guard;
      entries.push(entry);
    }
    files[POLICY_RULES_MANIFEST] = `${JSON.stringify({ policies: entries }, undefined, 2)}\n`;
    this.digests = policies._active().map((p) => `${p.id}=${p._hash()}`);
    const names = Object.keys(files).sort();
    const selection = createHash('sha256').update(names.map((n) => `${n}\0${files[n]}\0`).join('')).digest('hex').slice(0, 16);
    const dir = path.join(os.tmpdir(), 'cdk-devsecops-policies', selection);
    fs.mkdirSync(dir, { recursive: true });
    for (const n of names) {
      const target = path.join(dir, n);
      if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === files[n]) continue;
      // Written beside, then renamed: a concurrent synth never reads a half-written file.
      const tmp = path.join(path.dirname(dir), `.${selection}-${n}.${process.pid}`);
      fs.writeFileSync(tmp, files[n]);
      fs.renameSync(tmp, target);
    }
    for (const extra of fs.readdirSync(dir).filter((n) => !names.includes(n))) fs.rmSync(path.join(dir, extra), { force: true });
    this.sha256 = sha256Of(dir, names, (_f, p) => `the staged policy file ${p} is missing`);
    this.asset = new s3assets.Asset(this, 'Files', { path: dir });
  }

  /** Read access to this one object, nothing else in the bootstrap bucket. */
  public readStatement(): iam.PolicyStatement {
    return assetReadStatement(this.asset);
  }

  /** Copies the policies into `dir` and checks each file against the sha256 taken at synth. */
  public installCommands(dir: string): string[] {
    return [`mkdir -p ${dir}`, ...unpackVerified(this.asset, `${WORK_DIR}/policies.zip`, dir, this.sha256)];
  }
}

/**
 * The policy gate: runs the pipeline's policies, as this definition built them, on the templates
 * of every deployed Stage in the commit's cloud assembly, with the engine this package ships, and
 * judges the result with the findings engine (failOn, SARIF, JUnit, summary). The commit can't
 * switch it off by removing a policy from its own code: the policies come from the running
 * pipeline's definition.
 */
export function policyGateStep(ctx: GateContext, policies: PolicySet, stacks: () => string[]): pipelines.CodeBuildStep {
  const engine = ShippedFilesAsset.of(ctx.scope, 'policy-engine');
  const rules = new PolicyRulesAsset(ctx.scope, 'Policies', policies);
  const rulesDir = `${WORK_DIR}/policies`;
  const report = `${REPORTS_DIR}/policies.sarif`;
  // Rendered at synthesis, once every Stage is added; each path quoted as one shell word.
  const stackArgs = Lazy.uncachedString({ produce: () => stacks().map((s) => `--stack ${shellQuote(s)}`).join(' ') });
  return ctx.buildStep({
    id: 'PolicyCheck',
    gate: POLICY_GATE,
    // The source, for the suppressions file; the cloud assembly beside it.
    input: ctx.source,
    additionalInputs: { [ASSEMBLY_DIR]: ctx.cloudAssembly },
    install: [...engine.unpackCommands(), ...rules.installCommands(rulesDir)],
    scan: [
      expectReport(report, 'sarif'),
      [
        `node ${CLI_DIR}/cli.js policies --engine ${engine.installDir} --rules ${rulesDir}`,
        ...rules.digests.map((d) => `--policy ${d}`),
        `--assembly ${ASSEMBLY_DIR}`,
        stackArgs,
        `--out ${report}`,
      ].join(' '),
    ],
    options: {},
    // The engine and the policies arrive as checked assets: nothing to download, so no cache.
    noCache: true,
    rolePolicyStatements: [engine.readStatement(), rules.readStatement()],
  });
}

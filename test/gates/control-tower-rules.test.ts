/**
 * The IaC gate's Control Tower rules: copied at build time from the pinned
 * @cdklabs/cdk-validator-cfnguard into assets/control-tower-guard (with a sha256 manifest), shipped
 * in the package, staged at synth as an S3 asset of exactly the selected rules, and checked file by
 * file by the build before cfn-guard reads them. No build downloads the validator's tarball.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { synthGates } from './support';
import { copyControlTowerRules } from '../../projenrc/control-tower-guard';
import { IacScan } from '../../src';
import { CONTROL_TOWER_BUILD_TASK, CONTROL_TOWER_MANIFEST, ControlTowerRulesAsset } from '../../src/gates/control-tower-rules';
import { pipelineApp } from '../pipeline/support';
import { ROOT } from '../scanners/run-scanner';

const SELECTED = ['ct-s3-pr-1', 'ct-kms-pr-1', 'ct-iam-pr-2'];
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'control-tower-rules-test-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function assetOf(pipeline: { node: { findAll(): unknown[] } }): ControlTowerRulesAsset {
  const found = pipeline.node.findAll().filter((c): c is ControlTowerRulesAsset => c instanceof ControlTowerRulesAsset);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('the rules the package ships (bundle:control-tower-guard)', () => {
  const manifest = ControlTowerRulesAsset.manifest();
  const pkgDir = path.join(ROOT, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard');

  test('every rule file of the pinned validator package, each with its sha256, under its id', () => {
    const devDependency = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies['@cdklabs/cdk-validator-cfnguard'];
    expect(manifest.source).toMatchObject({ package: '@cdklabs/cdk-validator-cfnguard', version: devDependency, license: 'Apache-2.0', path: 'rules/control-tower/cfn-guard' });
    expect(manifest.source.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    const entries = Object.entries(manifest.rules);
    expect(entries.length).toBeGreaterThan(200);
    for (const [id, r] of entries) {
      const content = fs.readFileSync(path.join(ControlTowerRulesAsset.DIRECTORY, r.file));
      expect({ id, sha256: sha256(content), same: content.equals(fs.readFileSync(path.join(pkgDir, manifest.source.path, r.file))) })
        .toEqual({ id, sha256: r.sha256, same: true });
      expect(path.posix.basename(r.file)).toBe(`${id}.guard`);
    }
    for (const id of IacScan.defaultControlTowerRules()) expect(Object.keys(manifest.rules)).toContain(id);
  });

  test('the rules\' Apache-2.0 license is shipped with them', () => {
    expect(fs.readFileSync(path.join(ControlTowerRulesAsset.DIRECTORY, 'LICENSE'), 'utf8')).toContain('Apache License');
  });

  test('the build step replaces the directory: a file left from an earlier build is gone', () => {
    const out = path.join(work, 'copied');
    fs.mkdirSync(path.join(out, 'gone'), { recursive: true });
    fs.writeFileSync(path.join(out, 'gone', 'ct-gone-pr-1.guard'), 'rule gone {}');
    const m = copyControlTowerRules(ROOT, out);
    expect(m).toEqual(manifest);
    expect(fs.existsSync(path.join(out, 'gone'))).toBe(false);
  });

  test('the npm package ships them: the manifest, the license and every rule file', () => {
    const packed = JSON.parse(spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout);
    const files = new Set<string>(packed[0].files.map((f: { path: string }) => f.path));
    const expected = [CONTROL_TOWER_MANIFEST, 'LICENSE', ...Object.values(manifest.rules).map((r) => r.file)].map((f) => `assets/control-tower-guard/${f}`);
    expect(expected.filter((f) => !files.has(f))).toEqual([]);
  });
});

describe('the IaC gate', () => {
  const s = synthGates({ gates: { iac: IacScan.cfnGuard({ controlTowerRules: SELECTED }) } });
  const gate = s.gates.IacScan!;
  const ct = assetOf(s.pipeline);

  test('references only the asset: no tarball of the validator package is downloaded', () => {
    const template = JSON.stringify(s.template.toJSON());
    expect(template.includes('cdk-validator-cfnguard')).toBe(false);
    expect(JSON.stringify(gate.buildspec).includes('registry.npmjs.org')).toBe(false);
    const install = gate.install.join('\n');
    expect(install).toMatch(/^aws s3 cp --only-show-errors s3:\/\/\S+\.zip \/tmp\/devsecops\/control-tower-guard\.zip$/m);
    expect(install).toContain('unzip -q -o /tmp/devsecops/control-tower-guard.zip -d /tmp/devsecops/guard-rules');
    // Each selected rule checked before the build phase runs cfn-guard over the directory.
    for (const id of SELECTED) expect(install).toContain(`echo "${ControlTowerRulesAsset.manifest().rules[id].sha256}  /tmp/devsecops/guard-rules/${id}.guard" | sha256sum -c -`);
    expect(gate.build.join('\n')).toMatch(/cfn-guard validate --data \/tmp\/devsecops\/templates --rules \/tmp\/devsecops\/guard-rules /);
  });

  test('the asset holds exactly the selected rules, as shipped', () => {
    expect(fs.readdirSync(ct.stagedDirectory).sort()).toEqual(SELECTED.map((id) => `${id}.guard`).sort());
    const manifest = ControlTowerRulesAsset.manifest();
    for (const id of SELECTED) expect(ct.sha256[`${id}.guard`]).toBe(manifest.rules[id].sha256);
    // And the cloud assembly's copy, which is what is uploaded.
    const staged = path.join((s.stack.node.root as App).outdir, ct.asset.assetPath);
    expect(fs.readdirSync(staged).sort()).toEqual(SELECTED.map((id) => `${id}.guard`).sort());
  });

  test('the build may read that one object and nothing else of the bootstrap bucket', () => {
    const statements = Object.values<any>(s.template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const reads = statements.filter((st) => st.Action === 's3:GetObject' && JSON.stringify(st.Resource).includes(ct.asset.s3ObjectKey));
    expect(reads).toHaveLength(1);
  });

  test('without Control Tower rules there is no asset and no unpack', () => {
    const only = synthGates({ gates: { iac: IacScan.cfnGuard({ rules: ['policies/guard'], controlTowerRules: [] }) } });
    expect(only.pipeline.node.findAll().some((c) => c instanceof ControlTowerRulesAsset)).toBe(false);
    expect(only.gates.IacScan!.install.join('\n')).not.toContain('guard-rules');
  });

  test('an id the shipped rules do not have fails synth, naming it', () => {
    expect(() => synthGates({ gates: { iac: IacScan.cfnGuard({ controlTowerRules: ['ct-s3-pr-1', 'ct-s3-pr-999'] }) } }))
      .toThrow(/controlTowerRules: ct-s3-pr-999 is not among the Control Tower rules of @cdklabs\/cdk-validator-cfnguard 0\.0\.62/);
  });

  describe('the build\'s check of what it unpacked (the generated commands, run by bash)', () => {
    // The asset's commands, with a stand-in `aws` that "downloads" the given zip.
    function unpack(zipFrom: string): { status: number; output: string; dir: string } {
      const base = fs.mkdtempSync(path.join(work, 'build-'));
      const bin = path.join(base, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\n[ "$1 $2" = "s3 cp" ] || exit 98\ncp '${zipFrom}' "$5"\n`, { mode: 0o755 });
      const lines = gate.install.filter((l) => l.includes('guard-rules') || l.includes('control-tower-guard.zip'));
      expect(lines.length).toBe(3 + SELECTED.length);
      const script = lines.map((l) => l.split('/tmp/devsecops/').join(`${base}/`)).flatMap((l) => [l, 'rc=$?; if [ "$rc" -ne 0 ]; then exit "$rc"; fi']).join('\n');
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      return { status: r.status ?? -1, output: r.stdout + r.stderr, dir: path.join(base, 'guard-rules') };
    }

    function zipOf(dir: string, name: string): string {
      const zip = path.join(work, `${name}.zip`);
      const r = spawnSync('zip', ['-q', '-j', '-r', zip, '.'], { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`zip failed: ${r.stderr}`);
      return zip;
    }

    test('the rules as staged pass the check', () => {
      const r = unpack(zipOf(ct.stagedDirectory, 'good'));
      expect({ status: r.status, files: fs.readdirSync(r.dir).sort() }).toEqual({ status: 0, files: SELECTED.map((id) => `${id}.guard`).sort() });
    });

    test('a tampered rule file fails the build before cfn-guard runs', () => {
      const copy = path.join(work, 'tampered');
      fs.cpSync(ct.stagedDirectory, copy, { recursive: true });
      // A rule emptied of its checks would pass every template.
      fs.writeFileSync(path.join(copy, 'ct-kms-pr-1.guard'), 'rule ct_kms_pr_1 { true }\n');
      const r = unpack(zipOf(copy, 'tampered'));
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/ct-kms-pr-1\.guard: FAILED/);
    });
  });
});

describe('missing or altered shipped rules fail synth', () => {
  test('no assets/control-tower-guard: the message names the build task', () => {
    const replaced = jest.replaceProperty(ControlTowerRulesAsset, 'DIRECTORY', path.join(work, 'no-such-dir'));
    try {
      const { pipeline } = pipelineApp({});
      expect(pipeline).toBeUndefined();
    } catch (e) {
      expect(String(e)).toContain(`the Control Tower Guard rules are missing (${path.join(work, 'no-such-dir', CONTROL_TOWER_MANIFEST)}): build them with 'npx projen ${CONTROL_TOWER_BUILD_TASK}'`);
    } finally {
      replaced.restore();
    }
    expect.assertions(1);
  });

  test('a shipped rule that does not match its manifest', () => {
    const copy = path.join(work, 'altered-assets');
    fs.cpSync(ControlTowerRulesAsset.DIRECTORY, copy, { recursive: true });
    const file = ControlTowerRulesAsset.manifest().rules['ct-s3-pr-1'].file;
    fs.appendFileSync(path.join(copy, file), '\n# altered\n');
    const replaced = jest.replaceProperty(ControlTowerRulesAsset, 'DIRECTORY', copy);
    try {
      expect(() => pipelineApp({})).toThrow(`the Control Tower rule ${file} in ${copy} does not match its manifest's sha256`);
    } finally {
      replaced.restore();
    }
  });
});

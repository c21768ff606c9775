/**
 * Real scanners through the real findings CLI, on examples/vulnerable-app (every seed must be
 * caught by its gate, which fails with exit 1) and examples/clean-app (every gate passes).
 *
 * Two ways: the scanners' reports from runScanner fed to `evaluate`, and the gates' generated
 * build commands run as CodeBuild would run them (with the locally installed scanners on the
 * PATH instead of the pinned downloads, which this network cannot reach).
 * trivy and gitleaks do not install here, so the SCA seed (lodash 4.17.15) is checked through
 * the SBOM in test/scanners and not by a gate exit code. eslint, eslint-plugin-security, the SARIF
 * formatter and the TypeScript parser come from node_modules (the tools table's versions).
 */
import * as fs from 'fs';
import * as path from 'path';
import { useGateRuns } from './gate-runs';
import { synthGates } from './support';
import { IacScan, Sast, Sbom, SecretScan } from '../../src';
import { ControlTowerRulesAsset } from '../../src/gates/control-tower-rules';
import { EXAMPLES, runScanner } from '../scanners/run-scanner';

const VULNERABLE = path.join(EXAMPLES, 'vulnerable-app');
const CLEAN = path.join(EXAMPLES, 'clean-app');

const { evaluate, blockingRules, runGateBuild, detectEngines, workDir } = useGateRuns();

describe('scanner reports through evaluate', () => {
  test('secrets (secretlint): the fake AWS secret key blocks; clean-app passes', () => {
    const bad = evaluate('secrets', [`${runScanner('secretlint', VULNERABLE).reportPath}:sarif`], ['--secret-scan', 'files']);
    expect(bad.status).toBe(1);
    // secretlint's rule id is 'preset > rule': the AWS rule, on the seeded key in src/config.js.
    expect(bad.out).toMatch(/^ {2}CRITICAL @secretlint\/secretlint-rule-preset-recommend > @secretlint\/secretlint-rule-aws src\/config\.js:\d+:/m);
    expect(bad.result.status).toBe('fail');
    const good = evaluate('secrets', [`${runScanner('secretlint', CLEAN).reportPath}:sarif`], ['--secret-scan', 'files']);
    expect({ status: good.status, out: good.out }).toEqual({ status: 0, out: expect.stringMatching(/PASS/) });
  });

  test('IaC (cfn-guard, Control Tower S3 rules): the public unencrypted bucket blocks; clean-app passes', () => {
    const bad = evaluate('iac', [`${runScanner('cfn-guard', VULNERABLE).reportPath}:sarif`]);
    expect(bad.status).toBe(1);
    expect(blockingRules(bad)).toEqual(expect.arrayContaining(['S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED_CHECK', 'S3_BUCKET_POLICY_SSL_REQUESTS_ONLY_CHECK']));
    const good = evaluate('iac', [`${runScanner('cfn-guard', CLEAN).reportPath}:sarif`]);
    expect({ status: good.status, out: good.out }).toEqual({ status: 0, out: expect.stringMatching(/PASS/) });
  });

  test('SBOM (cyclonedx-npm): a well-formed CycloneDX passes for both apps; a missing one fails closed', () => {
    for (const dir of [VULNERABLE, CLEAN]) {
      const r = evaluate('sbom', [`${runScanner('cyclonedx-npm', dir).reportPath}:cyclonedx`]);
      expect({ status: r.status, out: r.out }).toEqual({ status: 0, out: expect.stringMatching(/PASS/) });
    }
    expect(evaluate('sbom', [path.join(workDir(), 'no-such-sbom.json:cyclonedx')]).status).toBe(2);
  });
});

describe('the generated gate commands, run on the example apps', () => {
  const s = synthGates({
    gates: { secrets: SecretScan.secretlint(), sast: Sast.detect(), sbom: Sbom.cyclonedxNpm() },
  });

  function iacPrepare(appDir: string) {
    return (src: string, tmp: string) => {
      // The synth output beside the source, as CodeBuild links it; the Control Tower rules as the install phase unpacks them.
      const assembly = path.join(src, 'devsecops-cloud-assembly');
      fs.mkdirSync(assembly);
      fs.copyFileSync(path.join(appDir, 'infra', 'template.json'), path.join(assembly, 'App.template.json'));
      const manifest = ControlTowerRulesAsset.manifest();
      fs.mkdirSync(path.join(tmp, 'guard-rules'));
      for (const id of IacScan.defaultControlTowerRules()) fs.copyFileSync(path.join(ControlTowerRulesAsset.DIRECTORY, manifest.rules[id].file), path.join(tmp, 'guard-rules', `${id}.guard`));
    };
  }

  test('IaC gate (default Control Tower rules): vulnerable-app fails with the bucket findings, clean-app passes', () => {
    const bad = runGateBuild(s.gates.IacScan!, VULNERABLE, iacPrepare(VULNERABLE));
    expect(bad.status).toBe(1);
    expect(bad.output).toMatch(/gate iac: FAIL/);
    expect(bad.output).toContain('S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED_CHECK');
    const good = runGateBuild(s.gates.IacScan!, CLEAN, iacPrepare(CLEAN));
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate iac: PASS/) });
  });

  test('IaC gate: a cloud assembly without templates fails closed', () => {
    const r = runGateBuild(s.gates.IacScan!, CLEAN, (src) => fs.mkdirSync(path.join(src, 'devsecops-cloud-assembly')));
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('no *.template.json in the cloud assembly');
  });

  test('SAST gate (eslint-security): TypeScript is parsed, eval of a variable blocks; the project\'s own eslint config and disable comments are not used', () => {
    const gate = synthGates({ gates: { sast: Sast.eslintSecurity() } }).gates.Sast!;
    const app = fs.mkdtempSync(path.join(workDir(), 'ts-app-'));
    fs.mkdirSync(path.join(app, 'src'));
    // TEST SEED: eval of a caller's string, silenced by a comment the gate must not obey.
    fs.writeFileSync(path.join(app, 'src', 'run.ts'), [
      'export function run(code: string): unknown {',
      '  // eslint-disable-next-line security/detect-eval-with-expression',
      '  return eval(code as string);',
      '}',
      '',
    ].join('\n'));
    // A project config that would turn the rule off and load a plugin that is not installed.
    fs.writeFileSync(path.join(app, 'eslint.config.mjs'), 'import x from "eslint-plugin-not-installed";\nexport default [x, { rules: { "security/detect-eval-with-expression": "off" } }];\n');
    const r = runGateBuild(gate, app, detectEngines(gate));
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/^ {2}HIGH security\/detect-eval-with-expression src\/run\.ts:3\b/m);
  });

  test('SAST gate (eslint-security): a file eslint cannot parse fails the gate closed', () => {
    const gate = synthGates({ gates: { sast: Sast.eslintSecurity() } }).gates.Sast!;
    const app = fs.mkdtempSync(path.join(workDir(), 'broken-js-'));
    fs.writeFileSync(path.join(app, 'index.js'), 'function (\n');
    const r = runGateBuild(gate, app, detectEngines(gate));
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/did not complete/);
  });

  test('SAST gate: a Go-only repository fails as not analyzed, not as a silent pass', () => {
    const gate = s.gates.Sast!;
    const goOnly = fs.mkdtempSync(path.join(workDir(), 'go-only-'));
    fs.mkdirSync(path.join(goOnly, 'cmd'));
    fs.writeFileSync(path.join(goOnly, 'main.go'), 'package main\n');
    fs.writeFileSync(path.join(goOnly, 'cmd', 'tool.go'), 'package main\n');
    const r = runGateBuild(gate, goOnly, detectEngines(gate));
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/gate sast: not analyzed: Go \(2 files\)\ngate sast: FAIL: 1 not analyzed, 0 blocking finding\(s\)/);
    const out = path.join(r.src, r.output.match(/reports in (\S+)/)![1]);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('- not analyzed: Go (2 files)');
    expect(fs.readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain('name="not analyzed: Go (2 files)"');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'gate-result.json'), 'utf8'))).toMatchObject({ status: 'fail', notAnalyzed: ['Go (2 files)'] });
  });

  test('SAST gate: Gradle/Kotlin and a Maven project below the root are listed as not analyzed', () => {
    const gate = s.gates.Sast!;
    const app = fs.mkdtempSync(path.join(workDir(), 'gradle-'));
    fs.mkdirSync(path.join(app, 'service', 'src'), { recursive: true });
    fs.writeFileSync(path.join(app, 'build.gradle.kts'), 'plugins { java }\n');
    fs.writeFileSync(path.join(app, 'service', 'pom.xml'), '<project/>\n');
    fs.writeFileSync(path.join(app, 'service', 'src', 'App.java'), 'class App {}\n');
    fs.writeFileSync(path.join(app, 'tool.py'), 'print(1)\n');
    const r = runGateBuild(gate, app, (src, tmp) => {
      detectEngines(gate)(src, tmp);
      // bandit is an apt package (test/integration): only the not-analyzed lines are checked here.
      fs.rmSync(path.join(tmp, 'engine-bandit'), { force: true });
    });
    expect(r.status).toBe(1);
    expect(r.output).toContain('gate sast: not analyzed: Java (1 file)');
    expect(r.output).toContain('gate sast: not analyzed: Kotlin (1 file)');
    expect(r.output).toContain('gate sast: not analyzed: Maven project not at the repository root (service/pom.xml)');
  });

  test('SAST gate: a repository without code passes, saying nothing was analyzed; explicit engines accept what they do not cover', () => {
    const docs = fs.mkdtempSync(path.join(workDir(), 'docs-only-'));
    fs.writeFileSync(path.join(docs, 'README.md'), '# docs\n');
    const r = runGateBuild(s.gates.Sast!, docs, detectEngines(s.gates.Sast!));
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringMatching(/gate sast: PASS: 0 blocking/) });
    expect(fs.readFileSync(path.join(r.src, r.output.match(/reports in (\S+)/)![1], 'summary.md'), 'utf8')).toContain('sast-detect');
    const explicit = synthGates({ gates: { sast: Sast.eslintSecurity() } }).gates.Sast!;
    expect(explicit.install.join('\n')).not.toContain('not-analyzed');
    expect(explicit.build.join('\n')).not.toContain('--not-analyzed-file');
  });

  test('secrets gate (secretlint): vulnerable-app fails on the fake key, clean-app passes', () => {
    const bad = runGateBuild(s.gates.SecretScan!, VULNERABLE, () => undefined);
    expect(bad.status).toBe(1);
    expect(bad.output).toMatch(/gate secrets: FAIL/);
    const good = runGateBuild(s.gates.SecretScan!, CLEAN, () => undefined);
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate secrets: PASS/) });
  });

  test('secrets gate (secretlint): a .secretlintignore of ** in the app does not hide the seeded key', () => {
    const r = runGateBuild(s.gates.SecretScan!, VULNERABLE, (src) => fs.writeFileSync(path.join(src, '.secretlintignore'), '**\n'));
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/^ {2}CRITICAL @secretlint\/secretlint-rule-preset-recommend > @secretlint\/secretlint-rule-aws src\/config\.js:\d+:/m);
  });

  test('secrets gate (gitleaks): a .gitleaksignore with an entry stops the gate, saying why; comments alone do not', () => {
    const gate = synthGates({ gates: { secrets: SecretScan.gitleaks() } }).gates.SecretScan!;
    // gitleaks does not install here: a stand-in that records its arguments and reports nothing.
    const fakeGitleaks = (ignore: string) => (src: string) => {
      fs.writeFileSync(path.join(src, '.gitleaksignore'), ignore);
      fs.writeFileSync(path.join(path.dirname(src), 'bin', 'gitleaks'),
        '#!/bin/bash\necho "$@" > "$(dirname "$0")/args"\nwhile [ $# -gt 0 ]; do [ "$1" = --report-path ] && echo "[]" > "$2"; shift; done\n', { mode: 0o755 });
    };
    const blocked = runGateBuild(gate, CLEAN, fakeGitleaks('# local only\nsrc/config.js:aws-access-token:3\n'));
    expect(blocked.status).toBe(1);
    expect(blocked.output).toMatch(/gitleaks reads \.gitleaksignore from the scanned directory and no flag turns that off/);
    expect(blocked.output).not.toMatch(/gate secrets: PASS/);
    const comments = runGateBuild(gate, CLEAN, fakeGitleaks('# nothing ignored\n\n'));
    expect({ status: comments.status, output: comments.output }).toEqual({ status: 0, output: expect.stringMatching(/gate secrets: PASS/) });
    const args = fs.readFileSync(path.join(path.dirname(comments.src), 'bin', 'args'), 'utf8');
    expect(args).toMatch(/--config \S+\/gitleaks\.toml --gitleaks-ignore-path \S+\/gitleaksignore --ignore-gitleaks-allow/);
    expect(fs.readFileSync(args.match(/--config (\S+)/)![1], 'utf8')).toMatch(/^\[extend\]\nuseDefault = true$/m);
  });

  test('SBOM gate (cyclonedx-npm): both apps get a CycloneDX artifact and pass', () => {
    for (const app of [VULNERABLE, CLEAN]) {
      const r = runGateBuild(s.gates.Sbom!, app, () => undefined);
      expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringMatching(/gate sbom: PASS/) });
    }
  });

  test('SBOM gate: an SBOM without components for an app whose lock file lists packages fails as not analyzed', () => {
    const r = runGateBuild(s.gates.Sbom!, VULNERABLE, (src) => {
      // A generator that inventories nothing: a well-formed CycloneDX document with no component.
      const bin = path.join(path.dirname(src), 'bin');
      fs.unlinkSync(path.join(bin, 'cyclonedx-npm'));
      fs.writeFileSync(path.join(bin, 'cyclonedx-npm'),
        '#!/bin/bash\nwhile [ $# -gt 0 ]; do [ "$1" = --output-file ] && echo \'{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}\' > "$2"; shift; done\n', { mode: 0o755 });
    });
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/gate sbom: not analyzed: lock files package-lock\.json: \S+sbom\.cdx\.json \(cyclonedx\) lists no component/);
  });

  test('a scanner that writes no report fails the gate (fail closed)', () => {
    // cfn-guard replaced by a command that exits 0 and writes nothing.
    const r = runGateBuild(s.gates.IacScan!, CLEAN, (src, tmp) => {
      iacPrepare(CLEAN)(src, tmp);
      const bin = path.join(path.dirname(src), 'bin');
      fs.unlinkSync(path.join(bin, 'cfn-guard'));
      fs.writeFileSync(path.join(bin, 'cfn-guard'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    });
    expect(r.status).toBe(2);
    expect(r.output).toMatch(/cfn-guard\.sarif/);
  });
});

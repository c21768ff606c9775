/**
 * Reads every buildspec the gates generate, in configurations that together use every engine,
 * like a reviewer would: each install is pinned and checksum-verified before use, and the shell
 * commands pass shellcheck with zero findings.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { commandsOf, GateBuild, synthGates } from './support';
import { DependencyScan, IacScan, PipelineSource, Sast, SastEngine, Sbom, SbomGenerator, SecretScan } from '../../src';
import { sriToSha512Hex } from '../../src/tools/install';
import { APT_PACKAGES, npmTarballUrl, RULE_PACKAGES, TOOLS } from '../../src/tools/tools';
import { CONNECTION_ARN } from '../pipeline/support';

const fullClone = PipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN, fullClone: true });

// Together these use every engine of every gate.
const CONFIGS: Array<[string, Parameters<typeof synthGates>[0]]> = [
  ['defaults', {}],
  ['history, explicit engines', {
    source: fullClone,
    gates: {
      secrets: SecretScan.trufflehog(),
      sast: Sast.engines([SastEngine.SEMGREP, SastEngine.BANDIT, SastEngine.SPOTBUGS, SastEngine.ESLINT_SECURITY]),
      sbom: Sbom.cycloneDx({ generator: SbomGenerator.CYCLONEDX_NPM }),
      iac: IacScan.checkov(),
    },
  }],
  ['secretlint, user rules', {
    source: fullClone,
    gates: {
      secrets: SecretScan.secretlint(),
      sast: Sast.semgrep({ ruleFiles: ['rules/semgrep'] }),
      dependencies: DependencyScan.trivy({ ignoreUnfixed: true }),
      iac: IacScan.cfnGuard({ rules: ['policies/guard', 'policies/extra.guard'] }),
      suppressionsFile: 'security/suppressions.yaml',
    },
  }],
];

const BUILDS: Array<[string, GateBuild]> = CONFIGS.flatMap(([name, props]) =>
  Object.entries(synthGates(props).gates).map(([id, g]) => [`${name}: ${id}`, g!] as [string, GateBuild]));

/** Every file the tables let a build download, with the digest it must be checked against. */
function expectedDigests(): Map<string, { algo: 'sha256' | 'sha512'; hex: string }> {
  const m = new Map<string, { algo: 'sha256' | 'sha512'; hex: string }>();
  for (const t of Object.values(TOOLS)) {
    if (t.kind === 'archive') {
      for (const d of [t.download, ...(t.extras ?? [])]) m.set(d.url, { algo: 'sha256', hex: d.sha256 });
    } else if (t.kind === 'npm') {
      for (const p of t.packages) m.set(npmTarballUrl(p), { algo: 'sha512', hex: sriToSha512Hex(p.integrity) });
    }
  }
  for (const r of Object.values(RULE_PACKAGES)) m.set(npmTarballUrl(r.package), { algo: 'sha512', hex: sriToSha512Hex(r.package.integrity) });
  return m;
}
const DIGESTS = expectedDigests();

/** Simple commands, in order: compound commands split at &&, ;, then/else/fi, newlines. */
function simpleCommands(lines: string[]): string[] {
  return lines.flatMap((l) => l.split(/\s*(?:&&|;|\n|\bthen\b|\belse\b|\bfi\b|\bdo\b|\bdone\b|\{|\})\s*/))
    .map((c) => c.replace(/^if\s+/, '').trim()).filter((c) => c.length > 0);
}

describe('every generated buildspec', () => {
  test('covers every engine: gitleaks, trufflehog, secretlint, semgrep, bandit, spotbugs, eslint-security, trivy, cyclonedx-npm, cfn-guard, checkov', () => {
    const text = BUILDS.map(([, g]) => commandsOf(g).join('\n')).join('\n');
    for (const tool of ['gitleaks', 'trufflehog', 'secretlint', 'semgrep', 'bandit', 'spotbugs', 'eslint --config', 'eslint-plugin-security', 'trivy fs', 'cyclonedx-npm', 'cfn-guard validate', 'checkov']) {
      expect({ tool, found: text.includes(tool) }).toEqual({ tool, found: true });
    }
  });

  test.each(BUILDS)('%s: every install is pinned and verified before use', (_name, gate) => {
    const downloaded = new Map<string, string>(); // file -> url
    const verified = new Set<string>();
    for (const cmd of simpleCommands(gate.install)) {
      expect(cmd.split('cfn-guard-v3-x86_64-ubuntu-latest').join('')).not.toMatch(/latest/i);
      expect(cmd).not.toMatch(/\|\s*(ba|z)?sh\b|\bwget\b|\bnpx\b|go install|pip3? install/);
      const curl = /^curl (\S+) --retry 3 -o (\S+) (\S+)$/.exec(cmd);
      if (curl) {
        expect(curl[1]).toContain('f');
        expect(curl[3].startsWith('https://')).toBe(true);
        expect(DIGESTS.has(curl[3])).toBe(true); // only what the tables list
        downloaded.set(curl[2], curl[3]);
        continue;
      }
      const check = /^echo "([0-9a-f]+) {2}(\S+)" \| (sha256|sha512)sum -c -$/.exec(cmd);
      if (check) {
        const [, hex, file, algo] = check;
        if (file.endsWith('/findings-cli/cli.js')) {
          expect(hex).toMatch(/^[0-9a-f]{64}$/);
        } else {
          expect(downloaded.has(file)).toBe(true);
          expect({ algo, hex }).toEqual(DIGESTS.get(downloaded.get(file)!));
        }
        verified.add(file);
        continue;
      }
      const apt = /^DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends '([a-z0-9.+-]+)=([0-9.]+)-\*'$/.exec(cmd);
      if (cmd.includes('apt-get install')) {
        // apt checks the distribution's signatures; the upstream version is pinned.
        expect(apt).not.toBeNull();
        const pkg = Object.values(APT_PACKAGES).find((p) => p!.package === apt![1])!;
        expect(apt![2]).toBe(pkg.version);
        continue;
      }
      if (/^npm install/.test(cmd)) {
        // Only tarballs downloaded and checked above, no install scripts.
        expect(cmd).toContain('--ignore-scripts');
        const files = cmd.split(' ').filter((a) => a.startsWith('/'));
        expect(files.length).toBeGreaterThan(0);
        for (const f of files) expect(verified.has(f)).toBe(true);
        continue;
      }
      // Anything else that names a downloaded file comes after its check.
      for (const file of downloaded.keys()) {
        if (cmd.includes(file)) expect({ cmd, verified: verified.has(file) }).toEqual({ cmd, verified: true });
      }
    }
    expect([...downloaded.keys()].filter((f) => !verified.has(f))).toEqual([]);
    // The findings CLI is checked before anything runs it.
    expect(verified.has('/tmp/devsecops/findings-cli/cli.js')).toBe(true);
  });

  test.each(BUILDS)('%s: shellcheck finds nothing in the commands', (_name, gate) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-shellcheck-'));
    const script = path.join(dir, 'buildspec.sh');
    // CloudFormation references (bucket names) become plain words; the buildspec runs in bash.
    const body = commandsOf(gate).map((c) => c.replace(/<TOKEN:[^>]*>/g, 'cfn-token')).join('\n');
    // Variables CodeBuild sets (CODEBUILD_SRC_DIR_<artifact>, ...) are declared as coming from the environment.
    const provided = [...new Set([...body.matchAll(/\$\{?(CODEBUILD_\w+)/g)].map((m) => m[1]))];
    const preamble = provided.map((v) => `: "\${${v}:?set by CodeBuild}"`).join('\n');
    fs.writeFileSync(script, `#!/usr/bin/env bash\n${preamble}\n${body}\n`);
    expect(gate.buildspec.env).toEqual({ shell: 'bash' });
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', script], { encoding: 'utf8' });
    if (r.error) throw new Error(`shellcheck is not installed (apt-get install -y shellcheck): ${r.error.message}`);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/**
 * Reads every buildspec the gates generate, in configurations that together use every engine,
 * like a reviewer would: each install is pinned and checksum-verified before use. (That the shell
 * commands pass shellcheck is checked in test/integration/shellcheck.test.ts.)
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { allEngineBuilds } from './all-engines';
import { commandsOf } from './support';
import { ControlTowerRulesAsset } from '../../src/gates/control-tower-rules';
import { ESLINT_ENGINE_DIR, ESLINT_ENGINE_FILES, EslintEngineAsset } from '../../src/gates/eslint-engine';
import { PolicyRulesAsset } from '../../src/gates/policies';
import { filesUnder, ASSETS_DIR } from '../../src/gates/shipped-files';
import { PolicySet } from '../../src/policies/policy';
import { SCANNERS, TOOLS } from '../../src/scanners';
import { sriToSha512Hex } from '../../src/tools/install';
import { npmTarballUrl } from '../../src/tools/tools';

const BUILDS = allEngineBuilds();

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
  return m;
}
const DIGESTS = expectedDigests();
const ENGINE_FILES = new Map(ESLINT_ENGINE_FILES.map((f) => [
  `${ESLINT_ENGINE_DIR}/${f}`,
  createHash('sha256').update(fs.readFileSync(path.join(EslintEngineAsset.DIRECTORY, f))).digest('hex'),
]));
// The Control Tower rules the IaC gate unpacks from its asset: each as this package ships it (the manifest's sha256).
const CT_RULES = new Map(Object.entries(ControlTowerRulesAsset.manifest().rules).map(([id, r]) => [`/tmp/devsecops/guard-rules/${id}.guard`, r.sha256]));

// The pip locks and the Semgrep rules unpacked from their assets: each file as this package ships it.
const SHIPPED = new Map(['scanner-locks', 'semgrep-rules', 'policy-engine'].flatMap((d) => filesUnder(path.join(ASSETS_DIR, d)).map((f) => [
  `/opt/devsecops-tools/${d}/${f}`,
  createHash('sha256').update(fs.readFileSync(path.join(ASSETS_DIR, d, f))).digest('hex'),
])));

// The built-in policies the policy gate unpacks from their asset: each file as the asset stages it at synth.
const POLICY_FILES = new Map(Object.entries(new PolicyRulesAsset(new Stack(), 'Policies', PolicySet.builtIn()).sha256).map(([f, hex]) => [`/tmp/devsecops/policies/${f}`, hex]));

/** Simple commands, in order: compound commands split at &&, ;, then/else/fi, newlines. */
function simpleCommands(lines: string[]): string[] {
  return lines.flatMap((l) => l.split(/\s*(?:&&|;|\n|\bthen\b|\belse\b|\bfi\b|\bdo\b|\bdone\b|\{|\})\s*/))
    .map((c) => c.replace(/^if\s+/, '').trim()).filter((c) => c.length > 0);
}

describe('every generated buildspec', () => {
  test('covers every engine: gitleaks, trufflehog, secretlint, semgrep, bandit, spotbugs, eslint-security, trivy, cyclonedx-npm, cfn-guard, checkov, trivy config, hadolint', () => {
    const text = BUILDS.map(([, g]) => commandsOf(g).join('\n')).join('\n');
    for (const tool of ['gitleaks', 'trufflehog', 'secretlint', 'semgrep', 'bandit', 'spotbugs', 'eslint --config', 'eslint-plugin-security', 'trivy fs', 'cyclonedx-npm', 'cfn-guard validate', 'checkov', 'trivy config', 'hadolint --no-fail', 'cli.js base-images']) {
      expect({ tool, found: text.includes(tool) }).toEqual({ tool, found: true });
    }
  });

  test.each(BUILDS)('%s: every install is pinned and verified before use', (_name, gate) => {
    const downloaded = new Map<string, string>(); // file -> url
    const verified = new Set<string>();
    for (const cmd of simpleCommands(gate.install)) {
      expect(cmd.split('cfn-guard-v3-x86_64-ubuntu-latest').join('')).not.toMatch(/latest/i);
      const pip = /^\/opt\/devsecops-tools\/[a-z]+(?:-[a-z]+)*-[0-9.]+\/bin\/pip install --disable-pip-version-check -q --cache-dir \S+ --require-hashes --only-binary=:all: --no-deps -r (\S+)$/.exec(cmd);
      if (pip) {
        // Only a shipped lock, checked before: every file pip takes is hashed, wheels only, nothing resolved beyond the lock.
        expect(verified.has(pip[1])).toBe(true);
        continue;
      }
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
        } else if (CT_RULES.has(file)) {
          expect(hex).toBe(CT_RULES.get(file));
        } else if (SHIPPED.has(file)) {
          expect(hex).toBe(SHIPPED.get(file));
        } else if (POLICY_FILES.has(file)) {
          expect(hex).toBe(POLICY_FILES.get(file));
        } else if (ENGINE_FILES.has(file)) {
          // The eslint engine's package.json and lock, unpacked from its asset: checked against the files this package ships.
          expect(hex).toBe(ENGINE_FILES.get(file));
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
        const pkg = SCANNERS.flatMap((t) => (t.install?.kind === 'apt' ? [t.install.package] : [])).find((p) => p.package === apt![1])!;
        expect(apt![2]).toBe(pkg.version);
        continue;
      }
      if (/^npm ci /.test(cmd)) {
        // Exactly the shipped lock, after both files were checked; no install scripts.
        expect(cmd).toBe(`npm ci --prefix ${ESLINT_ENGINE_DIR} --ignore-scripts --no-audit --no-fund`);
        for (const f of ENGINE_FILES.keys()) expect(verified.has(f)).toBe(true);
        continue;
      }
      if (/^npm install/.test(cmd)) {
        // Only tarballs downloaded and checked above, no install scripts.
        expect(cmd).toContain('--ignore-scripts');
        // The tarballs: every path but npm's own cache directory (npm checks its content against the registry integrity).
        const files = cmd.replace(/ --cache \S+/, '').split(' ').filter((a) => a.startsWith('/'));
        expect(cmd).toMatch(/ --cache \/root\/\.cache\/devsecops-tools\/npm /);
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
});

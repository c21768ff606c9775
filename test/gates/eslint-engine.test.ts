/**
 * The eslint-security engine installs from the npm project this package ships
 * (assets/eslint-security): its lock pins every package by version and integrity, its direct
 * dependencies are the tools table's, and there is one eslint only.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ESLINT_ENGINE_FILES, EslintEngineAsset } from '../../src/gates/eslint-engine';
import { TOOLS } from '../../src/scanners';

const DIR = EslintEngineAsset.DIRECTORY;
const pkg = JSON.parse(fs.readFileSync(path.join(DIR, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(DIR, 'package-lock.json'), 'utf8'));
const entries = Object.entries<any>(lock.packages).filter(([k]) => k !== '');

describe('the eslint-security engine\'s lock', () => {
  const table = TOOLS.eslint;
  if (table.kind !== 'npm') throw new Error('the tools table\'s eslint is an npm tool');

  test('its direct dependencies are the tools table\'s packages, exact versions', () => {
    expect(pkg.dependencies).toEqual(Object.fromEntries(table.packages.map((p) => [p.name, p.version])));
    expect(lock.packages[''].dependencies).toEqual(pkg.dependencies);
  });

  test.each(TOOLS.eslint.kind === 'npm' ? TOOLS.eslint.packages.map((p) => [p.name, p] as const) : [])('%s: the lock has the table\'s version and integrity', (name, p) => {
    const entry = lock.packages[`node_modules/${name}`];
    expect({ version: entry.version, integrity: entry.integrity }).toEqual({ version: p.version, integrity: p.integrity });
  });

  test('every package is pinned: an exact version and a sha512 integrity, from the registry (no links, git or files)', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(entries.length).toBeGreaterThan(50);
    for (const [key, e] of entries) {
      expect({ key, version: /^\d+\.\d+\.\d+$/.test(e.version), integrity: /^sha512-[A-Za-z0-9+/]{86}==$/.test(e.integrity), link: e.link ?? false })
        .toEqual({ key, version: true, integrity: true, link: false });
      if (e.resolved !== undefined) expect(e.resolved).toMatch(/^https:\/\/registry\.npmjs\.org\//);
    }
  });

  test('one eslint only: the SARIF formatter uses the engine\'s eslint 9, not its own eslint 8', () => {
    expect(entries.filter(([k]) => k.endsWith('node_modules/eslint')).map(([k, e]) => [k, e.version])).toEqual([['node_modules/eslint', table.version]]);
    expect(pkg.overrides).toEqual({ '@microsoft/eslint-formatter-sarif': { eslint: '$eslint' } });
  });

  test('no scripts of its own (and npm ci runs none of the packages\')', () => {
    expect(pkg.scripts).toBeUndefined();
    expect(pkg.private).toBe(true);
  });

  test('the npm package ships both files', () => {
    const root = path.join(__dirname, '..', '..');
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    for (const f of ESLINT_ENGINE_FILES) expect(files).toContain(`assets/eslint-security/${f}`);
    expect(files.filter((f) => f.startsWith('assets/eslint-security/'))).toHaveLength(ESLINT_ENGINE_FILES.length);
  });
});

import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { examplePipTool, INSTALLABLE, installable } from './installable';
import { TOOLS } from '../../src/scanners';
import {
  BIN_DIR, TOOLS_OPT_DIR, TOOLS_WORK_DIR, UnverifiableInstallError,
  commandsFor, sriToSha512Hex,
} from '../../src/tools/install';
import { Tool, npmTarballUrl } from '../../src/tools/tools';

const NAMES = Object.keys(TOOLS) as string[];

// cfn-guard's release asset is literally named `...-ubuntu-latest.tar.gz` (the CI image it was
// built on), under a version-pinned release path: the only `latest` allowed, and only there.
function withoutAssetNames(s: string): string {
  return s.split('cfn-guard-v3-x86_64-ubuntu-latest').join('cfn-guard-v3-x86_64-ubuntu');
}

const REFUSED = NAMES.filter(n => !installable(TOOLS[n]));

/** What a downloaded file must be checked against, by file path, from the table. */
function expectedDigests(t: Tool): Map<string, { algo: 'sha256' | 'sha512'; hex: string; url: string }> {
  const m = new Map<string, { algo: 'sha256' | 'sha512'; hex: string; url: string }>();
  const file = (url: string) => `${TOOLS_WORK_DIR}/${url.substring(url.lastIndexOf('/') + 1)}`;
  if (t.kind === 'archive') {
    for (const d of [t.download, ...(t.extras ?? [])]) {
      m.set(file(d.url), { algo: 'sha256', hex: d.sha256, url: d.url });
    }
  } else if (t.kind === 'npm') {
    for (const p of t.packages) {
      const url = npmTarballUrl(p);
      m.set(file(url), { algo: 'sha512', hex: sriToSha512Hex(p.integrity), url });
    }
  }
  return m;
}

/**
 * Reads generated lines like a reviewer would: every download is `curl -f` of an https URL
 * to a file, the very next use of that file is a checksum check with the table's digest,
 * and nothing runs a downloaded file before that check.
 */
function assertPinnedAndVerified(t: Tool, lines: string[]): void {
  const expected = expectedDigests(t);
  const verified = new Set<string>();
  const downloaded = new Set<string>();
  for (const line of lines) {
    expect(withoutAssetNames(line)).not.toMatch(/latest/i);
    expect(line).not.toMatch(/\|\s*(ba|z)?sh\b/); // no `curl | sh`
    const curl = line.match(/^curl (\S+) --retry 3 -o (\S+) (\S+)$/);
    if (curl) {
      expect(curl[1]).toContain('f'); // fail on HTTP errors
      const [, , file, url] = curl;
      expect(url.startsWith('https://')).toBe(true);
      expect(expected.get(file)?.url).toBe(url);
      downloaded.add(file);
      continue;
    }
    const check = line.match(/^echo "([0-9a-f]+)  (\S+)" \| (sha256|sha512)sum -c -$/);
    if (check) {
      const [, hex, file, algo] = check;
      expect(downloaded.has(file)).toBe(true);
      expect({ algo, hex }).toEqual({ algo: expected.get(file)?.algo, hex: expected.get(file)?.hex });
      verified.add(file);
      continue;
    }
    // Any other line that names a downloaded file may only come after its check.
    for (const file of downloaded) {
      if (line.includes(file)) {
        expect({ line, verified: verified.has(file) }).toEqual({ line, verified: true });
      }
    }
  }
  // Every file the table lists is downloaded and verified.
  expect([...verified].sort()).toEqual([...expected.keys()].sort());
}

describe('install commands', () => {
  test('the table has tools of every kind, and some are installable', () => {
    expect(new Set(NAMES.map(n => TOOLS[n].kind))).toEqual(new Set(['archive', 'pip', 'npm']));
    expect(INSTALLABLE.length).toBeGreaterThan(5);
  });

  test.each(INSTALLABLE)('%s: every download is pinned and checksum-verified before use', (name) => {
    const t = TOOLS[name];
    const lines = commandsFor(TOOLS[name]);
    expect(lines.length).toBeGreaterThan(2);
    assertPinnedAndVerified(t, lines);
    // The pinned version appears in what is installed.
    expect(lines.join('\n')).toContain(t.version);
  });

  test.each(INSTALLABLE)('%s: commands land on the PATH and npm installs only the checked tarballs', (name) => {
    const t = TOOLS[name];
    const lines = commandsFor(TOOLS[name]);
    if (t.kind === 'archive') {
      for (const command of Object.values(t.binaries)) {
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ln -sf ${TOOLS_OPT_DIR}/\\S+ ${BIN_DIR}/${command}$`)));
      }
    } else if (t.kind === 'npm') {
      // Installed from the checked local tarballs only, with no install scripts.
      const install = lines.filter(l => l.startsWith('npm install'));
      expect(install).toHaveLength(1);
      expect(install[0]).toContain('--ignore-scripts');
      const args = install[0].split(' ').filter(a => !a.startsWith('-')).slice(2);
      expect(args.sort()).toEqual([...expectedDigests(t).keys()].sort());
    }
  });

  test.each(REFUSED.length > 0 ? REFUSED : ['(none)'])('%s: a pip tool without a hash-locked closure is refused', (name) => {
    if (name === '(none)') {
      // Every pip tool is locked: nothing to refuse.
      expect(NAMES.filter(n => TOOLS[n].kind === 'pip').every(n => installable(TOOLS[n]))).toBe(true);
      return;
    }
    expect(() => commandsFor(TOOLS[name])).toThrow(UnverifiableInstallError);
  });

  test('a hash-locked pip tool installs with == pins, --require-hashes and wheels only', () => {
    const locked = examplePipTool([{ name: 'pyyaml', version: '6.0.2', sha256: ['b'.repeat(64), 'c'.repeat(64)] }]);
    const lines = commandsFor(locked);
    const pip = lines.filter(l => /\/bin\/pip install /.test(l));
    expect(pip).toHaveLength(1);
    expect(pip[0]).toContain('--require-hashes');
    expect(pip[0]).toContain('--only-binary=:all:');
    const printf = lines.find(l => l.startsWith('printf'))!;
    const requirements = [...printf.matchAll(/'([^']+)'/g)].map(m => m[1]).filter(r => r !== '%s\\n');
    expect(requirements).toEqual([
      `exampletool==1.2.3 --hash=sha256:${'a'.repeat(64)}`,
      `pyyaml==6.0.2 --hash=sha256:${'b'.repeat(64)} --hash=sha256:${'c'.repeat(64)}`,
    ]);
    expect(() => commandsFor({ ...locked, lockedDependencies: undefined })).toThrow(UnverifiableInstallError);
    expect(() => commandsFor({ ...locked, wheel: undefined })).toThrow(UnverifiableInstallError);
  });

  test('a malformed sha256 or a shell metacharacter in the table is rejected', () => {
    const gitleaks = TOOLS.gitleaks;
    if (gitleaks.kind !== 'archive') throw new Error('gitleaks is an archive tool');
    expect(() => commandsFor({ ...gitleaks, download: { ...gitleaks.download, sha256: 'abc' } })).toThrow(/64 lower-case hex/);
    expect(() => commandsFor({ ...gitleaks, download: { ...gitleaks.download, url: 'https://x.example/$(id).tar.gz' } })).toThrow(/unsafe/);
    expect(() => commandsFor({ ...gitleaks, download: { ...gitleaks.download, url: 'https://x.example/a b/c.tar.gz' } })).toThrow(/unsafe url/);
  });

  test('the checksum line stops the install on a mismatch (set -euo pipefail)', () => {
    // Run gitleaks' real lines with the download replaced by a tampered local file and
    // every target directory moved into a temp dir: tar must never run.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-install-'));
    const relocate = (l: string) => l
      .split(TOOLS_WORK_DIR).join(`${tmp}/work`)
      .split(TOOLS_OPT_DIR).join(`${tmp}/opt`)
      .split(BIN_DIR).join(`${tmp}/bin`);
    const lines = commandsFor(TOOLS.gitleaks).map(relocate).map(l =>
      l.startsWith('curl ') ? `printf 'tampered' > ${l.split(' ')[5]}` : l);
    const script = ['set -euo pipefail', `mkdir -p ${tmp}/bin`, ...lines, `touch ${tmp}/reached-the-end`].join('\n');
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/FAILED/);
    expect(fs.existsSync(`${tmp}/reached-the-end`)).toBe(false);
    expect(fs.readdirSync(`${tmp}/opt/gitleaks-${TOOLS.gitleaks.version}`)).toEqual([]);

    // The same lines with the right digest for the local file go through: the check is
    // what stopped it, not something else in the script.
    const content = 'tampered';
    const digest = createHash('sha256').update(content).digest('hex');
    const passing = lines
      .map(l => l.replace(TOOLS.gitleaks.kind === 'archive' ? TOOLS.gitleaks.download.sha256 : '', digest))
      .filter(l => !l.startsWith('tar ') && !l.startsWith('chmod ') && !l.startsWith('ln '));
    const ok = spawnSync('bash', ['-c', ['set -euo pipefail', ...passing].join('\n')], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });
});

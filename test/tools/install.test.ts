import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { examplePipTool, INSTALLABLE, installable } from './installable';
import { TOOLS } from '../../src/scanners';
import {
  BIN_DIR, TOOLS_CACHE_DIR, TOOLS_OPT_DIR, TOOLS_WORK_DIR, UnverifiableInstallError,
  commandsFor, sriToSha512Hex,
} from '../../src/tools/install';
import { ArchiveTool, NpmTool, Tool, npmTarballUrl } from '../../src/tools/tools';

const NAMES = Object.keys(TOOLS) as string[];

// cfn-guard's release asset is literally named `...-ubuntu-latest.tar.gz` (the CI image it was
// built on), under a version-pinned release path: the only `latest` allowed, and only there.
function withoutAssetNames(s: string): string {
  return s.split('cfn-guard-v3-x86_64-ubuntu-latest').join('cfn-guard-v3-x86_64-ubuntu');
}

const REFUSED = NAMES.filter(n => !installable(TOOLS[n]));

/** What a downloaded file must be checked against, by file path (in the cache, under its digest), from the table. */
function expectedDigests(t: Tool): Map<string, { algo: 'sha256' | 'sha512'; hex: string; url: string }> {
  const m = new Map<string, { algo: 'sha256' | 'sha512'; hex: string; url: string }>();
  const file = (url: string, hex: string) => `${TOOLS_CACHE_DIR}/${hex}/${url.substring(url.lastIndexOf('/') + 1)}`;
  if (t.kind === 'archive') {
    for (const d of [t.download, ...(t.extras ?? [])]) {
      m.set(file(d.url, d.sha256), { algo: 'sha256', hex: d.sha256, url: d.url });
    }
  } else if (t.kind === 'npm') {
    for (const p of t.packages) {
      const url = npmTarballUrl(p);
      const hex = sriToSha512Hex(p.integrity);
      m.set(file(url, hex), { algo: 'sha512', hex, url });
    }
  }
  return m;
}

/** Simple commands, in order: compound lines split at &&, ||, ;, braces and if/then/else/fi. */
function simpleCommands(lines: string[]): string[] {
  return lines.flatMap((l) => l.split(/\s*(?:&&|\|\||;|\bthen\b|\belse\b|\bfi\b|\{|\})\s*/))
    .map((c) => c.replace(/^if\s+/, '').trim()).filter((c) => c.length > 0);
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
  for (const line of simpleCommands(lines)) {
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
    expect(new Set(NAMES.map(n => TOOLS[n].kind))).toEqual(new Set(['archive', 'pip', 'npm', 'image']));
    expect(INSTALLABLE.length).toBeGreaterThan(5);
  });

  test.each(INSTALLABLE)('%s: every download is pinned and checksum-verified before use', (name) => {
    const t = TOOLS[name];
    const lines = commandsFor(TOOLS[name], TOOLS_CACHE_DIR);
    expect(lines.length).toBeGreaterThan(2);
    assertPinnedAndVerified(t, lines);
    // The pinned version appears in what is installed.
    expect(lines.join('\n')).toContain(t.version);
  });

  test.each(INSTALLABLE)('%s: commands land on the PATH and npm installs only the checked tarballs', (name) => {
    const t = TOOLS[name];
    const lines = commandsFor(TOOLS[name], TOOLS_CACHE_DIR);
    if (t.kind === 'archive') {
      for (const command of Object.values(t.binaries)) {
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ln -sf ${TOOLS_OPT_DIR}/\\S+ ${BIN_DIR}/${command}$`)));
      }
    } else if (t.kind === 'npm') {
      // Installed from the checked local tarballs only, with no install scripts.
      const install = lines.filter(l => l.startsWith('npm install'));
      expect(install).toHaveLength(1);
      expect(install[0]).toContain('--ignore-scripts');
      // npm's own cache beside the downloads: it checks what it takes from there against the registry integrity.
      expect(install[0]).toContain(` --cache ${TOOLS_CACHE_DIR}/npm `);
      const args = install[0].replace(/ --cache \S+/, '').split(' ').filter(a => !a.startsWith('-')).slice(2);
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
    // In a gate, pip keeps its downloads in the tool cache; --require-hashes checks every file it takes from there.
    expect(pip[0]).toContain('--no-cache-dir');
    expect(commandsFor(locked, TOOLS_CACHE_DIR).find(l => /\/bin\/pip install /.test(l))).toContain(`--cache-dir ${TOOLS_CACHE_DIR}/pip --require-hashes `);
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
      .split(TOOLS_CACHE_DIR).join(`${tmp}/cache`)
      .split(TOOLS_WORK_DIR).join(`${tmp}/work`)
      .split(TOOLS_OPT_DIR).join(`${tmp}/opt`)
      .split(BIN_DIR).join(`${tmp}/bin`);
    const lines = commandsFor(TOOLS.gitleaks, TOOLS_CACHE_DIR).map(relocate).map(l => l.replace(/curl -fsSL --retry 3 -o (\S+) [^\s;]+/, 'printf tampered > $1'));
    expect(lines.join('\n')).toContain('printf tampered > ');
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
      .map(l => l.split(TOOLS.gitleaks.kind === 'archive' ? TOOLS.gitleaks.download.sha256 : '').join(digest))
      .filter(l => !l.startsWith('tar ') && !l.startsWith('chmod ') && !l.startsWith('ln '));
    const ok = spawnSync('bash', ['-c', ['set -euo pipefail', ...passing].join('\n')], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });
});

/**
 * The download cache, by running the generated lines with bash: every path moved into a temp dir,
 * and the downloads pointed at a closed port (a test-only table entry), so a run that succeeds
 * took its file from the cache. `curl` on the PATH logs each call and runs the real curl.
 */
describe('the download cache (the generated lines, run by bash)', () => {
  let tmp: string;
  let archive: Buffer;
  let tool: ArchiveTool;
  let tarball: Buffer;
  let npmTool: NpmTool;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-cache-'));
    const content = path.join(tmp, 'content');
    fs.mkdirSync(path.join(content, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(content, 'bin', 'cached-tool'), '#!/bin/sh\necho cached-tool 1.0.0\n', { mode: 0o755 });
    const tar = spawnSync('tar', ['-czf', path.join(tmp, 'cached-tool.tar.gz'), '-C', content, 'bin'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(tar.stderr);
    archive = fs.readFileSync(path.join(tmp, 'cached-tool.tar.gz'));
    tool = {
      kind: 'archive',
      name: 'cached-tool',
      version: '1.0.0',
      // Port 9 (discard) on the loopback: nothing listens, so curl fails at once.
      download: { url: 'https://127.0.0.1:9/cached-tool-1.0.0.tar.gz', sha256: createHash('sha256').update(archive).digest('hex'), sha256Source: 'test', format: 'tar.gz' },
      binaries: { 'bin/cached-tool': 'cached-tool' },
    };
    tarball = Buffer.from('a tarball the registry would serve');
    npmTool = {
      kind: 'npm',
      name: 'cached-npm-tool',
      version: '1.0.0',
      packages: [{ name: 'cached-npm-tool', version: '1.0.0', integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}` }],
      commands: ['cached-npm-tool'],
    };
    const bin = path.join(tmp, 'path');
    fs.mkdirSync(bin);
    const realCurl = spawnSync('bash', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
    // Logs the call; the registry URL of the npm case is refused here as the closed port refuses the other.
    fs.writeFileSync(path.join(bin, 'curl'), `#!/bin/sh\necho "$*" >> "$CURL_LOG"\ncase "$*" in *registry.npmjs.org*) exit 7;; esac\nexec ${realCurl} "$@"\n`, { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function run(name: string, lines: string[]): { status: number; output: string; dir: string; curls: string[] } {
    const dir = path.join(tmp, name);
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    const relocate = (l: string) => l
      .split(TOOLS_CACHE_DIR).join(`${dir}/cache`)
      .split(TOOLS_WORK_DIR).join(`${dir}/work`)
      .split(TOOLS_OPT_DIR).join(`${dir}/opt`)
      .split(BIN_DIR).join(`${dir}/bin`);
    const log = path.join(dir, 'curl.log');
    const r = spawnSync('bash', ['-c', ['set -euo pipefail', ...lines.map(relocate)].join('\n')], {
      encoding: 'utf8', env: { ...process.env, PATH: `${path.join(tmp, 'path')}:${process.env.PATH}`, CURL_LOG: log },
    });
    return { status: r.status ?? -1, output: r.stdout + r.stderr, dir, curls: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [] };
  }

  function cached(dir: string, hex: string, file: string, content: Buffer | string): string {
    const p = path.join(dir, 'cache', hex, file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return p;
  }

  test('the download goes under its sha256 in the cache', () => {
    expect(commandsFor(tool, TOOLS_CACHE_DIR).join('\n')).toContain(`-o ${TOOLS_CACHE_DIR}/${tool.download.sha256}/cached-tool-1.0.0.tar.gz https://127.0.0.1:9/`);
  });

  test('a cached file that matches its sha256 is used, with no download', () => {
    const name = 'hit';
    cached(path.join(tmp, name), tool.download.sha256, 'cached-tool-1.0.0.tar.gz', archive);
    const r = run(name, commandsFor(tool, TOOLS_CACHE_DIR));
    expect({ status: r.status, curls: r.curls }).toEqual({ status: 0, curls: [] });
    expect(spawnSync(path.join(r.dir, 'bin', 'cached-tool'), { encoding: 'utf8' }).stdout).toBe('cached-tool 1.0.0\n');
  });

  test('a cached file that does not match is deleted and downloaded again (which fails closed here: no network)', () => {
    const name = 'poisoned';
    const file = cached(path.join(tmp, name), tool.download.sha256, 'cached-tool-1.0.0.tar.gz', 'not the archive');
    const r = run(name, commandsFor(tool, TOOLS_CACHE_DIR));
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`devsecops tool cache: ${file} does not match its sha256: downloading it again`);
    expect(r.curls).toEqual([`-fsSL --retry 3 -o ${file} ${tool.download.url}`]);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(path.join(r.dir, 'bin', 'cached-tool'))).toBe(false);
  });

  test('an empty cache downloads (and fails closed here)', () => {
    const r = run('empty', commandsFor(tool, TOOLS_CACHE_DIR));
    expect(r.status).not.toBe(0);
    expect(r.curls).toHaveLength(1);
    expect(fs.existsSync(path.join(r.dir, 'bin', 'cached-tool'))).toBe(false);
  });

  test('npm tarballs: cached under their sha512, used when they match, downloaded again when not', () => {
    const hex = sriToSha512Hex(npmTool.packages[0].integrity);
    // Up to npm install, which would need the registry for a real package.
    const fetch = commandsFor(npmTool, TOOLS_CACHE_DIR).filter((l) => !l.startsWith('npm install'));
    cached(path.join(tmp, 'npm-hit'), hex, 'cached-npm-tool-1.0.0.tgz', tarball);
    const hit = run('npm-hit', fetch);
    expect({ status: hit.status, curls: hit.curls }).toEqual({ status: 0, curls: [] });
    const file = cached(path.join(tmp, 'npm-poisoned'), hex, 'cached-npm-tool-1.0.0.tgz', 'not the tarball');
    const poisoned = run('npm-poisoned', fetch);
    expect(poisoned.status).not.toBe(0);
    expect(poisoned.output).toContain(`${file} does not match its sha512: downloading it again`);
    expect(poisoned.curls).toHaveLength(1);
    expect(fs.existsSync(file)).toBe(false);
  });
});

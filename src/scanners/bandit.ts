import type { Scanner } from './scanner';
import { exec } from './steps';
import { NOT_PROJECT_CODE } from '../model/gates';

/**
 * bandit's `-x`: glob patterns that match whole path segments. bandit also excludes any path that
 * merely contains an entry (`./.git` would exclude `./.github/`, `./node_modules` would exclude
 * `./node_modules_local/`), a test a `*` pattern never passes; `*` matches across `/`, so a nested
 * directory of the same name is excluded too.
 */
export function banditExcludes(): string {
  return NOT_PROJECT_CODE.map((d) => `*/${d}/*`).join(',');
}

/** Bandit over the Python files, from PyPI with the hash-locked closure this package ships. */
export const bandit: Scanner = {
  name: 'bandit',
  artifact: {
    kind: 'pip',
    name: 'bandit',
    // The current PyPI release when the lock was made; Debian's 1.6.2 could not parse Python 3.12 syntax.
    version: '1.9.4',
    commands: ['bandit'],
    sha256Source: 'assets/scanner-locks/bandit.txt (pip-compile --generate-hashes: every file of every pinned version, from PyPI)',
    note: 'Installed from the shipped lock (pip --require-hashes --only-binary=:all: --no-deps).',
  },
  install: { kind: 'pip-lock', lock: 'bandit.txt' },
  engines: [{
    gate: 'sast',
    id: 'bandit',
    report: 'bandit',
    covers: { extensions: ['py'], absent: 'no Python files' },
    invoke: (o) => {
      const file = `${o.reportDir}/bandit.json`;
      const config = `${o.workDir}/bandit.yaml`;
      const ini = `${o.workDir}/bandit.ini`;
      return {
        requires: ['bandit'],
        steps: [
          // The gate's (default) configuration and an empty ini: a .bandit file in the repository
          // (skips, tests, exclude, targets) is not read; --ignore-nosec: `# nosec` does not hide a finding.
          { kind: 'write', file: config, content: '{}' },
          { kind: 'write', file: ini, content: '[bandit]' },
          // bandit exits 1 when it reports issues: only other codes are errors.
          exec(['bandit', '-r', '.', '-f', 'json', '-o', file, '-q', '--ignore-nosec', '-c', config, '--ini', ini, '-x', banditExcludes()], { okExitCode: 1 }),
        ],
        report: { file, format: 'bandit' },
      };
    },
  }],
};

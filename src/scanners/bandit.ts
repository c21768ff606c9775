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

/** Bandit over the Python files, installed from the build image's distribution (version pinned). */
export const bandit: Scanner = {
  name: 'bandit',
  artifact: {
    kind: 'pip',
    name: 'bandit',
    version: '1.8.6',
    commands: ['bandit'],
    wheel: {
      name: 'bandit',
      version: '1.8.6',
      sha256: ['3348e934d736fcdb68b6aa4030487097e23a501adf3e7827b63658df464dddd0'],
    },
    // The closure pip resolved for bandit 1.8.6 (a public pip log): PyYAML 6.0.2,
    // stevedore 5.4.1, rich 14.0.0, pbr 6.1.1, markdown-it-py 3.0.0, pygments 2.19.2,
    // mdurl 0.1.2, setuptools 80.9.0. Their file hashes could not be found in any public
    // source reachable here, so no hash-locked install is generated yet.
    sha256Source: 'bandit-1.8.6-py3-none-any.whl: a public poetry.lock and a public uv.lock agree',
    note: 'Dependency closure not hash-locked yet: install commands are refused until it is.',
  },
  install: {
    kind: 'apt',
    package: {
      package: 'bandit',
      version: '1.6.2',
      commands: ['bandit'],
      // The same upstream version the tests run (Debian 12's bandit 1.6.2-2).
      distributions: 'Ubuntu 22.04 jammy (universe; the CodeBuild standard:7.0 image) and Debian 12 bookworm',
      note: 'Older than the PyPI pin (1.8.6), which cannot be hash-locked yet; B602 and the other shell-injection checks are the same.',
    },
  },
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

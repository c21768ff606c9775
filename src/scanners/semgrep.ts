import type { Scanner } from './scanner';
import { exec } from './steps';

/** Semgrep with the rules this package ships (assets/semgrep-rules) or the repository's own; rules are never downloaded at run time. */
export const semgrep: Scanner = {
  name: 'semgrep',
  artifact: {
    kind: 'pip',
    name: 'semgrep',
    // The version pinned by a dated public tool table (2026-03-31) alongside trivy 0.69.3.
    version: '1.156.0',
    commands: ['semgrep'],
    sha256Source: 'assets/scanner-locks/semgrep.txt (pip-compile --generate-hashes: every file of every pinned version, from PyPI)',
    note: 'Installed from the shipped lock (pip --require-hashes --only-binary=:all: --no-deps).',
  },
  install: { kind: 'pip-lock', lock: 'semgrep.txt' },
  engines: [{
    gate: 'sast',
    id: 'semgrep',
    report: 'sarif',
    invoke: (o) => {
      const file = `${o.reportDir}/semgrep.sarif`;
      return {
        requires: ['semgrep'],
        // --metrics=off and no version check keep the scan offline; --disable-nosem: `nosemgrep`
        // comments do not hide a finding; the repository's .semgrepignore is not read; --no-git-ignore:
        // every file is scanned, not only those git tracks and does not ignore (a .gitignore entry hid files).
        steps: [exec([
          'semgrep', 'scan', '--metrics=off', '--disable-version-check', '--disable-nosem', '--x-ignore-semgrepignore-files', '--no-git-ignore',
          '--sarif', '--output', file, ...(o.semgrepRules ?? []).flatMap((r) => ['--config', { quoted: r }]), '.',
        ])],
        report: { file, format: 'sarif' },
      };
    },
  }],
};

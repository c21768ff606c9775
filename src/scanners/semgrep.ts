import type { Scanner } from './scanner';
import { exec } from './steps';

/** Semgrep over every language, with rule files that are never downloaded at run time. */
export const semgrep: Scanner = {
  name: 'semgrep',
  artifact: {
    kind: 'pip',
    name: 'semgrep',
    // The version pinned by a dated public tool table (2026-03-31) alongside trivy 0.69.3.
    version: '1.156.0',
    commands: ['semgrep'],
    // No verifiable sha256 of a semgrep wheel (nor of its ~30 dependencies) was found in
    // any public source reachable here.
    sha256Source: 'none found',
    note: 'No verifiable wheel sha256 found: install commands are refused until the table has one.',
  },
  engines: [{
    gate: 'sast',
    id: 'semgrep',
    report: 'sarif',
    invoke: (o) => {
      const file = `${o.reportDir}/semgrep.sarif`;
      return {
        requires: ['semgrep'],
        // --metrics=off and no version check keep the scan offline; --disable-nosem: `nosemgrep`
        // comments do not hide a finding; the repository's .semgrepignore is not read.
        steps: [exec([
          'semgrep', 'scan', '--metrics=off', '--disable-version-check', '--disable-nosem', '--x-ignore-semgrepignore-files',
          '--sarif', '--output', file, ...(o.semgrepRules ?? []).flatMap((r) => ['--config', { quoted: r }]), '.',
        ])],
        report: { file, format: 'sarif' },
      };
    },
  }],
};

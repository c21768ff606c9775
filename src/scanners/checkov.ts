import type { Scanner } from './scanner';
import { exec } from './steps';
import { templateArgs } from './templates';

/** checkov with its CloudFormation framework over the templates. */
export const checkov: Scanner = {
  name: 'checkov',
  artifact: {
    kind: 'pip',
    name: 'checkov',
    // The version pinned by a dated public tool table (2026-03-31) alongside trivy 0.69.3.
    version: '3.2.513',
    commands: ['checkov'],
    sha256Source: 'assets/scanner-locks/checkov.txt (pip-compile --generate-hashes: every file of every pinned version, from PyPI)',
    note: 'Installed from the shipped lock (pip --require-hashes --only-binary=:all: --no-deps).',
  },
  install: { kind: 'pip-lock', lock: 'checkov.txt' },
  engines: [{
    gate: 'iac',
    id: 'checkov',
    report: 'checkov',
    invoke: (o) => {
      const file = `${o.reportDir}/checkov.json`;
      return {
        requires: ['checkov'],
        // --soft-fail: findings do not stop checkov; --skip-download: no guidelines fetched, nothing sent out.
        steps: [exec(['checkov', ...templateArgs(o, '--directory', '--file'), '--framework', 'cloudformation', '--output', 'json', '--soft-fail', '--skip-download', '--quiet'], { stdout: file })],
        report: { file, format: 'checkov' },
      };
    },
  }],
};

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
    // No verifiable sha256 of a checkov wheel (nor of its ~90 dependencies) was found in
    // any public source reachable here.
    sha256Source: 'none found',
    note: 'No verifiable wheel sha256 found: install commands are refused until the table has one.',
  },
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

import type { Scanner } from './scanner';
import { exec } from './steps';
import type { NpmTool } from '../tools/tools';

// 11.x is the newest line that runs on node 20 (12+ needs node 22).
const VERSION = '11.7.1';

const artifact: NpmTool = {
  kind: 'npm',
  name: 'secretlint',
  version: VERSION,
  packages: [
    { name: 'secretlint', version: VERSION, integrity: 'sha512-igo+3xtwOisz3Ge0V1t6SzCnOLXSHjRIODZpqppUmfkb0EE0EbsEMdoUuunaacxffq3NTYSzpZcjbfrPYuO+qA==' },
    { name: '@secretlint/secretlint-rule-preset-recommend', version: VERSION, integrity: 'sha512-LsiEhDWoXi9GNx1Zp5eYRNajeUvBrZ82h3k/vzFqo0WoSdmpyDnkkzBTLXqWqj1VNyPCcTwlxOqnEmlz6lXc7A==' },
    { name: '@secretlint/secretlint-formatter-sarif', version: VERSION, integrity: 'sha512-uYtk1fueqzj6q67u98VMVk4hPY2ozvpz8sBudTnYOIDwA7ycXpm+7nkmzU8zibFurs5hicb9EZAa94hOOAnDnA==' },
  ],
  commands: ['secretlint'],
  note: 'Each tarball is checked against the registry integrity; transitive dependencies are resolved by npm, which checks each against the registry integrity but does not pin them.',
};

/** secretlint with its recommended rule preset; files only (it has no history mode). */
export const secretlint: Scanner = {
  name: 'secretlint',
  artifact,
  engines: [{
    gate: 'secrets',
    id: 'secretlint',
    report: 'sarif',
    invoke: (o) => {
      const file = `${o.reportDir}/secretlint.sarif`;
      const rc = `${o.workDir}/secretlintrc.json`;
      const ignore = `${o.workDir}/secretlintignore`;
      return {
        requires: ['secretlint'],
        steps: [
          { kind: 'write', file: rc, content: `{"rules":[{"id":"${artifact.packages[1].name}"}]}` },
          // An empty ignore file of the gate's: the repository's .secretlintignore is not read.
          { kind: 'write', file: ignore, content: '' },
          // With --output, secretlint writes the SARIF and exits 0 even when it finds secrets.
          exec(['secretlint', '**/*', '--secretlintrc', rc, '--secretlintignore', ignore, '--format', artifact.packages[2].name, '--output', file]),
        ],
        report: { file, format: 'sarif' },
      };
    },
  }],
};

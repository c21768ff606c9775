import type { Scanner } from './scanner';

const VERSION = '0.110.0';

/**
 * grype: pinned for the image gate (issue 13), where it is the alternative to trivy. No gate runs
 * it yet; the findings engine already reads its JSON report.
 */
export const grype: Scanner = {
  name: 'grype',
  artifact: {
    kind: 'archive',
    name: 'grype',
    version: VERSION,
    download: {
      url: `https://github.com/anchore/grype/releases/download/v${VERSION}/grype_${VERSION}_linux_amd64.tar.gz`,
      sha256: 'aaa98d27d2d7efd9317c6a1ad6d9b15f3e65bab320e7d03bde41e251387bb71c',
      sha256Source: 'AUR grype-bin PKGBUILD sha256sums; matched by several install scripts pinning grype 0.110.0 from the release checksums.txt',
      format: 'tar.gz',
    },
    binaries: { grype: 'grype' },
    note: 'Optional second vulnerability scanner.',
  },
  engines: [],
};

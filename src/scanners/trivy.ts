import type { Scanner } from './scanner';
import { exec, ScanStep, shellArg } from './steps';
import { NOT_PROJECT_CODE } from '../model/gates';

const VERSION = '0.69.3';

/** Where trivy fetches its databases: tried in order, so a rate-limited registry falls back to the next. */
export const TRIVY_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-db:2',
  'ghcr.io/aquasecurity/trivy-db:2',
  'public.ecr.aws/aquasecurity/trivy-db:2',
];
export const TRIVY_JAVA_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-java-db:1',
  'ghcr.io/aquasecurity/trivy-java-db:1',
  'public.ecr.aws/aquasecurity/trivy-java-db:1',
];

/** Trivy flags shared by its engines: database mirrors, no version check, no progress bars; the cache directory when given. */
export function trivyCommonArgs(cacheDir?: string): string[] {
  return [
    ...(cacheDir !== undefined ? ['--cache-dir', cacheDir] : []),
    '--db-repository', TRIVY_DB_REPOSITORIES.join(','),
    '--java-db-repository', TRIVY_JAVA_DB_REPOSITORIES.join(','),
    '--skip-version-check',
    '--no-progress',
  ];
}

/**
 * The trivy files that keep the repository's configuration out: an explicit config (trivy would
 * read ./trivy.yaml) and an empty ignore file (trivy would read ./.trivyignore).
 */
function gateConfig(workDir: string): { steps: ScanStep[]; args: string[] } {
  const config = `${workDir}/trivy.yaml`;
  const ignore = `${workDir}/trivyignore`;
  return {
    steps: [{ kind: 'write', file: config, content: '{}' }, { kind: 'write', file: ignore, content: '' }],
    args: ['--config', config, '--ignorefile', ignore],
  };
}

/** The image a gate scans: the invocation's shell expression, required (the image gate always gives one). */
function imageRef(o: { imageRefExpression?: string }): string {
  if (!o.imageRefExpression) throw new Error('trivy image: no image to scan (imageRefExpression)');
  return o.imageRefExpression;
}

/**
 * `trivy image` in remote mode: it reads the image from the registry (ECR credentials from the
 * build's role, through trivy's ECR support), never from a Docker daemon.
 */
type ImageInvocation = { workDir: string; cacheDir?: string; imageRefExpression?: string };

function trivyImage(o: ImageInvocation, format: string, file: string, more: string[]): ScanStep[] {
  const c = gateConfig(o.workDir);
  const argv = ['trivy', 'image', '--image-src', 'remote', '--format', format, '--output', file, ...more, ...c.args, ...trivyCommonArgs(o.cacheDir)];
  // The image is a shell expression (a variable the build sets), appended unquoted by design.
  return [...c.steps, { kind: 'shell', script: `${argv.map(shellArg).join(' ')} ${imageRef(o)}` }];
}

/** trivy: `trivy fs` for the dependency (SCA) gate and the CycloneDX SBOM; `trivy config` for the Dockerfile gate; `trivy image` for the image gate. */
export const trivy: Scanner = {
  name: 'trivy',
  artifact: {
    kind: 'archive',
    name: 'trivy',
    version: VERSION,
    download: {
      url: `https://github.com/aquasecurity/trivy/releases/download/v${VERSION}/trivy_${VERSION}_Linux-64bit.tar.gz`,
      sha256: '1816b632dfe529869c740c0913e36bd1629cb7688bd5634f4a858c1d57c88b75',
      sha256Source: 'several independent public pins of trivy_0.69.3_Linux-64bit.tar.gz, one stating it was cosign-verified and matches trivy_0.69.3_checksums.txt',
      format: 'tar.gz',
    },
    binaries: { trivy: 'trivy' },
    // 0.69.4 was a malicious release (GHSA-69fq-xp46-6x23, March 2026) and must never be
    // pinned. 0.69.3 (published 2026-03-03) predates it and is the version the fixed
    // trivy-action 0.35.0 uses; releases before 0.69.2 were lost from GitHub in the
    // 2026-03-01 incident, so older pins no longer download.
    note: 'Known-good release before the malicious 0.69.4 (GHSA-69fq-xp46-6x23).',
  },
  engines: [
    {
      gate: 'dependencies',
      id: 'trivy',
      report: 'trivy',
      invoke: (o) => {
        const file = `${o.reportDir}/trivy.json`;
        const c = gateConfig(o.workDir);
        return {
          requires: ['trivy'],
          // --exit-code 0: findings do not stop trivy; any non-zero exit is an error.
          steps: [
            ...c.steps,
            exec(['trivy', 'fs', '--scanners', 'vuln', '--format', 'json', '--output', file, '--exit-code', '0', ...c.args, ...(o.ignoreUnfixed ? ['--ignore-unfixed'] : []), ...trivyCommonArgs(o.cacheDir), '.']),
          ],
          report: { file, format: 'trivy' },
        };
      },
    },
    {
      gate: 'sbom',
      id: 'trivy',
      report: 'cyclonedx',
      invoke: (o) => {
        const file = `${o.reportDir}/sbom.cdx.json`;
        const c = gateConfig(o.workDir);
        return {
          requires: ['trivy'],
          steps: [...c.steps, exec(['trivy', 'fs', '--format', 'cyclonedx', '--output', file, ...c.args, ...trivyCommonArgs(o.cacheDir), '.'])],
          report: { file, format: 'cyclonedx' },
        };
      },
    },
    {
      gate: 'dockerfile',
      id: 'trivy',
      report: 'trivy',
      invoke: (o) => {
        const file = `${o.reportDir}/trivy-config.json`;
        const c = gateConfig(o.workDir);
        return {
          requires: ['trivy'],
          // Dockerfile checks only (running as root, ADD from a URL, ...), those built into this
          // pinned binary (--skip-check-update: no checks bundle is downloaded); findings do not stop it.
          steps: [
            ...c.steps,
            exec([
              'trivy', 'config', '--misconfig-scanners', 'dockerfile', '--skip-check-update', '--format', 'json', '--output', file,
              '--exit-code', '0', ...c.args, '--skip-dirs', [...NOT_PROJECT_CODE, '**/node_modules'].join(','), '--skip-version-check', '.',
            ]),
          ],
          report: { file, format: 'trivy' },
        };
      },
    },
    {
      gate: 'image',
      id: 'trivy',
      report: 'trivy',
      invoke: (o) => {
        const file = `${o.reportDir}/trivy-image.json`;
        return {
          requires: ['trivy'],
          // OS packages and language packages in the image; --exit-code 0: findings do not stop trivy.
          steps: trivyImage(o, 'json', file, ['--scanners', 'vuln', '--exit-code', '0', ...(o.ignoreUnfixed ? ['--ignore-unfixed'] : [])]),
          report: { file, format: 'trivy' },
        };
      },
    },
  ],
};

/** The image's CycloneDX SBOM, made by the image gate's trivy from the same image and cache. */
export function trivyImageSbom(o: ImageInvocation, file: string): ScanStep[] {
  return trivyImage(o, 'cyclonedx', file, []);
}

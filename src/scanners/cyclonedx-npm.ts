import type { Scanner } from './scanner';
import { exec } from './steps';

/** cyclonedx-npm: a CycloneDX SBOM of an npm project from package-lock.json alone. */
export const cyclonedxNpm: Scanner = {
  name: 'cyclonedx-npm',
  artifact: {
    kind: 'npm',
    name: 'cyclonedx-npm',
    version: '6.0.1',
    packages: [
      { name: '@cyclonedx/cyclonedx-npm', version: '6.0.1', integrity: 'sha512-/aU3bBC6qP6cV/qQ5SfUSygE/+2hQhwgg6sJML31/gZ96NyMvIUuwdk637H4z+LS/NryRT2kjR2wtD0qBEVVHQ==' },
    ],
    commands: ['cyclonedx-npm'],
    note: 'Each tarball is checked against the registry integrity; transitive dependencies are resolved by npm, which checks each against the registry integrity but does not pin them.',
  },
  engines: [{
    gate: 'sbom',
    id: 'cyclonedx-npm',
    report: 'cyclonedx',
    covers: { rootFiles: ['package-lock.json'], absent: 'no package-lock.json' },
    invoke: (o) => {
      const file = `${o.reportDir}/sbom.cdx.json`;
      return {
        requires: ['cyclonedx-npm'],
        // From package-lock.json alone: no node_modules, no registry.
        steps: [exec(['cyclonedx-npm', '--package-lock-only', '--output-format', 'JSON', '--output-reproducible', '--output-file', file, 'package.json'])],
        report: { file, format: 'cyclonedx' },
      };
    },
  }],
};

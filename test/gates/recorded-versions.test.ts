/**
 * What a gate's build records beside its verdict: the SCA and SBOM gates the sha256 and update
 * times of trivy's vulnerability database, the SAST gate bandit's installed Debian revision. The
 * generated commands run in bash with stand-ins for trivy and dpkg-query (the real ones need the
 * network or a Debian image): the values reach gate-result.json, and a value that cannot be read
 * fails the build.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthGates } from './support';
import { DependencyScan, Sast, Sbom } from '../../src';
import { aptVersionRecord, trivyDbRecord } from '../../src/gates/recorded-versions';
import { TRIVY_CACHE_DIR } from '../../src/gates/trivy';
import { bundleFindingsCli } from '../support/findings-cli';
import { FIXTURES } from '../support/fixtures';

const META = { Version: 2, NextUpdate: '2026-11-30T06:12:41Z', UpdatedAt: '2026-11-30T00:12:41.533Z', DownloadedAt: '2026-11-30T01:02:03.456Z' };
const NO_RESULTS = path.join(FIXTURES, 'trivy/image-alpine-39-no-results.json');
const CYCLONEDX = path.join(FIXTURES, 'cyclonedx/syft-v1.11.0-cdx-1.6-alpine-no-vulns.json');

let work: string;
let cli: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'recorded-versions-'));
  cli = bundleFindingsCli(path.join(work, 'cli', 'cli.js'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A directory with a fake `trivy` (version JSON, or a copied report for `trivy fs`) and a fake `dpkg-query`. */
function fakeBin(dir: string, o: { meta?: object; dpkg?: string }): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'trivy'), [
    '#!/usr/bin/env bash',
    `if [ "$1" = version ]; then echo '${JSON.stringify(o.meta ?? {})}'; exit 0; fi`,
    // trivy fs: a clean report of the asked format to --output, and a database left in the cache.
    'out=""; cache=""; report=' + NO_RESULTS,
    'while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift;; --cache-dir) cache="$2"; shift;; cyclonedx) report=' + CYCLONEDX + ';; esac; shift; done',
    'mkdir -p "$cache/db" && printf \'db\' > "$cache/db/trivy.db" && cp "$report" "$out"',
  ].join('\n'), { mode: 0o755 });
  // The SBOM upload after a passing verdict: recorded, never sent.
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\necho "$@" >> ${dir}/aws-calls\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'dpkg-query'), o.dpkg === undefined ? '#!/bin/sh\nexit 1\n' : `#!/bin/sh\nprintf '%s' '${o.dpkg}'\n`, { mode: 0o755 });
  return bin;
}

/** Runs commands in bash as a build does (stop at the first failure), /tmp/devsecops and the trivy cache moved under `dir`. */
function runLines(lines: string[], dir: string, bin: string): { status: number | null; output: string } {
  const relocate = (c: string) => c.split('/tmp/devsecops/').join(`${dir}/devsecops/`).split(TRIVY_CACHE_DIR).join(`${dir}/trivy-cache`)
    .split('node /tmp/devsecops/findings-cli/cli.js').join(`node ${cli}`);
  const script = ['set -e', `mkdir -p ${dir}/devsecops ${dir}/src`, `cd ${dir}/src`, ...lines.map(relocate)].join('\n');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, CODEBUILD_RESOLVED_SOURCE_VERSION: 'c0ffee', PIPELINE_EXECUTION_ID: 'exec-1' };
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env });
  return { status: r.status, output: r.stdout + r.stderr };
}

function caseDir(name: string): string {
  return fs.mkdtempSync(path.join(work, `${name}-`));
}

describe('trivy database', () => {
  test.each([
    ['SCA', { dependencies: DependencyScan.trivy() }, 'DependencyScan'],
    ['SBOM (trivy, SCA gate off)', { dependencies: DependencyScan.none(), sbom: Sbom.trivy() }, 'Sbom'],
  ] as const)('%s gate: its digest and update times reach gate-result.json', (_name, gates, id) => {
    const build = synthGates({ gates }).gates[id]!.build;
    const upToEvaluate = build.slice(0, build.findIndex((c) => c.includes('cli.js evaluate')) + 1)
      .map((c) => c.split('/tmp/devsecops/findings-cli/cli.js').join(cli));
    expect(upToEvaluate.join('\n')).toContain('trivy-db=sha256:');
    const dir = caseDir(id);
    const r = runLines(upToEvaluate, dir, fakeBin(dir, { meta: { Version: '0.69.3', VulnerabilityDB: META } }));
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringMatching(/PASS/) });
    const result = JSON.parse(fs.readFileSync(path.join(dir, 'src', 'devsecops-gate-out', 'findings', 'gate-result.json'), 'utf8'));
    const recorded = {
      'trivy-db': `sha256:${createHash('sha256').update('db').digest('hex')}`,
      'trivy-db-updated': META.UpdatedAt,
      'trivy-db-downloaded': META.DownloadedAt,
    };
    expect(result.toolVersions).toEqual(recorded);
    if (id === 'DependencyScan') {
      // The SBOM judged in the same build, with the same database recorded once, then kept under the commit id.
      const sbom = JSON.parse(fs.readFileSync(path.join(dir, 'src', 'devsecops-gate-out', 'findings-sbom', 'gate-result.json'), 'utf8'));
      expect(sbom.gate).toBe('sbom');
      expect(sbom.toolVersions).toEqual(recorded);
      expect(fs.readFileSync(path.join(dir, 'aws-calls'), 'utf8')).toMatch(/^s3 cp --only-show-errors \S+\/sbom\.cdx\.json s3:\/\/\S+\/sbom\/c0ffee\/exec-1\.cdx\.json\n$/);
    }
  });

  test('the SBOM gate with cyclonedx-npm records no trivy database', () => {
    const build = synthGates({ gates: { sbom: Sbom.cyclonedxNpm() } }).gates.Sbom!.build;
    expect(build.join('\n')).not.toContain('trivy-db');
  });

  test.each([
    ['trivy reports no database', {}],
    ['the database has no update time', { VulnerabilityDB: { Version: 2 } }],
  ])('%s: the record line fails the build', (_what, meta) => {
    const dir = caseDir('trivy-missing');
    fs.mkdirSync(path.join(dir, 'trivy-cache', 'db'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'trivy-cache', 'db', 'trivy.db'), 'db');
    const r = runLines([trivyDbRecord(TRIVY_CACHE_DIR)], dir, fakeBin(dir, { meta }));
    expect(r.status).not.toBe(0);
  });

  test('no database file: the record line fails the build', () => {
    const dir = caseDir('trivy-no-db');
    const r = runLines([trivyDbRecord(TRIVY_CACHE_DIR)], dir, fakeBin(dir, { meta: { VulnerabilityDB: META } }));
    expect(r.status).not.toBe(0);
  });
});

describe('a Debian revision (apt installs pin the upstream version only)', () => {
  test('bandit, now hash-locked from PyPI, records none', () => {
    const sast = synthGates({ gates: { sast: Sast.bandit() } }).gates.Sast!;
    expect(sast.build.join('\n')).not.toContain('dpkg-query');
  });

  test('dpkg-query\'s version is written as bandit-apt=VERSION', () => {
    const dir = caseDir('dpkg');
    const r = runLines([aptVersionRecord('bandit', 'bandit-apt')], dir, fakeBin(dir, { dpkg: '1.6.2-2' }));
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'devsecops', 'tool-versions'), 'utf8')).toBe('bandit-apt=1.6.2-2\n');
  });

  test('no installed package: the record line fails the build', () => {
    const dir = caseDir('dpkg-missing');
    expect(runLines([aptVersionRecord('bandit', 'bandit-apt')], dir, fakeBin(dir, {})).status).not.toBe(0);
  });
});

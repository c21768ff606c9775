/**
 * `evaluate --tool-version NAME=VALUE`: versions a gate cannot pin exactly at synth (an apt
 * revision, trivy's database digest and update time) are recorded in gate-result.json and shown
 * in the summary; a malformed one fails the gate closed (exit 2).
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseToolVersions } from '../../src/findings/tool-versions';
import { bundleFindingsCli } from '../support/findings-cli';
import { FIXTURES } from '../support/fixtures';

const CLEAN_SARIF = join(FIXTURES, 'trivy/image-alpine-310-vulns.sarif'); // 4 MEDIUM: passes at HIGH

let work: string;
let cli: string;
let seq = 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tool-versions-test-'));
  cli = bundleFindingsCli(join(work, 'bundle', 'cli.js'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function evaluate(extra: string[]): { code: number | null; output: string; out: string } {
  const out = join(work, `out-${++seq}`);
  const r = spawnSync(process.execPath, [cli, 'evaluate', '--gate', 'dependencies', '--report', CLEAN_SARIF, '--out', out, ...extra], { encoding: 'utf8' });
  return { code: r.status, output: r.stdout + r.stderr, out };
}

const DB = `sha256:${'ab12'.repeat(16)}`;

describe('evaluate --tool-version', () => {
  test('each NAME=VALUE is recorded in gate-result.json and named in the summary', () => {
    const r = evaluate([
      '--tool-version', 'bandit-apt=1.6.2-2',
      '--tool-version', `trivy-db=${DB}`,
      '--tool-version', 'trivy-db-updated=2026-11-30T00:12:41.533Z',
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(r.out, 'gate-result.json'), 'utf8'));
    expect(result.toolVersions).toEqual({ 'bandit-apt': '1.6.2-2', 'trivy-db': DB, 'trivy-db-updated': '2026-11-30T00:12:41.533Z' });
    const summary = readFileSync(join(r.out, 'summary.md'), 'utf8');
    expect(summary).toContain(`Recorded versions: bandit-apt 1.6.2-2; trivy-db ${DB}; trivy-db-updated 2026-11-30T00:12:41.533Z.`);
  });

  test('without it the gate result has no toolVersions', () => {
    const r = evaluate([]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(r.out, 'gate-result.json'), 'utf8'))).not.toHaveProperty('toolVersions');
  });

  test.each([
    ['no value', 'bandit-apt='],
    ['no name', '=1.6.2'],
    ['no equals sign', 'bandit-apt'],
    ['markdown and shell characters', 'bandit-apt=1.6.2`id`|x'],
    ['a newline', 'bandit-apt=1.6.2\nx'],
    ['a name with a space', 'bandit apt=1.6.2'],
  ])('%s: exit 2, no gate result', (_what, spec) => {
    const r = evaluate(['--tool-version', spec]);
    expect(r.code).toBe(2);
    expect(r.output).toContain('--tool-version');
    expect(existsSync(join(r.out, 'gate-result.json'))).toBe(false);
  });

  test('a name given twice is refused', () => {
    expect(() => parseToolVersions(['trivy-db=sha256:aa', 'trivy-db=sha256:bb'])).toThrow(/trivy-db is given twice/);
  });
});

/**
 * The eslint-security engine installed as a gate installs it: `npm ci --ignore-scripts` of the
 * package.json and lock this package ships (needs the npm registry), then the SAST gate's
 * generated build commands on examples/vulnerable-app and clean-app with that eslint on the PATH.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Sast } from '../../src';
import { ESLINT_ENGINE_DIR, ESLINT_ENGINE_FILES, EslintEngineAsset } from '../../src/gates/eslint-engine';
import { TOOLS } from '../../src/scanners';
import { useGateRuns } from '../gates/gate-runs';
import { synthGates } from '../gates/support';
import { EXAMPLES } from '../scanners/run-scanner';

const { runGateBuild, detectEngines, workDir } = useGateRuns();
const gate = synthGates({ gates: { sast: Sast.eslintSecurity() } }).gates.Sast!;

let engine: string;
beforeAll(() => {
  engine = fs.mkdtempSync(path.join(workDir(), 'eslint-engine-'));
  for (const f of ESLINT_ENGINE_FILES) fs.copyFileSync(path.join(EslintEngineAsset.DIRECTORY, f), path.join(engine, f));
  // The gate's own npm ci line, moved to this directory.
  const line = gate.install.join('\n').match(/npm ci --prefix \S+ --ignore-scripts --no-audit --no-fund/)![0];
  const r = spawnSync('bash', ['-c', line.split(ESLINT_ENGINE_DIR).join(engine)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm ci of the eslint engine failed: ${r.stdout}${r.stderr}`);
}, 300_000);

function withEngine(src: string, tmp: string): void {
  detectEngines(gate)(src, tmp);
  const bin = path.join(path.dirname(src), 'bin', 'eslint');
  fs.rmSync(bin);
  fs.symlinkSync(path.join(engine, 'node_modules', '.bin', 'eslint'), bin);
}

describe('the eslint-security engine from the shipped lock', () => {
  test('one eslint is installed, the tools table\'s version', () => {
    const found = spawnSync('find', [engine, '-path', '*/node_modules/eslint/package.json'], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(found).toEqual([path.join(engine, 'node_modules', 'eslint', 'package.json')]);
    expect(JSON.parse(fs.readFileSync(found[0], 'utf8')).version).toBe(TOOLS.eslint.version);
  });

  test('the SAST gate blocks the seeded command injection in vulnerable-app and passes clean-app', () => {
    const bad = runGateBuild(gate, path.join(EXAMPLES, 'vulnerable-app'), withEngine);
    expect(bad.status).toBe(1);
    expect(bad.output).toMatch(/^ {2}HIGH security\/detect-child-process src\/report\.js:8\b/m);
    const sarif = JSON.parse(fs.readFileSync(path.join(path.dirname(bad.src), 'devsecops', 'reports', 'eslint-security.sarif'), 'utf8'));
    expect(sarif.runs[0].tool.driver.version).toBe(TOOLS.eslint.version);
    const good = runGateBuild(gate, path.join(EXAMPLES, 'clean-app'), withEngine);
    expect({ status: good.status, output: good.output }).toEqual({ status: 0, output: expect.stringMatching(/gate sast: PASS/) });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { main } from '../../src/findings/cli';
import { loadReport } from '../../src/findings/parsers/index';
import { sarifUriLocation } from '../../src/findings/parsers/sarif-uri';
import { evaluateGate } from '../../src/findings/policy';
import { whereOf } from '../../src/findings/reporters/result';
import { parseSuppressions } from '../../src/findings/suppressions';
import { Finding } from '../../src/model/finding';
import { Severity } from '../../src/model/severity';

/**
 * secretlint 13 writes artifact URIs like `../../..dir/file` (relative to its own working
 * directory). Such a finding is kept and still blocks, shown as given and marked; the report is
 * not refused. No suppression can match it by path glob: a crafted path must not steer a finding
 * into (or out of) a glob.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'outside-repo-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function sarifFile(uris: string[]): string {
  const file = path.join(dir, `r${n++}.sarif`);
  writeFileSync(file, JSON.stringify({
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'secretlint', version: '13.0.0', rules: [{ id: 'aws-key' }] } },
      results: uris.map((uri, i) => ({
        ruleId: 'aws-key',
        message: { text: `found an AWS key ${i}` },
        locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 3 } } }],
      })),
    }],
  }));
  return file;
}

async function findings(uris: string[]): Promise<Finding[]> {
  return (await loadReport(sarifFile(uris), { sourceRoot: dir })).findings;
}

const SUPPRESS = (pathGlob: string) => parseSuppressions(`suppressions:
  - rule: aws-key
    path: "${pathGlob}"
    reason: test fixture keys
    expires: "${new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10)}"
`, 'suppressions.yaml');

describe('a location outside the repository', () => {
  test('is kept as given and marked; an inside path that goes up and back in is resolved as before', async () => {
    const [outside, inside] = await findings(['../../..dir/secret.env', 'src/../config/app.env']);
    expect(outside.location).toEqual({ file: '../../..dir/secret.env', startLine: 3, endLine: 3, outsideRepository: true });
    expect(inside.location).toEqual({ file: 'config/app.env', startLine: 3, endLine: 3 });
    expect(whereOf(outside)).toBe('../../..dir/secret.env:3 (outside the repository)');
    expect(sarifUriLocation('r.sarif', 'file:///../x', 'here', ['/repo'])).toEqual({ file: 'file:///../x', outsideRepository: true });
  });

  test('still blocks, and no path glob suppresses it (not even "**"), while the same glob suppresses the finding inside', async () => {
    const found = await findings(['../../..dir/secret.env', 'config/app.env']);
    for (const glob of ['**', '../**', '../../..dir/secret.env', '**/secret.env', 'config/**']) {
      const e = evaluateGate(found, { gate: 'secrets', failOn: Severity.HIGH, suppressions: SUPPRESS(glob) });
      const outside = e.decisions.find((d) => d.finding.location?.outsideRepository)!;
      expect(outside.decision).toBe('blocking');
    }
    const inside = evaluateGate(found, { gate: 'secrets', failOn: Severity.HIGH, suppressions: SUPPRESS('config/**') });
    expect(inside.decisions.find((d) => d.finding.location?.file === 'config/app.env')!.decision).toBe('suppressed');
  });

  test('a crafted path that resolves into the repository is just that path: ".." inside is not "outside"', async () => {
    const [f] = await findings(['a/b/../../config/app.env']);
    expect(f.location).toEqual({ file: 'config/app.env', startLine: 3, endLine: 3 });
  });

  test('the gate exits 1 (blocking) and prints the location marked', async () => {
    let out = '';
    const code = await main(['evaluate', '--gate', 'secrets', '--source-root', dir, '--report', sarifFile(['../../..dir/secret.env']), '--out', path.join(dir, 'out')],
      { out: (t) => { out += t; }, err: () => undefined });
    expect(code).toBe(1);
    expect(out).toContain('../../..dir/secret.env:3 (outside the repository)');
  });
});

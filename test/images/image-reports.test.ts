/**
 * The image gate's reports, judged by the bundled findings CLI as the gate's build runs it:
 * real `trivy image` reports (fixtures) under the gate name the pipeline gives an image.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'assets', 'findings-cli', 'cli.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'scanner-reports', 'trivy');

function evaluate(report: string, failOn: string): { status: number | null; out: string; result: any } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'image-gate-'));
  const r = spawnSync(process.execPath, [CLI, 'evaluate', '--gate', 'image-api', '--fail-on', failOn, '--out', out, '--report', `${path.join(FIXTURES, report)}:trivy`], { encoding: 'utf8' });
  const result = JSON.parse(fs.readFileSync(path.join(out, 'gate-result.json'), 'utf8'));
  expect(fs.existsSync(path.join(out, 'junit.xml'))).toBe(true);
  expect(fs.existsSync(path.join(out, 'findings.sarif'))).toBe(true);
  fs.rmSync(out, { recursive: true, force: true });
  return { status: r.status, out: r.stdout, result };
}

test('an image with CRITICAL and HIGH OS package vulnerabilities fails the gate, naming them', () => {
  const { status, out } = evaluate('schema2-2021-image-many-vulns.json', 'HIGH');
  expect(status).toBe(1);
  expect(out).toMatch(/gate image-api: FAIL: 2 blocking finding\(s\) at or above HIGH of 5/);
  expect(out).toContain('CVE-2019-12900');
});

test('an image with MEDIUM vulnerabilities passes at HIGH and fails at MEDIUM', () => {
  expect(evaluate('image-alpine-310-vulns.json', 'HIGH').status).toBe(0);
  const medium = evaluate('image-alpine-310-vulns.json', 'MEDIUM');
  expect(medium.status).toBe(1);
  expect(medium.out).toMatch(/4 blocking finding/);
});

import { spawnSync } from 'child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { bundleFindingsCli } from '../support/findings-cli';
import { FIXTURES } from '../support/fixtures';

const TRIVY_SARIF = join(FIXTURES, 'trivy/image-alpine-310-vulns.sarif'); // 4 MEDIUM: CVE-2019-1549 and CVE-2019-1551, twice each
const SEMGREP_SARIF = join(FIXTURES, 'semgrep/sarif-v1.69.0-many-findings.sarif'); // 77: 34 CRITICAL, 1 HIGH, 42 MEDIUM
const TRIVY_JSON = join(FIXTURES, 'trivy/fs-npm-lockfile-vulns.json');

let work: string;
let cli: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'findings-cli-test-'));
  // Bundle exactly as the pre-compile task does, into this run's own directory: never a stale
  // bundle, never a race with another test run, and a bundle that cannot reach node_modules.
  cli = join(work, 'bundle', 'cli.js');
  bundleFindingsCli(cli);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], cwd = work): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'eu-west-1', AWS_ACCOUNT_ID: '111122223333' };
  delete env.CODEBUILD_BUILD_ARN;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let seq = 0;
function tmp(name: string): string {
  seq++;
  const dir = join(work, `case-${seq}`);
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

function write(name: string, content: string | Buffer): string {
  const file = tmp(name);
  writeFileSync(file, content);
  return file;
}

function outDir(): string {
  return tmp('out');
}

function evaluate(reports: string[], extra: string[] = [], out = outDir()): Run & { out: string } {
  const args = ['evaluate', '--gate', 'test', '--out', out, ...reports.flatMap((r) => ['--report', r]), ...extra];
  return { ...run(args), out };
}

function result(out: string): any {
  return JSON.parse(readFileSync(join(out, 'gate-result.json'), 'utf8'));
}

function isoDaysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function sarifResult(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ruleId: `R${i % 50}`,
    level: i % 3 === 0 ? 'error' : 'warning',
    message: { text: `Generated finding ${i}: user input reaches a dangerous sink without validation` },
    locations: [{ physicalLocation: { artifactLocation: { uri: `src/module${i % 1000}/file${i}.ts` }, region: { startLine: (i % 500) + 1 } } }],
    ...extra,
  };
}

function sarifLog(results: unknown[], tool = 'GenScanner'): string {
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: tool, version: '1.0.0' } }, results }] });
}

/** Writes a SARIF log of `n` generated results, piece by piece (a 200 MB string would not fit the test's own heap). */
function writeBigSarif(file: string, n: number, pad: number): number {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"GenScanner","version":"1.0.0"}},"results":[');
    const filler = 'x'.repeat(pad);
    let chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      chunk.push((i === 0 ? '' : ',') + JSON.stringify(sarifResult(i, { properties: { filler } })));
      if (chunk.length === 5000) {
        writeSync(fd, chunk.join(''));
        chunk = [];
      }
    }
    writeSync(fd, `${chunk.join('')}]}]}`);
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

function expectBadInput(r: Run, file: string, problem: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(file);
  expect(r.stderr).toMatch(problem);
}

describe('evaluate: happy paths', () => {
  test('no finding at or above the threshold: exit 0 and every output written', () => {
    const r = evaluate([TRIVY_SARIF], ['--fail-on', 'HIGH', '--asff-min-severity', 'MEDIUM']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gate test: PASS: 0 blocking finding\(s\) at or above HIGH of 4/);
    for (const f of ['junit.xml', 'findings.sarif', 'summary.md', 'asff.json', 'gate-result.json']) {
      expect(statSync(join(r.out, f)).size).toBeGreaterThan(0);
    }
    expect(result(r.out)).toMatchObject({ gate: 'test', status: 'pass', failOn: 'HIGH' });
    expect(result(r.out).counts['below-threshold'].MEDIUM).toBe(4);
    const asff = JSON.parse(readFileSync(join(r.out, 'asff.json'), 'utf8'));
    expect(asff.flat()).toHaveLength(4);
    expect(asff[0][0].AwsAccountId).toBe('111122223333');
    expect(asff[0][0].ProductArn).toBe('arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default');
  });

  test('blocking findings: exit 1 and the findings listed', () => {
    const r = evaluate([SEMGREP_SARIF]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^gate test: FAIL: 35 blocking finding\(s\) at or above HIGH of 77/);
    expect(r.stdout).toContain('routes/basket.ts:17');
    expect(readFileSync(join(r.out, 'junit.xml'), 'utf8')).toMatch(/<testsuites name="test" tests="\d+" failures="35"/);
    const sarif = JSON.parse(readFileSync(join(r.out, 'findings.sarif'), 'utf8'));
    expect(sarif.runs[0].results).toHaveLength(77);
  });

  test('a suppression with a reason makes the gate pass; an expired one does not', () => {
    const yaml = (expires: string) => `suppressions:
  - cve: CVE-2019-1549
    reason: openssl is not used for fork()ed processes here
    expires: ${expires}
  - cve: CVE-2019-1551
    reason: no RSA on x86_64 in this image
    expires: ${expires}
    owner: platform-team
`;
    const valid = write('suppressions.yaml', yaml(isoDaysFromToday(30)));
    const ok = evaluate([TRIVY_SARIF], ['--fail-on', 'MEDIUM', '--suppressions', valid]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('4 suppressed');
    expect(readFileSync(join(ok.out, 'junit.xml'), 'utf8')).toContain('skipped message="suppressed by #1 cve CVE-2019-1551 until');

    const expired = write('suppressions.yaml', yaml(isoDaysFromToday(-1)));
    const blocked = evaluate([TRIVY_SARIF], ['--fail-on', 'MEDIUM', '--suppressions', expired]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(`${expired}: entry #0 cve CVE-2019-1549: field "expires": expired on ${isoDaysFromToday(-1)}`);
    expect(blocked.stdout).toMatch(/suppression #0 cve CVE-2019-1549 expired on/);
  });

  test('the default .devsecops/suppressions.yaml is read from the working directory', () => {
    const dir = tmp('repo');
    mkdirSync(join(dir, '.devsecops'), { recursive: true });
    writeFileSync(join(dir, '.devsecops/suppressions.yaml'), `- rule: CVE-2019-1549\n  reason: r - accepted after review\n  expires: ${isoDaysFromToday(5)}\n- rule: CVE-2019-1551\n  reason: r - accepted after review\n  expires: ${isoDaysFromToday(5)}\n`);
    const r = run(['evaluate', '--gate', 'sca', '--report', TRIVY_SARIF, '--fail-on', 'MEDIUM', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out/summary.md'), 'utf8')).toContain('Expiring within 14 days');
  });

  test('a baseline from the previous run lets only new findings block', () => {
    const first = evaluate([SEMGREP_SARIF]);
    expect(first.code).toBe(1);
    const again = evaluate([SEMGREP_SARIF], ['--baseline', join(first.out, 'gate-result.json')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('77 in baseline');
    const fromSarif = evaluate([SEMGREP_SARIF, TRIVY_SARIF], ['--fail-on', 'MEDIUM', '--baseline', join(first.out, 'findings.sarif')]);
    expect(fromSarif.code).toBe(1);
    expect(result(fromSarif.out).counts.blocking.MEDIUM).toBe(4);
  });

  test('secret scan coverage shows in the summary', () => {
    const r = evaluate([join(FIXTURES, 'gitleaks/v8-sarif-one-finding.sarif')], ['--secret-scan', 'history']);
    expect(r.code).toBe(1);
    expect(readFileSync(join(r.out, 'summary.md'), 'utf8')).toContain('the full git history was scanned');
  });
});

describe('evaluate: code the scanners did not cover', () => {
  test('--not-analyzed fails a gate without blocking findings (exit 1), in the summary, JUnit and gate result', () => {
    const r = evaluate([TRIVY_SARIF], ['--fail-on', 'HIGH', '--not-analyzed', 'Go (12 files)', '--not-analyzed-file', write('not-analyzed', '\nKotlin (2 files)\n\n')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^gate test: not analyzed: Go \(12 files\)\ngate test: not analyzed: Kotlin \(2 files\)\ngate test: FAIL: 2 not analyzed, 0 blocking/);
    expect(result(r.out)).toMatchObject({ status: 'fail', notAnalyzed: ['Go (12 files)', 'Kotlin (2 files)'] });
    expect(readFileSync(join(r.out, 'summary.md'), 'utf8')).toMatch(/### Not analyzed \(2\): the gate fails\n\n- not analyzed: Go \(12 files\)\n- not analyzed: Kotlin \(2 files\)/);
    const junit = readFileSync(join(r.out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="test" tests="\d+" failures="2"/);
    expect(junit).toContain('<testcase classname="test.coverage" name="not analyzed: Go (12 files)" time="0">');
    // The approval summary reads it back as a failed gate.
    expect(run(['summary', '--in', r.out, '--out', tmp('s.md')]).code).toBe(1);
  });

  test('an empty --not-analyzed-file is a pass; a missing one is bad input', () => {
    expect(evaluate([TRIVY_SARIF], ['--fail-on', 'HIGH', '--not-analyzed-file', write('none', '')]).code).toBe(0);
    const missing = evaluate([TRIVY_SARIF], ['--fail-on', 'HIGH', '--not-analyzed-file', join(work, 'no-such-file')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-file: not-analyzed file does not exist/);
  });

  test('a gate result claiming pass with code not analyzed is rejected by summary', () => {
    const r = evaluate([TRIVY_SARIF], ['--fail-on', 'HIGH', '--not-analyzed', 'Go (1 file)']);
    const file = join(r.out, 'gate-result.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"status": "fail"', '"status": "pass"'));
    const s = run(['summary', '--in', r.out, '--out', tmp('s.md')]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/"status" is "pass" but counts show 0 blocking finding\(s\) and 1 not analyzed/);
  });
});

describe('evaluate --lock-files-from: a dependency report that inventoried nothing', () => {
  const emptyTrivy = () => write('trivy.json', JSON.stringify({ SchemaVersion: 2, ArtifactName: '.', ArtifactType: 'filesystem' }));
  const emptySbom = () => write('sbom.cdx.json', JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] }));
  const locks = () => write('lock-files', 'package-lock.json\nsvc/go.sum\n');

  test('trivy without Results and an SBOM without components fail as not analyzed when the repository has lock files', () => {
    const trivy = evaluate([`${emptyTrivy()}:trivy`], ['--lock-files-from', locks()]);
    expect(trivy.code).toBe(1);
    expect(trivy.stdout).toMatch(/gate test: not analyzed: lock files package-lock\.json, svc\/go\.sum: \S+trivy\.json \(trivy\) lists no package or target/);
    const sbom = evaluate([`${emptySbom()}:cyclonedx`], ['--lock-files-from', locks()]);
    expect(sbom.code).toBe(1);
    expect(result(sbom.out).notAnalyzed).toEqual([expect.stringMatching(/sbom\.cdx\.json \(cyclonedx\) lists no component$/)]);
  });

  test('without lock files an empty inventory passes; with them, a report that lists targets passes', () => {
    expect(evaluate([`${emptyTrivy()}:trivy`], ['--lock-files-from', write('none', '\n')]).code).toBe(0);
    expect(evaluate([`${emptySbom()}:cyclonedx`]).code).toBe(0);
    expect(evaluate([`${TRIVY_JSON}:trivy`], ['--fail-on', 'CRITICAL', '--lock-files-from', locks()]).code).toBe(0);
  });
});

describe('evaluate: bad input fails closed (exit 2, file and problem named)', () => {
  test('missing report file', () => {
    const missing = join(work, 'no-such-report.sarif');
    const r = evaluate([missing]);
    expectBadInput(r, missing, /not found/);
    expect(r.stdout).toBe('');
  });

  test('empty report file', () => {
    const file = write('empty.json', '');
    expectBadInput(evaluate([file]), file, /empty/);
  });

  test('empty trufflehog output: a pass when the format is named, bad input when detected', () => {
    // trufflehog writes an empty file when it finds nothing; only a gate that names the format may say so.
    const file = write('trufflehog.jsonl', '');
    const forced = evaluate([`${file}:trufflehog`]);
    expect(forced.stderr).not.toMatch(/devsecops-findings evaluate:/);
    expect(forced.code).toBe(0);
    expect(result(forced.out)).toMatchObject({ status: 'pass', reports: [{ file, format: 'trufflehog', tools: ['trufflehog'], findings: 0 }] });
    expectBadInput(evaluate([file]), file, /empty \(0 bytes\)/);
  });

  test('truncated JSON', () => {
    const text = readFileSync(SEMGREP_SARIF, 'utf8');
    const file = write('truncated.sarif', text.slice(0, Math.floor(text.length / 2)));
    expectBadInput(evaluate([file]), file, /truncated or unparsable JSON/);
  });

  test('a report of another tool with a forced format', () => {
    const r = evaluate([`${TRIVY_JSON}:sarif`]);
    expectBadInput(r, TRIVY_JSON, /does not look like a sarif report/);
  });

  test('SARIF without runs', () => {
    const file = write('no-runs.sarif', '{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json"}');
    expectBadInput(evaluate([`${file}:sarif`]), file, /runs/);
  });

  test('unknown severity strings', () => {
    const file = write('severe.sarif', sarifLog([sarifResult(1, { properties: { 'security-severity': 'SEVERE' } })]));
    expectBadInput(evaluate([file]), file, /unknown severity "SEVERE"/);
  });

  test('`..` above the repository in a location: the finding is kept, blocks, and is shown marked (not refused)', () => {
    const bad = sarifResult(1);
    (bad.locations as any)[0].physicalLocation.artifactLocation.uri = '../../etc/passwd';
    const file = write('dotdot.sarif', sarifLog([bad]));
    const r = evaluate([file], ['--fail-on', 'INFO']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\.\.\/\.\.\/etc\/passwd:\d+ \(outside the repository\)/);
  });

  test('one bad report among good ones fails the gate and writes no result', () => {
    const empty = write('empty.sarif', '');
    const r = evaluate([SEMGREP_SARIF, empty, TRIVY_SARIF]);
    expectBadInput(r, empty, /empty/);
    expect(existsSync(join(r.out, 'gate-result.json'))).toBe(false);
  });

  test('BOM and CRLF: read like the plain file, never a pass', () => {
    const plain = evaluate([TRIVY_SARIF], ['--fail-on', 'MEDIUM']);
    const text = readFileSync(TRIVY_SARIF, 'utf8').replace(/\r?\n/g, '\r\n');
    const file = write('bom-crlf.sarif', `\uFEFF${text}`);
    const r = evaluate([file], ['--fail-on', 'MEDIUM']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('4 blocking finding(s)');
    expect(result(r.out).fingerprints).toEqual(result(plain.out).fingerprints);
    // a BOM in front of a truncated file is still a truncated file
    const truncated = write('bom-truncated.sarif', `\uFEFF${text.slice(0, 500)}`);
    expectBadInput(evaluate([truncated]), truncated, /truncated/);
  });

  test('suppressions file: absent expiry does not suppress and is named; past expiry likewise', () => {
    const absent = write('suppressions.yaml', '- cve: CVE-2019-1549\n  reason: no date given\n');
    const r = evaluate([TRIVY_SARIF], ['--fail-on', 'MEDIUM', '--suppressions', absent]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${absent}: entry #0 cve CVE-2019-1549: field "expires": required`);
    const past = write('suppressions.yaml', '- cve: CVE-2019-1549\n  reason: old - accepted after review\n  expires: 2020-01-01\n');
    const p = evaluate([TRIVY_SARIF], ['--fail-on', 'MEDIUM', '--suppressions', past]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(`${past}: entry #0 cve CVE-2019-1549: field "expires": expired on 2020-01-01`);
    const tooFar = write('suppressions.yaml', `- cve: CVE-2019-1549\n  reason: forever - accepted after review\n  expires: ${isoDaysFromToday(200)}\n`);
    const f = evaluate([TRIVY_SARIF], ['--fail-on', 'MEDIUM', '--suppressions', tooFar]);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/field "expires": .* days ahead; at most 90 days/);
    // with a longer horizon the same entry suppresses its two findings (CVE-2019-1551 still blocks)
    const longer = evaluate([TRIVY_SARIF], ['--fail-on', 'MEDIUM', '--suppressions', tooFar, '--expiry-horizon', '365']);
    expect(longer.stderr).toBe('');
    expect(longer.stdout).toContain('2 blocking finding(s) at or above MEDIUM of 4 (2 suppressed');
  });

  test('an unusable suppressions file is a usage error', () => {
    const broken = write('suppressions.yaml', 'suppressions:\n  - rule: [unclosed\n');
    expectBadInput(evaluate([TRIVY_SARIF], ['--suppressions', broken]), broken, /not valid YAML/);
    const missing = join(work, 'nope', 'suppressions.yaml');
    expectBadInput(evaluate([TRIVY_SARIF], ['--suppressions', missing]), missing, /suppressions file does not exist/);
  });

  test('an unusable baseline is a usage error', () => {
    const bad = write('baseline.json', '{"not": "a baseline"}');
    expectBadInput(evaluate([TRIVY_SARIF], ['--baseline', bad]), bad, /expected a JSON array of fingerprints/);
  });

  test('usage errors', () => {
    expect(run([]).code).toBe(2);
    const unknown = run(['evaluate', '--gate', 'g', '--report', TRIVY_SARIF, '--out', outDir(), '--fail-on-severity', 'HIGH']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--fail-on-severity'/);
    const sev = evaluate([TRIVY_SARIF], ['--fail-on', 'SEVERE']);
    expect(sev.code).toBe(2);
    expect(sev.stderr).toContain('--fail-on "SEVERE" is not a severity');
    const noReport = run(['evaluate', '--gate', 'g', '--out', outDir()]);
    expect(noReport.code).toBe(2);
    expect(noReport.stderr).toContain('at least one --report');
    expect(run(['evaluate', '--report', TRIVY_SARIF, '--out', outDir()]).stderr).toContain('--gate NAME is required');
    expect(run(['frobnicate']).code).toBe(2);
    for (const bad of ['0', '-5', '2.5', 'all']) {
      const cases = evaluate([TRIVY_SARIF], [`--junit-max-cases=${bad}`]);
      expect(cases.code).toBe(2);
      expect(cases.stderr).toContain(`--junit-max-cases "${bad}": use a whole number of test cases >= 1`);
    }
    const root = evaluate([TRIVY_SARIF], ['--source-root', join(work, 'no-such-dir')]);
    expect({ code: root.code, stderr: root.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('no-such-dir": not a directory') });
  });

  test('--junit-max-cases sets how many test cases junit.xml lists', () => {
    const file = tmp('junit-cap.sarif');
    writeBigSarif(file, 3_000, 0);
    const all = evaluate([file], ['--junit-max-cases', '5000']);
    expect(all.code).toBe(1);
    // every third result blocks: 1,000 failing cases, all listed
    expect(readFileSync(join(all.out, 'junit.xml'), 'utf8')).toMatch(/<testsuites name="test" tests="1000" failures="1000"/);
    const few = evaluate([file], ['--junit-max-cases', '10']);
    const junit = readFileSync(join(few.out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="test" tests="10" failures="10"/);
    expect(junit).toContain('name="991 more blocking finding(s) at or above HIGH, not listed"');
    // the other reports still hold every finding
    expect(result(few.out).counts.blocking.HIGH).toBe(1000);
  });

  test('--help documents the exit codes', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:\n\s+0\s+pass[^\n]*\n\s+1\s+blocking findings[^\n]*\n\s+2\s+usage error or bad input/);
    expect(run(['evaluate', '--help']).stdout).toContain('--fail-on SEVERITY');
  });
});

describe('evaluate: size', () => {
  test('100,000 findings: every one evaluated and reported', () => {
    const file = tmp('100k.sarif');
    writeBigSarif(file, 100_000, 0);
    const r = evaluate([file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const res = result(r.out);
    // every third generated result is level error (HIGH): those block, the rest are MEDIUM
    expect(res.counts.blocking.HIGH).toBe(33_334);
    expect(res.counts['below-threshold'].MEDIUM).toBe(66_666);
    expect(res.fingerprints).toHaveLength(100_000);
    expect(res.blocking).toHaveLength(500);
    const junit = readFileSync(join(r.out, 'junit.xml'), 'utf8');
    // JUnit: what a CodeBuild report keeps, 499 findings and one case counting the other 32,835
    expect(junit).toMatch(/<testsuites name="test" tests="500" failures="500"/);
    expect(junit).toContain('name="32835 more blocking finding(s) at or above HIGH, not listed"');
    const asff = JSON.parse(readFileSync(join(r.out, 'asff.json'), 'utf8'));
    // Security Hub gets the findings at or above the threshold, in batches of at most 100
    expect(asff).toHaveLength(334);
    expect(asff.slice(0, 333).every((b: unknown[]) => b.length === 100)).toBe(true);
    expect(asff.flat()).toHaveLength(33_334);
  });

  test('a 200 MB report is evaluated, not a crash; the same report truncated is rejected', () => {
    const file = join(tmpdir(), `findings-cli-200mb-${process.pid}.sarif`);
    try {
      const size = writeBigSarif(file, 300_000, 450);
      expect(size).toBeGreaterThan(200 * 1024 * 1024);
      const r = evaluate([file]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^gate test: FAIL: 100000 blocking finding\(s\) at or above HIGH of 300000/);
      expect(statSync(join(r.out, 'findings.sarif')).size).toBeGreaterThan(50 * 1024 * 1024);
      rmSync(r.out, { recursive: true, force: true });

      // cut the last 100 bytes: the end of the document is missing
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, size - 100);
      } finally {
        closeSync(fd);
      }
      expectBadInput(evaluate([file]), file, /truncated or unparsable JSON/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('summary', () => {
  test('merges several gates; exit 1 when one failed, 0 when all passed', () => {
    const pass = evaluate([TRIVY_SARIF], ['--fail-on', 'HIGH']);
    const fail = evaluate([SEMGREP_SARIF]);
    const out = tmp('approval.md');
    const r = run(['summary', '--in', pass.out, '--in', fail.out, '--out', out]);
    expect(r.code).toBe(1);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('# Security gates: **FAIL** (1 of 2 gate(s) blocking)');
    expect(text.match(/^## Gate test: /gm)).toHaveLength(2);
    expect(run(['summary', '--in', pass.out, '--out', tmp('ok.md')]).code).toBe(0);
  });

  test('fails closed when a gate directory has no result or a corrupt one', () => {
    const pass = evaluate([TRIVY_SARIF], ['--fail-on', 'HIGH']);
    const empty = tmp('gate-dir');
    mkdirSync(empty, { recursive: true });
    const out = tmp('approval.md');
    const r = run(['summary', '--in', pass.out, '--in', empty, '--out', out]);
    expectBadInput(r, empty, /no gate-result\.json/);
    expect(existsSync(out)).toBe(false);

    const corrupt = tmp('gate-dir');
    mkdirSync(corrupt, { recursive: true });
    writeFileSync(join(corrupt, 'gate-result.json'), '{"schema": "devsecops-gate-result/v1", "gate": "x"');
    expectBadInput(run(['summary', '--in', corrupt, '--out', tmp('a.md')]), join(corrupt, 'gate-result.json'), /not valid JSON/);
  });
});

describe('notice', () => {
  test('nothing to tell: an empty file and exit 0 (the build then publishes nothing)', () => {
    const pass = evaluate([TRIVY_SARIF], ['--fail-on', 'HIGH']);
    const out = tmp('notice.txt');
    const r = run(['notice', '--in', pass.out, '--out', out, '--link', 'https://example.com/r/']);
    expect(r).toEqual(expect.objectContaining({ code: 0, stdout: 'nothing to notify\n' }));
    expect(readFileSync(out, 'utf8')).toBe('');
  });

  test('a blocked gate with its count and a suppression expiring soon; a directory without a result is skipped, not a pass', () => {
    const sup = write('suppressions.yaml', `suppressions:\n  - cve: CVE-2019-1549\n    reason: openssl is not used for fork()ed processes here\n    expires: ${isoDaysFromToday(3)}\n`);
    const blocked = evaluate([TRIVY_SARIF], ['--fail-on', 'MEDIUM', '--suppressions', sup]);
    expect(blocked.code).toBe(1);
    const crashed = tmp('gate-dir');
    mkdirSync(crashed, { recursive: true });
    const out = tmp('notice.txt');
    const r = run(['notice', '--in', blocked.out, '--in', crashed, '--out', out, '--link', 'https://example.com/r/']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${crashed}: no gate-result.json; nothing to tell about this gate`);
    expect(readFileSync(out, 'utf8')).toBe([
      'Gate test BLOCKED: 2 blocking finding(s) at or above MEDIUM.',
      `Gate test: suppression #0 cve CVE-2019-1549 expires on ${isoDaysFromToday(3)} (in 3 day(s)): openssl is not used for fork()ed processes here. Review or renew it.`,
      'Results: https://example.com/r/',
      '',
    ].join('\n'));
  });

  test('usage errors exit 2', () => {
    expect(run(['notice', '--out', tmp('n.txt')]).code).toBe(2);
    expect(run(['notice', '--in', tmp('d')]).code).toBe(2);
  });
});

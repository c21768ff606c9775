import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { main } from '../../src/findings/cli';
import { loadReport } from '../../src/findings/parsers/index';
import { findDuplicateKey } from '../../src/findings/parsers/json-keys';
import { ReportFormatError } from '../../src/findings/parsers/types';
import { FIXTURES } from '../support/fixtures';

const TRIVY_SARIF = path.join(FIXTURES, 'trivy/image-alpine-310-vulns.sarif');
const SECRET_TEXT = 'SECRET-CONTENT-7f3a9c-must-not-be-logged';

let repo: string;
let outside: string;
beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'input-integrity-repo-'));
  outside = mkdtempSync(path.join(tmpdir(), 'input-integrity-outside-'));
});
afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

let seq = 0;
function inRepo(name: string, content?: string): string {
  const file = path.join(repo, `${seq++}-${name}`);
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

async function refusal(file: string): Promise<string> {
  const error = await loadReport(file, { sourceRoot: repo }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ReportFormatError);
  return (error as Error).message;
}

interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function cli(args: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

function evaluateArgs(reports: string[], extra: string[] = []): string[] {
  const out = path.join(repo, `out-${seq++}`);
  return ['evaluate', '--gate', 'test', '--source-root', repo, '--out', out, ...reports.flatMap((r) => ['--report', r]), ...extra];
}

describe('only regular files are read as reports, suppressions files and baselines', () => {
  test('a FIFO as report is refused at once (it would hang the gate)', async () => {
    const fifo = inRepo('report.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(await refusal(fifo)).toMatch(/FIFO/);
  });

  test('a device as report is refused (it would fill the memory)', async () => {
    expect(await refusal('/dev/zero')).toMatch(/a device, not a regular file/);
  });

  test('a symlink to a file outside the repository is refused, and none of its content is printed', async () => {
    const secret = path.join(outside, 'secret.txt');
    writeFileSync(secret, `${SECRET_TEXT}\n`);
    const link = inRepo('report.json');
    symlinkSync(secret, link);
    const message = await refusal(link);
    expect(message).toMatch(/symlink to a file outside the repository/);
    expect(message).not.toContain(SECRET_TEXT);
    const run = await cli(evaluateArgs([link]));
    expect(run.code).toBe(2);
    expect(run.err).not.toContain(SECRET_TEXT);
  });

  test('a symlink to a system file is refused as well', async () => {
    const link = inRepo('passwd.json');
    symlinkSync('/etc/passwd', link);
    const run = await cli(evaluateArgs([link]));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/symlink to a file outside the repository/);
    expect(run.err).not.toMatch(/root:/);
  });

  test('a symlink to a report inside the repository is read', async () => {
    const real = inRepo('real.sarif');
    copyFileSync(TRIVY_SARIF, real);
    const link = inRepo('link.sarif');
    symlinkSync(real, link);
    const loaded = await loadReport(link, { sourceRoot: repo });
    expect(loaded.findings).toHaveLength(4);
  });

  test('a suppressions file that is a symlink to /dev/zero is refused (exit 2), not read until memory runs out', async () => {
    const link = inRepo('suppressions.yaml');
    symlinkSync('/dev/zero', link);
    const run = await cli(evaluateArgs([TRIVY_SARIF], ['--suppressions', link]));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/suppressions file is a symlink to a file outside the repository/);
  });

  test('a suppressions file that is a FIFO, and a baseline that is a device, are refused (exit 2)', async () => {
    const fifo = inRepo('suppressions.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const sup = await cli(evaluateArgs([TRIVY_SARIF], ['--suppressions', fifo]));
    expect(sup.code).toBe(2);
    expect(sup.err).toMatch(/suppressions file is a FIFO/);
    const base = await cli(evaluateArgs([TRIVY_SARIF], ['--baseline', '/dev/urandom']));
    expect(base.code).toBe(2);
    expect(base.err).toMatch(/baseline file is a device/);
  });
});

describe('file contents never reach an error message', () => {
  test('text that is no report: its first line is not quoted', async () => {
    const message = await refusal(inRepo('x.txt', `${SECRET_TEXT}\n`));
    expect(message).toMatch(/not a JSON, NDJSON, XML or CSV report/);
    expect(message).not.toContain(SECRET_TEXT);
  });

  test('broken JSON: the parser error does not quote the text', async () => {
    const message = await refusal(inRepo('x.json', `{"a": ${SECRET_TEXT}}`));
    expect(message).toMatch(/truncated or unparsable JSON/);
    expect(message).not.toContain('SECRET-CONTENT');
  });

  test('broken XML: the validator error does not quote tag names', async () => {
    const message = await refusal(inRepo('x.xml', `<report><${SECRET_TEXT}></report>`));
    expect(message).toMatch(/truncated or unparsable XML/);
    expect(message).not.toContain('SECRET-CONTENT');
  });

  test('broken JSON in a large (lazily decoded) report: the byte is named, not quoted', async () => {
    const file = inRepo('big.json', `{"runs": [${'{"a": 1},'.repeat(10)} ${SECRET_TEXT}]}`);
    const lazy = { lazyAboveBytes: 1, lazyContainerBytes: 16 };
    const error = await loadReport(file, { sourceRoot: repo, decode: lazy }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ReportFormatError);
    expect((error as Error).message).toMatch(/at byte \d+/);
    expect((error as Error).message).not.toContain('SECRET-CONTENT');
  });
});

describe('duplicate keys are refused (JSON.parse would keep the last one silently)', () => {
  const sarif = JSON.parse(readFileSync(TRIVY_SARIF, 'utf8'));
  // The run's results twice: the real ones, then an empty list, which JSON.parse keeps (the last wins).
  const { results: realResults, ...rest } = sarif.runs[0];
  const duplicated = JSON.stringify({ ...sarif, runs: [{ __dup__: realResults, ...rest, results: [] }] }).replace('"__dup__":', '"results":');

  test('the duplicate loses findings when read naively', () => {
    expect(JSON.parse(duplicated).runs[0].results).toEqual([]);
  });

  test('a duplicate key names the key and the place (exit 2)', async () => {
    expect(await refusal(inRepo('dup.sarif', duplicated))).toMatch(/duplicate key "results" in one JSON object \(character \d+\)/);
  });

  test('in a large report decoded lazily: a duplicate in a large object, and in one small element', async () => {
    const lazy = { lazyAboveBytes: 1, lazyContainerBytes: 64 };
    const big = inRepo('dup-big.sarif', duplicated);
    await expect(loadReport(big, { sourceRoot: repo, decode: lazy })).rejects.toThrow(/duplicate key "results"/);
    const results = sarif.runs[0].results as unknown[];
    const withDupInElement = JSON.stringify({ ...sarif, runs: [{ ...sarif.runs[0], results: [...results, { ruleId: 'x', ruleId2: 1 }] }] })
      .replace('"ruleId2":1', '"level":"none","level":"error"');
    const small = inRepo('dup-small.sarif', withDupInElement);
    await expect(loadReport(small, { sourceRoot: repo, decode: lazy })).rejects.toThrow(/duplicate key "level"/);
  });

  test('an escaped spelling of a key is the same key', () => {
    expect(findDuplicateKey('{"results": [], "\\u0072esults": [1]}')?.key).toBe('results');
  });

  test('objects of one shape, nested, many keys: only real duplicates are found', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, { a: 1, b: [{ a: 1 }], c: 'x' }]));
    const clean = JSON.stringify([many, many, { a: { a: { a: 1 } } }]);
    expect(findDuplicateKey(clean)).toBeUndefined();
    expect(findDuplicateKey(clean.replace('"k99":', '"k3":'))?.key).toBe('k3');
    expect(findDuplicateKey('[{"a":1,"b":2},{"a":1,"b":2,"a":3}]')?.key).toBe('a');
    expect(findDuplicateKey('[{"a":1,"b":2},{"b":1,"b":2}]')?.key).toBe('b');
    // Keys and strings with quotes, backslashes and braces inside.
    expect(findDuplicateKey('{"a\\"}":"{\\"a\\":1}","b":"\\\\","a\\"}x":1}')).toBeUndefined();
    // The same key in sibling and nested objects is not a duplicate.
    expect(findDuplicateKey('{"a":{"a":1},"b":{"a":2},"c":[{"a":1},{"a":2}]}')).toBeUndefined();
  });

  test('NDJSON: a duplicate in one line', async () => {
    const line = '{"SourceMetadata":{},"DetectorName":"AWS","Verified":true,"Raw":"x"}';
    const file = inRepo('dup.ndjson', `${line}\n${line.replace('"Verified":true', '"Verified":true,"Verified":false')}\n`);
    expect(await refusal(file)).toMatch(/duplicate key "Verified"/);
  });
});

describe('--source-root is where symlinked inputs may point', () => {
  test('a symlink into --source-root is read', async () => {
    const src = mkdtempSync(path.join(tmpdir(), 'input-integrity-src-'));
    try {
      mkdirSync(path.join(src, 'reports'));
      const real = path.join(src, 'reports', 'trivy.sarif');
      copyFileSync(TRIVY_SARIF, real);
      const link = inRepo('into-src.sarif');
      symlinkSync(real, link);
      await expect(loadReport(link, { sourceRoot: repo })).rejects.toThrow(/symlink to a file outside/);
      expect((await loadReport(link, { sourceRoot: src })).findings).toHaveLength(4);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});

describe('bad output paths are one line and exit 2, never a stack trace', () => {
  const oneLine = (run: Captured) => {
    expect(run.code).toBe(2);
    expect(run.err.trim().split('\n')).toHaveLength(1);
    expect(run.err).not.toMatch(/\n\s+at |internal error/);
  };

  test('evaluate --out onto an existing file', async () => {
    const file = inRepo('a-file', 'x');
    const run = await cli(['evaluate', '--gate', 'g', '--report', TRIVY_SARIF, '--out', file]);
    oneLine(run);
    expect(run.err).toContain(`--out ${file}: not a directory the findings can be written to`);
  });

  test('evaluate --out below a file', async () => {
    const file = inRepo('b-file', 'x');
    const run = await cli(['evaluate', '--gate', 'g', '--report', TRIVY_SARIF, '--out', path.join(file, 'sub')]);
    oneLine(run);
    expect(run.err).toMatch(/a file is in the way/);
  });

  test('summary --out onto a directory, and below a file', async () => {
    const gateOut = path.join(repo, `gate-${seq++}`);
    expect((await cli(['evaluate', '--gate', 'g', '--report', TRIVY_SARIF, '--out', gateOut])).code).toBe(0);
    const dirRun = await cli(['summary', '--in', gateOut, '--out', repo]);
    oneLine(dirRun);
    expect(dirRun.err).toContain(`--out ${repo}: is a directory`);
    const file = inRepo('c-file', 'x');
    const below = await cli(['summary', '--in', gateOut, '--out', path.join(file, 'summary.md')]);
    oneLine(below);
    expect(below.err).toMatch(/its directory cannot be written: a file is in the way/);
  });
});

describe('summary reads gate results as regular files only', () => {
  test('a gate-result.json that is a FIFO is refused (exit 2) instead of hanging', async () => {
    const gateDir = inRepo('gate-dir');
    mkdirSync(gateDir);
    expect(spawnSync('mkfifo', [path.join(gateDir, 'gate-result.json')]).status).toBe(0);
    const run = await cli(['summary', '--in', gateDir, '--out', path.join(repo, `summary-${seq++}.md`)]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/gate-result.json is a FIFO/);
  });
});

import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { decodeReport } from '../../src/findings/parsers/decode';
import { decodeCsv } from '../../src/findings/parsers/decode-csv';
import { knownFormats, loadReport } from '../../src/findings/parsers/index';
import { elementsAt, forEachElement, openLargeJsonReport } from '../../src/findings/parsers/lazy-json';
import { ReportFormatError } from '../../src/findings/parsers/types';
import { Severity } from '../../src/model/severity';
import { FIXTURES } from '../support/fixtures';


function fixture(name: string): string {
  const file = path.join(FIXTURES, name);
  if (!existsSync(file)) throw new Error(`fixture ${file} is missing: the scanner reports are kept in ${FIXTURES}`);
  return file;
}

const SEMGREP_SARIF = 'semgrep/sarif-v1.69.0-many-findings.sarif';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'loader-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(content: string | Buffer, ext = 'json'): string {
  const file = path.join(dir, `report-${counter++}.${ext}`);
  writeFileSync(file, content);
  return file;
}

/** Expects loadReport to fail closed with a ReportFormatError whose message names the file and matches `problem`. */
async function expectBad(file: string, problem: RegExp, options = {}): Promise<void> {
  const error = await loadReport(file, options).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ReportFormatError);
  const message = (error as Error).message;
  expect(message.startsWith(`${file}: `)).toBe(true);
  expect(message).toMatch(problem);
}

describe('bad input fails closed with the file and the problem', () => {
  test('missing file', async () => {
    await expectBad(path.join(dir, 'no-such-report.sarif'), /report file not found/);
  });

  test('a directory', async () => {
    const sub = path.join(dir, 'a-directory');
    mkdirSync(sub);
    await expectBad(sub, /is a directory/);
  });

  test('empty file (0 bytes)', async () => {
    await expectBad(write(''), /empty \(0 bytes\)/);
  });

  test.each([['spaces and newlines', ' \n\r\n\t '], ['a BOM only', '\ufeff'], ['a BOM and white space', '\ufeff  \n']])('empty file: %s', async (_name, content) => {
    await expectBad(write(content), /empty \(only white space\)/);
  });

  test('an empty file fails closed also for a format whose clean output is empty, unless that format is named', async () => {
    // trufflehog writes nothing when it finds nothing; auto-detection cannot tell that from a scanner that died.
    await expectBad(write('', 'jsonl'), /empty \(0 bytes\)/);
    await expectBad(write('', 'jsonl'), /empty \(0 bytes\)/, { format: 'sarif' });
    await expectBad(path.join(dir, 'no-such-trufflehog.jsonl'), /report file not found/, { format: 'trufflehog' });
  });

  test('an empty file with the format forced to trufflehog: no findings', async () => {
    for (const content of ['', '\n', '\ufeff\r\n']) {
      const file = write(content, 'jsonl');
      const report = await loadReport(file, { format: 'trufflehog' });
      expect(report).toEqual({ file, format: 'trufflehog', tools: [{ name: 'trufflehog' }], findings: [] });
    }
    // A non-empty file is still parsed (and must be trufflehog's).
    await expectBad(write('{"hello": "world"}\n', 'jsonl'), /does not look like a trufflehog report/, { format: 'trufflehog' });
  });

  test('truncated JSON', async () => {
    const text = readFileSync(fixture(SEMGREP_SARIF), 'utf8');
    await expectBad(write(text.slice(0, Math.floor(text.length / 2))), /truncated or unparsable JSON/);
  });

  test('truncated JSON, read lazily from the file', async () => {
    const text = readFileSync(fixture(SEMGREP_SARIF), 'utf8');
    const lazy = { decode: { lazyAboveBytes: 1, lazyContainerBytes: 256 } };
    await expectBad(write(text.slice(0, Math.floor(text.length / 2))), /truncated or unparsable JSON: the file ends inside/, lazy);
    // Cut inside a string, and a closing bracket of the wrong kind.
    await expectBad(write('{"version": "2.1.0", "runs": [{"tool": "unfinis'), /ends inside a string/, lazy);
    await expectBad(write('{"version": "2.1.0", "runs": [}'), /expected a value at byte 30/, lazy);
  });

  test('garbage after the JSON value', async () => {
    await expectBad(write('{"version": "2.1.0", "runs": []} trailing'), /truncated or unparsable JSON/);
  });

  test('truncated NDJSON names the line', async () => {
    const lines = readFileSync(fixture('securityhub-asff/prowler-v2-asff.ndjson'), 'utf8').split('\n').filter((l) => l.trim());
    const cut = [...lines.slice(0, 3), lines[3].slice(0, 40)].join('\n');
    await expectBad(write(cut, 'ndjson'), /truncated or unparsable NDJSON: line 4/);
  });

  test('truncated XML', async () => {
    const xml = readFileSync(fixture('zap/xml-v2.10.0-juice-shop-six-alerts.xml'), 'utf8');
    await expectBad(write(xml.slice(0, Math.floor(xml.length / 2)), 'xml'), /truncated or unparsable XML/);
  });

  test('CSV with an unterminated quote', async () => {
    await expectBad(write('Rule ID,Resource ID\n"AwsSolutions-S1,x\n', 'csv'), /quoted cell in row 2 is never closed/);
  });

  test('a binary file', async () => {
    await expectBad(write(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00])), /binary file/);
  });

  test('plain text (a scanner\'s error message instead of a report)', async () => {
    // The text is not quoted: the file could be anything, a secret or a system file.
    const file = write('Error: could not connect to the vulnerability database\n', 'txt');
    await expectBad(file, /not a JSON, NDJSON, XML or CSV report: its first line is no JSON, XML or CSV header/);
    await expect(loadReport(file)).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('could not connect') }));
  });

  test('JSON no parser knows: unrecognized format, listing the known ones', async () => {
    await expectBad(write('{"hello": "world"}'), new RegExp(`unrecognized format: it is JSON that no known format recognizes; known formats: ${knownFormats().join(', ')}`));
    expect(knownFormats()[0]).toBe('sarif');
  });

  test('a forced format that does not match says what the file looks like', async () => {
    await expectBad(fixture('trivy/image-alpine-310-vulns.json'), /does not look like a sarif report: it (looks like|is JSON)/, { format: 'sarif' });
    await expectBad(fixture('zap/xml-v2.9.0-no-alerts.xml'), /does not look like a sarif report \(sarif reports are JSON, this file is XML\)/, { format: 'sarif' });
    const other = knownFormats().find((f) => f !== 'sarif');
    if (other !== undefined) {
      // With the native parsers registered: a SARIF report forced as another tool's format.
      await expectBad(fixture(SEMGREP_SARIF), new RegExp(`does not look like a ${other} report.*it looks like sarif \\(SARIF 2\\.1\\.0 from any tool\\)`), { format: other });
    }
  });

  test('an unknown forced format', async () => {
    await expectBad(fixture(SEMGREP_SARIF), /unknown format "nessus"; known formats: sarif/, { format: 'nessus' });
  });

  test('SARIF without runs', async () => {
    await expectBad(write('{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0"}', 'sarif'), /SARIF report has no "runs"/);
    await expectBad(write('{"version": "2.1.0"}', 'sarif'), /SARIF report has no "runs"/);
  });

  test('an unknown severity string', async () => {
    const doc = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ ruleId: 'r', level: 'catastrophic', message: { text: 'm' } }] }] };
    await expectBad(write(JSON.stringify(doc)), /unknown SARIF level "catastrophic"/);
  });

  test('a parser that throws something else is still a ReportFormatError naming the file', async () => {
    // runs[0].tool is a string: the parser must not crash with a TypeError that hides the file.
    await expectBad(write('{"version": "2.1.0", "runs": [{"tool": "x", "results": []}]}'), /runs\[0\]\.tool\.driver is missing/);
  });
});

describe('encodings', () => {
  test('BOM and CRLF are accepted and give the same findings', async () => {
    const original = await loadReport(fixture(SEMGREP_SARIF));
    const text = readFileSync(fixture(SEMGREP_SARIF), 'utf8');
    expect(text.includes('\r\n')).toBe(false);
    const crlf = write(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8')]), 'sarif');
    const converted = await loadReport(crlf);
    expect(converted.findings).toEqual(original.findings);
    expect(converted.findings).toHaveLength(77);
    // Lazily read, too.
    const lazy = await loadReport(crlf, { decode: { lazyAboveBytes: 1, lazyContainerBytes: 512, readWindowBytes: 97 } });
    expect(lazy.findings).toEqual(original.findings);
  });

  test('UTF-16 with a BOM (PowerShell\'s default) is converted', async () => {
    const text = readFileSync(fixture('gitleaks/v8-sarif-one-finding.sarif'), 'utf8');
    const le = write(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'sarif');
    expect((await loadReport(le)).findings).toHaveLength(1);
  });

  test('a one-line NDJSON report (one record) is offered to the NDJSON parsers', async () => {
    const first = readFileSync(fixture('securityhub-asff/prowler-v2-asff.ndjson'), 'utf8').split('\n')[0];
    const report = await loadReport(write(`${first}\n`, 'ndjson'));
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0].severity).toBe(Severity.HIGH);
  });

  test('NDJSON: one record per line, CRLF accepted', () => {
    const report = decodeReport('x.ndjson', Buffer.from('{"a":1}\r\n\r\n{"a":2}\r\n'));
    expect(report.encoding).toBe('ndjson');
    expect(report.doc).toEqual([{ a: 1 }, { a: 2 }]);
  });

  test('XML: attributes as @_name, values kept as strings', () => {
    const report = decodeReport('x.xml', Buffer.from('<?xml version="1.0"?>\r\n<r v="1.10"><e>2.0</e><e>3</e></r>'));
    expect(report.encoding).toBe('xml');
    expect(report.doc).toEqual(expect.objectContaining({ r: { '@_v': '1.10', 'e': ['2.0', '3'] } }));
  });

  test('CSV: header first, quoted commas, quotes and line breaks, CRLF', () => {
    expect(decodeCsv('x.csv', 'A,B,C\r\n"x, y","say ""hi""","two\r\nlines"\r\nplain,,end\r\n')).toEqual([
      ['A', 'B', 'C'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['plain', '', 'end'],
    ]);
    const report = decodeReport('n.csv', readFileSync(fixture('cdk-nag/v2.38.2-AwsSolutions-SampleAppStack-NagReport.csv')));
    expect(report.encoding).toBe('csv');
    const rows = report.doc as string[][];
    expect(rows[0]).toEqual(['Rule ID', 'Resource ID', 'Compliance', 'Exception Reason', 'Rule Level', 'Rule Info']);
    expect(rows.filter((r) => r[2] === 'Non-Compliant')).toHaveLength(7);
  });
});

describe('lazy decoding', () => {
  // Tiny windows put read boundaries everywhere: inside strings, escapes, numbers and keys.
  const tiny = { lazyAboveBytes: 1, lazyContainerBytes: 64, readWindowBytes: 61 };
  const jsonFixtures = readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(path.join(FIXTURES, d.name)).map((f) => `${d.name}/${f}`))
    .filter((f) => /\.(json|sarif|ndjson|jsonl)$/.test(f));

  test('covers the JSON fixtures', () => {
    expect(jsonFixtures.length).toBeGreaterThan(50);
  });

  test.each(jsonFixtures)('%s: the lazy document equals JSON.parse, and loads to the same findings', async (name) => {
    const bytes = readFileSync(fixture(name));
    const eager = decodeReport(name, bytes);
    const lazy = decodeReport(name, bytes, tiny);
    expect(lazy.encoding).toBe(eager.encoding);
    expect(JSON.stringify(lazy.doc)).toBe(JSON.stringify(eager.doc));
    // The same findings, or (a report that fails closed) the same error.
    const outcome = (options = {}) => loadReport(fixture(name), options).then((r) => r.findings, (e: Error) => e.message);
    expect(await outcome({ decode: tiny })).toEqual(await outcome());
  });

  test('escaped quotes and backslash runs across every read window boundary', () => {
    const values = ['\\', '\\\\', '"', '\\"', 'a\\\\\\"b', '\u00e9\\"\u2028', '', 'x'.repeat(40) + '\\'];
    const doc = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: values.map((v) => ({ ruleId: v, message: { text: `${v}"${v}` } })) }] };
    const bytes = Buffer.from(JSON.stringify(doc));
    for (let window = 1; window <= 12; window++) {
      const file = write(bytes);
      const opened = openLargeJsonReport(file, { lazyContainerBytes: 16, readWindowBytes: window })!;
      try {
        expect(JSON.stringify(opened.report.doc)).toBe(JSON.stringify(doc));
      } finally {
        opened.source.close();
      }
    }
  });

  test('lazy arrays are real arrays to parsers, read-only, and parse one element at a time', () => {
    const doc = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: Array.from({ length: 50 }, (_, i) => ({ ruleId: `r${i}` })) }] };
    const report = decodeReport('x', Buffer.from(JSON.stringify(doc)), { lazyAboveBytes: 1, lazyContainerBytes: 200 });
    const results = (report.doc as typeof doc).runs[0].results;
    expect(Array.isArray(results)).toBe(true);
    expect(results).toHaveLength(50);
    expect(results[7]).toEqual({ ruleId: 'r7' });
    expect(results[50]).toBeUndefined();
    expect(results.map((r) => r.ruleId).slice(-2)).toEqual(['r48', 'r49']);
    expect([...results].length).toBe(50);
    expect(Object.keys(results)).toHaveLength(50);
    expect(() => (results as unknown[]).push({})).toThrow(/read-only/);
    const seen: unknown[] = [];
    forEachElement(results, (r, i) => seen.push([i, (r as { ruleId: string }).ruleId]));
    expect(seen[49]).toEqual([49, 'r49']);
    expect([...elementsAt(report.doc, ['runs', '*', 'results'])]).toHaveLength(50);
  });

  test('escaped quotes and backslash runs across every read boundary', () => {
    const strings = ['a\\', '\\\\"x', '"', '\\', 'q\\\\\\"', `${'long '.repeat(12)}\\"${'tail '.repeat(9)}\\\\`, '\u00e9\u4e2d\ud83d\ude00'];
    const doc = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: strings.map((text, i) => ({ ruleId: `r${i}`, message: { text } })) }] };
    const file = write(JSON.stringify(doc));
    for (let windowBytes = 1; windowBytes <= 40; windowBytes++) {
      const opened = openLargeJsonReport(file, { lazyContainerBytes: 16, readWindowBytes: windowBytes })!;
      try {
        expect(JSON.stringify(opened.report.doc)).toBe(JSON.stringify(doc));
      } finally {
        opened.source.close();
      }
    }
  });

  test('a lazy array read after its report was closed fails instead of reading another file', () => {
    const doc = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: Array.from({ length: 200 }, (_, i) => ({ ruleId: `r${i}` })) }] };
    const opened = openLargeJsonReport(write(JSON.stringify(doc)), { lazyContainerBytes: 256, readWindowBytes: 1024 })!;
    const results = (opened.report.doc as typeof doc).runs[0].results;
    expect(results[0]).toEqual({ ruleId: 'r0' });
    opened.source.close();
    // Element 150 is in a later run of elements than 0 (runs are at most 64 long): it must be read.
    expect(() => results[150]).toThrow(/read after the report was closed/);
  });

  test('elements are parsed in runs, in order, and read back alike', () => {
    const results = Array.from({ length: 300 }, (_, i) => ({ ruleId: `r${i}`, n: i, s: 'x'.repeat(i % 7) }));
    const report = decodeReport('x', Buffer.from(JSON.stringify({ results }, null, 1)), { lazyAboveBytes: 1, lazyContainerBytes: 256 });
    const lazy = (report.doc as { results: unknown[] }).results;
    for (const i of [0, 63, 64, 65, 299, 128, 1, 200, 199]) expect(lazy[i]).toEqual(results[i]);
    const seen: unknown[] = [];
    forEachElement(lazy, (r) => seen.push(r));
    expect(seen).toEqual(results);
  });

  test('a "__proto__" key stays a plain property, as with JSON.parse', () => {
    const text = `{"__proto__": {"polluted": true}, "big": [${'"xxxxxxxxxx",'.repeat(20)}"y"]}`;
    const doc = decodeReport('x', Buffer.from(text), { lazyAboveBytes: 1, lazyContainerBytes: 32 }).doc as Record<string, unknown>;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect((doc as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(doc)).toEqual(['__proto__', 'big']);
  });

  // The index only skips over small values (brackets and strings matched); JSON.parse checks them.
  const sarifWith = (results: string, extra = '') => `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[${results}]${extra}}]}`;
  const good = (i: number) => `{"ruleId":"r${i}","level":"error","message":{"text":"finding number ${i}"}}`;
  const lazyFile = { decode: { lazyAboveBytes: 1, lazyContainerBytes: 128, readWindowBytes: 4096 } };

  test('a malformed small element inside a lazy array fails closed when the parser reads it', async () => {
    const results = [good(0), good(1), '{"ruleId":"r2" "level":"error"}', good(3), good(4)].join(',');
    await expectBad(write(sarifWith(results)), /truncated or unparsable JSON at bytes \d+-\d+/, lazyFile);
  });

  test('a malformed element of a lazy array no parser reads still fails closed', async () => {
    // "notes" is no SARIF field: the parser never reads it, the loader's check of unread elements does.
    const notes = `,"notes":[${Array.from({ length: 30 }, (_, i) => `{"n":${i}}`).join(',')},{"n":01},{"n":7}]`;
    const file = write(sarifWith([good(0), good(1), good(2)].join(','), notes));
    await expectBad(file, /truncated or unparsable JSON at bytes \d+-\d+/, lazyFile);
    // The same file with the element fixed loads.
    const fixed = write(sarifWith([good(0), good(1), good(2)].join(','), notes.replace('01', '1')));
    expect((await loadReport(fixed, lazyFile)).findings).toHaveLength(3);
  });

  test('mismatched brackets inside a small element are named by the tokenizer with their byte', async () => {
    const results = [good(0), '{"ruleId":"r1","message":{"text":"x"]}', good(2)].join(',');
    await expectBad(write(sarifWith(results)), /truncated or unparsable JSON: expected "," or "}" at byte \d+/, lazyFile);
  });

  test('NDJSON from a file, lazily', async () => {
    const name = 'securityhub-asff/prowler-v2-asff.ndjson';
    const report = decodeReport(name, readFileSync(fixture(name)), tiny);
    expect(report.encoding).toBe('ndjson');
    expect((report.doc as unknown[]).length).toBe(10);
  });
});

describe('large reports', () => {
  /** Writes a SARIF report with `count` results, each padded with `pad` characters of message. */
  function writeLargeSarif(count: number, pad: number): string {
    const file = path.join(dir, `large-${counter++}.sarif`);
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"bulk","version":"1",'
        + '"rules":[{"id":"r0","defaultConfiguration":{"level":"error"}},{"id":"r1","properties":{"security-severity":"9.5"}}]}},"results":[\n');
      const filler = 'x'.repeat(pad);
      let batch: string[] = [];
      for (let i = 0; i < count; i++) {
        batch.push(JSON.stringify({
          ruleId: `r${i % 2}`,
          message: { text: `finding ${i} ${filler}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: `src/m${i % 100}/f${i}.ts` }, region: { startLine: (i % 300) + 1, snippet: { text: `call(${i})` } } } }],
        }));
        if (batch.length === 5000 || i === count - 1) {
          writeSync(fd, batch.join(',\n') + (i === count - 1 ? '\n' : ',\n'));
          batch = [];
        }
      }
      writeSync(fd, ']}]}\n');
    } finally {
      closeSync(fd);
    }
    return file;
  }

  test('100,000 findings', async () => {
    const file = writeLargeSarif(100_000, 0);
    const report = await loadReport(file);
    expect(report.findings).toHaveLength(100_000);
    expect(report.findings.filter((f) => f.severity === Severity.CRITICAL)).toHaveLength(50_000);
    expect(report.findings.filter((f) => f.severity === Severity.HIGH)).toHaveLength(50_000);
    expect(new Set(report.findings.map((f) => f.fingerprint)).size).toBe(100_000);
    expect(report.findings[99_999].location).toEqual({ file: 'src/m99/f99999.ts', startLine: (99_999 % 300) + 1, endLine: (99_999 % 300) + 1, snippet: 'call(99999)' });
    rmSync(file);
  });

  test('a 200 MB report loads (read from the file, not whole)', async () => {
    const file = writeLargeSarif(60_000, 3_300);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(200 * 1000 * 1000);
    const report = await loadReport(file);
    expect(report.findings).toHaveLength(60_000);
    expect(report.findings[59_999].description).toMatch(/^finding 59999 x+$/);
    rmSync(file);
  });
});

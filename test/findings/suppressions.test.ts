import { readFileSync } from 'fs';
import { join } from 'path';
import {
  describeProblem,
  isIsoDate,
  matchesFinding,
  parseSuppressions,
  Suppression,
  SuppressionFileError,
  visibleLength,
} from '../../src/findings/suppressions';
import { Finding } from '../../src/model/finding';
import { Severity } from '../../src/model/severity';

const FILE = '.devsecops/suppressions.yaml';
const NOW = new Date('2025-06-01T12:00:00Z');

function finding(over: Partial<Finding> = {}): Finding {
  return {
    tools: [{ name: 'semgrep' }],
    ruleId: 'python.eval',
    title: 'eval used',
    severity: Severity.HIGH,
    cves: [],
    cwes: [],
    fingerprint: 'code:aaaa',
    location: { file: 'src/app/main.py', startLine: 3 },
    ...over,
  };
}

function parse(text: string, horizonDays?: number) {
  return parseSuppressions(text, FILE, { now: NOW, ...(horizonDays !== undefined && { horizonDays }) });
}

describe('parseSuppressions: well-formed entries', () => {
  test('reads the mapping form with every field', () => {
    const set = parse(`
version: 1
suppressions:
  - id: SUP-1
    rule: python.eval
    path: "./src/**/*.py"
    reason: constant input, reviewed in PR 12
    expires: 2025-06-30
    owner: team-a
    falsePositive: true
  - cve: cve-2021-44228
    reason: not reachable
    expires: "2025-07-01"
  - fingerprint: code:bbbb
    reason: test fixture
    expires: 2025-06-01
`);
    expect(set.malformed).toEqual([]);
    expect(set.expired).toEqual([]);
    expect(set.active).toHaveLength(3);
    const [a, b, c] = set.active;
    expect(a).toEqual({
      index: 0,
      label: '#0 SUP-1',
      id: 'SUP-1',
      rule: 'python.eval',
      path: 'src/**/*.py',
      reason: 'constant input, reviewed in PR 12',
      expires: '2025-06-30',
      owner: 'team-a',
      falsePositive: true,
    });
    expect(b.cve).toBe('CVE-2021-44228');
    expect(b.label).toBe('#1 cve cve-2021-44228');
    expect(b.falsePositive).toBe(false);
    // expiring today still suppresses today
    expect(c.expires).toBe('2025-06-01');
  });

  test('accepts a bare list, a BOM and CRLF line ends', () => {
    const set = parse('\uFEFF- rule: r1\r\n  reason: x - accepted after review\r\n  expires: 2025-06-10\r\n');
    expect(set.active.map((s) => s.rule)).toEqual(['r1']);
  });

  test('an empty file or an empty list holds no entries', () => {
    expect(parse('').active).toEqual([]);
    expect(parse('suppressions: []\n').active).toEqual([]);
    expect(parse('# only a comment\n').active).toEqual([]);
  });
});

describe('parseSuppressions: expired and malformed entries', () => {
  test('an entry whose date has passed is expired, not active', () => {
    const set = parse('- rule: r1\n  reason: x - accepted after review\n  expires: 2025-05-31\n');
    expect(set.active).toEqual([]);
    expect(set.expired.map((s) => s.expires)).toEqual(['2025-05-31']);
  });

  test('a missing expires or reason names the entry and the field', () => {
    const set = parse('- id: SUP-9\n  rule: r1\n  reason: x - accepted after review\n- rule: r2\n  expires: 2025-06-10\n');
    expect(set.active).toEqual([]);
    expect(set.malformed).toEqual([
      { index: 0, label: '#0 SUP-9', field: 'expires', message: expect.stringContaining('required') },
      { index: 1, label: '#1 rule r2', field: 'reason', message: 'required' },
    ]);
    expect(describeProblem(FILE, set.malformed[0])).toBe(`${FILE}: entry #0 SUP-9: field "expires": required (an ISO date YYYY-MM-DD)`);
  });

  test('expires beyond the horizon is malformed; the horizon is configurable', () => {
    const text = '- rule: r1\n  reason: x - accepted after review\n  expires: 2025-09-15\n'; // 106 days after NOW
    const strict = parse(text);
    expect(strict.active).toEqual([]);
    expect(strict.malformed[0]).toMatchObject({ field: 'expires', message: expect.stringMatching(/106 days ahead; at most 90/) });
    expect(parse(text, 120).active).toHaveLength(1);
  });

  test.each([
    ['not a date', 'expires: next week', 'expires'],
    ['an impossible date', 'expires: 2025-02-30', 'expires'],
    ['a number', 'expires: 20250610', 'expires'],
    ['an unknown field (typo)', 'expires: 2025-06-10\n  expire: 2025-06-10', 'expire'],
    ['falsePositive not boolean', 'expires: 2025-06-10\n  falsePositive: "yes"', 'falsePositive'],
    ['an empty reason', 'expires: 2025-06-10\n  reason: ""', 'reason'],
  ])('%s is malformed', (_name, extra, field) => {
    const text = extra.includes('reason:') ? `- rule: r1\n  ${extra}\n` : `- rule: r1\n  reason: x - accepted after review\n  ${extra}\n`;
    const set = parse(text);
    expect(set.active).toEqual([]);
    expect(set.malformed.map((p) => p.field)).toContain(field);
  });

  // JSON.stringify keeps the invisible characters visible in the test source (\u escapes).
  test.each([
    ['a short reason', 'ok'],
    ['nine visible characters', 'false pos'],
    ['padding with spaces and tabs', 'ok\t      \t    ok'],
    ['zero-width and format characters', 'ok\u200B\u200C\u200D\u2060\uFEFF\u200B\u200B\u200B\u200Bok'],
    ['no-break, ideographic and other Zs spaces', 'ok\u00A0\u3000\u2007\u202F\u205F\u2002\u2003\u2009ok'],
    ['bidi controls and a soft hyphen (Cf)', 'ok\u202E\u2066\u2069\u00AD\u061C\u180E\u200E\u200Fok'],
    ['Hangul fillers and a braille blank', 'ok\u3164\u3164\u115F\u1160\uFFA0\u2800\u2800ok'],
  ])('a reason with fewer than 10 visible characters is malformed: %s', (_name, reason) => {
    const set = parse(`- rule: r1\n  reason: ${JSON.stringify(reason)}\n  expires: 2025-06-10\n`);
    expect(set.active).toEqual([]);
    expect(set.malformed).toEqual([expect.objectContaining({ field: 'reason', message: expect.stringMatching(/at least 10 visible characters/) })]);
  });

  test('a reason of exactly 10 visible characters, or with invisible characters between words, is accepted', () => {
    expect(visibleLength('reviewed42')).toBe(10);
    expect(visibleLength('a\u200Bb\uFEFFc d\te')).toBe(5);
    const set = parse('- rule: r1\n  reason: "reviewed42"\n  expires: 2025-06-10\n- rule: r2\n  reason: "d\u00E9j\u00E0 revu, PR 7"\n  expires: 2025-06-10\n');
    expect(set.malformed).toEqual([]);
    expect(set.active.map((s) => s.rule)).toEqual(['r1', 'r2']);
  });

  test('matchers: none, several, path without rule and a bad CVE id are malformed', () => {
    const set = parse(`
- reason: x - accepted after review
  expires: 2025-06-10
- rule: r1
  cve: CVE-2020-1234
  reason: x - accepted after review
  expires: 2025-06-10
- cve: CVE-2020-1234
  path: "src/**"
  reason: x - accepted after review
  expires: 2025-06-10
- cve: log4shell
  reason: x - accepted after review
  expires: 2025-06-10
- just a string
`);
    expect(set.active).toEqual([]);
    expect(set.malformed.map((p) => [p.index, p.field])).toEqual([
      [0, '(entry)'], [1, '(entry)'], [2, 'path'], [3, 'cve'], [4, '(entry)'],
    ]);
  });

  test('one bad entry does not spoil the others', () => {
    const set = parse('- rule: r1\n  reason: x - accepted after review\n- rule: r2\n  reason: y - accepted after review\n  expires: 2025-06-10\n');
    expect(set.active.map((s) => s.rule)).toEqual(['r2']);
    expect(set.active[0].index).toBe(1);
  });
});

describe('parseSuppressions: unusable files', () => {
  test.each([
    ['invalid YAML', 'suppressions: [\n  - rule: x', /not valid YAML \(line \d+, column \d+\)/],
    ['a scalar', 'just text', /expected a mapping/],
    ['an unknown top-level key', 'supressions: []', /unknown top-level key\(s\) "supressions"/],
    ['suppressions not a list', 'suppressions: {rule: x}', /"suppressions" must be a list/],
    ['an unsupported version', 'version: 2\nsuppressions: []', /unsupported "version" 2/],
    ['duplicate keys', '- rule: a\n  rule: b\n  reason: x - accepted after review\n  expires: 2025-06-10', /not valid YAML/],
  ])('%s throws SuppressionFileError naming the file', (_name, text, problem) => {
    let error: unknown;
    try {
      parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SuppressionFileError);
    expect((error as Error).message.startsWith(`${FILE}: `)).toBe(true);
    expect((error as Error).message).toMatch(problem);
  });
});

describe('matchesFinding', () => {
  const entry = (over: Partial<Suppression>): Suppression => ({ index: 0, label: '#0', reason: 'r', expires: '2025-06-10', falsePositive: false, ...over });

  test('by fingerprint', () => {
    expect(matchesFinding(entry({ fingerprint: 'code:aaaa' }), finding())).toBe(true);
    expect(matchesFinding(entry({ fingerprint: 'code:bbbb' }), finding())).toBe(false);
  });

  test('by rule, narrowed by a path glob (dot directories included)', () => {
    expect(matchesFinding(entry({ rule: 'python.eval' }), finding())).toBe(true);
    expect(matchesFinding(entry({ rule: 'python.eval', path: 'src/**/*.py' }), finding())).toBe(true);
    expect(matchesFinding(entry({ rule: 'python.eval', path: 'src/**/*.py' }), finding({ location: { file: 'src/.hidden/x.py' } }))).toBe(true);
    expect(matchesFinding(entry({ rule: 'python.eval', path: 'tests/**' }), finding())).toBe(false);
    expect(matchesFinding(entry({ rule: 'other' }), finding())).toBe(false);
    // a path glob never matches a finding without a path
    expect(matchesFinding(entry({ rule: 'python.eval', path: '**' }), finding({ location: undefined }))).toBe(false);
  });

  test('a path glob matches the template or image of a resource finding', () => {
    const iac = finding({ ruleId: 'CKV_AWS_18', location: undefined, resource: { id: 'Bucket', target: 'cdk.out/App.template.json' } });
    expect(matchesFinding(entry({ rule: 'CKV_AWS_18', path: 'cdk.out/*.template.json' }), iac)).toBe(true);
  });

  test('by CVE, in the finding\'s CVE list or as its rule id, case-insensitively', () => {
    const dep = finding({ ruleId: 'GHSA-jfh8-c2jp-5v3q', cves: ['cve-2021-44228'], location: undefined });
    expect(matchesFinding(entry({ cve: 'CVE-2021-44228' }), dep)).toBe(true);
    expect(matchesFinding(entry({ cve: 'CVE-2021-44228' }), finding({ ruleId: 'CVE-2021-44228' }))).toBe(true);
    expect(matchesFinding(entry({ cve: 'CVE-2021-45046' }), dep)).toBe(false);
  });
});

test('isIsoDate accepts real calendar dates only', () => {
  expect(isIsoDate('2024-02-29')).toBe(true);
  expect(isIsoDate('2025-02-29')).toBe(false);
  expect(isIsoDate('2025-6-1')).toBe(false);
  expect(isIsoDate('2025-06-01T00:00:00Z')).toBe(false);
});

describe("the README's example", () => {
  test('is a valid suppressions file: two active entries, nothing malformed', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Findings, suppressions and baselines'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    // On the day the example was written: both dates within the 90-day horizon.
    const set = parseSuppressions(yaml!, FILE, { now: new Date('2026-11-28T12:00:00Z') });
    expect(set.malformed).toEqual([]);
    expect(set.expired).toEqual([]);
    expect(set.active.map((s) => s.label)).toEqual(['#0 SUP-12', '#1 cve CVE-2021-44228']);
  });
});

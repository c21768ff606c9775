import { readFileSync } from 'fs';
import { join } from 'path';
import { NATIVE_SEVERITY, SARIF_LEVEL_SEVERITY, severityFromScore } from '../../src/findings/normalize';
import { isAtLeast, Severity, SEVERITY_ORDER, severityRank } from '../../src/model/severity';

describe('severity order', () => {
  test('CRITICAL is the most serious and INFO the least', () => {
    expect(severityRank(Severity.CRITICAL)).toBe(0);
    expect(severityRank(Severity.INFO)).toBe(4);
  });

  test('isAtLeast compares against a threshold', () => {
    expect(isAtLeast(Severity.CRITICAL, Severity.HIGH)).toBe(true);
    expect(isAtLeast(Severity.HIGH, Severity.HIGH)).toBe(true);
    expect(isAtLeast(Severity.MEDIUM, Severity.HIGH)).toBe(false);
  });
});

describe("the README's severity table is the engine's table", () => {
  // The README documents normalize.ts for users; this keeps the two from drifting apart.
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const rows = new Map<Severity, string[]>();
  for (const line of readme.split('\n')) {
    const m = /^\| (CRITICAL|HIGH|MEDIUM|LOW|INFO) \|(.*)\|$/.exec(line);
    if (m) rows.set(m[1] as Severity, m[2].split('|').map((c) => c.trim()));
  }
  const words = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((w) => w[1]).sort();

  test('one row per severity', () => {
    expect([...rows.keys()]).toEqual(SEVERITY_ORDER);
  });

  test("score bands: each row's bounds fall in its severity, the score just below them outside it", () => {
    for (const [severity, [scores]] of rows) {
      const bounds = scores.split('–').map(Number);
      for (const b of bounds) expect(severityFromScore(b)).toBe(severity);
      const low = bounds[0];
      if (low > 0) expect(severityFromScore(Math.round((low - 0.1) * 10) / 10)).not.toBe(severity);
    }
  });

  test('SARIF levels and native words, both ways', () => {
    for (const [severity, [, level, native]] of rows) {
      expect(words(level)).toEqual(Object.keys(SARIF_LEVEL_SEVERITY).filter((k) => SARIF_LEVEL_SEVERITY[k] === severity).sort());
      expect(words(native)).toEqual(Object.keys(NATIVE_SEVERITY).filter((k) => NATIVE_SEVERITY[k] === severity).sort());
    }
  });
});

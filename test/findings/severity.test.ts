import { isAtLeast, Severity, severityRank } from '../../src/findings/severity';

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

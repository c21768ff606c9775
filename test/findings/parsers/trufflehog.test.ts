import { CTX, decodeFixture, parseFixture, report, severityCounts } from './decode-fixture';
import { trufflehogParser } from '../../../src/findings/parsers/trufflehog';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('trufflehog JSON lines', () => {
  // trufflehog has no severity: every result takes the gate's secret severity (default CRITICAL).
  test.each([
    ['trufflehog/v2-git-many-findings.jsonl', 64],
    ['trufflehog/v3-filesystem-ndjson-unverified.ndjson', 6],
  ])('%s has %i findings, all at the secret severity', (rel, count) => {
    const findings = parseFixture(trufflehogParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual({ CRITICAL: count });
  });

  test('v2 reasons as PROVENANCE counts them', () => {
    const byRule: Record<string, number> = {};
    for (const f of parseFixture(trufflehogParser, 'trufflehog/v2-git-many-findings.jsonl')) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    expect(byRule).toEqual({
      'Generic Secret': 6,
      'SSH (EC) private key': 16,
      'RSA private key': 13,
      'SSH (OPENSSH) private key': 10,
      'SSH (DSA) private key': 9,
      'PGP private key block': 10,
    });
  });

  test('v3: detector, file and line; unverified results say so; the raw secret stays out', () => {
    const findings = parseFixture(trufflehogParser, 'trufflehog/v3-filesystem-ndjson-unverified.ndjson');
    expect(findings.filter((f) => f.ruleId === 'Postgres')).toHaveLength(5);
    expect(findings[0]).toMatchObject({ ruleId: 'URI', rawSeverity: 'unverified', location: { file: '.git/config', startLine: 13 } });
    const raw = (decodeFixture('trufflehog/v3-filesystem-ndjson-unverified.ndjson').doc as Array<{ Raw: string }>)[0].Raw;
    expect(JSON.stringify(findings)).not.toContain(raw);
    // The fixture repeats its last line: the duplicate gets the same fingerprint.
    expect(findings[5].fingerprint).toBe(findings[4].fingerprint);
  });

  test('fails closed on a line that is not a trufflehog result', () => {
    const ok = { SourceMetadata: { Data: { Filesystem: { file: 'a', line: 1 } } }, DetectorName: 'URI', Raw: 'x' };
    expect(() => trufflehogParser.parse(report([ok, { hello: 'world' }], 'ndjson'), CTX)).toThrow(ReportFormatError);
    expect(() => trufflehogParser.parse(report([{ reason: 'r', path: 'a', stringsFound: 'x' }], 'ndjson'), CTX)).toThrow(/stringsFound/);
  });
});

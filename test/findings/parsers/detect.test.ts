import { decodeFixture, isSarif, listFixtures } from './decode-fixture';
import { NATIVE_PARSERS } from '../../../src/findings/parsers/native';
import { DecodedReport, ReportEncoding } from '../../../src/findings/parsers/types';

/** Which native parser each fixture directory's non-SARIF files belong to. */
const EXPECTED_FORMAT: Record<string, string> = {
  'bandit': 'bandit',
  'cdk-nag': 'cdk-nag',
  'cfn-guard': 'cfn-guard',
  'cfn-nag': 'cfn-nag',
  'checkov': 'checkov',
  'cyclonedx': 'cyclonedx',
  'dependency-check': 'dependency-check',
  'ecr': 'ecr',
  'gitleaks': 'gitleaks',
  'grype': 'grype',
  'inspector': 'inspector',
  'kics': 'kics',
  'npm-audit': 'npm-audit',
  'securityhub-asff': 'asff',
  'semgrep': 'semgrep',
  'spdx': 'spdx',
  'trivy': 'trivy',
  'trufflehog': 'trufflehog',
  'wapiti': 'wapiti',
  'zap': 'zap',
};

const fixtures = listFixtures();

describe('native parser detection', () => {
  test('the fixture set is the one PROVENANCE describes: 83 files, 21 tools', () => {
    expect(fixtures).toHaveLength(83);
    expect(new Set(fixtures.map((f) => f.split('/')[0])).size).toBe(21);
  });

  test('(format, encoding) pairs are unique', () => {
    const keys = NATIVE_PARSERS.map((p) => `${p.format}/${p.encoding}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test.each(fixtures.filter((f) => !isSarif(f)))('%s is claimed by exactly one native parser, the right one', (rel) => {
    const decoded = decodeFixture(rel);
    const claims = NATIVE_PARSERS.filter((p) => p.detect(decoded));
    expect(claims.map((p) => p.format)).toEqual([EXPECTED_FORMAT[rel.split('/')[0]]]);
    expect(claims[0].encoding).toBe(decoded.encoding);
  });

  test.each(fixtures.filter(isSarif))('%s (SARIF) is claimed by no native parser', (rel) => {
    const decoded = decodeFixture(rel);
    expect(NATIVE_PARSERS.filter((p) => p.detect(decoded)).map((p) => p.format)).toEqual([]);
  });

  test('a fixture re-labelled with another encoding is claimed by nobody', () => {
    for (const rel of fixtures) {
      const decoded = decodeFixture(rel);
      for (const encoding of ['json', 'ndjson', 'xml', 'csv'] as ReportEncoding[]) {
        if (encoding === decoded.encoding) continue;
        // The one legitimate overlap: a list of ASFF findings is a JSON report too (prowler v3).
        if (rel === 'securityhub-asff/prowler-v2-asff.ndjson' && encoding === 'json') continue;
        const relabelled: DecodedReport = { ...decoded, encoding };
        expect(NATIVE_PARSERS.filter((p) => p.detect(relabelled)).map((p) => `${rel} as ${encoding}: ${p.format}`)).toEqual([]);
      }
    }
  });

  test('odd documents are claimed by nobody and never make a detector throw', () => {
    const odd: unknown[] = [null, 0, 'text', true, {}, [null], [1, 2], [[]], { results: null }, { Findings: null }, { lines: 'x' }];
    for (const doc of odd) {
      for (const encoding of ['json', 'ndjson', 'xml', 'csv'] as ReportEncoding[]) {
        const claims = NATIVE_PARSERS.filter((p) => p.detect({ file: 'odd', encoding, doc }));
        expect(claims.map((p) => `${JSON.stringify(doc)} as ${encoding}: ${p.format}`)).toEqual([]);
      }
    }
  });
});

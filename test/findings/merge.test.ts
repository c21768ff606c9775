import * as path from 'path';
import { dependencyFingerprint } from '../../src/findings/fingerprint';
import { mergeFindings } from '../../src/findings/merge';
import { loadReport } from '../../src/findings/parsers/index';
import { Finding } from '../../src/model/finding';
import { Severity } from '../../src/model/severity';
import { FIXTURES } from '../support/fixtures';

function finding(overrides: Partial<Finding> & Pick<Finding, 'fingerprint'>): Finding {
  return {
    tools: [{ name: 'trivy', version: '0.50.0' }],
    ruleId: 'CVE-2021-23337',
    title: 'lodash: command injection',
    severity: Severity.HIGH,
    cves: ['CVE-2021-23337'],
    cwes: [],
    ...overrides,
  };
}

const lodash = { name: 'lodash', installedVersion: '4.17.20' };

describe('mergeFindings', () => {
  test('the same fingerprint becomes one finding', () => {
    const a = finding({ fingerprint: 'code:1', ruleId: 'r', cves: [], location: { file: 'a.ts', startLine: 3 } });
    const b = finding({ fingerprint: 'code:1', ruleId: 'r', cves: [], location: { file: 'a.ts', startLine: 9 } });
    const c = finding({ fingerprint: 'code:2', ruleId: 'r', cves: [] });
    const merged = mergeFindings([a, b, c]);
    expect(merged.map((f) => f.fingerprint)).toEqual(['code:1', 'code:2']);
    expect(merged[0].location?.startLine).toBe(3);
    expect(merged[0].tools).toEqual([{ name: 'trivy', version: '0.50.0' }]);
  });

  test('the same CVE in the same package and version from trivy and grype: one finding listing both, higher severity kept', () => {
    const trivy = finding({
      fingerprint: dependencyFingerprint('CVE-2021-23337', 'lodash', '4.17.20'),
      severity: Severity.HIGH,
      rawSeverity: 'HIGH',
      package: lodash,
      cwes: ['CWE-77'],
    });
    const grype = finding({
      tools: [{ name: 'grype', version: '0.74.0' }],
      ruleId: 'CVE-2021-23337-lodash',
      // A fingerprint of another shape (e.g. a tool that adds the lock file): the CVE and package still match.
      fingerprint: 'dep:other',
      severity: Severity.CRITICAL,
      rawSeverity: '9.8',
      package: { ...lodash, fixedVersion: '4.17.21' },
      cves: ['CVE-2021-23337'],
      cwes: ['CWE-94'],
    });
    const merged = mergeFindings([trivy, grype]);
    expect(merged).toHaveLength(1);
    expect(merged[0].tools.map((t) => t.name)).toEqual(['trivy', 'grype']);
    expect(merged[0].severity).toBe(Severity.CRITICAL);
    expect(merged[0].rawSeverity).toBe('9.8');
    expect(merged[0].package).toEqual({ name: 'lodash', installedVersion: '4.17.20', fixedVersion: '4.17.21' });
    expect(merged[0].cwes.sort()).toEqual(['CWE-77', 'CWE-94']);
    expect(merged[0].fingerprint).toBe(trivy.fingerprint);
    // The order of the tools' reports does not change the severity.
    expect(mergeFindings([grype, trivy])[0].severity).toBe(Severity.CRITICAL);
  });

  test('another version, another package or another CVE stays apart', () => {
    const base = finding({ fingerprint: 'dep:a', package: lodash });
    const merged = mergeFindings([
      base,
      finding({ tools: [{ name: 'grype' }], fingerprint: 'dep:b', package: { name: 'lodash', installedVersion: '4.17.19' } }),
      finding({ tools: [{ name: 'grype' }], fingerprint: 'dep:c', package: { name: 'lodash-es', installedVersion: '4.17.20' } }),
      finding({ tools: [{ name: 'grype' }], fingerprint: 'dep:d', package: lodash, cves: ['CVE-2020-8203'] }),
      // No installed version: not "the same package and version".
      finding({ tools: [{ name: 'grype' }], fingerprint: 'dep:e', package: { name: 'lodash' } }),
    ]);
    expect(merged).toHaveLength(5);
  });

  test('one tool reporting a CVE in two places keeps both (only different tools merge by CVE)', () => {
    const merged = mergeFindings([
      finding({ fingerprint: 'dep:app1', package: lodash, location: { file: 'app1/package-lock.json' } }),
      finding({ fingerprint: 'dep:app2', package: lodash, location: { file: 'app2/package-lock.json' } }),
      finding({ tools: [{ name: 'grype' }], fingerprint: 'dep:g', package: lodash }),
    ]);
    expect(merged).toHaveLength(2);
    expect(merged[0].tools.map((t) => t.name)).toEqual(['trivy', 'grype']);
    expect(merged[1].tools.map((t) => t.name)).toEqual(['trivy']);
  });

  test('suppressed by the tool only when every merged report was', () => {
    const a = finding({ fingerprint: 'x', suppressedByTool: true });
    const b = finding({ tools: [{ name: 'grype' }], fingerprint: 'x' });
    expect(mergeFindings([a, b])[0].suppressedByTool).toBeUndefined();
    expect(mergeFindings([a, { ...b, suppressedByTool: true }])[0].suppressedByTool).toBe(true);
  });

  test('inputs are not modified', () => {
    const a = finding({ fingerprint: 'x', package: lodash });
    const b = finding({ tools: [{ name: 'grype' }], fingerprint: 'x', severity: Severity.CRITICAL, cves: ['CVE-2021-23337', 'CVE-2099-0001'] });
    const before = JSON.stringify([a, b]);
    mergeFindings([a, b]);
    expect(JSON.stringify([a, b])).toBe(before);
  });

  // (Its speed is measured by `npm run bench:findings`, not here.)
  test('100,000 findings merge exactly, and no two merged findings share a fingerprint', () => {
    const findings: Finding[] = [];
    for (let i = 0; i < 100_000; i++) {
      // Every fourth finding repeats the one before it; the rest are distinct.
      const id = i % 4 === 3 ? i - 1 : i;
      findings.push(finding({ fingerprint: `code:${id}`, ruleId: `r${id}`, cves: [] }));
    }
    const merged = mergeFindings(findings);
    expect(merged).toHaveLength(75_000);
    expect(new Set(merged.map((f) => f.fingerprint)).size).toBe(75_000);
  });

  test('merged findings never share a fingerprint, also across CVE merges (gate-result.json lists each once)', () => {
    // trivy and grype report one CVE under different fingerprints; grype's fingerprint comes back later
    // with another tool: every finding that carries a known fingerprint joins that finding.
    const a = finding({ fingerprint: 'dep:trivy', package: lodash });
    const b = finding({ tools: [{ name: 'grype' }], fingerprint: 'dep:grype', package: lodash });
    const c = finding({ tools: [{ name: 'osv' }], fingerprint: 'dep:grype', package: lodash, cves: ['CVE-2099-0002'] });
    const d = finding({ fingerprint: 'code:other', cves: [] });
    const merged = mergeFindings([a, b, c, d, a]);
    // The smallest fingerprint of a merged finding is its own; the others come along.
    expect(merged.map((f) => f.fingerprint)).toEqual(['dep:grype', 'code:other']);
    expect(merged.map((f) => f.otherFingerprints)).toEqual([['dep:trivy'], undefined]);
    const all = merged.flatMap((f) => [f.fingerprint, ...(f.otherFingerprints ?? [])]);
    expect(new Set(all).size).toBe(all.length);
  });

  test('real reports: trivy SARIF twice (two runs of a gate) merge to the report\'s own findings', async () => {
    const file = path.join(FIXTURES, 'trivy/image-alpine-310-vulns.sarif');
    const { findings } = await loadReport(file);
    expect(mergeFindings([...findings, ...findings])).toEqual(mergeFindings(findings));
    expect(mergeFindings(findings)).toHaveLength(4);
  });
});

/**
 * The real scanners that npm installs here, run on examples/vulnerable-app (every seed must be
 * found) and examples/clean-app (nothing may be found). Assertions are on the scanners'
 * native reports for now; the same report paths will go to `devsecops-findings evaluate`.
 */
import * as path from 'path';
import { EXAMPLES, lineOf, ScanReport, readReport, runScanner, S3_CONTROL_TOWER_RULES } from './run-scanner';

const VULNERABLE = path.join(EXAMPLES, 'vulnerable-app');
const CLEAN = path.join(EXAMPLES, 'clean-app');

interface SarifResult {
  ruleId: string;
  level?: string;
  locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }>;
}
function sarifResults(report: ScanReport): SarifResult[] {
  const sarif = readReport<{ version: string; runs: Array<{ results: SarifResult[] }> }>(report);
  expect(sarif.version).toBe('2.1.0');
  expect(sarif.runs.length).toBeGreaterThan(0);
  return sarif.runs.flatMap(r => r.results ?? []);
}

describe('secrets: secretlint (recommended preset)', () => {
  test('finds the seeded fake AWS secret access key in vulnerable-app', () => {
    const report = runScanner('secretlint', VULNERABLE);
    expect(report.exitCode).toBe(0); // with --output it exits 0: the report decides
    const results = sarifResults(report);
    const aws = results.filter(r => r.ruleId.endsWith('@secretlint/secretlint-rule-aws'));
    expect(aws).toHaveLength(1);
    expect(aws[0].locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('src/config.js');
    expect(aws[0].locations?.[0]?.physicalLocation?.region?.startLine)
      .toBe(lineOf(path.join(VULNERABLE, 'src', 'config.js'), 'aws_secret_access_key = "'));
    expect(aws[0].level).toBe('error');
  });

  test('finds nothing in clean-app', () => {
    const report = runScanner('secretlint', CLEAN);
    expect(report.exitCode).toBe(0);
    expect(sarifResults(report)).toEqual([]);
  });
});

describe('IaC: cfn-guard (bundled in @cdklabs/cdk-validator-cfnguard) with Control Tower S3 rules', () => {
  const EXPECTED_RULES = [
    'S3_BUCKET_ACL_PROHIBITED_CHECK',
    'S3_BUCKET_DEFAULT_ENCRYPTION_KMS_CHECK',
    'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED_CHECK',
    'S3_BUCKET_POLICY_SSL_REQUESTS_ONLY_CHECK',
  ];

  test('finds the public, unencrypted bucket in vulnerable-app', () => {
    const report = runScanner('cfn-guard', VULNERABLE);
    const results = sarifResults(report);
    expect([...new Set(results.map(r => r.ruleId))].sort()).toEqual(EXPECTED_RULES);
    expect(results.length).toBeGreaterThanOrEqual(S3_CONTROL_TOWER_RULES.length);
    for (const r of results) {
      expect(r.level).toBe('error');
      expect(r.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toMatch(/vulnerable-app\/infra\/template\.json$/);
    }
    expect(report.exitCode).toBe(19); // cfn-guard's exit code for a failed validation
  });

  test('finds nothing in clean-app', () => {
    const report = runScanner('cfn-guard', CLEAN);
    expect(sarifResults(report)).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});

interface CycloneDx {
  bomFormat: string;
  specVersion: string;
  components?: Array<{ type: string; name: string; version: string; purl?: string }>;
}

// lodash before 4.17.19 is vulnerable to prototype pollution (CVE-2020-8203,
// GHSA-p6mc-m468-83gw; fixed in 4.17.19). `npm audit` and trivy cannot run on this network,
// so the SCA seed is checked through the SBOM: the vulnerable version is in it.
const LODASH_FIXED_IN = [4, 17, 19];
function isBefore(version: string, fixed: number[]): boolean {
  const v = version.split('.').map(Number);
  for (let i = 0; i < fixed.length; i++) {
    if (v[i] !== fixed[i]) return v[i] < fixed[i];
  }
  return false;
}

describe('SBOM: CycloneDX (cyclonedx-npm, from the lockfile, offline)', () => {
  function sbomOf(dir: string): CycloneDx {
    const report = runScanner('cyclonedx-npm', dir);
    expect({ exitCode: report.exitCode, stderr: report.exitCode === 0 ? '' : report.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const sbom = readReport<CycloneDx>(report);
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.specVersion).toBe('1.6');
    expect(sbom.components?.length).toBeGreaterThan(0);
    return sbom;
  }

  test('vulnerable-app: the SBOM lists lodash at the vulnerable version', () => {
    const lodash = sbomOf(VULNERABLE).components!.filter(c => c.name === 'lodash');
    expect(lodash.map(c => c.purl)).toEqual(['pkg:npm/lodash@4.17.15']);
    expect(isBefore(lodash[0].version, LODASH_FIXED_IN)).toBe(true);
  });

  test('clean-app: the SBOM lists lodash at a fixed version', () => {
    const lodash = sbomOf(CLEAN).components!.filter(c => c.name === 'lodash');
    expect(lodash.map(c => c.purl)).toEqual(['pkg:npm/lodash@4.17.21']);
    expect(isBefore(lodash[0].version, LODASH_FIXED_IN)).toBe(false);
  });

  test('the version comparison can tell vulnerable from fixed', () => {
    expect(isBefore('4.17.18', LODASH_FIXED_IN)).toBe(true);
    expect(isBefore('4.17.19', LODASH_FIXED_IN)).toBe(false);
    expect(isBefore('4.2.0', LODASH_FIXED_IN)).toBe(true);
    expect(isBefore('5.0.0', LODASH_FIXED_IN)).toBe(false);
  });
});

import { CTX, decodeFixture, parseFixture, report, severityCounts } from './decode-fixture';
import { elementsAt } from '../../../src/findings/parsers/lazy-json';
import { trivyParser, trivyReportMeta, trivyResultFindings, trivyVulnerabilityFinding } from '../../../src/findings/parsers/trivy';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('trivy JSON', () => {
  test.each([
    ['trivy/config-dockerfile-one-misconfig.json', 1, { HIGH: 1 }],
    ['trivy/config-terraform-misconfigs.json', 3, { HIGH: 1, MEDIUM: 1, LOW: 1 }],
    ['trivy/fs-npm-lockfile-vulns.json', 1, { MEDIUM: 1 }],
    ['trivy/fs-secrets.json', 2, { CRITICAL: 1, HIGH: 1 }],
    ['trivy/image-alpine-310-vulns.json', 4, { MEDIUM: 4 }],
    ['trivy/image-alpine-39-no-results.json', 0, {}],
    ['trivy/schema2-2021-image-many-vulns.json', 5, { CRITICAL: 1, HIGH: 1, MEDIUM: 3 }],
    ['trivy/schema2-2022-fs-misconfig-and-secrets.json', 5, { CRITICAL: 2, HIGH: 2, MEDIUM: 1 }],
  ])('%s has %i findings with PROVENANCE severities', (rel, count, severities) => {
    const findings = parseFixture(trivyParser, rel);
    expect(findings).toHaveLength(count);
    expect(severityCounts(findings)).toEqual(severities);
  });

  test('legacy list form: 93 findings; PROVENANCE UNKNOWN 1 counts as MEDIUM (shared table), so MEDIUM 9 + 1', () => {
    const findings = parseFixture(trivyParser, 'trivy/legacy-v1-list-format-debian-image.json');
    expect(findings).toHaveLength(93);
    expect(severityCounts(findings)).toEqual({ HIGH: 18, MEDIUM: 10, LOW: 65 });
    expect(findings.filter((f) => f.rawSeverity === 'UNKNOWN')).toHaveLength(1);
  });

  test('a vulnerability: package, fixed version, CVE, CWE, lock file location in a repository scan', () => {
    const [f] = parseFixture(trivyParser, 'trivy/fs-npm-lockfile-vulns.json');
    expect(f).toMatchObject({
      ruleId: 'CVE-2019-11358',
      package: { name: 'jquery', installedVersion: '3.3.9', fixedVersion: '3.4.0', ecosystem: 'npm' },
      cves: ['CVE-2019-11358'],
      cwes: ['CWE-79'],
      location: { file: 'package-lock.json' },
      helpUri: 'https://avd.aquasec.com/nvd/cve-2019-11358',
      tools: [{ name: 'trivy', version: 'dev' }],
    });
    expect(f.fingerprint).toMatch(/^dep:/);
  });

  test('vulnerabilities of one package share its package record; different versions or names never do', () => {
    const vuln = (id: string, name: string, installed: string, fixed?: string) => ({
      VulnerabilityID: id,
      PkgName: name,
      InstalledVersion: installed,
      FixedVersion: fixed,
      Severity: 'HIGH',
      PkgIdentifier: { PURL: `pkg:npm/${name}@${installed}` },
    });
    const doc = {
      SchemaVersion: 2,
      ArtifactName: 'app',
      ArtifactType: 'container_image',
      Results: [{
        Target: 'package-lock.json',
        Class: 'lang-pkgs',
        Type: 'npm',
        Vulnerabilities: [
          vuln('CVE-2024-0001', 'a', '1.0.0', '1.0.1'),
          vuln('CVE-2024-0002', 'a', '1.0.0', '1.0.1'),
          vuln('CVE-2024-0003', 'a', '1.0.0', '1.1.0'),
          vuln('CVE-2024-0004', 'a\u0000x', '1.0.0', '1.0.1'),
          vuln('CVE-2024-0005', 'a', 'x\u00001.0.0', '1.0.1'),
        ],
      }],
    };
    const findings = trivyParser.parse(report(doc), CTX);
    expect(findings.map((f) => f.package)).toEqual([
      { name: 'a', installedVersion: '1.0.0', fixedVersion: '1.0.1', ecosystem: 'npm' },
      { name: 'a', installedVersion: '1.0.0', fixedVersion: '1.0.1', ecosystem: 'npm' },
      { name: 'a', installedVersion: '1.0.0', fixedVersion: '1.1.0', ecosystem: 'npm' },
      { name: 'a\u0000x', installedVersion: '1.0.0', fixedVersion: '1.0.1', ecosystem: 'npm' },
      { name: 'a', installedVersion: 'x\u00001.0.0', fixedVersion: '1.0.1', ecosystem: 'npm' },
    ]);
    expect(findings[1].package).toBe(findings[0].package);
    expect(Object.isFrozen(findings[0].package)).toBe(true);
  });

  test('image findings name the image, not a repository file', () => {
    const [f] = parseFixture(trivyParser, 'trivy/image-alpine-310-vulns.json');
    expect(f.location).toBeUndefined();
    expect(f.resource).toMatchObject({ target: 'testdata/fixtures/images/alpine-310.tar.gz', kind: 'alpine' });
  });

  test('misconfigurations and secrets: file, lines, resource; secrets keep trivy severity', () => {
    const findings = parseFixture(trivyParser, 'trivy/config-terraform-misconfigs.json');
    expect(findings.find((f) => f.ruleId === 'AWS-0089')).toMatchObject({
      location: { file: 'terraform-aws-modules/s3-bucket/aws/main.tf', startLine: 25, endLine: 36 },
      resource: { id: 'module.bucket' },
    });
    const secrets = parseFixture(trivyParser, 'trivy/fs-secrets.json');
    expect(secrets.map((s) => [s.ruleId, s.severity, s.location?.file, s.location?.startLine])).toEqual([
      ['aws-access-key-id', 'CRITICAL', 'deploy.sh', 3],
      ['mysecret', 'HIGH', 'deploy.sh', 7],
    ]);
  });

  test('the per-result and per-vulnerability functions, driven by elementsAt, give what parse gives', () => {
    const rel = 'trivy/schema2-2022-fs-misconfig-and-secrets.json';
    const decoded = decodeFixture(rel);
    const meta = trivyReportMeta(rel, decoded.doc as Record<string, unknown>);
    let i = 0;
    const perResult = [...elementsAt(decoded.doc, ['Results'])].flatMap((r) => trivyResultFindings(meta, r, `result ${i++}`));
    expect(perResult).toEqual(trivyParser.parse({ ...decoded, file: rel }, CTX));
    const target = { Target: 'requirements.txt', Class: 'lang-pkgs', Type: 'pip' };
    const vulns = [...elementsAt(decoded.doc, ['Results', 0, 'Vulnerabilities'])].map((v, j) => trivyVulnerabilityFinding(meta, target, v, `vulnerability ${j}`));
    expect(vulns.map((v) => v.ruleId)).toEqual(['CVE-2021-33503', 'CVE-2021-28363']);
  });

  test('misconfiguration statuses: PASS is no finding, EXCEPTION is suppressed, others fail', () => {
    const misconf = (Status: string) => report({ SchemaVersion: 2, ArtifactName: '.', Results: [{ Target: 'Dockerfile', Class: 'config', Misconfigurations: [{ ID: 'DS002', Severity: 'HIGH', Status }] }] });
    expect(trivyParser.parse(misconf('PASS'), CTX)).toEqual([]);
    expect(trivyParser.parse(misconf('EXCEPTION'), CTX)[0].suppressedByTool).toBe(true);
    expect(() => trivyParser.parse(misconf('MAYBE'), CTX)).toThrow(/unknown Status/);
  });

  test('fails closed', () => {
    expect(() => trivyParser.parse(report({ SchemaVersion: 3, Results: [] }), CTX)).toThrow(/SchemaVersion 3/);
    expect(() => trivyParser.parse(report({ SchemaVersion: 2, Results: {} }), CTX)).toThrow(ReportFormatError);
    const vuln = { VulnerabilityID: 'CVE-1', PkgName: 'p', Severity: 'DIRE' };
    expect(() => trivyParser.parse(report({ SchemaVersion: 2, Results: [{ Target: 'x', Vulnerabilities: [vuln] }] }), CTX)).toThrow(/unknown severity "DIRE"/);
    expect(() => trivyParser.parse(report({ SchemaVersion: 2, Results: [{ Vulnerabilities: [] }] }), CTX)).toThrow(/Target/);
  });
});

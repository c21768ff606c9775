import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { decodeReport } from '../../../src/findings/parsers/decode';
import { loadReport } from '../../../src/findings/parsers/index';
import { parseSarif, sarifParser } from '../../../src/findings/parsers/sarif';
import { repositoryRoots, sarifUriToRepoPath } from '../../../src/findings/parsers/sarif-uri';
import { ReportFormatError } from '../../../src/findings/parsers/types';
import { Finding } from '../../../src/model/finding';
import { Severity } from '../../../src/model/severity';
import { FIXTURES } from '../../support/fixtures';


function fixture(name: string): string {
  const file = path.join(FIXTURES, name);
  if (!existsSync(file)) throw new Error(`fixture ${file} is missing: the scanner reports are kept in ${FIXTURES}`);
  return file;
}

function countBySeverity(findings: Finding[]): Partial<Record<Severity, number>> {
  const out: Partial<Record<Severity, number>> = {};
  for (const f of findings) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out;
}

interface Expected {
  readonly file: string;
  readonly tool: string;
  readonly count: number;
  readonly severities: Partial<Record<Severity, number>>;
  /** Where our notion differs from the count/severities PROVENANCE.md gives, and why. */
  readonly note?: string;
  /** The report holds `count` results but must fail closed with this problem (loadReport rejects it). */
  readonly rejects?: RegExp;
}

// Counts and severities from PROVENANCE.md. Severity precedence is normalize.ts': security-severity,
// then level (result, then rule default), then SARIF's default warning (MEDIUM).
const SARIF_FIXTURES: Expected[] = [
  {
    file: 'gitleaks/v7.4.0-sarif-many-findings.sarif',
    tool: 'Gitleaks',
    count: 8,
    severities: { CRITICAL: 8 },
    note: 'PROVENANCE: level absent (SARIF default warning) x8; gitleaks is a secret scanner, so the gate secret severity (default CRITICAL) applies',
  },
  {
    file: 'gitleaks/v8-sarif-one-finding.sarif',
    tool: 'gitleaks',
    count: 1,
    severities: { CRITICAL: 1 },
    note: 'PROVENANCE: level absent (warning) x1; secret scanner, so CRITICAL',
  },
  {
    file: 'semgrep/sarif-no-results-with-tool-error.sarif',
    tool: 'Semgrep OSS',
    count: 0,
    severities: {},
    note: 'PROVENANCE: 0 results, but an error-level toolExecutionNotification (a target it could not read) with executionSuccessful true: a scanner that reports an error may have missed findings, so the report fails closed',
    rejects: /runs\[0\]\.invocations\[0\]\.toolExecutionNotifications\[0\]: Semgrep OSS reports an error: File not found: targets\/basic\/inexistent\.py/,
  },
  {
    file: 'semgrep/sarif-v1.69.0-many-findings.sarif',
    tool: 'Semgrep OSS',
    count: 77,
    severities: { CRITICAL: 34, HIGH: 1, MEDIUM: 42 },
    note: 'PROVENANCE lists both levels (error 35, warning 42) and security-severity words; security-severity wins',
  },
  {
    file: 'semgrep/sarif-with-suppressed-nosemgrep-result.sarif',
    tool: 'Semgrep OSS',
    count: 2,
    severities: { HIGH: 2 },
    note: 'the nosemgrep result is kept and marked suppressedByTool (asserted below)',
  },
  {
    file: 'trivy/image-alpine-310-vulns.sarif',
    tool: 'Trivy',
    count: 4,
    severities: { MEDIUM: 4 },
    note: 'security-severity 5.3 is in the MEDIUM band, as is the level warning',
  },
  {
    file: 'grype/v0.34.7-sarif-java-image.sarif',
    tool: 'Grype',
    count: 22,
    severities: { CRITICAL: 1, HIGH: 11, MEDIUM: 4, LOW: 6 },
    note: 'level absent; the rule security-severity scores give the bands',
  },
  { file: 'checkov/sarif-v3.2.255-three-results.sarif', tool: 'Checkov', count: 3, severities: { HIGH: 3 } },
  { file: 'checkov/sarif-v3.2.470-no-results.sarif', tool: 'Checkov', count: 0, severities: {} },
  {
    file: 'kics/sarif-v2.1.8-one-result.sarif',
    tool: 'KICS',
    count: 1,
    severities: { HIGH: 1 },
    note: 'the result has kind fail and no level: the rule default level error applies',
  },
  { file: 'cfn-guard/validate-sarif-v3.2.0-fail.sarif', tool: 'cfn-guard', count: 8, severities: { HIGH: 8 } },
  { file: 'zap/sarif-v2.16.0-three-alerts.sarif', tool: 'ZAP', count: 3, severities: { HIGH: 3 } },
  {
    file: 'dependency-check/sarif-v6.1.2-many-vulns.sarif',
    tool: 'dependency-check',
    count: 13,
    severities: { HIGH: 13 },
    note: 'level error x13; the results\' properties.severity (low, medium, ...) is tool-native and comes after level in the precedence',
  },
  {
    file: 'hadolint/v2.15.1-three-dockerfiles.sarif',
    tool: 'Hadolint',
    count: 4,
    severities: { MEDIUM: 3, LOW: 1 },
    note: 'levels only: warning (DL3007, DL3008, DL3018) and note (DL3019, an info rule)',
  },
];

describe('SARIF fixtures: counts and severities of PROVENANCE.md', () => {
  test('the table covers every .sarif fixture', () => {
    const onDisk = readdirSync(FIXTURES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(FIXTURES, d.name)).filter((f) => f.endsWith('.sarif')).map((f) => `${d.name}/${f}`));
    expect(SARIF_FIXTURES.map((e) => e.file).sort()).toEqual(onDisk.sort());
    // ... and each is a row of PROVENANCE.md (its first column).
    const provenance = readFileSync(path.join(FIXTURES, 'PROVENANCE.md'), 'utf8');
    for (const e of SARIF_FIXTURES) expect(provenance).toContain(`| \`${e.file}\` |`);
  });

  test.each(SARIF_FIXTURES.map((e) => [e.file, e] as const))('%s', async (_name, expected) => {
    if (expected.rejects) {
      // The count is still PROVENANCE's (results in the file), but the report itself must not pass a gate.
      const doc = decodeReport(fixture(expected.file), readFileSync(fixture(expected.file))).doc as { runs: Array<{ results: unknown[] }> };
      expect(doc.runs.reduce((n, r) => n + r.results.length, 0)).toBe(expected.count);
      const error = await loadReport(fixture(expected.file)).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ReportFormatError);
      expect((error as Error).message.startsWith(`${fixture(expected.file)}: `)).toBe(true);
      expect((error as Error).message).toMatch(expected.rejects);
      return;
    }
    // Auto-detected: exactly one parser (SARIF) must claim the file.
    const report = await loadReport(fixture(expected.file));
    expect(report.format).toBe('sarif');
    expect(report.tools.map((t) => t.name)).toEqual([expected.tool]);
    expect(report.findings).toHaveLength(expected.count);
    expect(countBySeverity(report.findings)).toEqual(expected.severities);
    for (const f of report.findings) {
      expect(f.tools).toEqual(report.tools);
      expect(f.ruleId).not.toBe('');
      expect(f.title).not.toBe('');
      expect(f.fingerprint).toMatch(/^(code|tool|dep|iac|gen):[0-9a-f]{32}$/);
      if (f.location) {
        expect(f.location.file).not.toMatch(/^(\/|\.\/|file:)|(^|\/)\.\.(\/|$)|\\/);
      }
    }
  });
});

describe('SARIF fixtures: what each tool carries', () => {
  test('semgrep: security-severity words, rule default levels kept as raw severity when no score, CWE tags', async () => {
    const { findings } = await loadReport(fixture('semgrep/sarif-v1.69.0-many-findings.sarif'));
    expect(new Set(findings.map((f) => f.rawSeverity))).toEqual(new Set(['CRITICAL', 'HIGH', 'MEDIUM']));
    // Every rule is tagged with a CWE (e.g. "CWE-943: ...").
    expect(findings.every((f) => f.cwes.length > 0 && f.cwes.every((c) => /^CWE-\d+$/.test(c)))).toBe(true);
    expect(findings.find((f) => f.location?.file === 'routes/order.ts')?.cwes).toContain('CWE-943');
    // semgrep's own fingerprints (matchBasedId) are used: unique per result.
    expect(findings.every((f) => f.fingerprint.startsWith('tool:'))).toBe(true);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(77);
  });

  test('semgrep nosemgrep: the suppressed result is kept and marked suppressedByTool', async () => {
    const { findings } = await loadReport(fixture('semgrep/sarif-with-suppressed-nosemgrep-result.sarif'));
    const suppressed = findings.filter((f) => f.suppressedByTool);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].location).toEqual(expect.objectContaining({ file: 'targets/basic/regex-nosemgrep.txt', startLine: 1 }));
    expect(findings.filter((f) => !f.suppressedByTool)[0].location?.startLine).toBe(3);
  });

  test('semgrep tool error with executionSuccessful true: fails closed, naming the file and the error', async () => {
    // semgrep calls the run successful although it could not read a target: its 0 results do not
    // mean "nothing found", so the report is a bad input (exit 2), never a pass.
    const file = fixture('semgrep/sarif-no-results-with-tool-error.sarif');
    await expect(loadReport(file)).rejects.toThrow(ReportFormatError);
    await expect(loadReport(file)).rejects.toThrow(`${file}: runs[0].invocations[0].toolExecutionNotifications[0]: Semgrep OSS reports an error: File not found: targets/basic/inexistent.py`);
  });

  test('trivy: packages from the message, CVE ids, tool-independent dependency fingerprints', async () => {
    const { findings } = await loadReport(fixture('trivy/image-alpine-310-vulns.sarif'));
    expect(findings.map((f) => [f.cves[0], f.package?.name, f.package?.installedVersion]).sort()).toEqual([
      ['CVE-2019-1549', 'libcrypto1.1', '1.1.1c-r0'],
      ['CVE-2019-1549', 'libssl1.1', '1.1.1c-r0'],
      ['CVE-2019-1551', 'libcrypto1.1', '1.1.1c-r0'],
      ['CVE-2019-1551', 'libssl1.1', '1.1.1c-r0'],
    ]);
    expect(findings.every((f) => f.fingerprint.startsWith('dep:'))).toBe(true);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(4);
    expect(findings[0].package?.fixedVersion).toBe('1.1.1d-r0');
  });

  test('grype: CVE and GHSA ids out of rule ids, package and version out of the rule help', async () => {
    const { findings, tools } = await loadReport(fixture('grype/v0.34.7-sarif-java-image.sarif'));
    expect(tools).toEqual([{ name: 'Grype', version: '0.34.7' }]);
    const critical = findings.find((f) => f.severity === Severity.CRITICAL)!;
    expect(critical.ruleId).toBe('CVE-2019-12419-cxf-xjc-runtime');
    expect(critical.cves).toEqual(['CVE-2019-12419']);
    expect(critical.package).toEqual(expect.objectContaining({ name: 'cxf-xjc-runtime', installedVersion: '3.3.1' }));
    expect(critical.rawSeverity).toBe('9.8');
    const ghsa = findings.find((f) => f.ruleId.startsWith('GHSA-'))!;
    expect(ghsa.cves).toEqual([]);
    expect(ghsa.package?.name).toBe('jackson-databind');
    expect(ghsa.fingerprint.startsWith('dep:')).toBe(true);
    expect(findings.every((f) => f.fingerprint.startsWith('dep:'))).toBe(true);
  });

  test('gitleaks v7: no ruleId, the rule is read from the message; the gate secret severity applies', async () => {
    const report = await loadReport(fixture('gitleaks/v7.4.0-sarif-many-findings.sarif'), { secretSeverity: Severity.HIGH });
    expect(countBySeverity(report.findings)).toEqual({ HIGH: 8 });
    const rules: Record<string, number> = {};
    for (const f of report.findings) rules[f.ruleId] = (rules[f.ruleId] ?? 0) + 1;
    expect(rules).toEqual({ 'AWS Access Key': 6, 'Asymmetric Private Key': 2 });
  });

  test('ZAP: a URL location is a resource, not a file; CWE from the rule relationships', async () => {
    const { findings } = await loadReport(fixture('zap/sarif-v2.16.0-three-alerts.sarif'));
    expect(findings.every((f) => f.location === undefined && f.resource?.kind === 'url')).toBe(true);
    expect(findings[0].resource?.id).toMatch(/^http:\/\/bodgeit\.com:8080\/bodgeit\/search\.jsp/);
    expect(findings.filter((f) => f.ruleId === '40012').every((f) => f.cwes.includes('CWE-79'))).toBe(true);
  });

  test('KICS: absolute path made repository-relative, CWE from the taxonomy relationship', async () => {
    const { findings } = await loadReport(fixture('kics/sarif-v2.1.8-one-result.sarif'));
    expect(findings[0].location).toEqual({ file: 'code/KaiMonkey/cft/dms/replication-instance/deploy.yml', startLine: 13, endLine: 13 });
    expect(findings[0].cwes).toEqual(['CWE-284']);
    expect(findings[0].title).toBe('Amazon DMS Replication Instance Is Publicly Accessible');
  });

  test('dependency-check: file://// URIs become repository-relative paths', async () => {
    const { findings } = await loadReport(fixture('dependency-check/sarif-v6.1.2-many-vulns.sarif'));
    expect(findings.map((f) => f.location?.file)).toContain('src/.venv/lib/python3.9/site-packages/coverage/htmlfiles/jquery.min.js');
    expect(findings.filter((f) => f.cves.length > 0).map((f) => f.cves[0])).toContain('CVE-2019-11358');
  });

  test('cfn-guard: results of one rule at one line stay apart (the message tells them apart)', async () => {
    const { findings } = await loadReport(fixture('cfn-guard/validate-sarif-v3.2.0-fail.sarif'));
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(8);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-written SARIF for the rules the fixtures do not exercise.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sarif-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function writeSarif(doc: unknown): string {
  const file = path.join(dir, `report-${counter++}.sarif`);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

function sarif(results: unknown[], driver: Record<string, unknown> = {}, run: Record<string, unknown> = {}): unknown {
  return { version: '2.1.0', runs: [{ tool: { driver: { name: 'acme-scanner', version: '4.2.0', ...driver } }, results, ...run }] };
}

const at = (uri: string, startLine = 10, snippet?: string) => [{
  physicalLocation: { artifactLocation: { uri }, region: { startLine, ...(snippet ? { snippet: { text: snippet } } : {}) } },
}];

async function one(results: unknown[], driver?: Record<string, unknown>): Promise<Finding> {
  const { findings } = await loadReport(writeSarif(sarif(results, driver)));
  expect(findings).toHaveLength(1);
  return findings[0];
}

describe('results without a ruleId (the rule is read from the message)', () => {
  test('the longest rule id the message starts with, at a word boundary', async () => {
    const rules = [{ id: 'AWS' }, { id: 'AWS Access Key' }, { id: 'AWS Access Key secret detected twice' }, { id: 'Generic' }];
    const results = ['AWS Access Key secret detected', 'AWSome text', 'Generic: found x', 'nothing known'].map((text, i) => ({ message: { text }, locations: at(`f${i}.ts`) }));
    const { findings } = await loadReport(writeSarif(sarif(results, { rules })));
    expect(findings.map((f) => f.ruleId)).toEqual(['AWS Access Key', 'AWSome text', 'Generic', 'nothing known']);
  });

  test('60,000 results without ruleId against 60,000 rules: every result finds its rule (linear, not rules x results)', async () => {
    const n = 60_000;
    const rules = Array.from({ length: n }, (_, i) => ({ id: `Rule number ${i}`, shortDescription: { text: `title ${i}` } }));
    const results = Array.from({ length: n }, (_, i) => ({
      message: { text: `Rule number ${(i * 7) % n} secret detected` },
      locations: at(`src/f${i}.ts`, 1),
    }));
    const { findings } = await loadReport(writeSarif(JSON.stringify(sarif(results, { rules }))));
    expect(findings).toHaveLength(n);
    expect(findings.every((f, i) => f.ruleId === `Rule number ${(i * 7) % n}` && f.title === `title ${(i * 7) % n}`)).toBe(true);
  });
});

describe('SARIF severity precedence (normalize.ts)', () => {
  const rules = [
    { id: 'scored', properties: { 'security-severity': '9.1' }, defaultConfiguration: { level: 'note' } },
    { id: 'worded', properties: { 'security-severity': 'high' } },
    { id: 'levelled', defaultConfiguration: { level: 'error' } },
    { id: 'bare' },
  ];

  test.each([
    ['result security-severity over the rule\'s', { ruleId: 'scored', properties: { 'security-severity': '2.0' } }, Severity.LOW, '2.0'],
    ['rule security-severity over the result level', { ruleId: 'scored', level: 'note' }, Severity.CRITICAL, '9.1'],
    ['a word in security-severity', { ruleId: 'worded', level: 'note' }, Severity.HIGH, 'high'],
    ['an upper-case word on the result', { ruleId: 'bare', properties: { 'security-severity': 'CRITICAL' } }, Severity.CRITICAL, 'CRITICAL'],
    ['a numeric score', { ruleId: 'bare', properties: { 'security-severity': 7 } }, Severity.HIGH, '7'],
    ['result level over the rule default', { ruleId: 'levelled', level: 'note' }, Severity.LOW, 'note'],
    ['rule defaultConfiguration.level', { ruleId: 'levelled' }, Severity.HIGH, 'error'],
    ['level none', { ruleId: 'bare', level: 'none' }, Severity.INFO, 'none'],
    ['SARIF default warning', { ruleId: 'bare' }, Severity.MEDIUM, undefined],
    ['absent level of a non-fail kind is none', { ruleId: 'bare', kind: 'informational' }, Severity.INFO, undefined],
    ['rule found by ruleIndex', { ruleIndex: 2 }, Severity.HIGH, 'error'],
  ])('%s', async (_name, result, severity, raw) => {
    const f = await one([{ message: { text: 'x' }, locations: at('src/a.ts'), ...result }], { rules });
    expect(f.severity).toBe(severity);
    expect(f.rawSeverity).toBe(raw);
  });

  test('results of kind pass or notApplicable are not findings', async () => {
    const { findings } = await loadReport(writeSarif(sarif([
      { ruleId: 'bare', kind: 'pass', message: { text: 'ok' } },
      { ruleId: 'bare', kind: 'notApplicable', message: { text: 'n/a' } },
      { ruleId: 'bare', kind: 'fail', message: { text: 'bad' }, locations: at('a.ts') },
    ], { rules })));
    expect(findings.map((f) => f.description ?? f.title)).toEqual(['bad']);
  });

  test('an unknown level fails the report, naming the file and the result', async () => {
    const file = writeSarif(sarif([{ ruleId: 'r', level: 'severe', message: { text: 'x' } }]));
    await expect(loadReport(file)).rejects.toThrow(ReportFormatError);
    await expect(loadReport(file)).rejects.toThrow(new RegExp(`${escape(file)}: .*unknown SARIF level "severe" in runs\\[0\\]\\.results\\[0\\]\\.level`));
  });

  test('an unknown security-severity word fails the report', async () => {
    const file = writeSarif(sarif([{ ruleId: 'r', message: { text: 'x' }, properties: { 'security-severity': 'spicy' } }]));
    await expect(loadReport(file)).rejects.toThrow(/unknown severity "spicy" in runs\[0\]\.results\[0\]\.properties\.security-severity/);
    const outOfRange = writeSarif(sarif([{ ruleId: 'r', message: { text: 'x' }, properties: { 'security-severity': '11' } }]));
    await expect(loadReport(outOfRange)).rejects.toThrow(new RegExp(`^${escape(outOfRange)}: unknown severity "11"`));
  });

  test('a rule description that only wraps the rule id is no title: the result\'s message names the finding, a masked secret cut off', async () => {
    const id = '@secretlint/secretlint-rule-preset-recommend > @secretlint/secretlint-rule-aws';
    const described = [{ id, shortDescription: { text: `secretlint rule(${id}) error` } }, { id: 'B602', shortDescription: { text: 'B602: subprocess call with shell=True identified' } }];
    const f = await one([{ ruleId: id, level: 'error', message: { text: 'found AWS Secret Access Key: ****************************************' }, locations: at('src/config.js') }],
      { name: 'secretlint', rules: described });
    expect(f.title).toBe('found AWS Secret Access Key');
    const g = await one([{ ruleId: 'B602', level: 'error', message: { text: 'shell=True' }, locations: at('a.py') }], { rules: described });
    expect(g.title).toBe('B602: subprocess call with shell=True identified');
  });

  test('an unknown tool that is a secret scanner by name takes the secret severity', async () => {
    const f = await one([{ ruleId: 'aws', level: 'note', message: { text: 'key' }, locations: at('a.env') }], { name: 'trufflehog' });
    expect(f.severity).toBe(Severity.CRITICAL);
    expect(f.rawSeverity).toBe('note');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('SARIF locations', () => {
  test.each([
    ['file:///src/app.ts', 'src/app.ts'],
    ['./src/app.ts', 'src/app.ts'],
    ['src/./lib/../app.ts', 'src/app.ts'],
    ['src\\win\\app.ts', 'src/win/app.ts'],
    ['file:///C:/build/src/app.ts', 'build/src/app.ts'],
    ['src/my%20file.ts', 'src/my file.ts'],
    [`file://${process.cwd()}/src/app.ts`, 'src/app.ts'],
  ])('%s is %s', (uri, expected) => {
    expect(sarifUriToRepoPath('r.sarif', uri, 'here')).toBe(expected);
  });

  test.each([
    ['/home/me/app/infra/site.template.json', 'infra/site.template.json'],
    // cfn-guard writes the absolute path of a template without its leading slash.
    ['home/me/app/infra/site.template.json', 'infra/site.template.json'],
    ['file:///home/me/app/src/a.ts', 'src/a.ts'],
    // Not under the root: an absolute path is taken from its root, a relative one stays.
    ['/home/me/other/x.json', 'home/me/other/x.json'],
    ['home/me/application/x.json', 'home/me/application/x.json'],
    ['src/a.ts', 'src/a.ts'],
  ])('with the source root /home/me/app, %s is %s', (uri, expected) => {
    expect(sarifUriToRepoPath('r.sarif', uri, 'here', repositoryRoots('/home/me/app'))).toBe(expected);
  });

  test('loadReport\'s sourceRoot relativizes the findings\' paths', async () => {
    const file = writeSarif(sarif([
      { ruleId: 'a', message: { text: 'x' }, locations: at('work/scan/app/infra/t.json') },
      { ruleId: 'b', message: { text: 'x' }, locations: at('/work/scan/app/infra/u.json') },
    ]));
    const { findings } = await loadReport(file, { sourceRoot: '/work/scan/app' });
    expect(findings.map((f) => f.location?.file)).toEqual(['infra/t.json', 'infra/u.json']);
    const { findings: cwdRooted } = await loadReport(file);
    expect(cwdRooted.map((f) => f.location?.file)).toEqual(['work/scan/app/infra/t.json', 'work/scan/app/infra/u.json']);
  });

  test('a URL is not a file path', () => {
    expect(sarifUriToRepoPath('r.sarif', 'https://example.com/a', 'here')).toBeUndefined();
  });

  test.each(['../secrets.txt', 'src/../../etc/passwd', '/../etc/passwd', 'file:///a/../../etc/passwd', 'src/%2e%2e/%2e%2e/x'])(
    '"%s" escapes the repository: the finding is kept with the location as given, marked outside the repository',
    async (uri) => {
      const file = writeSarif(sarif([{ ruleId: 'r', message: { text: 'x' }, locations: at(uri) }]));
      const { findings } = await loadReport(file);
      expect(findings).toHaveLength(1);
      expect(findings[0].location).toMatchObject({ file: uri, outsideRepository: true, startLine: 10 });
    },
  );

  test('the artifact index is followed when a location has no uri', async () => {
    const doc = sarif([{ ruleId: 'r', message: { text: 'x' }, locations: [{ physicalLocation: { artifactLocation: { index: 1 } } }] }], {}, {
      artifacts: [{ location: { uri: 'a.ts' } }, { location: { uri: 'file:///lib/b.ts' } }],
    });
    const { findings } = await loadReport(writeSarif(doc));
    expect(findings[0].location?.file).toBe('lib/b.ts');
  });
});

describe('SARIF structure', () => {
  test('tool name and version from run.tool.driver; semanticVersion when there is no version', async () => {
    const doc = {
      version: '2.1.0',
      runs: [
        { tool: { driver: { name: 'one', version: '1.0' } }, results: [] },
        { tool: { driver: { name: 'two', semanticVersion: '2.3.4' } }, results: [{ ruleId: 'x', message: { text: 'm' } }] },
      ],
    };
    const report = await loadReport(writeSarif(doc));
    expect(report.tools).toEqual([{ name: 'one', version: '1.0' }, { name: 'two', version: '2.3.4' }]);
    expect(report.findings[0].tools).toEqual([{ name: 'two', version: '2.3.4' }]);
  });

  test.each([
    ['no runs', { version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json' }, 'SARIF report has no "runs"'],
    ['runs not an array', { version: '2.1.0', runs: {} }, 'SARIF "runs" is not an array'],
    ['no run at all', { version: '2.1.0', runs: [] }, 'SARIF "runs" is empty: no tool run is recorded'],
    ['another version', { version: '2.0.0', $schema: 'sarif-2.0.0.json', runs: [] }, 'SARIF version "2.0.0" is not supported'],
    ['a run without a tool name', { version: '2.1.0', runs: [{ tool: { driver: {} }, results: [] }] }, 'runs[0].tool.driver.name is missing'],
    ['a run without results', { version: '2.1.0', runs: [{ tool: { driver: { name: 't' } } }] }, 'runs[0] has no "results"'],
    ['a result that is not an object', { version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [42] }] }, 'runs[0].results[0] is not an object'],
    ['a tool that did not complete', {
      version: '2.1.0',
      runs: [{
        tool: { driver: { name: 't' } },
        invocations: [{ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: 'out of memory' } }] }],
        results: [],
      }],
    }, 'runs[0].invocations[0]: t reports that it did not complete (executionSuccessful: false): out of memory'],
    ...([
      ['executionSuccessful as the string "false"', { executionSuccessful: 'false' }, 'executionSuccessful: a string, not true'],
      ['executionSuccessful missing', {}, 'executionSuccessful: missing'],
      ['an exit code other than 0', { executionSuccessful: true, exitCode: 137 }, 'exitCode 137'],
      ['an exit signal', { executionSuccessful: true, exitCode: 0, exitSignalName: 'SIGKILL' }, 'it was ended by a signal (exitSignalName)'],
    ] as Array<[string, object, string]>).map(([name, inv, crash]): [string, object, string] => [
      `a crashed tool: ${name}`,
      { version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, invocations: [inv], results: [] }] },
      `runs[0].invocations[0]: t reports that it did not complete (${crash})`,
    ]),
    ['invocations that are not a list', { version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, invocations: {}, results: [] }] }, 'runs[0].invocations is not an array'],
    ['a tool configuration error', {
      version: '2.1.0',
      runs: [{
        tool: { driver: { name: 't' } },
        invocations: [{
          executionSuccessful: true,
          toolExecutionNotifications: [{ level: 'warning', message: { text: 'slow' } }],
          toolConfigurationNotifications: [{ level: 'note', message: { text: 'a note' } }, { level: 'error', message: { text: 'rule r1 cannot be loaded' } }],
        }],
        results: [],
      }],
    }, 'runs[0].invocations[0].toolConfigurationNotifications[1]: t reports an error: rule r1 cannot be loaded'],
  ])('%s is a ReportFormatError naming the file', async (_name, doc, problem) => {
    const file = writeSarif(doc);
    await expect(loadReport(file)).rejects.toThrow(ReportFormatError);
    await expect(loadReport(file)).rejects.toThrow(`${file}: ${problem}`);
  });

  test('SpotBugs\' exit code 1, "BUGS FOUND", is a completed run (its exit code is a bit set); 2 (missing classes) and another tool\'s 1 are not', async () => {
    const run = (name: string, exitCode: number, exitCodeDescription: string) => writeSarif({
      version: '2.1.0',
      runs: [{ tool: { driver: { name } }, invocations: [{ exitCode, exitCodeDescription, executionSuccessful: true }], results: [{ ruleId: 'COMMAND_INJECTION', level: 'warning', message: { text: 'm' }, locations: at('a.java') }] }],
    });
    const { findings } = await loadReport(run('SpotBugs', 1, 'BUGS FOUND'));
    expect(findings.map((f) => f.ruleId)).toEqual(['COMMAND_INJECTION']);
    await expect(loadReport(run('SpotBugs', 2, 'MISSING CLASS'))).rejects.toThrow(/SpotBugs reports that it did not complete \(exitCode 2\)/);
    await expect(loadReport(run('t', 1, 'BUGS FOUND'))).rejects.toThrow(/t reports that it did not complete \(exitCode 1\)/);
  });

  test('suppressions: accepted or without status suppress; rejected, under review or an empty list do not', async () => {
    const results = [
      { suppressions: [{ kind: 'inSource' }] },
      { suppressions: [{ kind: 'external', status: 'accepted' }] },
      { suppressions: [{ kind: 'external', status: 'rejected' }] },
      { suppressions: [{ kind: 'external', status: 'underReview' }] },
      { suppressions: [] },
    ].map((r, i) => ({ ruleId: 'r', message: { text: `m${i}` }, locations: at(`f${i}.ts`), ...r }));
    const { findings } = await loadReport(writeSarif(sarif(results)));
    expect(findings.map((f) => f.suppressedByTool === true)).toEqual([true, true, false, false, false]);
  });

  test('CVE and CWE ids from the rule id, tags and properties', async () => {
    const rules = [{ id: 'rule-1', properties: { tags: ['security', 'external/cwe/cwe-089', 'CWE-79: XSS'], cwe: 'CWE-20' } }];
    const f = await one([{ ruleId: 'rule-1', message: { text: 'x' }, locations: at('a.ts'), properties: { tags: ['cve-2021-44228'] } }], { rules });
    expect(f.cves).toEqual(['CVE-2021-44228']);
    expect([...f.cwes].sort()).toEqual(['CWE-20', 'CWE-79', 'CWE-89']);
  });
});

describe('fingerprints', () => {
  const code = 'const password = "hunter2";';
  function shifted(line: number): unknown {
    return sarif([
      { ruleId: 'hardcoded-password', message: { text: 'password' }, locations: at('src/config.ts', line, `    ${code}`) },
      { ruleId: 'hardcoded-password', message: { text: 'password' }, locations: at('src/other.ts', line + 3, code), partialFingerprints: { primaryLocationLineHash: 'abc:1' } },
      {
        ruleId: 'CVE-2021-23337',
        message: { text: 'Package: lodash\nInstalled Version: 4.17.20\nFixed Version: 4.17.21' },
        locations: at('package-lock.json', line + 100),
      },
    ]);
  }

  test('stable when lines shift and code is re-indented', async () => {
    const before = await loadReport(writeSarif(shifted(10)));
    const after = await loadReport(writeSarif(JSON.stringify(shifted(57)).replace(`    ${code}`, `\\t\\t${code}`)));
    expect(after.findings.map((f) => f.fingerprint)).toEqual(before.findings.map((f) => f.fingerprint));
    expect(before.findings.map((f) => f.fingerprint.split(':')[0])).toEqual(['code', 'tool', 'dep']);
    expect(after.findings[0].location?.startLine).toBe(57);
  });

  test('different when the code, the file or the rule differ', async () => {
    const base = (await loadReport(writeSarif(shifted(10)))).findings[0].fingerprint;
    const variants = [
      { ruleId: 'hardcoded-password', message: { text: 'password' }, locations: at('src/config.ts', 10, 'const password = "hunter3";') },
      { ruleId: 'hardcoded-password', message: { text: 'password' }, locations: at('src/config2.ts', 10, code) },
      { ruleId: 'hardcoded-secret', message: { text: 'password' }, locations: at('src/config.ts', 10, code) },
    ];
    const prints = (await loadReport(writeSarif(sarif(variants)))).findings.map((f) => f.fingerprint);
    expect(new Set([base, ...prints]).size).toBe(4);
  });

  test('without a snippet the line tells results apart', async () => {
    const results = [5, 6].map((line) => ({ ruleId: 'r', message: { text: 'same' }, locations: at('a.tf', line) }));
    const { findings } = await loadReport(writeSarif(sarif(results)));
    expect(findings[0].fingerprint).not.toBe(findings[1].fingerprint);
  });

  test('the same dependency finding from two tools has one fingerprint', async () => {
    const result = {
      ruleId: 'CVE-2021-23337', message: { text: 'Package: lodash\nInstalled Version: 4.17.20' }, locations: at('package-lock.json'),
    };
    const a = await one([result], { name: 'trivy' });
    const b = await one([{ ...result, ruleId: 'CVE-2021-23337-lodash', locations: at('node_modules/lodash/package.json') }], { name: 'grype' });
    expect(a.fingerprint).toBe(b.fingerprint);
  });
});

describe('parser contract', () => {
  test('detect: SARIF documents only', () => {
    const detect = (doc: unknown) => sarifParser.detect({ file: 'x', encoding: 'json', doc });
    expect(detect({ version: '2.1.0', runs: [] })).toBe(true);
    expect(detect({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json' })).toBe(true);
    expect(detect({ version: '1.30.0', results: [], errors: [] })).toBe(false); // semgrep JSON
    expect(detect({ SchemaVersion: 2, Results: [] })).toBe(false); // trivy JSON
    expect(detect([])).toBe(false);
  });

  test('pure: the same decoded document parses the same twice', () => {
    const buf = readFileSync(fixture('grype/v0.34.7-sarif-java-image.sarif'));
    const report = decodeReport('g.sarif', buf);
    const ctx = { file: 'g.sarif', secretSeverity: Severity.CRITICAL };
    expect(parseSarif(report, ctx)).toEqual(parseSarif(report, ctx));
  });
});

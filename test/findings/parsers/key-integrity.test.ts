import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { FIXTURES } from './decode-fixture';
import { loadReport } from '../../../src/findings/parsers/index';

/**
 * A container key in another case (`Vulnerabilities` as `vulnerabilities`), or a container the tool
 * always writes deleted, would make a parser read nothing and pass: each is refused (exit 2).
 * Every case starts from a real report that has findings, and checks that it does.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'key-integrity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(text: string, name: string): string {
  const file = path.join(dir, `${n++}-${name}`);
  writeFileSync(file, text);
  return file;
}

function fixtureJson(rel: string): any {
  return JSON.parse(readFileSync(path.join(FIXTURES, rel), 'utf8'));
}

async function findingsOf(doc: unknown, name: string): Promise<number> {
  return (await loadReport(write(JSON.stringify(doc), name), { sourceRoot: dir })).findings.length;
}

function renameKey(obj: Record<string, unknown>, from: string, to: string): void {
  const value = obj[from];
  delete obj[from];
  obj[to] = value;
}

interface Case {
  readonly name: string;
  readonly fixture: string;
  /** Edits the report in place. */
  readonly edit: (doc: any) => void;
  readonly problem: RegExp;
}

const CASES: Case[] = [
  { name: 'trivy: Results as results', fixture: 'trivy/fs-npm-lockfile-vulns.json', edit: (d) => renameKey(d, 'Results', 'results'), problem: /key "results" where "Results" is expected/ },
  { name: 'trivy: Vulnerabilities as vulnerabilities', fixture: 'trivy/fs-npm-lockfile-vulns.json', edit: (d) => renameKey(d.Results[0], 'Vulnerabilities', 'vulnerabilities'), problem: /key "vulnerabilities" where "Vulnerabilities"/ },
  { name: 'trivy legacy: Vulnerabilities deleted', fixture: 'trivy/legacy-v1-list-format-debian-image.json', edit: (d) => delete d[0].Vulnerabilities, problem: /has no Vulnerabilities/ },
  { name: 'cfn_nag: violations as Violations', fixture: 'cfn-nag/json-many-fail-and-warn.json', edit: (d) => renameKey(d[0].file_results, 'violations', 'Violations'), problem: /key "Violations" where "violations"/ },
  { name: 'cfn_nag: violations deleted', fixture: 'cfn-nag/json-many-fail-and-warn.json', edit: (d) => delete d[0].file_results.violations, problem: /violations is missing/ },
  { name: 'cfn_nag: logical_resource_ids deleted', fixture: 'cfn-nag/json-many-fail-and-warn.json', edit: (d) => delete d[0].file_results.violations[0].logical_resource_ids, problem: /logical_resource_ids is missing/ },
  { name: 'checkov: failed_checks deleted', fixture: 'checkov/json-v2.2.34-terraform-with-severities.json', edit: (d) => delete d.results.failed_checks, problem: /failed_checks is missing/ },
  { name: 'checkov: failed_checks as Failed_checks', fixture: 'checkov/json-v2.2.34-terraform-with-severities.json', edit: (d) => renameKey(d.results, 'failed_checks', 'Failed_checks'), problem: /key "Failed_checks" where "failed_checks"/ },
  { name: 'kics: a query\'s files deleted', fixture: 'kics/json-terraform-helm-many-findings.json', edit: (d) => delete d.queries[0].files, problem: /files is missing/ },
  { name: 'npm audit 6: an advisory deleted', fixture: 'npm-audit/v6-legacy-advisories-one-critical.json', edit: (d) => { d.advisories = {}; }, problem: /metadata.vulnerabilities.critical counts 1 vulnerable paths but the advisories list 0/ },
  { name: 'npm audit 7: the total deleted', fixture: 'npm-audit/v7plus-auditReportVersion2-many-low-moderate-high.json', edit: (d) => delete d.metadata.vulnerabilities.total, problem: /total is missing/ },
  { name: 'ZAP JSON: a site\'s alerts deleted', fixture: 'zap/json-v2.7.0-webgoat-multi-site.json', edit: (d) => delete d.site[0].alerts, problem: /site 0 has no alerts list/ },
  { name: 'ASFF: Resources as resources', fixture: 'securityhub-asff/findings-config-two-failed-high-medium.json', edit: (d) => renameKey((Array.isArray(d) ? d : d.Findings ?? d.findings)[0], 'Resources', 'resources'), problem: /key "resources" where "Resources"/ },
  { name: 'ZAP JSON: site an empty string', fixture: 'zap/json-v2.7.0-webgoat-multi-site.json', edit: (d) => { d.site = ''; }, problem: /site is neither a list of sites nor a site/ },
  { name: 'ZAP JSON: a site\'s alerts an empty string', fixture: 'zap/json-v2.7.0-webgoat-multi-site.json', edit: (d) => { d.site[0].alerts = ''; }, problem: /alerts are neither a list nor an alert/ },
  { name: 'CycloneDX: vulnerabilities null (the schema has no null)', fixture: 'cyclonedx/grype-v0.41.0-cdx-1.4-log4j-with-vulns.json', edit: (d) => { d.vulnerabilities = null; }, problem: /vulnerabilities is null, not a list/ },
];

describe('keys in another case and deleted containers are refused', () => {
  test.each(CASES.map((c) => [c.name, c] as [string, Case]))('%s', async (_name, c) => {
    const doc = fixtureJson(c.fixture);
    expect(await findingsOf(doc, path.basename(c.fixture))).toBeGreaterThan(0);
    c.edit(doc);
    await expect(loadReport(write(JSON.stringify(doc), path.basename(c.fixture)), { sourceRoot: dir })).rejects.toThrow(c.problem);
  });
});

describe('a CSV report cut before its last line break is refused (CSV has no closing bracket)', () => {
  test('cdk-nag CSV: the full report reads, the report without its final line break does not', async () => {
    const text = readFileSync(path.join(FIXTURES, 'cdk-nag/v2.38.2-AwsSolutions-SampleAppStack-NagReport.csv'), 'utf8');
    expect((await loadReport(write(text, 'nag.csv'), { sourceRoot: dir })).findings.length).toBeGreaterThan(0);
    // Cut right before the final line break: every row complete, six cells each.
    const cut = text.trimEnd();
    await expect(loadReport(write(cut, 'nag.csv'), { sourceRoot: dir })).rejects.toThrow(/truncated CSV: row \d+ does not end with a line break/);
  });
});

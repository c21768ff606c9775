import { readFileSync } from 'fs';
import { dirname, join } from 'path';
import Ajv, { ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { manyFindings, NOW, sampleEvaluation, sampleFindings, TOOLS } from './sample';
import { SARIF_FINGERPRINT_KEY, parseBaseline } from '../../../src/findings/baseline';
import { evaluateGate } from '../../../src/findings/policy';
import { pathToUri, securitySeverity, writeSarif } from '../../../src/findings/reporters/sarif';
import { StringSink } from '../../../src/findings/reporters/sink';
import { Severity } from '../../../src/model/severity';

// The SARIF 2.1.0 JSON schema (rtm.5: the text approved as the OASIS standard; draft-04), as shipped in
// an npm package (see TEST_TOOL_DEPS in .projenrc.ts).
const SCHEMA_FILE = join(dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json');

let validate: ValidateFunction;
beforeAll(() => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
  expect(schema.title).toMatch(/^Static Analysis Results Format \(SARIF\) Version 2\.1\.0/);
  expect(schema.definitions.suppression.properties.status.enum).toEqual(['accepted', 'underReview', 'rejected']);
  // unicodeRegExp off: the schema's `language` pattern has a stray `]` that only the non-unicode
  // ECMA-262 regex syntax (the one JSON Schema specifies) accepts.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  validate = ajv.compile(schema);
});

function render(evaluation = sampleEvaluation(), tools = TOOLS): any {
  const sink = new StringSink();
  writeSarif(evaluation, { tools }, sink);
  return JSON.parse(sink.toString());
}

function expectValid(log: unknown): void {
  const ok = validate(log);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('merged SARIF', () => {
  test('validates against the official SARIF 2.1.0 schema', () => {
    expectValid(render());
  });

  test('the schema check is effective: broken logs are rejected', () => {
    const log = render();
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    const badLevel = JSON.parse(JSON.stringify(log));
    badLevel.runs[0].results[0].level = 'fatal';
    expect(validate(badLevel)).toBe(false);
    const badRegion = JSON.parse(JSON.stringify(log));
    badRegion.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(badRegion)).toBe(false);
    const badUri = JSON.parse(JSON.stringify(log));
    badUri.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'src/my app.py';
    expect(validate(badUri)).toBe(false);
  });

  test('one run per tool, including tools without findings, with versions and rules', () => {
    const log = render();
    expect(log.runs.map((r: any) => r.tool.driver.name)).toEqual(['semgrep', 'trivy', 'checkov', 'gitleaks']);
    expect(log.runs[0].tool.driver.version).toBe('1.69.0');
    expect(log.runs[3].results).toEqual([]);
    expect(log.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual([
      'python.lang.security.audit.eval-detected', 'python.flask.debug', 'python.exec',
    ]);
    for (const run of log.runs) {
      for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    }
    expect(log.runs[1].automationDetails.id).toBe('static/trivy/');
  });

  test('results carry level, security-severity and our fingerprint', () => {
    const results = render().runs.flatMap((r: any) => r.results);
    const byRule = Object.fromEntries(results.map((r: any) => [r.ruleId, r]));
    expect(byRule['python.lang.security.audit.eval-detected'].level).toBe('error');
    expect(byRule['python.flask.debug'].level).toBe('warning');
    expect(byRule['CVE-2020-0001'].level).toBe('note');
    // the scanner's own CVSS score is kept when it lies in the finding's band
    expect(byRule['CVE-2021-44228'].properties['security-severity']).toBe('10.0');
    expect(byRule.CKV_AWS_18.properties['security-severity']).toBe('8.0');
    expect(byRule['CVE-2021-44228'].partialFingerprints[SARIF_FINGERPRINT_KEY]).toBe('dep:00000000000000000000000000000004');
    expect(byRule['CVE-2021-44228'].properties.reportedBy).toEqual(['trivy', 'grype']);
    expect(byRule['CVE-2021-44228'].properties.expiredSuppression).toEqual({ entry: '#1 cve CVE-2021-44228', expired: '2025-05-01' });
    expect(byRule['python.lang.security.audit.eval-detected'].properties.decision).toBe('blocking');
  });

  test('suppressed results carry the justification; a scanner suppression is not a SARIF suppression', () => {
    const results = render().runs.flatMap((r: any) => r.results);
    const flask = results.find((r: any) => r.ruleId === 'python.flask.debug');
    expect(flask.suppressions).toEqual([{
      kind: 'external',
      justification: 'debug only in the local runner | not deployed <b>',
      properties: { entry: '#0 SUP-1', expires: '2025-06-05', owner: 'team-web', falsePositive: true },
    }]);
    // Not accepted by the suppressions file: it blocks, and viewers must not hide it.
    const exec = results.find((r: any) => r.ruleId === 'python.exec');
    expect(exec.suppressions).toBeUndefined();
    expect(exec.properties).toMatchObject({ decision: 'blocking', suppressedByTool: true });
    expect(results.find((r: any) => r.ruleId === 'CKV_AWS_18').suppressions).toBeUndefined();
  });

  test('locations: encoded file URIs with regions, logical locations for resources and packages', () => {
    const results = render().runs.flatMap((r: any) => r.results);
    const evalResult = results.find((r: any) => r.ruleId === 'python.lang.security.audit.eval-detected');
    expect(evalResult.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'src/my%20app/main%231.py', uriBaseId: '%SRCROOT%' },
      region: { startLine: 12, endLine: 14 },
    });
    expect(results.find((r: any) => r.ruleId === 'CKV_AWS_18').locations[0].logicalLocations[0]).toEqual({
      name: 'AppBucket', fullyQualifiedName: 'cdk.out/App.template.json/AppBucket', kind: 'AWS::S3::Bucket',
    });
    expect(results.find((r: any) => r.ruleId === 'CVE-2020-0001').locations[0].logicalLocations[0]).toEqual({ name: 'zlib@1.2.11', kind: 'package' });
    expect(pathToUri('a b/c?d.ts')).toBe('a%20b/c%3Fd.ts');
  });

  test('a baseline marks results new or unchanged, and the output is a usable baseline', () => {
    const findings = sampleFindings();
    const evaluation = evaluateGate(findings, { gate: 'g', failOn: Severity.HIGH, now: NOW, baseline: new Set([findings[0].fingerprint]) });
    const log = render(evaluation);
    expectValid(log);
    const states = log.runs.flatMap((r: any) => r.results).map((r: any) => [r.partialFingerprints[SARIF_FINGERPRINT_KEY], r.baselineState]);
    expect(states).toContainEqual([findings[0].fingerprint, 'unchanged']);
    expect(states).toContainEqual([findings[5].fingerprint, 'new']);
    expect(parseBaseline(JSON.stringify(log), 'findings.sarif')).toEqual(new Set(findings.map((f) => f.fingerprint)));
  });

  test('an empty gate is still a valid log', () => {
    expectValid(render(evaluateGate([], { gate: 'g', failOn: Severity.HIGH, now: NOW }), []));
    expectValid(render(evaluateGate([], { gate: 'g', failOn: Severity.HIGH, now: NOW }), [{ name: 'bandit' }]));
  });

  test('5,000 results stay valid and all present', () => {
    const log = render(evaluateGate(manyFindings(5000), { gate: 'g', failOn: Severity.HIGH, now: NOW }), []);
    expectValid(log);
    expect(log.runs[0].results).toHaveLength(5000);
    expect(log.runs[0].tool.driver.rules).toHaveLength(7);
  });
});

test('securitySeverity: representative score unless the raw score fits the band', () => {
  const f = sampleFindings()[0];
  expect(securitySeverity({ ...f, severity: Severity.HIGH, rawSeverity: 'ERROR' })).toBe('8.0');
  expect(securitySeverity({ ...f, severity: Severity.HIGH, rawSeverity: '7.5' })).toBe('7.5');
  // a score from another band is not trusted over the normalized severity
  expect(securitySeverity({ ...f, severity: Severity.HIGH, rawSeverity: '9.8' })).toBe('8.0');
  expect(securitySeverity({ ...f, severity: Severity.INFO, rawSeverity: undefined })).toBe('0.0');
});

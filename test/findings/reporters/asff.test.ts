import { LONG_DESCRIPTION, manyFindings, NOW, sampleEvaluation } from './sample';
import { evaluateGate } from '../../../src/findings/policy';
import { ASFF_BATCH_SIZE, ASFF_DESCRIPTION_MAX, writeAsff } from '../../../src/findings/reporters/asff';
import { StringSink } from '../../../src/findings/reporters/sink';
import { Severity } from '../../../src/model/severity';

const OPTIONS = { awsAccountId: '111122223333', region: 'eu-west-1' };

function render(evaluation = sampleEvaluation(), options: Parameters<typeof writeAsff>[1] = OPTIONS): any[][] {
  const sink = new StringSink();
  writeAsff(evaluation, options, sink);
  return JSON.parse(sink.toString());
}

// Required by BatchImportFindings for every finding (AWS Security Finding Format).
const REQUIRED = ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'Types', 'CreatedAt', 'UpdatedAt', 'Severity', 'Title', 'Description', 'Resources'];

describe('Security Hub ASFF', () => {
  test('every finding has the required fields, valid values and the account-default product ARN', () => {
    const findings = render(sampleEvaluation(), { ...OPTIONS, minSeverity: Severity.INFO }).flat();
    expect(findings).toHaveLength(6);
    for (const f of findings) {
      for (const key of REQUIRED) expect(f[key]).toBeDefined();
      expect(f.SchemaVersion).toBe('2018-10-08');
      expect(f.ProductArn).toBe('arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default');
      expect(f.AwsAccountId).toBe('111122223333');
      expect(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).toContain(f.Severity.Label);
      expect(f.Types.length).toBeGreaterThan(0);
      expect(f.Resources.length).toBeGreaterThan(0);
      for (const r of f.Resources) {
        expect(r.Type).toBe('Other');
        expect(r.Id.length).toBeGreaterThan(0);
      }
      expect(new Date(f.CreatedAt).toISOString()).toBe(f.CreatedAt);
      expect(f.Title.length).toBeLessThanOrEqual(256);
      expect(f.Description.length).toBeLessThanOrEqual(ASFF_DESCRIPTION_MAX);
    }
  });

  test('ids come from fingerprints and are stable across runs', () => {
    const a = render().flat().map((f) => f.Id);
    const b = render(sampleEvaluation(), { ...OPTIONS, now: new Date('2026-01-01T00:00:00Z') }).flat().map((f) => f.Id);
    expect(a).toEqual(b);
    expect(a[0]).toBe('devsecops/code:00000000000000000000000000000001');
    expect(new Set(a).size).toBe(a.length);
    expect(render(sampleEvaluation(), { ...OPTIONS, idPrefix: 'my-repo' }).flat()[0].Id).toBe('my-repo/code:00000000000000000000000000000001');
  });

  test('descriptions are cut to 1,024 characters', () => {
    const log4j = render().flat().find((f) => f.GeneratorId === 'devsecops/trivy/CVE-2021-44228');
    expect(LONG_DESCRIPTION.length).toBeGreaterThan(ASFF_DESCRIPTION_MAX);
    expect(log4j.Description).toHaveLength(ASFF_DESCRIPTION_MAX);
    expect(log4j.Description.endsWith('…')).toBe(true);
    expect(log4j.Vulnerabilities).toEqual([{
      Id: 'CVE-2021-44228',
      VulnerablePackages: [{ Name: 'org.apache.logging.log4j:log4j-core', Version: '2.14.1', FixedInVersion: '2.15.0' }],
    }]);
    expect(log4j.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/CVE']);
    expect(log4j.Severity).toEqual({ Label: 'CRITICAL', Original: '10.0' });
  });

  test('suppressed findings are exported with workflow status SUPPRESSED and the reason', () => {
    const byRule = Object.fromEntries(render().flat().map((f) => [f.ProductFields['devsecops/ruleId'], f]));
    expect(byRule['python.flask.debug'].Workflow).toEqual({ Status: 'SUPPRESSED' });
    expect(byRule['python.flask.debug'].UserDefinedFields).toMatchObject({ decision: 'suppressed', suppressionExpires: '2025-06-05' });
    expect(byRule['python.exec'].Workflow).toEqual({ Status: 'NEW' });
    expect(byRule.CKV_AWS_18.Workflow).toEqual({ Status: 'NEW' });
  });

  test('the product ARN comes from the options when given', () => {
    const arn = 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default';
    const other = 'arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default';
    expect(render(sampleEvaluation(), { ...OPTIONS, productArn: other }).flat()[0].ProductArn).toBe(other);
    expect(render().flat()[0].ProductArn).toBe(arn);
  });

  test('only findings at or above the gate threshold by default, or above minSeverity', () => {
    // the sample fails on MEDIUM: the LOW zlib finding stays in SARIF only
    const rules = (fs: any[]) => fs.map((f) => f.ProductFields['devsecops/ruleId']);
    expect(rules(render().flat())).not.toContain('CVE-2020-0001');
    expect(rules(render().flat())).toHaveLength(5);
    expect(rules(render(sampleEvaluation(), { ...OPTIONS, minSeverity: Severity.LOW }).flat())).toContain('CVE-2020-0001');
    expect(rules(render(sampleEvaluation(), { ...OPTIONS, minSeverity: Severity.CRITICAL }).flat())).toEqual(['python.exec', 'CVE-2021-44228']);
  });

  test('batches hold at most 100 findings', () => {
    const batches = render(evaluateGate(manyFindings(250, Severity.INFO), { gate: 'g', failOn: Severity.INFO, now: NOW }));
    expect(batches.map((b) => b.length)).toEqual([ASFF_BATCH_SIZE, ASFF_BATCH_SIZE, 50]);
    expect(batches[2][0].Severity.Label).toBe('INFORMATIONAL');
    expect(render(evaluateGate(manyFindings(100), { gate: 'g', failOn: Severity.HIGH, now: NOW })).map((b) => b.length)).toEqual([100]);
    expect(render(evaluateGate([], { gate: 'g', failOn: Severity.HIGH, now: NOW }))).toEqual([]);
  });
});

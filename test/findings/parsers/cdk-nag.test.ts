import { active, CTX, parseFixture, report, severityCounts } from './decode-fixture';
import { cdkNagCsvParser, cdkNagJsonParser } from '../../../src/findings/parsers/cdk-nag';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('cdk-nag NagReport', () => {
  // Non-Compliant lines are the findings (PROVENANCE: 7, rule level Error = HIGH). The Suppressed
  // line is KEPT with suppressedByTool = true (so reports show the suppression and its reason);
  // Compliant lines are dropped.
  test.each([
    [cdkNagCsvParser, 'cdk-nag/v2.38.2-AwsSolutions-SampleAppStack-NagReport.csv'],
    [cdkNagJsonParser, 'cdk-nag/v2.38.2-AwsSolutions-SampleAppStack-NagReport.json'],
  ])('%#: 7 non-compliant findings plus 1 suppressed', (parser, rel) => {
    const findings = parseFixture(parser, rel);
    expect(active(findings)).toHaveLength(7);
    expect(severityCounts(active(findings))).toEqual({ HIGH: 7 });
    const suppressed = findings.filter((f) => f.suppressedByTool);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]).toMatchObject({ ruleId: 'AwsSolutions-S1', resource: { id: 'SampleAppStack/DataBucket/Resource', target: 'SampleAppStack' } });
    expect(suppressed[0].description).toMatch(/collected centrally/);
  });

  test('CSV and JSON of the same run give the same findings', () => {
    const csv = parseFixture(cdkNagCsvParser, 'cdk-nag/v2.38.2-AwsSolutions-SampleAppStack-NagReport.csv');
    const json = parseFixture(cdkNagJsonParser, 'cdk-nag/v2.38.2-AwsSolutions-SampleAppStack-NagReport.json');
    expect(csv).toEqual(json);
  });

  test('an empty report has no findings', () => {
    expect(parseFixture(cdkNagJsonParser, 'cdk-nag/v2.38.2-AwsSolutions-ParametersOnlyStack-NagReport-empty.json')).toEqual([]);
  });

  test('fails closed on unknown compliance values, rule levels and short rows', () => {
    const line = { ruleId: 'R', resourceId: 'S/A', compliance: 'Non-Compliant', exceptionReason: 'N/A', ruleLevel: 'Error', ruleInfo: 'i' };
    expect(() => cdkNagJsonParser.parse(report({ lines: [{ ...line, compliance: 'Unknown' }] }), CTX)).toThrow(/unknown compliance/);
    expect(() => cdkNagJsonParser.parse(report({ lines: [{ ...line, ruleLevel: 'Fatal' }] }), CTX)).toThrow(/unknown severity/);
    const header = ['Rule ID', 'Resource ID', 'Compliance', 'Exception Reason', 'Rule Level', 'Rule Info'];
    expect(() => cdkNagCsvParser.parse(report([header, ['R', 'S/A', 'Non-Compliant']], 'csv'), CTX)).toThrow(ReportFormatError);
  });
});

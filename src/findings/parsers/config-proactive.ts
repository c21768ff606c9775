import { ReportFormatError } from './types';
import { isObject, nativeParser, optionalList, requiredList, requireObject, requireStr, str } from './util';
import { Finding } from '../../model/finding';
import { Severity } from '../../model/severity';
import { iacFingerprint } from '../fingerprint';
import { PROACTIVE_REPORT_KIND } from '../proactive-names';

/**
 * The report `devsecops-findings proactive` writes: AWS Config's PROACTIVE evaluation of each resource
 * of a Stage before it deploys (src/findings/proactive.ts). One finding per rule result:
 * - NON_COMPLIANT: HIGH, named by the library's policy id when the rule is one it deployed
 *   (otherwise by the Config rule's name, e.g. an organization's own proactive rule);
 * - INSUFFICIENT_DATA: MEDIUM (Config could not decide);
 * - a resource of a supported type that no proactive rule evaluated (e.g. the first deployment,
 *   before the Stage's Config rules exist): MEDIUM `CONFIG_PROACTIVE_NOT_EVALUATED`, never a silent pass;
 * - COMPLIANT and NOT_APPLICABLE: nothing; nor a result the command marked `exemption` (LAMBDA_TIMEOUT_MAXIMUM
 *   on CDK's own custom resource provider functions, whose 900 s timeout is CDK's design).
 * Resources of types no proactive rule of the Stage evaluates are listed under `skipped`, not findings.
 */
export const NOT_EVALUATED_RULE = 'CONFIG_PROACTIVE_NOT_EVALUATED';

function evaluationFindings(file: string, value: unknown, i: number): Finding[] {
  const where = `evaluation ${i}`;
  const e = requireObject(file, value, where);
  const stack = requireStr(file, e.stack, `${where} stack`);
  const logicalId = requireStr(file, e.logicalId, `${where} logicalId`);
  const resourceType = requireStr(file, e.resourceType, `${where} resourceType`);
  const template = requireStr(file, e.template, `${where} template`);
  const evaluationId = requireStr(file, e.resourceEvaluationId, `${where} resourceEvaluationId`);
  const path = str(e.path);
  const resource = { id: logicalId, kind: resourceType, target: template };
  const at = `${stack}/${logicalId}${path ? ` (${path})` : ''}`;
  const results = requiredList(file, e, 'results', `${where} results`);
  if (results.length === 0) {
    return [{
      tools: [{ name: 'aws-config' }],
      ruleId: NOT_EVALUATED_RULE,
      title: `No AWS Config proactive rule evaluated ${resourceType} ${at}`,
      description: `Config returned no rule result for evaluation ${evaluationId}: the Stage's proactive rules are not in its account and Region yet (first deployment), or were removed. The policy gate and synth still checked it.`,
      severity: Severity.MEDIUM,
      resource,
      cves: [],
      cwes: [],
      fingerprint: iacFingerprint(NOT_EVALUATED_RULE, logicalId, template),
    }];
  }
  return results.flatMap((r, ri) => {
    const rw = `${where} result ${ri}`;
    const result = requireObject(file, r, rw);
    const ruleName = requireStr(file, result.configRuleName, `${rw} configRuleName`);
    const compliance = requireStr(file, result.complianceType, `${rw} complianceType`);
    if (compliance === 'COMPLIANT' || compliance === 'NOT_APPLICABLE') return [];
    // A CDK provider function's timeout (900 s by CDK's design), marked by the proactive command.
    if (str(result.exemption) !== undefined) return [];
    if (compliance !== 'NON_COMPLIANT' && compliance !== 'INSUFFICIENT_DATA') {
      throw new ReportFormatError(file, `${rw}: complianceType ${compliance} is not one AWS Config returns`);
    }
    const ruleId = str(result.policyId) ?? ruleName;
    const annotation = str(result.annotation);
    return [{
      tools: [{ name: 'aws-config' }],
      ruleId,
      title: compliance === 'NON_COMPLIANT'
        ? `${resourceType} ${at} is NON_COMPLIANT with AWS Config rule ${ruleName}`
        : `AWS Config rule ${ruleName} had INSUFFICIENT_DATA for ${resourceType} ${at}`,
      description: [annotation, `Proactive evaluation ${evaluationId}.`].filter(Boolean).join(' '),
      severity: compliance === 'NON_COMPLIANT' ? Severity.HIGH : Severity.MEDIUM,
      rawSeverity: compliance,
      resource,
      cves: [],
      cwes: [],
      fingerprint: iacFingerprint(ruleId, logicalId, template),
    }];
  });
}

export const configProactiveParser = nativeParser({
  format: 'config-proactive',
  description: 'devsecops-findings proactive report (AWS Config proactive evaluation)',
  encoding: 'json',
  detect: (report) => isObject(report.doc) && report.doc.kind === PROACTIVE_REPORT_KIND,
  parse(report) {
    const doc = requireObject(report.file, report.doc, 'report');
    if (doc.kind !== PROACTIVE_REPORT_KIND || doc.version !== 1) {
      throw new ReportFormatError(report.file, `not a version 1 ${PROACTIVE_REPORT_KIND} report`);
    }
    optionalList(report.file, doc, 'skipped', 'skipped');
    return requiredList(report.file, doc, 'evaluations', 'evaluations').flatMap((e, i) => evaluationFindings(report.file, e, i));
  },
});

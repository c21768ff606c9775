import { ReportFormatError } from './types';
import { hasKeys, line, nativeParser, optionalList, requiredList, repoPath, requireObject, requireStr, severityOf, str } from './util';
import { Finding } from '../../model/finding';
import { iacFingerprint } from '../fingerprint';

/**
 * cfn_nag `--output-format json`: `[{ filename, file_results: { failure_count, violations: [...] } }]`.
 * A violation lists every resource it applies to; it becomes one finding per resource, so that
 * each has a rule + resource fingerprint and can be suppressed on its own.
 * Severity: `type` FAIL or WARN through the shared table.
 */

function fileFindings(file: string, entry: unknown, ei: number): Finding[] {
  const where = `file ${ei}`;
  const e = requireObject(file, entry, where);
  const template = repoPath(file, requireStr(file, e.filename, `${where} filename`));
  const results = requireObject(file, e.file_results, `${where} file_results`);
  return requiredList(file, results, 'violations', `${where} violations`).flatMap((v, vi) => {
    const vw = `${where} violation ${vi}`;
    const violation = requireObject(file, v, vw);
    const id = requireStr(file, violation.id, `${vw} id`);
    const rawSeverity = requireStr(file, violation.type, `${vw} type`);
    const severity = severityOf(file, rawSeverity, `${vw} (${id})`);
    const ids = requiredList(file, violation, 'logical_resource_ids', `${vw} logical_resource_ids`);
    const lines = optionalList(file, violation, 'line_numbers', `${vw} line_numbers`);
    const types = optionalList(file, violation, 'element_types', `${vw} element_types`);
    // A rule about the template as a whole lists no resource: one finding for the template.
    const targets = ids.length > 0 ? ids.map((r, ri) => ({ id: requireStr(file, r, `${vw} resource ${ri}`), ri })) : [{ id: undefined, ri: 0 }];
    return targets.map(({ id: resource, ri }) => ({
      tools: [{ name: 'cfn-nag' }],
      ruleId: id,
      title: str(violation.message) ?? id,
      severity,
      rawSeverity,
      location: { file: template, startLine: line(lines[ri]) },
      resource: resource ? { id: resource, kind: str(types[ri]), target: template } : undefined,
      cves: [],
      cwes: [],
      fingerprint: iacFingerprint(id, resource ?? '', template),
    }));
  });
}

export const cfnNagParser = nativeParser({
  format: 'cfn-nag',
  description: 'cfn_nag --output-format json report',
  encoding: 'json',
  detect: (report) => Array.isArray(report.doc) && report.doc.length > 0 && hasKeys(report.doc[0], 'filename', 'file_results'),
  parse(report) {
    if (!Array.isArray(report.doc)) throw new ReportFormatError(report.file, 'cfn_nag report is not an array of file results');
    return report.doc.flatMap((e, i) => fileFindings(report.file, e, i));
  },
});

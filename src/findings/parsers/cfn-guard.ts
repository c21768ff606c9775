import { ReportFormatError } from './types';
import { hasKeys, isObject, nativeParser, optionalList, repoPath, requireObject, requireStr, str } from './util';
import { Finding } from '../../model/finding';
import { Severity } from '../../model/severity';
import { iacFingerprint } from '../fingerprint';

/**
 * cfn-guard `validate --output-format json` (structured): an array with one entry per data file,
 * `{ name, status, not_compliant: [{ Rule: { name, messages, checks } }], compliant, not_applicable }`.
 * One finding per non-compliant rule and data file.
 *
 * Guard rules carry no severity. A failed rule counts as HIGH: cfn-guard's own SARIF output
 * marks every failure level `error` (HIGH in the shared table), and a policy written as a Guard
 * rule is meant to block.
 */
export const CFN_GUARD_SEVERITY = Severity.HIGH;

const MAX_DEPTH = 12;

/** First `/Resources/<LogicalId>` path anywhere in the rule's checks: the resource that failed. */
function logicalId(node: unknown, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(node)) {
    for (const item of node) {
      const id = logicalId(item, depth + 1);
      if (id) return id;
    }
    return undefined;
  }
  if (!isObject(node)) return undefined;
  // A traversed location `{ path, value }`: its value is template content, not worth searching.
  if (typeof node.path === 'string') return /^\/Resources\/([^/]+)/.exec(node.path)?.[1];
  for (const value of Object.values(node)) {
    const id = logicalId(value, depth + 1);
    if (id) return id;
  }
  return undefined;
}

/** The rule's own message, else the first check's; `custom_message` is what rule authors write. */
function message(node: unknown, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(node)) {
    for (const item of node) {
      const m = message(item, depth + 1);
      if (m) return m;
    }
    return undefined;
  }
  if (!isObject(node)) return undefined;
  if (isObject(node.messages)) {
    const m = str(node.messages.custom_message)?.trim() || str(node.messages.error_message)?.trim();
    if (m) return m;
  }
  for (const key of ['checks', 'Clause', 'Rule', 'Binary', 'Unary', 'Disjunctions', 'Conjunctions']) {
    const m = message(node[key], depth + 1);
    if (m) return m;
  }
  return undefined;
}

function fileFindings(file: string, entry: unknown, ei: number): Finding[] {
  const where = `data file ${ei}`;
  const e = requireObject(file, entry, where);
  const name = requireStr(file, e.name, `${where} name`);
  const status = requireStr(file, e.status, `${where} status`);
  const failures = optionalList(file, e, 'not_compliant', `${where} not_compliant`);
  if (status === 'FAIL' && failures.length === 0) throw new ReportFormatError(file, `${where} (${name}) has status FAIL but lists no non-compliant rule`);
  // DATA_STDIN[n] names data piped in: no file to point at.
  const template = /^DATA_STDIN\[\d+\]$/.test(name) ? undefined : repoPath(file, name);
  return failures.map((failure, fi) => {
    const rule = requireObject(file, requireObject(file, failure, `${where} failure ${fi}`).Rule, `${where} failure ${fi} Rule`);
    const ruleId = requireStr(file, rule.name, `${where} failure ${fi} rule name`);
    const resource = logicalId(rule.checks);
    return {
      tools: [{ name: 'cfn-guard' }],
      ruleId,
      title: `${ruleId} failed${resource ? ` for ${resource}` : ''}`,
      description: message(rule),
      severity: CFN_GUARD_SEVERITY,
      location: template ? { file: template } : undefined,
      resource: resource ? { id: resource, target: template } : undefined,
      cves: [],
      cwes: [],
      fingerprint: iacFingerprint(ruleId, resource ?? '', template ?? name),
    };
  });
}

function isGuardEntry(value: unknown): boolean {
  return hasKeys(value, 'name', 'status', 'not_compliant', 'compliant');
}

export const cfnGuardParser = nativeParser({
  format: 'cfn-guard',
  description: 'cfn-guard validate --output-format json (structured)',
  encoding: 'json',
  detect: (report) => Array.isArray(report.doc) && report.doc.length > 0 && isGuardEntry(report.doc[0]),
  parse(report) {
    if (!Array.isArray(report.doc)) throw new ReportFormatError(report.file, 'cfn-guard report is not an array of data files');
    return report.doc.flatMap((e, i) => fileFindings(report.file, e, i));
  },
});

import { SEVERITY_ORDER } from '../../model/severity';
import { Decision, DECISIONS } from '../policy';
import { daysBetween, isoDay } from '../suppressions';
import { NOT_ANALYZED_HELP } from './junit';
import { BriefFinding, GateResult, resultCount, SuppressionBrief } from './result';
import { Sink } from './sink';

/**
 * Markdown summary of one or more gates, for the build log and the approval step:
 * counts by gate and severity, the blocking findings, suppressions expiring soon, and
 * expired, unused and malformed suppressions.
 */

export interface MarkdownOptions {
  /** Today, for "days left". @default new Date() */
  readonly now?: Date;
  /** Blocking findings listed per gate. @default 50 */
  readonly maxRows?: number;
  /** Heading of the document. @default 'Security gates' */
  readonly title?: string;
  /**
   * A release overview after the table (the approval's summary): every gate's suppressions
   * expiring within 14 days, in one list. @default false
   */
  readonly overview?: boolean;
}

const DECISION_LABEL: Record<Decision, string> = {
  'blocking': 'Blocking',
  'suppressed': 'Suppressed',
  'baseline': 'Baseline',
  'below-threshold': 'Below threshold',
};

/**
 * Text from a scanner report, made safe for one Markdown table cell: no line breaks, no pipes,
 * no HTML, no emphasis or links that a report could inject into the approval page.
 */
export function cell(text: string | undefined, max = 160): string {
  if (text === undefined || text === '') return '';
  let t = text.replace(/\s+/g, ' ').trim();
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  return t.replace(/[\\`*_[\]<>|#!]/g, (c) => `\\${c}`);
}

function status(r: GateResult): string {
  return r.status === 'pass' ? 'PASS' : '**FAIL**';
}

function entryLine(s: SuppressionBrief, today: string): string {
  const left = daysBetween(today, s.expires);
  const when = left < 0 ? `expired ${-left} day(s) ago` : left === 0 ? 'expires today' : `${left} day(s) left`;
  return `| ${cell(s.label)} | ${s.expires} | ${when} | ${cell(s.owner)} | ${cell(s.reason)} |`;
}

function findingRow(f: BriefFinding, note?: string): string {
  const cves = f.cves.length > 0 ? ` (${f.cves.slice(0, 3).join(', ')}${f.cves.length > 3 ? ', …' : ''})` : '';
  const fix = f.fixedVersion ? ` fixed in ${f.fixedVersion}` : '';
  return `| ${f.severity} | ${cell(f.ruleId, 80)} | ${cell(f.title)}${cell(cves)}${cell(fix)}${note ? ` _${cell(note)}_` : ''} | ${cell(f.where, 120)} | ${cell(f.tools.join(', '))} | \`${f.fingerprint.slice(0, 20)}\` |`;
}

/** Renders the summary of several gates (one `evaluate` writes it for its own gate). */
export function writeMarkdown(results: readonly GateResult[], sink: Sink, options: MarkdownOptions = {}): void {
  const today = isoDay(options.now ?? new Date());
  const maxRows = options.maxRows ?? 50;
  const failed = results.filter((r) => r.status === 'fail');
  const w = (line = '') => sink.write(`${line}\n`);

  w(`# ${options.title ?? 'Security gates'}: ${failed.length > 0 ? `**FAIL** (${failed.length} of ${results.length} gate(s) blocking)` : `PASS (${results.length} gate(s))`}`);
  w();
  w('Findings by gate and severity (all decisions), then by decision:');
  w();
  w(`| Gate | Status | Fail on | ${SEVERITY_ORDER.join(' | ')} | ${DECISIONS.map((d) => DECISION_LABEL[d]).join(' | ')} |`);
  w(`|---|---|---|${SEVERITY_ORDER.map(() => '---:').join('|')}|${DECISIONS.map(() => '---:').join('|')}|`);
  for (const r of results) {
    const bySev = SEVERITY_ORDER.map((s) => DECISIONS.reduce((n, d) => n + r.counts[d][s], 0));
    w(`| ${cell(r.gate)} | ${status(r)} | ${r.failOn} | ${bySev.join(' | ')} | ${DECISIONS.map((d) => resultCount(r, d)).join(' | ')} |`);
  }
  if (options.overview) {
    const expiring = results.flatMap((r) => r.suppressions.expiringSoon.map((s) => ({ gate: r.gate, s })));
    w();
    w(`Suppressions expiring within 14 days, all gates: ${expiring.length === 0 ? 'none.' : expiring.length}`);
    if (expiring.length > 0) {
      w();
      w('| Gate | Entry | Expires | When | Owner | Reason |');
      w('|---|---|---|---|---|---|');
      for (const { gate, s } of expiring) w(`| ${cell(gate)} ${entryLine(s, today)}`);
    }
  }

  for (const r of results) {
    w();
    w(`## Gate ${cell(r.gate)}: ${status(r)}`);
    w();
    w(`Fails on ${r.failOn} and above${r.baselineApplied ? '; findings in the baseline do not block' : ''}. Evaluated ${r.evaluatedAt}.`);
    if (r.secretScan) {
      w();
      w(r.secretScan === 'history'
        ? 'Secret scan coverage: the full git history was scanned.'
        : 'Secret scan coverage: the files of this revision only (git history was not scanned).');
    }
    if (r.toolVersions && Object.keys(r.toolVersions).length > 0) {
      w();
      w(`Recorded versions: ${Object.entries(r.toolVersions).map(([n, v]) => `${cell(n)} ${cell(v, 200)}`).join('; ')}.`);
    }
    w();
    w('Reports:');
    for (const rep of r.reports) w(`- ${cell(rep.file, 200)} (${cell(rep.format)}; ${cell(rep.tools.join(', ')) || 'no tool named'}): ${rep.findings} finding(s)`);

    const notAnalyzed = r.notAnalyzed ?? [];
    if (notAnalyzed.length > 0) {
      w();
      w(`### Not analyzed (${notAnalyzed.length}): the gate fails`);
      w();
      for (const what of notAnalyzed) w(`- not analyzed: ${cell(what, 300)}`);
      w();
      w(cell(NOT_ANALYZED_HELP, 400));
    }

    const blocking = resultCount(r, 'blocking');
    w();
    w(`### Blocking findings (${blocking})`);
    w();
    if (blocking === 0) {
      w(`None at or above ${r.failOn}.`);
    } else {
      w('| Severity | Rule | Finding | Where | Tool | Fingerprint |');
      w('|---|---|---|---|---|---|');
      for (const f of r.blocking.slice(0, maxRows)) {
        const note = f.expiredSuppression ? `suppression ${f.expiredSuppression.label} expired on ${f.expiredSuppression.expires}` : undefined;
        w(findingRow(f, note));
      }
      if (blocking > Math.min(maxRows, r.blocking.length)) {
        w();
        w(`… and ${blocking - Math.min(maxRows, r.blocking.length)} more: see findings.sarif and junit.xml.`);
      }
    }

    const sup = r.suppressions;
    const suppressedCount = resultCount(r, 'suppressed');
    w();
    w(`### Suppressions (${cell(sup.file, 200)})`);
    w();
    const fp = r.suppressed.filter((s) => s.suppression.falsePositive).length;
    w(`${sup.active} active entr${sup.active === 1 ? 'y' : 'ies'}; ${suppressedCount} finding(s) suppressed${fp > 0 ? ` (${fp} listed as false positive)` : ''}.`);
    if (r.suppressed.length > 0) {
      w();
      w('Suppressed findings (accepted, do not block):');
      w();
      w('| Severity | Rule | Finding | Where | Tool | Fingerprint |');
      w('|---|---|---|---|---|---|');
      for (const { finding, suppression } of r.suppressed.slice(0, maxRows)) {
        w(findingRow(finding, `by ${suppression.label} until ${suppression.expires}`));
      }
      if (suppressedCount > Math.min(maxRows, r.suppressed.length)) {
        w();
        w(`… and ${suppressedCount - Math.min(maxRows, r.suppressed.length)} more: see findings.sarif.`);
      }
    }
    if (sup.expiringSoon.length > 0) {
      w();
      w('Expiring within 14 days (review or renew):');
      w();
      w('| Entry | Expires | When | Owner | Reason |');
      w('|---|---|---|---|---|');
      for (const s of sup.expiringSoon) w(entryLine(s, today));
    }
    if (sup.expired.length > 0) {
      w();
      w('Expired (no longer suppress anything):');
      w();
      w('| Entry | Expires | When | Owner | Reason |');
      w('|---|---|---|---|---|');
      for (const s of sup.expired) w(entryLine(s, today));
    }
    if (sup.malformed.length > 0) {
      w();
      w('Malformed (ignored until fixed):');
      w();
      w('| Entry | Field | Problem |');
      w('|---|---|---|');
      for (const p of sup.malformed) w(`| ${cell(p.label)} | ${cell(p.field)} | ${cell(p.message, 240)} |`);
    }
    if (sup.unused.length > 0) {
      w();
      w('Unused (matched no finding of this gate; remove them if the finding is gone):');
      w();
      for (const s of sup.unused) w(`- ${cell(s.label)} (expires ${s.expires}): ${cell(s.reason)}`);
    }

    const toolSuppressed = r.toolSuppressedTotal ?? r.toolSuppressed.length;
    if (toolSuppressed > 0) {
      w();
      w(`### Suppressed by the tool, not accepted (${toolSuppressed})`);
      w();
      w('The scanner marked these suppressed (an in-code comment, its configuration or VEX). That is not an acceptance:');
      w('they count like any other finding. Accept one with an entry in the suppressions file, with a reason and an expiry.');
      w();
      w('| Severity | Rule | Finding | Where | Tool | Fingerprint |');
      w('|---|---|---|---|---|---|');
      for (const f of r.toolSuppressed.slice(0, maxRows)) w(findingRow(f, DECISION_LABEL[f.decision] ?? f.decision));
    }
  }
}

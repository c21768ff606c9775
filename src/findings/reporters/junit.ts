import { whereOf } from './result';
import { Sink } from './sink';
import { SEVERITY_ORDER } from '../../model/severity';
import { FindingDecision, GateEvaluation } from '../policy';

/**
 * JUnit XML for CodeBuild report groups: one testsuite per gate and tool, a failing testcase
 * per blocking finding, suppressed findings as skipped testcases with the reason, and one
 * passing testcase when a tool has no blocking finding (a suite is never empty, so a tool that
 * ran clean shows up as passed rather than missing).
 *
 * A CodeBuild test report keeps at most 500 test cases and truncates the rest itself (see
 * `CODEBUILD_MAX_TEST_CASES`). So the document holds at most `maxCases`: the most serious blocking
 * findings first, then the suppressed ones, and, in each suite where some did not fit, one more
 * testcase (failing, or skipped) that counts them and points to findings.sarif and gate-result.json,
 * which list every finding. Which 500 a reviewer sees is then our choice, not the truncation's.
 */

/** Test cases a CodeBuild test report keeps (https://docs.aws.amazon.com/codebuild/latest/userguide/test-report.html). */
export const CODEBUILD_MAX_TEST_CASES = 500;

export interface JUnitOptions {
  /** Every tool that reported for this gate, including those without findings. */
  readonly tools: readonly string[];
  /**
   * Most test cases in the document (at least 1): findings beyond it are counted, not listed.
   * Only the one case each tool's suite needs can go beyond it (more tools than cases).
   * @default CODEBUILD_MAX_TEST_CASES
   */
  readonly maxCases?: number;
}

// XML 1.0 forbids most control characters even when escaped; scanner output can contain them.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Anything `xml` would change: most texts have none of it, and are returned as they are.
const NEEDS_XML_ESCAPE = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

/** Escapes text for an XML attribute or element. */
export function xml(text: string): string {
  if (!NEEDS_XML_ESCAPE.test(text)) return text;
  return text.replace(INVALID_XML, '\uFFFD').replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      default: return '&apos;';
    }
  });
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function caseName(d: FindingDecision): string {
  const where = whereOf(d.finding);
  return clip(`[${d.finding.severity}] ${d.finding.ruleId}${where ? ` at ${where}` : ''}`, 500);
}

function details(d: FindingDecision): string {
  const f = d.finding;
  let text = `${f.severity}${f.rawSeverity ? ` (scanner: ${f.rawSeverity})` : ''}: ${f.title}\nrule: ${f.ruleId}`;
  const where = whereOf(f);
  if (where) text += `\nwhere: ${where}`;
  if (f.package) text += `\npackage: ${f.package.name} ${f.package.installedVersion ?? ''}${f.package.fixedVersion ? `, fixed in ${f.package.fixedVersion}` : ', no fix yet'}`;
  if (f.cves.length > 0) text += `\nCVE: ${f.cves.join(', ')}`;
  if (f.cwes.length > 0) text += `\nCWE: ${f.cwes.join(', ')}`;
  if (f.helpUri) text += `\nhelp: ${f.helpUri}`;
  text += `\nfingerprint: ${f.fingerprint}`;
  if (f.suppressedByTool) text += '\nsuppressed by the tool, not accepted: the scanner\'s own suppression (an in-code comment or its configuration) does not accept a finding; add an entry with a reason and an expiry to the suppressions file';
  if (d.expiredSuppression) text += `\nsuppression ${d.expiredSuppression.label} expired on ${d.expiredSuppression.expires}; renew it with a reason or fix the finding`;
  if (f.description) text += `\n\n${clip(f.description, 4000)}`;
  return text;
}

/** Why a gate with code its scanners did not cover fails, and what to do. */
export const NOT_ANALYZED_HELP = 'No engine of this gate analyzed this code, so the gate cannot say it is safe. '
  + 'Choose engines that cover it, or name the engines explicitly (e.g. Sast.engines([...])) to accept that it is not analyzed.';

function skipMessage(d: FindingDecision): string {
  const s = d.suppression!;
  return `suppressed by ${s.label} until ${s.expires}${s.owner ? ` (owner ${s.owner})` : ''}${s.falsePositive ? ' [false positive]' : ''}: ${s.reason}`;
}

interface Suite {
  readonly failing: FindingDecision[];
  readonly skipped: FindingDecision[];
  belowThreshold: number;
  baseline: number;
}

/**
 * Lists up to `budget` decisions across suites, most serious first (then in report order): returns,
 * per suite, the decisions to list, in report order.
 */
function choose(lists: ReadonlyArray<readonly FindingDecision[]>, budget: number): FindingDecision[][] {
  const total = lists.reduce((n, l) => n + l.length, 0);
  if (total <= budget) return lists.map((l) => [...l]);
  const chosen = new Set<FindingDecision>();
  for (const severity of SEVERITY_ORDER) {
    for (const list of lists) {
      for (const d of list) {
        if (chosen.size >= budget) break;
        if (d.finding.severity === severity) chosen.add(d);
      }
    }
  }
  return lists.map((l) => l.filter((d) => chosen.has(d)));
}

/** Writes the JUnit XML document. */
export function writeJUnit(evaluation: GateEvaluation, options: JUnitOptions, sink: Sink): void {
  const maxCases = options.maxCases ?? CODEBUILD_MAX_TEST_CASES;
  if (!Number.isInteger(maxCases) || maxCases < 1) throw new Error(`JUnit maxCases ${maxCases}: use a whole number of test cases >= 1`);
  const suites = new Map<string, Suite>();
  const suite = (tool: string): Suite => {
    let s = suites.get(tool);
    if (!s) {
      s = { failing: [], skipped: [], belowThreshold: 0, baseline: 0 };
      suites.set(tool, s);
    }
    return s;
  };
  for (const tool of options.tools) suite(tool);
  for (const d of evaluation.decisions) {
    const s = suite(d.finding.tools[0]?.name ?? 'unknown');
    if (d.decision === 'blocking') s.failing.push(d);
    else if (d.decision === 'suppressed') s.skipped.push(d);
    else if (d.decision === 'baseline') s.baseline++;
    else s.belowThreshold++;
  }
  // Never an empty document: a gate without any tool still shows up as one (passing) suite.
  if (suites.size === 0) suite('(no tool)');

  // The cap, less one passing case per suite without blocking findings, less one case per suite
  // that counts what it could not list: first for blocking findings, then for suppressed ones.
  const all = [...suites.values()];
  const passing = all.filter((s) => s.failing.length === 0).length;
  const fit = (lists: ReadonlyArray<readonly FindingDecision[]>, room: number): FindingDecision[][] => {
    const total = lists.reduce((n, l) => n + l.length, 0);
    const counters = lists.filter((l) => l.length > 0).length;
    return choose(lists, total <= room ? room : Math.max(0, room - counters));
  };
  // What the scanners did not cover: one failing case each, in a suite of its own, listed first.
  const notAnalyzed = evaluation.notAnalyzed.slice(0, Math.max(1, maxCases - passing - 1));
  const listedFailing = fit(all.map((s) => s.failing), maxCases - passing - notAnalyzed.length);
  const failingCases = all.reduce((n, s, i) => n + listedFailing[i].length + (listedFailing[i].length < s.failing.length ? 1 : 0), 0);
  const listedSkipped = fit(all.map((s) => s.skipped), maxCases - passing - failingCases - notAnalyzed.length);

  let tests = notAnalyzed.length;
  let failures = notAnalyzed.length;
  let skipped = 0;
  const counts = all.map((s, i) => {
    const moreFailing = s.failing.length - listedFailing[i].length;
    const moreSkipped = s.skipped.length - listedSkipped[i].length;
    const failed = listedFailing[i].length + (moreFailing > 0 ? 1 : 0);
    const skip = listedSkipped[i].length + (moreSkipped > 0 ? 1 : 0);
    const n = failed + skip + (s.failing.length === 0 ? 1 : 0);
    tests += n;
    failures += failed;
    skipped += skip;
    return { moreFailing, moreSkipped, failed, skip, n };
  });

  const gate = xml(evaluation.gate);
  sink.write('<?xml version="1.0" encoding="UTF-8"?>\n');
  sink.write(`<testsuites name="${gate}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="0">\n`);
  const elsewhere = 'every finding is in findings.sarif and gate-result.json';
  if (notAnalyzed.length > 0) {
    const classname = xml(`${evaluation.gate}.coverage`);
    sink.write(`  <testsuite name="${xml(`${evaluation.gate}/coverage`)}" tests="${notAnalyzed.length}" failures="${notAnalyzed.length}" errors="0" skipped="0" time="0" timestamp="${xml(evaluation.evaluatedAt.replace(/\.\d+Z$/, ''))}">\n`);
    for (const what of notAnalyzed) {
      sink.write(`    <testcase classname="${classname}" name="${xml(clip(`not analyzed: ${what}`, 500))}" time="0">\n`
        + `      <failure type="not-analyzed" message="${xml(clip(`not analyzed: ${what}`, 500))}">${xml(NOT_ANALYZED_HELP)}</failure>\n`
        + '    </testcase>\n');
    }
    sink.write('  </testsuite>\n');
  }
  const tools = [...suites.keys()];
  all.forEach((s, i) => {
    const tool = tools[i];
    const c = counts[i];
    const classname = xml(`${evaluation.gate}.${tool}`);
    sink.write(`  <testsuite name="${xml(`${evaluation.gate}/${tool}`)}" tests="${c.n}" failures="${c.failed}" errors="0" skipped="${c.skip}" time="0" timestamp="${xml(evaluation.evaluatedAt.replace(/\.\d+Z$/, ''))}">\n`);
    for (const d of listedFailing[i]) {
      sink.write(`    <testcase classname="${classname}" name="${xml(caseName(d))}" time="0">\n`
        + `      <failure type="${d.finding.severity}" message="${xml(clip(`${d.finding.severity}: ${d.finding.title}`, 500))}">${xml(details(d))}</failure>\n`
        + '    </testcase>\n');
    }
    if (c.moreFailing > 0) {
      const what = `${c.moreFailing} more blocking finding(s) at or above ${evaluation.failOn}, not listed`;
      sink.write(`    <testcase classname="${classname}" name="${xml(what)}" time="0">\n`
        + `      <failure type="${evaluation.failOn}" message="${xml(`${what}: a CodeBuild report keeps at most ${CODEBUILD_MAX_TEST_CASES} test cases, the most serious are listed; ${elsewhere}`)}"/>\n`
        + '    </testcase>\n');
    }
    if (s.failing.length === 0) {
      const rest = [
        s.belowThreshold > 0 ? `${s.belowThreshold} below threshold` : '',
        s.baseline > 0 ? `${s.baseline} in baseline` : '',
      ].filter(Boolean).join(', ');
      const name = `no blocking findings at or above ${evaluation.failOn}${rest ? ` (${rest})` : ''}`;
      sink.write(`    <testcase classname="${classname}" name="${xml(name)}" time="0"/>\n`);
    }
    for (const d of listedSkipped[i]) {
      sink.write(`    <testcase classname="${classname}" name="${xml(caseName(d))}" time="0">\n`);
      sink.write(`      <skipped message="${xml(clip(skipMessage(d), 1000))}"/>\n`);
      sink.write('    </testcase>\n');
    }
    if (c.moreSkipped > 0) {
      const what = `${c.moreSkipped} more suppressed finding(s), not listed`;
      sink.write(`    <testcase classname="${classname}" name="${xml(what)}" time="0">\n`);
      sink.write(`      <skipped message="${xml(`${what}: ${elsewhere}`)}"/>\n`);
      sink.write('    </testcase>\n');
    }
    sink.write('  </testsuite>\n');
  });
  sink.write('</testsuites>\n');
}

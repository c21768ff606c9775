import { FindingDecision, GateEvaluation } from '../policy';
import { whereOf } from './result';
import { Sink } from './sink';

/**
 * JUnit XML for CodeBuild report groups: one testsuite per gate and tool, a failing testcase
 * per blocking finding, suppressed findings as skipped testcases with the reason, and one
 * passing testcase when a tool has no blocking finding (a suite is never empty, so a tool that
 * ran clean shows up as passed rather than missing).
 */

export interface JUnitOptions {
  /** Every tool that reported for this gate, including those without findings. */
  readonly tools: readonly string[];
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
  if (d.expiredSuppression) text += `\nsuppression ${d.expiredSuppression.label} expired on ${d.expiredSuppression.expires}; renew it with a reason or fix the finding`;
  if (f.description) text += `\n\n${clip(f.description, 4000)}`;
  return text;
}

function skipMessage(d: FindingDecision): string {
  if (d.decision === 'tool-suppressed') return 'suppressed by the scanner (in-code or scanner configuration)';
  const s = d.suppression!;
  return `suppressed by ${s.label} until ${s.expires}${s.owner ? ` (owner ${s.owner})` : ''}${s.falsePositive ? ' [false positive]' : ''}: ${s.reason}`;
}

interface Suite {
  readonly failing: FindingDecision[];
  readonly skipped: FindingDecision[];
  belowThreshold: number;
  baseline: number;
}

/** Writes the JUnit XML document. */
export function writeJUnit(evaluation: GateEvaluation, options: JUnitOptions, sink: Sink): void {
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
    else if (d.decision === 'suppressed' || d.decision === 'tool-suppressed') s.skipped.push(d);
    else if (d.decision === 'baseline') s.baseline++;
    else s.belowThreshold++;
  }
  // Never an empty document: a gate without any tool still shows up as one (passing) suite.
  if (suites.size === 0) suite('(no tool)');

  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const s of suites.values()) {
    tests += s.failing.length + s.skipped.length + (s.failing.length === 0 ? 1 : 0);
    failures += s.failing.length;
    skipped += s.skipped.length;
  }

  const gate = xml(evaluation.gate);
  sink.write('<?xml version="1.0" encoding="UTF-8"?>\n');
  sink.write(`<testsuites name="${gate}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="0">\n`);
  for (const [tool, s] of suites) {
    const classname = xml(`${evaluation.gate}.${tool}`);
    const n = s.failing.length + s.skipped.length + (s.failing.length === 0 ? 1 : 0);
    sink.write(`  <testsuite name="${xml(`${evaluation.gate}/${tool}`)}" tests="${n}" failures="${s.failing.length}" errors="0" skipped="${s.skipped.length}" time="0" timestamp="${xml(evaluation.evaluatedAt.replace(/\.\d+Z$/, ''))}">\n`);
    for (const d of s.failing) {
      sink.write(`    <testcase classname="${classname}" name="${xml(caseName(d))}" time="0">\n`
        + `      <failure type="${d.finding.severity}" message="${xml(clip(`${d.finding.severity}: ${d.finding.title}`, 500))}">${xml(details(d))}</failure>\n`
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
    for (const d of s.skipped) {
      sink.write(`    <testcase classname="${classname}" name="${xml(caseName(d))}" time="0">\n`);
      sink.write(`      <skipped message="${xml(clip(skipMessage(d), 1000))}"/>\n`);
      sink.write('    </testcase>\n');
    }
    sink.write('  </testsuite>\n');
  }
  sink.write('</testsuites>\n');
}

import { forEachElement } from './lazy-json';
import { addCves, addPropertyIds, addTaxonomyCwes, Ids, RunRules, vulnerabilityId } from './sarif-ids';
import { isSecretScanner, Rated, resultSeverity } from './sarif-severity';
import { repositoryRoots, RunLocations } from './sarif-uri';
import { msg, Place, props, ResultPlace, text } from './sarif-values';
import { DecodedReport, ParseContext, ReportFormatError, ReportParser } from './types';
import { firstLine, isObject, Obj, packageFromPurl } from './util';
import { Finding, PackageRef, ToolRef } from '../../model/finding';
import { codeFingerprint, dependencyFingerprint, genericFingerprint, toolFingerprint } from '../fingerprint';

/**
 * Generic SARIF 2.1.0: every tool that writes SARIF, known or not. Severity: see sarif-severity.ts;
 * rules and ids: sarif-ids.ts; locations: sarif-uri.ts.
 *
 * Fingerprint: CVE (or GHSA) + package + version when both can be read (tool independent, so
 * trivy and grype findings merge); else the tool's own `fingerprints` / `partialFingerprints`
 * (with rule, file and snippet: gitleaks' partial fingerprints are commit metadata only); else
 * rule + path + snippet. Results of kind `pass` or `notApplicable` are not findings.
 */

/** The field `Label: value` (one line) of a tool's text, e.g. trivy's `Installed Version: 1.2`. */
function labelled(body: string | undefined, labels: RegExp): string | undefined {
  if (!body) return undefined;
  const m = labels.exec(body);
  const v = m?.[1].trim();
  return v ? v : undefined;
}

const PACKAGE_LABEL = /^[ \t]*(?:\*\*)?Package(?:\*\*)?:[ \t]*(?:\*\*)?(.*?)(?:\*\*)?[ \t]*$/im;
const VERSION_LABEL = /^[ \t]*(?:\*\*)?(?:Installed Version|Version)(?:\*\*)?:[ \t]*(?:\*\*)?(.*?)(?:\*\*)?[ \t]*$/im;
const FIXED_LABEL = /^[ \t]*(?:\*\*)?(?:Fixed Version|Fix Version|Fixed In)(?:\*\*)?:[ \t]*(?:\*\*)?(.*?)(?:\*\*)?[ \t]*$/im;

/** The package of a dependency result: from a purl property, else from `Package:` / `Version:` text. */
function packageOf(resultProps: Obj | undefined, texts: Array<string | undefined>): PackageRef | undefined {
  const purl = text(resultProps?.purl) ?? text(resultProps?.packageUrl);
  const fromPurl = purl ? packageFromPurl(purl) : undefined;
  if (fromPurl) return fromPurl;
  for (const body of texts) {
    const name = labelled(body, PACKAGE_LABEL);
    if (!name) continue;
    return { name, installedVersion: labelled(body, VERSION_LABEL), fixedVersion: labelled(body, FIXED_LABEL) };
  }
  return undefined;
}

/** One run's tool, rules, locations and caches. */
class RunContext {
  readonly tool: ToolRef;
  readonly secret: boolean;
  readonly rules: RunRules;
  readonly locations: RunLocations;
  private readonly lastMessage = new Map<string, string>();
  /** Ratings of result security-severity values already seen. */
  readonly scores = new Map<unknown, Rated>();
  /** All findings of a run share one (frozen) tools list. */
  readonly tools: ToolRef[];
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();

  constructor(readonly file: string, readonly run: Obj, readonly where: string, roots: readonly string[] = repositoryRoots()) {
    const tool = isObject(run.tool) ? run.tool : undefined;
    const driver = tool?.driver;
    if (!tool || !isObject(driver)) throw new ReportFormatError(file, `${where}.tool.driver is missing: a SARIF run must name its tool`);
    const name = text(driver.name);
    if (!name) throw new ReportFormatError(file, `${where}.tool.driver.name is missing: a SARIF run must name its tool`);
    this.tool = { name, version: text(driver.version) ?? text(driver.semanticVersion) };
    this.secret = isSecretScanner(name);
    this.tools = Object.freeze([this.tool]) as ToolRef[];
    this.rules = new RunRules(tool, driver);
    this.locations = new RunLocations(file, run, roots, this);
  }

  /**
   * One copy of a rule's repeated message (semgrep repeats a long text in every result): the
   * previous message of the rule is reused when equal, which costs one string comparison.
   */
  sameMessage(ruleId: string, message: string): string {
    const last = this.lastMessage.get(ruleId);
    if (last === message) return last;
    this.lastMessage.set(ruleId, message);
    return message;
  }

  /** One (frozen) copy of each list of ids: results repeat a few combinations of tags. */
  internList(list: readonly string[]): readonly string[] {
    const key = list.join('\u0000');
    let known = this.lists.get(key);
    if (known === undefined) {
      known = Object.freeze(list.slice());
      if (this.lists.size < 10_000) this.lists.set(key, known);
    }
    return known;
  }

  /** One copy of repeated strings (rule ids without a rule, resource kinds). */
  intern(s: string): string;
  intern(s: string | undefined): string | undefined;
  intern(s: string | undefined): string | undefined {
    if (s === undefined) return undefined;
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }
}

/** SARIF §3.27.23: suppressed when some suppression is not rejected (or under review). */
function isSuppressed(result: Obj): boolean {
  if (!Array.isArray(result.suppressions)) return false;
  return result.suppressions.some((s) => isObject(s) && (s.status === undefined || s.status === 'accepted'));
}

const NO_PRINTS: { full?: string; partial?: string } = {};

/** The tool's own fingerprints, as one stable string (keys sorted). */
function toolPrint(result: Obj): { full?: string; partial?: string } {
  const flatten = (v: unknown): string | undefined => {
    if (!isObject(v)) return undefined;
    let out: string | undefined;
    for (const k of Object.keys(v).sort()) {
      const value = v[k];
      // semgrep without a login writes the placeholder "requires login": not an identity.
      if (typeof value !== 'string' || value === '' || value === 'requires login') continue;
      out = out === undefined ? `${k}=${value}` : `${out}\n${k}=${value}`;
    }
    return out;
  };
  return { full: flatten(result.fingerprints), partial: flatten(result.partialFingerprints) };
}

function unmasked(line: string): string {
  return line.endsWith('****') ? line.replace(/:?\s*\*+$/, '') || line : line;
}

// Reused for every result (parsing is synchronous): no allocation when a result adds no ids.
const RESULT_CVES = new Ids();
const RESULT_CWES = new Ids();

function toFinding(file: string, ctx: ParseContext, run: RunContext, result: unknown, where: Place): Finding | undefined {
  if (!isObject(result)) throw new ReportFormatError(file, `${where} is not an object`);
  const kind = text(result.kind);
  if (kind === 'pass' || kind === 'notApplicable') return undefined;

  const message = msg(result.message);
  let rule = run.rules.rule(result);
  let ruleId = text(result.ruleId) ?? (isObject(result.rule) ? text(result.rule.id) : undefined) ?? rule.id;
  if (ruleId === undefined) {
    rule = run.rules.ruleFromMessage(message) ?? rule;
    ruleId = rule.id;
  }
  if (ruleId === undefined) {
    // No rule at all: the message is the only stable name the tool gives.
    if (!message) throw new ReportFormatError(file, `${where} has neither a ruleId nor a message`);
    ruleId = firstLine(message);
  }
  // The rule's own copy of its id when equal: one string for all its findings.
  ruleId = ruleId === rule.id ? rule.id : run.intern(ruleId);

  const rated = resultSeverity(file, result, rule, where, run.scores);
  const at = run.locations.locationOf(result, where);
  const resultProps = props(result);

  // Most results add no ids of their own: they share the rule's (frozen) lists.
  let cves = rule.cves;
  let cwes = rule.cwes;
  const ownIds = ruleId !== rule.id || result.taxa !== undefined
    || (resultProps !== undefined && (resultProps.tags !== undefined || resultProps.cve !== undefined || resultProps.cwe !== undefined));
  if (ownIds) {
    const cveIds = RESULT_CVES.reset(rule.cves);
    addCves(cveIds, ruleId);
    const cweIds = RESULT_CWES.reset(rule.cwes);
    if (resultProps) addPropertyIds(cveIds, cweIds, resultProps);
    addTaxonomyCwes(cweIds, result.taxa);
    cves = cveIds.list === rule.cves ? rule.cves : run.internList(cveIds.list);
    cwes = cweIds.list === rule.cwes ? rule.cwes : run.internList(cweIds.list);
  }

  // Dependency results: the vulnerability id (CVE, else GHSA) and its package.
  const vulnId = vulnerabilityId(cves, ruleId);
  const pkg = vulnId ? packageOf(resultProps, [message, at.message, rule.helpText]) : undefined;

  let fingerprint: string;
  const own = result.fingerprints === undefined && result.partialFingerprints === undefined ? NO_PRINTS : toolPrint(result);
  const snippet = at.location?.snippet;
  if (vulnId && pkg) {
    fingerprint = dependencyFingerprint(vulnId, pkg.name, pkg.installedVersion);
  } else if (own.full) {
    // Rule and place too: a tool writing one constant or per-file value must not merge findings.
    fingerprint = toolFingerprint(run.tool.name, [ruleId, at.location?.file ?? at.resource?.id ?? '', own.full].join('\u0000'));
  } else if (own.partial) {
    // Partial fingerprints are meant to be combined with the result's own identity (SARIF §3.27.17).
    fingerprint = toolFingerprint(run.tool.name, [ruleId, at.location?.file ?? at.resource?.id ?? '', own.partial, snippet ?? ''].join('\u0000'));
  } else if (at.location) {
    // Without a snippet, line and message tell apart results of one rule in one file
    // (cfn-guard reports each missing property at the same line).
    const body = snippet ?? (message ? `${at.location.startLine ?? ''}: ${message}` : undefined);
    fingerprint = codeFingerprint(ruleId, at.location.file, body, at.location.startLine);
  } else if (at.resource) {
    fingerprint = genericFingerprint(ruleId, at.resource.id, snippet ?? at.message);
  } else {
    fingerprint = genericFingerprint(run.tool.name, ruleId, message);
  }

  // A masked secret (`found AWS Secret Access Key: ****`) adds nothing to a title.
  const title = rule.title ?? (message ? unmasked(firstLine(message)) : ruleId);
  const description = message !== undefined && message !== title ? run.sameMessage(ruleId, message) : undefined;
  return {
    tools: run.tools,
    ruleId,
    title,
    description,
    severity: run.secret ? ctx.secretSeverity : rated.severity,
    rawSeverity: rated.rawSeverity,
    location: at.location,
    resource: at.resource,
    package: pkg,
    cves: cves as string[],
    cwes: cwes as string[],
    fingerprint,
    helpUri: rule.helpUri,
    suppressedByTool: isSuppressed(result) ? true : undefined,
  };
}

function requireSarif(report: DecodedReport): Obj {
  const doc = report.doc;
  if (!isObject(doc)) throw new ReportFormatError(report.file, 'SARIF report is not a JSON object');
  if (doc.version !== '2.1.0') {
    throw new ReportFormatError(report.file, `SARIF version ${JSON.stringify(doc.version ?? null)} is not supported: only SARIF 2.1.0`);
  }
  if (!Array.isArray(doc.runs)) {
    throw new ReportFormatError(report.file, doc.runs === undefined
      ? 'SARIF report has no "runs": the tool wrote no results at all (not even an empty list)'
      : 'SARIF "runs" is not an array');
  }
  // No run means no tool looked at anything: that cannot pass a gate.
  if ((doc.runs as unknown[]).length === 0) throw new ReportFormatError(report.file, 'SARIF "runs" is empty: no tool run is recorded');
  return doc;
}

/** The tool of each run of a SARIF document. */
export function sarifTools(report: DecodedReport): ToolRef[] {
  const doc = requireSarif(report);
  const runs = doc.runs as unknown[];
  const tools: ToolRef[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    if (isObject(run)) tools.push(new RunContext(report.file, run, `runs[${i}]`).tool);
  }
  return tools;
}

/** The first notification of level `error` in a SARIF notifications list (SARIF 2.1.0 §3.58.6), with its text. */
function errorNotification(notes: unknown): { index: number; text?: string } | undefined {
  if (!Array.isArray(notes)) return undefined;
  for (let j = 0; j < notes.length; j++) {
    const n = notes[j];
    if (isObject(n) && n.level === 'error') return { index: j, text: msg(n.message) };
  }
  return undefined;
}

/**
 * Why an invocation did not complete, or undefined when it did: SARIF requires
 * `executionSuccessful` (§3.20.14), and only the boolean `true` says the run finished (the string
 * "false" is no success); an exit code other than 0 or an exit signal is a crash whatever it says.
 */
function crashOf(inv: Obj, toolName: unknown): string | undefined {
  const ok = inv.executionSuccessful;
  if (ok !== true) return `executionSuccessful: ${ok === undefined ? 'missing' : typeof ok === 'boolean' ? String(ok) : `a ${typeof ok}, not true`}`;
  // SpotBugs' exit code is a bit set: 1 alone is "bugs found", a completed run (2, missing classes, and 4, errors, are not).
  const spotBugsFound = toolName === 'SpotBugs' && inv.exitCode === 1 && inv.exitCodeDescription === 'BUGS FOUND';
  if (inv.exitCode !== undefined && inv.exitCode !== null && inv.exitCode !== 0 && !spotBugsFound) {
    return `exitCode ${typeof inv.exitCode === 'number' && Number.isInteger(inv.exitCode) ? inv.exitCode : `not 0 (a ${typeof inv.exitCode})`}`;
  }
  if (inv.exitSignalName !== undefined && inv.exitSignalName !== null) return 'it was ended by a signal (exitSignalName)';
  if (inv.exitSignalNumber !== undefined && inv.exitSignalNumber !== null) return 'it was ended by a signal (exitSignalNumber)';
  return undefined;
}

/** Findings of every run of a SARIF 2.1.0 document. */
export function parseSarif(report: DecodedReport, ctx: ParseContext): Finding[] {
  const file = report.file;
  const runs = requireSarif(report).runs as unknown[];
  const findings: Finding[] = [];
  const roots = repositoryRoots(ctx.sourceRoot);
  for (let r = 0; r < runs.length; r++) {
    const where = `runs[${r}]`;
    const raw = runs[r];
    if (!isObject(raw)) throw new ReportFormatError(file, `${where} is not an object`);
    const run = new RunContext(file, raw, where, roots);
    // A tool that says it did not finish has not looked at everything: fail closed.
    if (raw.invocations !== undefined && raw.invocations !== null && !Array.isArray(raw.invocations)) {
      throw new ReportFormatError(file, `${where}.invocations is not an array`);
    }
    const invocations = Array.isArray(raw.invocations) ? raw.invocations : [];
    for (let i = 0; i < invocations.length; i++) {
      const inv = invocations[i];
      if (!isObject(inv)) throw new ReportFormatError(file, `${where}.invocations[${i}] is not an object`);
      const crash = crashOf(inv, isObject(raw.tool) && isObject(raw.tool.driver) ? raw.tool.driver.name : undefined);
      if (crash) {
        const notes = Array.isArray(inv.toolExecutionNotifications) ? inv.toolExecutionNotifications : [];
        const reason = notes.map((n) => (isObject(n) ? msg(n.message) : undefined)).find((m) => m !== undefined);
        throw new ReportFormatError(file, `${where}.invocations[${i}]: ${run.tool.name} reports that it did not complete (${crash})${reason ? `: ${firstLine(reason)}` : ''}`);
      }
      // A tool that reports an error (a file it could not read, a rule it could not load) may
      // have missed findings even when it calls the run successful (semgrep does): fail closed.
      if (isObject(inv)) {
        for (const key of ['toolExecutionNotifications', 'toolConfigurationNotifications']) {
          const error = errorNotification(inv[key]);
          if (error) {
            throw new ReportFormatError(file, `${where}.invocations[${i}].${key}[${error.index}]: ${run.tool.name} reports an error${error.text ? `: ${firstLine(error.text)}` : ''}`);
          }
        }
      }
    }
    // SARIF §3.14.23: results absent or null means the tool did not produce results.
    if (raw.results === undefined || raw.results === null) {
      throw new ReportFormatError(file, `${where} has no "results": ${run.tool.name} produced no result list (an empty scan writes "results": [])`);
    }
    if (!Array.isArray(raw.results)) throw new ReportFormatError(file, `${where}.results is not an array`);
    const place = new ResultPlace(where);
    forEachElement(raw.results, (result, i) => {
      place.index = i;
      const finding = toFinding(file, ctx, run, result, place);
      if (finding) findings.push(finding);
    });
  }
  return findings;
}

export const sarifParser: ReportParser = {
  format: 'sarif',
  description: 'SARIF 2.1.0 from any tool',
  encoding: 'json',
  detect(report) {
    const doc = report.doc;
    if (!isObject(doc)) return false;
    if (typeof doc.$schema === 'string' && /sarif/i.test(doc.$schema)) return true;
    // Without $schema: the two properties SARIF requires (version 2.1.0 alone still claims the
    // document, so that a SARIF file without runs fails as SARIF rather than as unrecognized).
    return typeof doc.version === 'string' && ('runs' in doc || (doc.version === '2.1.0' && !('results' in doc)));
  },
  parse: parseSarif,
};

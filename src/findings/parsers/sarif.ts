import { Finding, PackageRef, ResourceRef, SourceLocation, ToolRef } from '../../model/finding';
import { Severity } from '../../model/severity';
import { codeFingerprint, dependencyFingerprint, genericFingerprint, normalizeSnippet, toolFingerprint } from '../fingerprint';
import { normalizeSeverity, SARIF_LEVEL_SEVERITY, UnknownSeverityError } from '../normalize';
import { forEachElement } from './decode';
import { DecodedReport, ParseContext, ReportFormatError, ReportParser } from './types';

/**
 * Generic SARIF 2.1.0: every tool that writes SARIF, known or not.
 *
 * Severity, per `normalize.ts`: `properties["security-severity"]` of the result, else of its rule
 * (a 0-10 score, or a word such as `CRITICAL` that some tools write there), else the result's
 * `level`, else the rule's `defaultConfiguration.level`, else SARIF's default `warning` (`none`
 * for a result whose `kind` is not `fail`). Secret scanners take the gate's secret severity.
 *
 * Fingerprint: CVE (or GHSA) + package + version when both can be read (tool independent, so
 * trivy and grype findings merge); else the tool's own `fingerprints` / `partialFingerprints`
 * (with rule, file and snippet: gitleaks' partial fingerprints are commit metadata only); else
 * rule + path + snippet. Results of kind `pass` or `notApplicable` are not findings.
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `message.text`-style objects (`{ text, markdown }`). */
function msg(v: unknown): string | undefined {
  return isObj(v) ? text(v.text) : undefined;
}

function props(v: Obj | undefined): Obj | undefined {
  return v && isObj(v.properties) ? v.properties : undefined;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
}

// Segments that cannot be ".", ".." or empty, and no scheme, "%" or backslash.
const PLAIN_PATH = /^[\w\-+@~][\w\-+@~ .]*(?:\/[\w\-+@~][\w\-+@~ .]*)*$/;

// Cache value of a URI that is not a file path (a URL).
const NOT_A_PATH = '\u0000url';

// Tools whose findings are secrets: they rate nothing, the gate's secret severity applies.
const SECRET_SCANNERS = /^(gitleaks|trufflehog|detect-secrets|ggshield|secretlint|noseyparker|nosey parker|talisman|kingfisher)\b/i;

/** True for tools whose SARIF results are leaked secrets (gitleaks, trufflehog, secretlint, ...). */
export function isSecretScanner(toolName: string): boolean {
  return SECRET_SCANNERS.test(toolName.trim());
}

const CVE_RE = /CVE-\d{4}-\d{4,}/gi;
const GHSA_RE = /GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}/i;
const CWE_RE = /\bCWE[-_ ]?(\d+)\b/gi;

/**
 * A list of ids that starts as a shared (frozen) list and is copied only when an id is added:
 * most results add nothing to their rule's ids, and then share the rule's list.
 */
class Ids {
  private items: readonly string[] = EMPTY;
  private own = false;

  reset(base: readonly string[]): this {
    this.items = base;
    this.own = false;
    return this;
  }

  add(id: string): void {
    if (this.items.includes(id)) return;
    if (!this.own) {
      this.items = [...this.items];
      this.own = true;
    }
    (this.items as string[]).push(id);
  }

  get list(): readonly string[] {
    return this.items;
  }
}

const CWE_NAMES = new Map<number, string>();

/** `CWE-79`, one copy per number. */
function cweName(n: number): string {
  let name = CWE_NAMES.get(n);
  if (name === undefined) {
    name = `CWE-${n}`;
    CWE_NAMES.set(n, name);
  }
  return name;
}

function addCves(out: Ids, v: unknown): void {
  if (typeof v === 'string') {
    // Most strings mention no CVE: skip the regular expression for them.
    if (v.indexOf('CVE') < 0 && v.indexOf('cve') < 0 && v.indexOf('Cve') < 0) return;
    for (const m of v.match(CVE_RE) ?? []) out.add(m.toUpperCase());
  } else if (Array.isArray(v)) {
    for (const x of v) addCves(out, x);
  }
}

// CWE ids of the tag texts seen: results repeat the same few tags.
const TAG_CWES = new Map<string, readonly string[]>();

function addCwes(out: Ids, v: unknown): void {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
    out.add(cweName(v));
  } else if (typeof v === 'string') {
    if (v.indexOf('CWE') < 0 && v.indexOf('cwe') < 0 && v.indexOf('Cwe') < 0) return;
    let ids = TAG_CWES.get(v);
    if (ids === undefined) {
      ids = [...v.matchAll(CWE_RE)].map((m) => cweName(parseInt(m[1], 10)));
      if (TAG_CWES.size < 10_000) TAG_CWES.set(v, ids);
    }
    for (const id of ids) out.add(id);
  } else if (Array.isArray(v)) {
    for (const x of v) addCwes(out, x);
  }
}

/** CWE ids of SARIF relationships / taxa that point into a taxonomy named CWE (ZAP, KICS). */
function addTaxonomyCwes(out: Ids, refs: unknown): void {
  if (!Array.isArray(refs)) return;
  for (const ref of refs) {
    const target = isObj(ref) && isObj(ref.target) ? ref.target : ref;
    if (!isObj(target) || !isObj(target.toolComponent)) continue;
    if (!/^cwe$/i.test(text(target.toolComponent.name) ?? '')) continue;
    const id = target.id;
    if (typeof id === 'string' && /^\d+$/.test(id)) out.add(cweName(parseInt(id, 10)));
    else addCwes(out, id);
  }
}

/** What is the same for every result of one rule: worked out once per rule. */
interface RuleInfo {
  readonly id?: string;
  readonly title?: string;
  readonly helpUri?: string;
  readonly securitySeverity?: unknown;
  /** `securitySeverity` as written, as a string (one copy for all the rule's findings). */
  readonly rawSecuritySeverity?: string;
  readonly defaultLevel?: unknown;
  readonly cves: readonly string[];
  readonly cwes: readonly string[];
  /** `Package: ...` style text of the rule (grype writes the package in the rule's help). */
  readonly helpText?: string;
  /** The rating of `securitySeverity`, once the first result needs it. */
  rated?: Rated;
}

const EMPTY: readonly string[] = Object.freeze([]);
const NO_RULE: RuleInfo = { cves: EMPTY, cwes: EMPTY };

/** CVE and CWE ids from a rule's or result's `properties` (tags, cve, cwe). */
function addPropertyIds(cves: Ids, cwes: Ids, p: Record<string, unknown>): void {
  addCves(cves, p.tags);
  addCves(cves, p.cve);
  addCwes(cwes, p.tags);
  addCwes(cwes, p.cwe);
}

function ruleInfo(rule: unknown): RuleInfo {
  if (!isObj(rule)) return NO_RULE;
  const p = props(rule);
  const cves = new Ids();
  const cwes = new Ids();
  addCves(cves, rule.id);
  if (p) {
    addPropertyIds(cves, cwes, p);
    addCwes(cwes, p.cwes);
  }
  addTaxonomyCwes(cwes, rule.relationships);
  const id = text(rule.id);
  const name = text(rule.name);
  return {
    id,
    // A name equal to the id (semgrep) says nothing more than the id, nor does a description that
    // only wraps it (secretlint: "secretlint rule(<id>) error"): the result's message names the finding then.
    title: informative(msg(rule.shortDescription), id) ?? (name !== id ? name : undefined) ?? informative(msg(rule.fullDescription), id),
    helpUri: text(rule.helpUri),
    securitySeverity: p?.['security-severity'],
    rawSecuritySeverity: present(p?.['security-severity']) ? String(p?.['security-severity']) : undefined,
    defaultLevel: isObj(rule.defaultConfiguration) ? rule.defaultConfiguration.level : undefined,
    cves: Object.freeze(cves.list),
    cwes: Object.freeze(cwes.list),
    helpText: msg(rule.help),
  };
}

/** A rule description, unless it is the rule id wrapped in at most three other words. */
function informative(description: string | undefined, id: string | undefined): string | undefined {
  if (description === undefined || id === undefined || !description.includes(id)) return description;
  const rest = description.split(id).join(' ').match(/[A-Za-z]+/g) ?? [];
  return rest.length <= 3 ? undefined : description;
}

/** The field `Label: value` (one line) of a tool's text, e.g. trivy's `Installed Version: 1.2`. */
function field(body: string | undefined, labels: RegExp): string | undefined {
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
  if (purl) {
    const m = /^pkg:([^/]+)\/([^@?#]+)(?:@([^?#]+))?/.exec(purl);
    if (m) {
      const name = safeDecode(m[2]);
      return { name, ecosystem: m[1].toLowerCase(), installedVersion: m[3] ? safeDecode(m[3]) : undefined };
    }
  }
  for (const body of texts) {
    const name = field(body, PACKAGE_LABEL);
    if (!name) continue;
    return { name, installedVersion: field(body, VERSION_LABEL), fixedVersion: field(body, FIXED_LABEL) };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// A rule id read from the start of a message ends before a character that is not a letter or digit.
const WORD_CHAR = /[\p{L}\p{N}]/u;
// Rule ids of up to this many words are recognized at the start of a message.
const MESSAGE_RULE_WORDS = 64;

/** One run's tool, rules and caches. */
class RunContext {
  readonly tool: ToolRef;
  readonly secret: boolean;
  private readonly driverRules: unknown[];
  private readonly extensionRules: unknown[][];
  private readonly byIndex = new Map<string, RuleInfo>();
  private byId?: Map<string, RuleInfo>;
  private readonly paths = new Map<string, string>();
  private readonly outside = new Set<string>();
  private readonly lastMessage = new Map<string, string>();
  /** Ratings of result security-severity values already seen. */
  readonly scores = new Map<unknown, Rated>();
  /** All findings of a run share one (frozen) tools list. */
  readonly tools: ToolRef[];
  private readonly artifactUris = new Map<number, string | undefined>();
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();

  constructor(readonly file: string, readonly run: Obj, readonly where: string, private readonly roots: readonly string[] = repositoryRoots()) {
    const tool = run.tool;
    const driver = isObj(tool) ? tool.driver : undefined;
    if (!isObj(driver)) throw new ReportFormatError(file, `${where}.tool.driver is missing: a SARIF run must name its tool`);
    const name = text(driver.name);
    if (!name) throw new ReportFormatError(file, `${where}.tool.driver.name is missing: a SARIF run must name its tool`);
    this.tool = { name, version: text(driver.version) ?? text(driver.semanticVersion) };
    this.secret = isSecretScanner(name);
    this.tools = Object.freeze([this.tool]) as ToolRef[];
    this.driverRules = Array.isArray(driver.rules) ? driver.rules : [];
    this.extensionRules = isObj(tool) && Array.isArray(tool.extensions)
      ? tool.extensions.map((e) => (isObj(e) && Array.isArray(e.rules) ? e.rules : []))
      : [];
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

  rule(result: Obj): RuleInfo {
    // result.rule (a reportingDescriptorReference) may point into an extension's rules.
    const ref = isObj(result.rule) ? result.rule : undefined;
    const refIndex = ref && typeof ref.index === 'number' ? ref.index : undefined;
    const component = ref && isObj(ref.toolComponent) && typeof ref.toolComponent.index === 'number' ? ref.toolComponent.index : undefined;
    const index = refIndex ?? (typeof result.ruleIndex === 'number' ? result.ruleIndex : undefined);
    if (index !== undefined && index >= 0) {
      const key = `${component ?? -1}:${index}`;
      let info = this.byIndex.get(key);
      if (!info) {
        const rules = component === undefined ? this.driverRules : this.extensionRules[component] ?? [];
        info = ruleInfo(rules[index]);
        this.byIndex.set(key, info);
      }
      if (info !== NO_RULE) return info;
    }
    const id = text(result.ruleId) ?? text(ref?.id);
    if (id === undefined) return NO_RULE;
    return this.rulesById().get(id) ?? NO_RULE;
  }

  rulesById(): Map<string, RuleInfo> {
    if (!this.byId) {
      this.byId = new Map();
      for (const rules of [this.driverRules, ...this.extensionRules]) {
        for (let i = 0; i < rules.length; i++) {
          const info = ruleInfo(rules[i]);
          if (info.id !== undefined && !this.byId.has(info.id)) this.byId.set(info.id, info);
        }
      }
    }
    return this.byId;
  }

  /**
   * gitleaks v7 writes no ruleId: its message starts with the rule's id ("AWS Access Key secret
   * detected"). The longest rule id that the message starts with, up to a word boundary: looked up
   * by the message's first words, so each result costs a few lookups, not one per rule (60,000
   * rules times 60,000 results was quadratic).
   */
  ruleFromMessage(message: string | undefined): RuleInfo | undefined {
    if (!message) return undefined;
    const byId = this.rulesById();
    if (byId.size === 0) return undefined;
    let best: RuleInfo | undefined;
    let boundaries = 0;
    for (let end = 1; end <= message.length && boundaries < MESSAGE_RULE_WORDS; end++) {
      if (end < message.length && WORD_CHAR.test(message[end])) continue;
      boundaries++;
      best = byId.get(message.slice(0, end)) ?? best;
    }
    return best;
  }

  artifactUri(index: unknown): string | undefined {
    if (typeof index !== 'number' || index < 0) return undefined;
    if (!this.artifactUris.has(index)) {
      const artifacts = Array.isArray(this.run.artifacts) ? this.run.artifacts : [];
      const artifact = artifacts[index];
      const loc = isObj(artifact) && isObj(artifact.location) ? artifact.location : undefined;
      this.artifactUris.set(index, text(loc?.uri));
    }
    return this.artifactUris.get(index);
  }

  /** A repository-relative path for a `file:` or relative URI; undefined for other schemes (URLs). */
  repoPath(uri: string, where: Place, suffix: string): string | undefined {
    // Most tools write plain relative paths: taken as they are, without a cache lookup.
    if (PLAIN_PATH.test(uri)) return underRoot(uri, this.roots) ?? uri;
    const known = this.paths.get(uri);
    if (known !== undefined) return known === NOT_A_PATH ? undefined : known;
    const location = sarifUriLocation(this.file, uri, `${where}${suffix}`, this.roots);
    if (location?.outsideRepository) this.outside.add(location.file);
    this.paths.set(uri, location?.file ?? NOT_A_PATH);
    return location?.file;
  }

  /** True when `repoPath` gave this path as written because it leaves the repository. */
  isOutside(path: string): boolean {
    return this.outside.size > 0 && this.outside.has(path);
  }
}

/**
 * The part of `p` below one of `roots`, or undefined. cfn-guard writes an absolute path without
 * its leading slash (`home/me/app/x.json`), so that form is recognized too.
 */
function underRoot(p: string, roots: readonly string[]): string | undefined {
  for (const root of roots) {
    if (root === '' || root === '/') continue;
    if (p.startsWith(`${root}/`)) return p.slice(root.length + 1);
    if (root.startsWith('/') && p.startsWith(`${root.slice(1)}/`)) return p.slice(root.length);
  }
  return undefined;
}

/**
 * Where the scanned repository is: the given source root (the local scan's directory), else where
 * CodeBuild checks the source out, else the working directory. Scanners that print absolute
 * paths print them under it.
 */
export function repositoryRoots(sourceRoot?: string): string[] {
  const roots = sourceRoot !== undefined ? [sourceRoot] : [process.env.CODEBUILD_SRC_DIR, process.cwd()];
  return roots.filter((r): r is string => !!r).map((r) => r.replace(/\\/g, '/').replace(/\/+$/, ''));
}

/**
 * A SARIF artifact URI as a repository-relative POSIX path. `file://` and drive letters are
 * dropped, `%xx` decoded, an absolute path under the checkout (CODEBUILD_SRC_DIR or the working
 * directory) made relative, any other absolute path taken from its root (`/code/app.yml` becomes
 * `code/app.yml`: scanners in containers mount the repository at such roots). `..` segments are
 * resolved; one that would leave the repository gives `OUTSIDE_REPOSITORY` (see `sarifUriLocation`).
 * Other schemes (`http:`) give undefined.
 */
// resolveSarifUri's answer for a URI that climbs above the repository's root.
const OUTSIDE_REPOSITORY: unique symbol = Symbol('outside the repository');

function resolveSarifUri(_file: string, uri: string, _where: string, roots: readonly string[]): string | typeof OUTSIDE_REPOSITORY | undefined {
  // Already repository-relative and normalized (no scheme, ".", "..", "%", "\\" or "//"): as is.
  if (PLAIN_PATH.test(uri)) return underRoot(uri, roots) ?? uri;
  let p = uri.trim();
  if (/^file:/i.test(p)) {
    p = p.replace(/^file:(\/\/[^/]*)?/i, '');
    // file:////src/x (an empty authority and an absolute path) is still /src/x.
  } else if (/^[a-z][a-z0-9+.-]+:/i.test(p)) {
    return undefined;
  }
  if (p.includes('%')) p = safeDecode(p);
  p = p.replace(/\\/g, '/').replace(/^\/?[A-Za-z]:\//, '/');
  p = underRoot(p, roots) ?? p;
  const kept: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (kept.length === 0) return OUTSIDE_REPOSITORY;
      kept.pop();
      continue;
    }
    kept.push(segment);
  }
  return kept.length === 0 ? undefined : kept.join('/');
}

/**
 * A SARIF artifact URI as a location: a repository-relative path (see `resolveSarifUri`), or, for
 * a URI whose `..` segments climb above the repository's root (secretlint 13 writes
 * `../../..dir/file`), the URI as given, marked `outsideRepository`. Such a finding is kept (it
 * still blocks), but no suppression matches it by path: a crafted report must not be able to
 * steer a finding into or out of a path glob. Undefined for other schemes (URLs).
 */
export function sarifUriLocation(
  file: string,
  uri: string,
  where: string,
  roots: readonly string[] = repositoryRoots(),
): { file: string; outsideRepository?: true } | undefined {
  const p = resolveSarifUri(file, uri, where, roots);
  if (p === OUTSIDE_REPOSITORY) return { file: uri.trim(), outsideRepository: true };
  return p === undefined ? undefined : { file: p };
}

/** Like `sarifUriLocation`, the path only (a location outside the repository as given). */
export function sarifUriToRepoPath(file: string, uri: string, where: string, roots: readonly string[] = repositoryRoots()): string | undefined {
  return sarifUriLocation(file, uri, where, roots)?.file;
}

/**
 * Where a result is (`runs[0].results[17]`), for messages. One per run, its index moved along the
 * results: the text is built only when a message needs it, not for each of 200,000 results.
 */
class ResultPlace {
  index = 0;
  constructor(readonly run: string) {}
  toString(): string {
    return `${this.run}.results[${this.index}]`;
  }
}

/** A place in the report, as text or as a `ResultPlace`. */
type Place = string | ResultPlace;

interface Where {
  readonly location?: SourceLocation;
  readonly resource?: ResourceRef;
  /** Text of the location's own message (trivy: `target: package@version`). */
  readonly message?: string;
}

function locationOf(run: RunContext, result: Obj, where: Place): Where {
  const locations = Array.isArray(result.locations) ? result.locations : [];
  const first = locations[0];
  if (!isObj(first)) return {};
  const message = msg(first.message);
  const physical = isObj(first.physicalLocation) ? first.physicalLocation : undefined;
  const artifact = physical && isObj(physical.artifactLocation) ? physical.artifactLocation : undefined;
  const uri = text(artifact?.uri) ?? run.artifactUri(artifact?.index);
  if (uri !== undefined) {
    const file = run.repoPath(uri, where, '.locations[0]');
    if (file === undefined) {
      // A URL (ZAP, other DAST tools): the finding is about a web resource, not a source file.
      if (/^[a-z][a-z0-9+.-]+:/i.test(uri)) return { resource: { id: uri, kind: 'url' }, message };
      return { message };
    }
    const region = physical && isObj(physical.region) ? physical.region : undefined;
    const startLine = positiveInt(region?.startLine);
    const snippetText = region ? msg(region.snippet) : undefined;
    const snippet = snippetText === undefined ? undefined : normalizeSnippet(snippetText);
    return {
      location: {
        file,
        startLine,
        endLine: positiveInt(region?.endLine) ?? startLine,
        snippet: snippet ? snippet : undefined,
        ...(run.isOutside(file) && { outsideRepository: true }),
      },
      message,
    };
  }
  const logical = Array.isArray(first.logicalLocations) ? first.logicalLocations[0] : undefined;
  if (isObj(logical)) {
    const id = text(logical.fullyQualifiedName) ?? text(logical.name);
    if (id) return { resource: { id: run.intern(id), kind: run.intern(text(logical.kind)) }, message };
  }
  return { message };
}

interface Rated {
  readonly severity: Severity;
  readonly rawSeverity?: string;
}

function rate(file: string, raw: unknown, context: string): Severity {
  try {
    if (typeof raw === 'number' || typeof raw === 'string') return normalizeSeverity(raw, context);
  } catch (e) {
    if (e instanceof UnknownSeverityError) throw new ReportFormatError(file, e.message);
    throw e;
  }
  throw new ReportFormatError(file, `unknown severity ${JSON.stringify(raw)} in ${context}: expected a number 0-10 or a severity word`);
}

const LEVELS: ReadonlyMap<string, Rated> = new Map(
  Object.entries(SARIF_LEVEL_SEVERITY).map(([level, severity]) => [level, { severity, rawSeverity: level }]),
);

function levelRated(file: string, level: unknown, context: () => string): Rated {
  const rated = typeof level === 'string' ? LEVELS.get(level) : undefined;
  if (!rated) {
    throw new ReportFormatError(file, `unknown SARIF level ${JSON.stringify(level)} in ${context()}; expected one of: ${Object.keys(SARIF_LEVEL_SEVERITY).join(', ')}`);
  }
  return rated;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

// Ratings of the security-severity values seen (results repeat a few dozen scores).
const SCORE_CACHE_LIMIT = 10_000;

function severityOf(file: string, result: Obj, rule: RuleInfo, where: Place, scores: Map<unknown, Rated>): Rated {
  const resultSecSev = props(result)?.['security-severity'];
  if (present(resultSecSev)) {
    const known = scores.get(resultSecSev);
    if (known) return known;
    const rated = { severity: rate(file, resultSecSev, `${where}.properties.security-severity`), rawSeverity: String(resultSecSev) };
    if (scores.size < SCORE_CACHE_LIMIT) scores.set(resultSecSev, rated);
    return rated;
  }
  if (rule.rawSecuritySeverity !== undefined) {
    // The same for all the rule's results: rated once.
    if (rule.rated === undefined) {
      rule.rated = { severity: rate(file, rule.securitySeverity, `rule ${rule.id ?? '?'} properties.security-severity (${where})`), rawSeverity: rule.rawSecuritySeverity };
    }
    return rule.rated;
  }
  // Level words are constants: the raw severity is the table's own copy of the word.
  if (present(result.level)) return levelRated(file, result.level, () => `${where}.level`);
  if (present(rule.defaultLevel)) return levelRated(file, rule.defaultLevel, () => `rule ${rule.id ?? '?'} defaultConfiguration.level (${where})`);
  // SARIF 2.1.0 §3.27.10: an absent level is `warning` for kind `fail`, `none` otherwise.
  const kind = text(result.kind) ?? 'fail';
  return { severity: kind === 'fail' ? Severity.MEDIUM : Severity.INFO };
}

/** SARIF §3.27.23: suppressed when some suppression is not rejected (or under review). */
function isSuppressed(result: Obj): boolean {
  if (!Array.isArray(result.suppressions)) return false;
  return result.suppressions.some((s) => isObj(s) && (s.status === undefined || s.status === 'accepted'));
}

const NO_PRINTS: { full?: string; partial?: string } = {};

/** The tool's own fingerprints, as one stable string (keys sorted). */
function toolPrint(result: Obj): { full?: string; partial?: string } {
  const flatten = (v: unknown): string | undefined => {
    if (!isObj(v)) return undefined;
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

function firstLine(s: string, max = 200): string {
  const trimmed = s.trim();
  const nl = trimmed.indexOf('\n');
  // A one-line text is returned as is (no copy: findings keep it as their title).
  const line = nl < 0 ? trimmed : trimmed.slice(0, nl).trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

// Reused for every result (parsing is synchronous): no allocation when a result adds no ids.
const RESULT_CVES = new Ids();
const RESULT_CWES = new Ids();

function toFinding(file: string, ctx: ParseContext, run: RunContext, result: unknown, where: Place): Finding | undefined {
  if (!isObj(result)) throw new ReportFormatError(file, `${where} is not an object`);
  const kind = text(result.kind);
  if (kind === 'pass' || kind === 'notApplicable') return undefined;

  const message = msg(result.message);
  let rule = run.rule(result);
  let ruleId = text(result.ruleId) ?? (isObj(result.rule) ? text(result.rule.id) : undefined) ?? rule.id;
  if (ruleId === undefined) {
    rule = run.ruleFromMessage(message) ?? rule;
    ruleId = rule.id;
  }
  if (ruleId === undefined) {
    // No rule at all: the message is the only stable name the tool gives.
    if (!message) throw new ReportFormatError(file, `${where} has neither a ruleId nor a message`);
    ruleId = firstLine(message);
  }
  // The rule's own copy of its id when equal: one string for all its findings.
  ruleId = ruleId === rule.id ? rule.id : run.intern(ruleId);

  const rated = severityOf(file, result, rule, where, run.scores);
  const at = locationOf(run, result, where);
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
  const vulnId = cves.length > 0 ? cves[0] : GHSA_RE.exec(ruleId)?.[0];
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
  if (!isObj(doc)) throw new ReportFormatError(report.file, 'SARIF report is not a JSON object');
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
    if (isObj(run)) tools.push(new RunContext(report.file, run, `runs[${i}]`).tool);
  }
  return tools;
}

/** The first notification of level `error` in a SARIF notifications list (SARIF 2.1.0 §3.58.6), with its text. */
function errorNotification(notes: unknown): { index: number; text?: string } | undefined {
  if (!Array.isArray(notes)) return undefined;
  for (let j = 0; j < notes.length; j++) {
    const n = notes[j];
    if (isObj(n) && n.level === 'error') return { index: j, text: msg(n.message) };
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
    if (!isObj(raw)) throw new ReportFormatError(file, `${where} is not an object`);
    const run = new RunContext(file, raw, where, roots);
    // A tool that says it did not finish has not looked at everything: fail closed.
    if (raw.invocations !== undefined && raw.invocations !== null && !Array.isArray(raw.invocations)) {
      throw new ReportFormatError(file, `${where}.invocations is not an array`);
    }
    const invocations = Array.isArray(raw.invocations) ? raw.invocations : [];
    for (let i = 0; i < invocations.length; i++) {
      const inv = invocations[i];
      if (!isObj(inv)) throw new ReportFormatError(file, `${where}.invocations[${i}] is not an object`);
      const crash = crashOf(inv, isObj(raw.tool) && isObj(raw.tool.driver) ? raw.tool.driver.name : undefined);
      if (crash) {
        const notes = Array.isArray(inv.toolExecutionNotifications) ? inv.toolExecutionNotifications : [];
        const reason = notes.map((n) => (isObj(n) ? msg(n.message) : undefined)).find((m) => m !== undefined);
        throw new ReportFormatError(file, `${where}.invocations[${i}]: ${run.tool.name} reports that it did not complete (${crash})${reason ? `: ${firstLine(reason)}` : ''}`);
      }
      // A tool that reports an error (a file it could not read, a rule it could not load) may
      // have missed findings even when it calls the run successful (semgrep does): fail closed.
      if (isObj(inv)) {
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
    if (!isObj(doc)) return false;
    if (typeof doc.$schema === 'string' && /sarif/i.test(doc.$schema)) return true;
    // Without $schema: the two properties SARIF requires (version 2.1.0 alone still claims the
    // document, so that a SARIF file without runs fails as SARIF rather than as unrecognized).
    return typeof doc.version === 'string' && ('runs' in doc || (doc.version === '2.1.0' && !('results' in doc)));
  },
  parse: parseSarif,
};

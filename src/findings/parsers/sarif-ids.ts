import { RuleSeverity } from './sarif-severity';
import { msg, present, props, text } from './sarif-values';
import { CVE_RE, isObject, Obj } from './util';

/**
 * The ids of SARIF results: which rule a result is (by index, by id, or from its message), and
 * the CVE, CWE and GHSA ids its rule and the result itself carry.
 */

const GHSA_RE = /GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}/i;
const CWE_RE = /\bCWE[-_ ]?(\d+)\b/gi;

/**
 * A list of ids that starts as a shared (frozen) list and is copied only when an id is added:
 * most results add nothing to their rule's ids, and then share the rule's list.
 */
export class Ids {
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

/** Adds the CVE ids of a text, or of each text of a list, upper-cased. */
export function addCves(out: Ids, v: unknown): void {
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
export function addTaxonomyCwes(out: Ids, refs: unknown): void {
  if (!Array.isArray(refs)) return;
  for (const ref of refs) {
    const target = isObject(ref) && isObject(ref.target) ? ref.target : ref;
    if (!isObject(target) || !isObject(target.toolComponent)) continue;
    if (!/^cwe$/i.test(text(target.toolComponent.name) ?? '')) continue;
    const id = target.id;
    if (typeof id === 'string' && /^\d+$/.test(id)) out.add(cweName(parseInt(id, 10)));
    else addCwes(out, id);
  }
}

/** What is the same for every result of one rule: worked out once per rule. */
export interface RuleInfo extends RuleSeverity {
  readonly title?: string;
  readonly helpUri?: string;
  readonly cves: readonly string[];
  readonly cwes: readonly string[];
  /** `Package: ...` style text of the rule (grype writes the package in the rule's help). */
  readonly helpText?: string;
}

const EMPTY: readonly string[] = Object.freeze([]);
const NO_RULE: RuleInfo = { cves: EMPTY, cwes: EMPTY };

/** CVE and CWE ids from a rule's or result's `properties` (tags, cve, cwe). */
export function addPropertyIds(cves: Ids, cwes: Ids, p: Record<string, unknown>): void {
  addCves(cves, p.tags);
  addCves(cves, p.cve);
  addCwes(cwes, p.tags);
  addCwes(cwes, p.cwe);
}

function ruleInfo(rule: unknown): RuleInfo {
  if (!isObject(rule)) return NO_RULE;
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
    defaultLevel: isObject(rule.defaultConfiguration) ? rule.defaultConfiguration.level : undefined,
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

/** The vulnerability a dependency result is about: its first CVE id, else a GHSA id in its rule id. */
export function vulnerabilityId(cves: readonly string[], ruleId: string): string | undefined {
  return cves.length > 0 ? cves[0] : GHSA_RE.exec(ruleId)?.[0];
}

// A rule id read from the start of a message ends before a character that is not a letter or digit.
const WORD_CHAR = /[\p{L}\p{N}]/u;
// Rule ids of up to this many words are recognized at the start of a message.
const MESSAGE_RULE_WORDS = 64;

/** A run's rules (the driver's and its extensions'), found for each result: by index, by id or from its message. */
export class RunRules {
  private readonly driverRules: unknown[];
  private readonly extensionRules: unknown[][];
  private readonly byIndex = new Map<string, RuleInfo>();
  private byId?: Map<string, RuleInfo>;

  constructor(tool: Obj, driver: Obj) {
    this.driverRules = Array.isArray(driver.rules) ? driver.rules : [];
    this.extensionRules = Array.isArray(tool.extensions)
      ? tool.extensions.map((e) => (isObject(e) && Array.isArray(e.rules) ? e.rules : []))
      : [];
  }

  /** The rule a result names by index (`ruleIndex`, `rule.index`), else by id; `NO_RULE` when none. */
  rule(result: Obj): RuleInfo {
    // result.rule (a reportingDescriptorReference) may point into an extension's rules.
    const ref = isObject(result.rule) ? result.rule : undefined;
    const refIndex = ref && typeof ref.index === 'number' ? ref.index : undefined;
    const component = ref && isObject(ref.toolComponent) && typeof ref.toolComponent.index === 'number' ? ref.toolComponent.index : undefined;
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

  private rulesById(): Map<string, RuleInfo> {
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
}

import { Place, present, props, text } from './sarif-values';
import { ReportFormatError } from './types';
import { Obj, severityOf } from './util';
import { Severity } from '../../model/severity';
import { SARIF_LEVEL_SEVERITY } from '../normalize';

/**
 * The severity of SARIF results, per `normalize.ts`: `properties["security-severity"]` of the
 * result, else of its rule (a 0-10 score, or a word such as `CRITICAL` that some tools write
 * there), else the result's `level`, else the rule's `defaultConfiguration.level`, else SARIF's
 * default `warning` (`none` for a result whose `kind` is not `fail`). Secret scanners take the
 * gate's secret severity.
 */

// Tools whose findings are secrets: they rate nothing, the gate's secret severity applies.
const SECRET_SCANNERS = /^(gitleaks|trufflehog|detect-secrets|ggshield|secretlint|noseyparker|nosey parker|talisman|kingfisher)\b/i;

/** True for tools whose SARIF results are leaked secrets (gitleaks, trufflehog, secretlint, ...). */
export function isSecretScanner(toolName: string): boolean {
  return SECRET_SCANNERS.test(toolName.trim());
}

/** A severity with the raw value it came from (none for SARIF's default level). */
export interface Rated {
  readonly severity: Severity;
  readonly rawSeverity?: string;
}

/** What a rule says about the severity of its results (see `RuleInfo` in sarif-ids.ts). */
export interface RuleSeverity {
  readonly id?: string;
  readonly securitySeverity?: unknown;
  /** `securitySeverity` as written, as a string (one copy for all the rule's findings). */
  readonly rawSecuritySeverity?: string;
  readonly defaultLevel?: unknown;
  /** The rating of `securitySeverity`, once the first result needs it. */
  rated?: Rated;
}

/** A `security-severity` value: a 0-10 score or a severity word; anything else fails the report. */
function securitySeverity(file: string, raw: unknown, context: string): Severity {
  if (typeof raw === 'number' || typeof raw === 'string') return severityOf(file, raw, context);
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

// Ratings of the security-severity values seen (results repeat a few dozen scores).
const SCORE_CACHE_LIMIT = 10_000;

/**
 * The severity of a result: its `security-severity`, else its rule's, else its `level`, else its
 * rule's default level, else SARIF's default for its kind. `scores` keeps the run's ratings of
 * result scores; a rule's rating is kept on the rule.
 */
export function resultSeverity(file: string, result: Obj, rule: RuleSeverity, where: Place, scores: Map<unknown, Rated>): Rated {
  const resultSecSev = props(result)?.['security-severity'];
  if (present(resultSecSev)) {
    const known = scores.get(resultSecSev);
    if (known) return known;
    const rated = { severity: securitySeverity(file, resultSecSev, `${where}.properties.security-severity`), rawSeverity: String(resultSecSev) };
    if (scores.size < SCORE_CACHE_LIMIT) scores.set(resultSecSev, rated);
    return rated;
  }
  if (rule.rawSecuritySeverity !== undefined) {
    // The same for all the rule's results: rated once.
    if (rule.rated === undefined) {
      rule.rated = { severity: securitySeverity(file, rule.securitySeverity, `rule ${rule.id ?? '?'} properties.security-severity (${where})`), rawSeverity: rule.rawSecuritySeverity };
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

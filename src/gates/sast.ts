import * as iam from 'aws-cdk-lib/aws-iam';
import { GateContext } from './context';
import { GateBinding, IGateContext, SecurityGate } from './gate';
import { installable, scannerInstall, verifiedInstall } from './install';
import { GateOptions } from './options';
import { aptVersionRecord } from './recorded-versions';
import { ShippedFilesAsset } from './shipped-files';
import { expectReport, REPORT_LIST, REPORTS_DIR, WORK_DIR } from './step';
import { gateOptionProblems, pathListProblems, shown } from './validation';
import { throwIfProblems } from '../model/problems';
import { gateEngine, gateEngines, RegisteredEngine } from '../scanners';
import { coverageShellTest } from '../scanners/coverage';
import { notAnalyzedScript, SAST_DETECT_SARIF } from '../scanners/languages';
import { shellLines, shellQuote } from '../scanners/steps';
import { TOOLS_OPT_DIR } from '../tools/install';

/**
 * Options of the Semgrep engine.
 */
export interface SemgrepEngineOptions {
  /**
   * Semgrep rule files or directories in the repository (YAML), used instead of the rule set
   * vendored in this library. Rules are never downloaded at run time.
   *
   * @default - the vendored rule set
   */
  readonly ruleFiles?: string[];
}

/**
 * Options of the SAST gate.
 */
export interface SastOptions extends GateOptions {}

/**
 * Options of the SAST gate running Semgrep alone.
 */
export interface SemgrepOptions extends SastOptions, SemgrepEngineOptions {}

/**
 * An engine the SAST gate can run, made by its factory: `SastEngine.bandit()`,
 * `SastEngine.semgrep({ ruleFiles })`, ...
 */
export class SastEngine {
  /**
   * Semgrep with the rule set this package ships, or your rule files, metrics off.
   *
   * The shipped rules (assets/semgrep-rules, each with a `semgrep --test` test) cover Python and
   * JavaScript/TypeScript: command injection, eval, unsafe deserialization and weak hashes. With
   * your rule files it covers whatever languages they name. Semgrep and its whole dependency
   * closure install from PyPI with `pip --require-hashes` from the lock this package ships
   * (assets/scanner-locks/semgrep.txt), wheels only.
   */
  public static semgrep(options: SemgrepEngineOptions = {}): SastEngine {
    throwIfProblems('SastEngine.semgrep', pathListProblems('ruleFiles', options?.ruleFiles));
    return new SastEngine('semgrep', options?.ruleFiles);
  }

  /** Bandit over the Python files, from PyPI with the hash-locked closure this package ships (assets/scanner-locks/bandit.txt). */
  public static bandit(): SastEngine {
    return new SastEngine('bandit');
  }

  /** SpotBugs with FindSecBugs over a Maven project at the repository root, compiled with `mvn compile` first. */
  public static spotbugs(): SastEngine {
    return new SastEngine('spotbugs');
  }

  /**
   * ESLint with eslint-plugin-security's recommended rules over the JavaScript and TypeScript
   * files (.js, .jsx, .mjs, .cjs, .ts, .tsx, .mts, .cts), with a configuration the gate writes:
   * the project's own ESLint configuration, plugins and inline `eslint-disable` comments are not
   * used. Command injection (`child_process.exec` of a non-literal), `eval` of an expression,
   * non-literal `require` and Trojan Source characters are HIGH; the plugin's other rules are
   * MEDIUM. eslint, the plugin, the SARIF formatter and the TypeScript parser, and everything they
   * depend on, install with `npm ci --ignore-scripts` from the lock file shipped in this package
   * (every package pinned by version and integrity), outside the scanned tree.
   */
  public static eslintSecurity(): SastEngine {
    return new SastEngine('eslint-security');
  }

  /** The engine's id (its name in the gate's logs and summary). */
  public readonly engineId: string;

  private constructor(id: string, private readonly semgrepRules?: string[]) {
    this.engineId = id;
  }

  /** @internal the registered engine and the rules it runs with */
  public _registered(): { engine: RegisteredEngine; semgrepRules?: string[] } {
    return { engine: gateEngine('sast', this.engineId), semgrepRules: this.semgrepRules };
  }
}

/**
 * The static application security testing (SAST) gate.
 *
 * `Sast.detect()` (the default) picks engines by the files present, with a shell test in the
 * build: Bandit when there are Python files, SpotBugs with FindSecBugs when there is a `pom.xml`,
 * ESLint with eslint-plugin-security when there is a `package.json` or JavaScript/TypeScript
 * files. Semgrep is run only when named: its shipped rules cover Python and JavaScript/TypeScript,
 * which those engines already analyze. Code no chosen engine covers (Go, Gradle or Kotlin, a Maven
 * project below the root, ...) fails the gate as "not analyzed: Go (12 files)".
 * `Sast.semgrep()`, `Sast.bandit()`, `Sast.spotbugs()`, `Sast.eslintSecurity()` and
 * `Sast.engines([...])` run exactly the engines named, whatever else the repository holds.
 */
export class Sast extends SecurityGate {
  /**
   * Engines by the languages found in the repository (the default). Code in a language none of
   * them covers fails the gate ("not analyzed"); name engines explicitly to accept that.
   */
  public static detect(options: SastOptions = {}): Sast {
    return new Sast(undefined, options, 'Sast.detect');
  }

  /** Semgrep alone (see `SastEngine.semgrep`). */
  public static semgrep(options: SemgrepOptions = {}): Sast {
    return Sast.of([SastEngine.semgrep({ ruleFiles: options?.ruleFiles })], options, 'Sast.semgrep');
  }

  /** Bandit alone (see `SastEngine.bandit`). */
  public static bandit(options: SastOptions = {}): Sast {
    return Sast.of([SastEngine.bandit()], options, 'Sast.bandit');
  }

  /** SpotBugs with FindSecBugs alone (see `SastEngine.spotbugs`). */
  public static spotbugs(options: SastOptions = {}): Sast {
    return Sast.of([SastEngine.spotbugs()], options, 'Sast.spotbugs');
  }

  /** ESLint with eslint-plugin-security alone (see `SastEngine.eslintSecurity`). */
  public static eslintSecurity(options: SastOptions = {}): Sast {
    return Sast.of([SastEngine.eslintSecurity()], options, 'Sast.eslintSecurity');
  }

  /** Exactly these engines, whatever the languages found, e.g. `[SastEngine.bandit(), SastEngine.eslintSecurity()]`. */
  public static engines(engines: SastEngine[], options: SastOptions = {}): Sast {
    return Sast.of(engines, options, 'Sast.engines');
  }

  /** No SAST. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): Sast {
    return new Sast([], {}, 'Sast.none');
  }

  private static of(engines: SastEngine[], options: SastOptions, where: string): Sast {
    if (!Array.isArray(engines)) {
      throwIfProblems(where, [`engines: ${shown(engines)} is not a list: give e.g. [SastEngine.bandit()]`]);
    }
    if (engines.length === 0) {
      throw new Error(`${where}: the list is empty: name at least one engine, e.g. [SastEngine.bandit()], or use Sast.none() to turn the gate off`);
    }
    throwIfProblems(where, engines.flatMap((e, i) => (e instanceof SastEngine ? [] : [`engines[${i}]: ${shown(e)} is not made by a SastEngine factory: use e.g. SastEngine.bandit()`])));
    const unique = engines.filter((e, i) => engines.findIndex((o) => o.engineId === e.engineId) === i);
    return new Sast(unique, options, where);
  }

  public readonly gateName: string = 'sast';

  /** @internal the engines named explicitly; undefined when chosen by detection, empty when the gate is off */
  public readonly _engines?: SastEngine[];

  private constructor(engines: SastEngine[] | undefined, private readonly options: SastOptions, where: string) {
    super();
    throwIfProblems(where, gateOptionProblems(options));
    this._engines = engines;
  }

  /** @internal whether the gate runs at all */
  public get _enabled(): boolean {
    return this._engines === undefined || this._engines.length > 0;
  }

  public bind(context: IGateContext): GateBinding {
    if (!this._enabled) return {};
    const ctx = GateContext.internal(context, 'Sast');
    const explicit = this._engines !== undefined;
    const chosen = this._engines?.map((e) => e._registered()) ?? gateEngines('sast').map((engine) => ({ engine, semgrepRules: undefined }));
    const install: string[] = [];
    const scan: string[] = [];
    const statements: iam.PolicyStatement[] = [];
    for (const { engine, semgrepRules } of chosen) {
      const how = scannerInstall(ctx, engine.scanner);
      if (!explicit && !engine.covers) {
        // Semgrep covers what its rules cover: the vendored rules add nothing to Bandit and
        // eslint-security in detection; name it (Sast.semgrep(), SastEngine.semgrep()) to run it.
        install.push(`echo ${shellQuote(`SAST: ${engine.id} not chosen by detection: name it explicitly to run it`)}`);
        continue;
      }
      if (!explicit && !installable(how.lines)) {
        // Detection never picks an engine it cannot install verifiably; the log says so.
        install.push(`echo ${shellQuote(`SAST: ${engine.id} skipped: its install cannot be verified yet (see src/scanners/${engine.scanner.name}.ts)`)}`);
        continue;
      }
      const marker = `${WORK_DIR}/engine-${engine.id}`;
      // Semgrep without rule files of the repository: the rule set this package ships, copied in and checked.
      const vendoredRules = engine.id === 'semgrep' && !semgrepRules ? ShippedFilesAsset.of(ctx.scope, 'semgrep-rules') : undefined;
      const lines = verifiedInstall(engine.scanner.name, () => [...how.lines(), ...(vendoredRules?.unpackCommands() ?? [])]);
      statements.push(...how.statements(), ...(vendoredRules ? [vendoredRules.readStatement()] : []));
      const guard = explicit || !engine.covers ? 'true' : coverageShellTest(engine.covers);
      // The engine is chosen in the install phase and leaves a marker the build phase reads.
      install.push(`if ${guard}; then echo 'SAST: running ${engine.id}' && touch ${marker} && ${lines.join(' && ')}; else echo 'SAST: ${engine.id} not applicable (${engine.covers?.absent ?? ''})'; fi`);
      const { steps, report } = engine.invoke({ reportDir: REPORTS_DIR, workDir: WORK_DIR, semgrepRules: semgrepRules ?? [VENDORED_SEMGREP_RULES] });
      const record = engine.scanner.install?.kind === 'apt'
        // apt pins the upstream version only: the installed Debian/Ubuntu revision goes into the gate result.
        ? [aptVersionRecord(engine.scanner.install.package.package, `${engine.scanner.name}-apt`)]
        : [];
      scan.push(`if [ -e ${marker} ]; then ${[expectReport(report.file, report.format), ...shellLines(steps), ...record].join(' && ')}; fi`);
    }
    if (!explicit) {
      // What no engine covers (Go, Gradle, a nested pom.xml, ...) is listed for evaluate, which fails the gate on it.
      install.push(notAnalyzedScript(NOT_ANALYZED_FILE));
      // Nothing applicable: an empty SARIF from 'sast-detect' says so in the summary (with no code, nothing to analyze).
      scan.push(`if [ ! -s ${REPORT_LIST} ]; then ${expectReport(NONE_REPORT, 'sarif')} && echo ${shellQuote(SAST_DETECT_SARIF)} > ${NONE_REPORT}; fi`);
    }
    return {
      step: ctx.buildStep({
        id: 'Sast',
        gate: this.gateName,
        input: ctx.source,
        install,
        scan,
        options: this.options,
        rolePolicyStatements: statements,
        // SpotBugs compiles the repository (mvn compile), which runs its build plugins.
        runsRepositoryCode: true,
        ...(!explicit && { evaluateArgs: ['--not-analyzed-file', NOT_ANALYZED_FILE] }),
      }),
    };
  }
}

const NONE_REPORT = `${REPORTS_DIR}/sast-detect.sarif`;
/** Where the build unpacks the Semgrep rules this package ships (assets/semgrep-rules). */
const VENDORED_SEMGREP_RULES = `${TOOLS_OPT_DIR}/semgrep-rules`;
/** Written by the detection in the install phase: one line per language no engine covers. */
const NOT_ANALYZED_FILE = `${WORK_DIR}/not-analyzed`;

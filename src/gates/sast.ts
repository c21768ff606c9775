import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { JS_EXTENSIONS, NOT_PROJECT_CODE, sastScanner, shellLines, TS_EXTENSIONS } from './commands';
import { notAnalyzedScript } from './languages';
import { GateOptions } from './options';
import { aptVersionRecord } from './recorded-versions';
import { buildGateStep, expectReport, GateContext, installable, REPORTS_DIR, shellQuote, verifiedInstall, WORK_DIR } from './step';
import { enumProblem, gateOptionProblems, pathListProblems, shown } from './validation';
import { throwIfProblems } from '../pipeline/validation';
import { aptInstallCommands, installCommands } from '../tools/install';

/**
 * Options of the Semgrep engine.
 */
export interface SemgrepOptions extends GateOptions {
  /**
   * Semgrep rule files or directories in the repository (YAML), used instead of the rule set
   * vendored in this library. Rules are never downloaded at run time.
   *
   * @default - the vendored rule set
   */
  readonly ruleFiles?: string[];
}

/**
 * Engines the SAST gate can run.
 */
export enum SastEngine {
  /** Semgrep (all languages) with a vendored rule set, metrics off. */
  SEMGREP = 'semgrep',
  /** Bandit, for Python. */
  BANDIT = 'bandit',
  /** SpotBugs with the FindSecBugs plugin, for Maven projects (compiled first). */
  SPOTBUGS = 'spotbugs',
  /** ESLint with eslint-plugin-security's recommended rules, for JavaScript and TypeScript. */
  ESLINT_SECURITY = 'eslint-security',
}

/**
 * Options of the SAST gate.
 */
export interface SastOptions extends GateOptions {}

/**
 * The static application security testing (SAST) gate.
 *
 * `Sast.detect()` (the default) picks engines by the files present, with a shell test in the
 * build: Bandit when there are Python files, SpotBugs with FindSecBugs when there is a `pom.xml`,
 * ESLint with eslint-plugin-security when there is a `package.json` or JavaScript/TypeScript
 * files, and Semgrep once its install can be verified. Code no chosen engine covers (Go, Gradle or
 * Kotlin, a Maven project below the root, ...) fails the gate as "not analyzed: Go (12 files)".
 * `Sast.semgrep()`, `Sast.bandit()`, `Sast.spotBugs()`, `Sast.eslintSecurity()` and
 * `Sast.engines([...])` run exactly the engines named, whatever else the repository holds.
 */
export class Sast {
  /**
   * Engines by the languages found in the repository (the default). Code in a language none of
   * them covers fails the gate ("not analyzed"); name engines explicitly to accept that.
   */
  public static detect(options: SastOptions = {}): Sast {
    return new Sast(undefined, options, {}, 'Sast.detect');
  }

  /**
   * Semgrep with a pinned rule set and `--metrics=off`.
   *
   * Semgrep installs from PyPI, and its dependency closure is not hash-locked in the tools
   * table yet: until it is, this gate fails at run time, saying so, instead of installing
   * unverified code.
   */
  public static semgrep(options: SemgrepOptions = {}): Sast {
    throwIfProblems('Sast.semgrep', pathListProblems('ruleFiles', options?.ruleFiles));
    return new Sast([SastEngine.SEMGREP], options, { semgrepRules: options.ruleFiles }, 'Sast.semgrep');
  }

  /** Bandit over the Python files, from the build image's distribution (apt, version pinned). */
  public static bandit(options: SastOptions = {}): Sast {
    return new Sast([SastEngine.BANDIT], options, {}, 'Sast.bandit');
  }

  /** SpotBugs with FindSecBugs over a Maven project, compiled with `mvn compile` first. */
  public static spotBugs(options: SastOptions = {}): Sast {
    return new Sast([SastEngine.SPOTBUGS], options, {}, 'Sast.spotBugs');
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
  public static eslintSecurity(options: SastOptions = {}): Sast {
    return new Sast([SastEngine.ESLINT_SECURITY], options, {}, 'Sast.eslintSecurity');
  }

  /** Exactly these engines, whatever the languages found. */
  public static engines(engines: SastEngine[], options: SastOptions = {}): Sast {
    if (!Array.isArray(engines)) {
      throwIfProblems('Sast.engines', [`engines: ${shown(engines)} is not a list: give e.g. [SastEngine.BANDIT]`]);
    }
    if (engines.length === 0) {
      throw new Error('Sast.engines: the list is empty: name at least one engine, e.g. [SastEngine.BANDIT], or use Sast.none() to turn the gate off');
    }
    // From JavaScript or Python any string can arrive here; an unknown one would reach the buildspec.
    throwIfProblems('Sast.engines', engines.flatMap((e, i) => enumProblem(`engines[${i}]`, e, Object.values(SastEngine), 'a SastEngine value, e.g. SastEngine.BANDIT')));
    return new Sast([...new Set(engines)], options, {}, 'Sast.engines');
  }

  /** No SAST. This weakens a secure default: the pipeline gets a warning annotation. */
  public static none(): Sast {
    return new Sast([], {}, {}, 'Sast.none');
  }

  /** The engines named explicitly; undefined when chosen by detection, empty when the gate is off. */
  public readonly engineList?: SastEngine[];

  private constructor(
    engines: SastEngine[] | undefined,
    private readonly options: SastOptions,
    private readonly extra: { readonly semgrepRules?: string[] },
    where: string,
  ) {
    throwIfProblems(where, gateOptionProblems(options));
    this.engineList = engines;
  }

  /** Whether the gate runs at all. */
  public get enabled(): boolean {
    return this.engineList === undefined || this.engineList.length > 0;
  }

  /** @internal */
  public _bind(ctx: GateContext): pipelines.Step | undefined {
    if (!this.enabled) return undefined;
    const explicit = this.engineList !== undefined;
    const candidates = this.engineList ?? [SastEngine.SEMGREP, SastEngine.BANDIT, SastEngine.SPOTBUGS, SastEngine.ESLINT_SECURITY];
    const install: string[] = [];
    const scan: string[] = [];
    const statements: iam.PolicyStatement[] = [];
    for (const engine of candidates) {
      const e = ENGINES[engine];
      const engineInstall = () => e.install(ctx);
      if (!explicit && !installable(engineInstall)) {
        // Detection never picks an engine it cannot install verifiably; the log says so.
        install.push(`echo ${shellQuote(`SAST: ${engine} skipped: its install cannot be verified yet (see src/tools/tools.ts)`)}`);
        continue;
      }
      const marker = `${WORK_DIR}/engine-${engine}`;
      const lines = verifiedInstall(engine, engineInstall);
      if (engine === SastEngine.ESLINT_SECURITY) statements.push(ctx.eslintEngine().readStatement());
      const guard = explicit ? 'true' : e.detect;
      // The engine is chosen in the install phase and leaves a marker the build phase reads.
      install.push(`if ${guard}; then echo 'SAST: running ${engine}' && touch ${marker} && ${lines.join(' && ')}; else echo 'SAST: ${engine} not applicable (${e.applies})'; fi`);
      const { steps, report } = sastScanner(engine, { reportDir: REPORTS_DIR, workDir: WORK_DIR, semgrepRules: this.extra.semgrepRules ?? [`${WORK_DIR}/semgrep-rules`] });
      const record = e.record ? [e.record()] : [];
      scan.push(`if [ -e ${marker} ]; then ${[expectReport(report.file, report.format), ...shellLines(steps), ...record].join(' && ')}; fi`);
    }
    if (!explicit) {
      // What no engine covers (Go, Gradle, a nested pom.xml, ...) is listed for evaluate, which fails
      // the gate on it; Semgrep, once it installs verifiably, covers every language.
      install.push(installable(() => ENGINES[SastEngine.SEMGREP].install(ctx)) ? `: > ${NOT_ANALYZED_FILE}` : notAnalyzedScript(NOT_ANALYZED_FILE));
      // Nothing applicable: an empty SARIF from 'sast-detect' says so in the summary (with no code, nothing to analyze).
      scan.push(`if [ ! -s ${WORK_DIR}/report-list ]; then ${expectReport(NONE_REPORT, 'sarif')} && echo ${shellQuote(NONE_SARIF)} > ${NONE_REPORT}; fi`);
    }
    return buildGateStep(ctx, {
      id: 'Sast',
      gate: 'sast',
      input: ctx.source.fileSetProducer,
      install,
      scan,
      options: this.options,
      rolePolicyStatements: statements,
      // SpotBugs compiles the repository (mvn compile), which runs its build plugins.
      runsRepositoryCode: true,
      ...(!explicit && { evaluateArgs: ['--not-analyzed-file', NOT_ANALYZED_FILE] }),
    });
  }
}

const NONE_REPORT = `${REPORTS_DIR}/sast-detect.sarif`;
/** Written by the detection in the install phase: one line per language no engine covers. */
const NOT_ANALYZED_FILE = `${WORK_DIR}/not-analyzed`;
const NONE_SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [{
    tool: { driver: { name: 'sast-detect', informationUri: 'https://github.com/cdk-devsecops/cdk-devsecops-pipeline', rules: [] } },
    invocations: [{
      executionSuccessful: true,
      toolExecutionNotifications: [{ level: 'warning', message: { text: 'No SAST engine applies to the files present (no Python files, no pom.xml, no package.json or JavaScript/TypeScript files) and Semgrep is not installable verifiably yet: nothing was analyzed. Code in a language no engine covers is listed as not analyzed and fails the gate.' } }],
    }],
    results: [],
  }],
});

/** How the gate decides whether an engine applies and installs it; how it runs is in commands.ts. */
interface Engine {
  /** Shell test that is true when the engine applies to the files present. */
  readonly detect: string;
  readonly applies: string;
  readonly install: (ctx: GateContext) => string[];
  /** Records the version that is not pinned exactly at synth (see recorded-versions.ts). */
  readonly record?: () => string;
}

// Dependency and build directories are not the project's code.
const PRUNE = NOT_PROJECT_CODE.map((d) => `-path ./${d} -prune -o`).join(' ');
// Nested node_modules (workspaces, examples) are dependencies too: eslint ignores them all.
const JS_TS_NAMES = [...JS_EXTENSIONS, ...TS_EXTENSIONS].map((e) => `-name '*.${e}'`).join(' -o ');

const ENGINES: { readonly [e in SastEngine]: Engine } = {
  [SastEngine.SEMGREP]: {
    detect: 'true',
    applies: 'all languages',
    install: () => installCommands('semgrep'),
  },
  [SastEngine.BANDIT]: {
    detect: `find . ${PRUNE} -name '*.py' -print | grep -q .`,
    applies: 'no Python files',
    install: () => aptInstallCommands('bandit'),
    // apt pins the upstream version only: the installed Debian/Ubuntu revision goes into the gate result.
    record: () => aptVersionRecord('bandit', 'bandit-apt'),
  },
  [SastEngine.SPOTBUGS]: {
    detect: '[ -f pom.xml ]',
    applies: 'no pom.xml',
    install: () => installCommands('spotbugs'),
  },
  [SastEngine.ESLINT_SECURITY]: {
    detect: `{ [ -f package.json ] || find . ${PRUNE} -name node_modules -prune -o \\( ${JS_TS_NAMES} \\) -print | grep -q .; }`,
    applies: 'no package.json, no JavaScript/TypeScript files',
    // From the lock shipped in this package (assets/eslint-security): every transitive package pinned, one eslint.
    install: (ctx) => ctx.eslintEngine().installCommands(),
  },
};

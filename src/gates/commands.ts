/**
 * How each scanner is run: its command lines, where it writes its report and in which format.
 *
 * One fact shared by the pipeline's gates (rendered into buildspec shell lines by `shellLines`)
 * and by the findings CLI's local `scan` (run with spawn, no shell unless a step needs one).
 * Pure: no aws-cdk-lib or constructs import, so the findings CLI bundle stays small.
 *
 * Every invocation runs with the scanned directory as its working directory: the scanners are
 * given `.` (or a glob relative to it), exactly as in a gate's CodeBuild build.
 */
import { TOOLS } from '../tools/tools';

/** An argument the shell form always single-quotes (a user's path), whatever its characters. */
export interface QuotedArg {
  readonly quoted: string;
}

/** A command-line argument: plain (quoted in the shell form only when it needs it) or always quoted. */
export type Arg = string | QuotedArg;

/** Runs a program with arguments (no shell). */
export interface ExecStep {
  readonly kind: 'exec';
  readonly argv: Arg[];
  /** The report is the program's standard output, written to this file. */
  readonly stdout?: string;
  /** Exit codes that mean "ran and reported" besides 0 (e.g. 1: findings). Any other code is an error. */
  readonly okExitCode?: number;
  /** Environment variables set for this program only (over whatever the build or the user's shell set). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Writes a small file the scanner reads (its configuration). */
export interface WriteStep {
  readonly kind: 'write';
  readonly file: string;
  readonly content: string;
}

/** A bash script, for the steps that need bash itself (arrays, command substitution). */
export interface ShellStep {
  readonly kind: 'shell';
  readonly script: string;
}

export type ScanStep = ExecStep | WriteStep | ShellStep;

/** A scanner's native report: the file and the findings CLI format that reads it. */
export interface ScannerReport {
  readonly file: string;
  readonly format: string;
}

/** One scanner run: its steps, in order, and the report they leave. */
export interface ScannerInvocation {
  /** Commands that must be on the PATH. */
  readonly requires: string[];
  readonly steps: ScanStep[];
  readonly report: ScannerReport;
}

/** Directories that are not the project's code: dependencies, build output, the gate's own output. */
export const NOT_PROJECT_CODE = ['node_modules', 'cdk.out', '.git', 'devsecops-gate-out'];

/** The AWS Control Tower proactive controls the IaC gate applies by default. */
// Public exposure, TLS, admin and full-access IAM policies, key rotation, plaintext credentials and
// open ports. Controls that are choices rather than flaws (object lock, event notifications,
// lifecycle rules, Lambda in a VPC, SSE-KMS on log buckets that S3 requires to be SSE-S3) are
// left to `controlTowerRules`.
export const DEFAULT_CONTROL_TOWER_RULES: readonly string[] = [
  'ct-s3-pr-1', // bucket-level Block Public Access
  'ct-s3-pr-8', // bucket policy requires TLS
  'ct-s3-pr-12', // access points block public access
  'ct-iam-pr-1', // inline policies: no admin access
  'ct-iam-pr-2', // managed policies: no admin access
  'ct-iam-pr-3', // managed policies: no full access to a service
  'ct-iam-pr-4', // no policies attached to IAM users
  'ct-iam-pr-5', // inline policies: no full access to a service
  'ct-kms-pr-1', // key rotation
  'ct-lambda-pr-2', // functions not public
  'ct-lambda-pr-4', // layers not public
  'ct-lambda-pr-5', // function URLs require IAM auth
  'ct-codebuild-pr-2', // no AWS credentials in build environment variables
  'ct-ec2-pr-4', // security groups: no unrestricted common ports
  'ct-ec2-pr-5', // network ACLs: no unrestricted SSH or RDP
  'ct-rds-pr-23', // RDS instances not public
  'ct-rds-pr-24', // RDS instance storage encrypted
  'ct-rds-pr-29', // RDS clusters not public
];

/** Where trivy fetches its databases: tried in order, so a rate-limited registry falls back to the next. */
export const TRIVY_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-db:2',
  'ghcr.io/aquasecurity/trivy-db:2',
  'public.ecr.aws/aquasecurity/trivy-db:2',
];
export const TRIVY_JAVA_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-java-db:1',
  'ghcr.io/aquasecurity/trivy-java-db:1',
  'public.ecr.aws/aquasecurity/trivy-java-db:1',
];

/** Trivy flags shared by the SCA and SBOM gates: database mirrors, no version check, no progress bars; the cache directory when given. */
export function trivyCommonArgs(cacheDir?: string): string[] {
  return [
    ...(cacheDir !== undefined ? ['--cache-dir', cacheDir] : []),
    '--db-repository', TRIVY_DB_REPOSITORIES.join(','),
    '--java-db-repository', TRIVY_JAVA_DB_REPOSITORIES.join(','),
    '--skip-version-check',
    '--no-progress',
  ];
}

const exec = (argv: Arg[], extra: { stdout?: string; okExitCode?: number; env?: Record<string, string> } = {}): ExecStep => ({ kind: 'exec', argv, ...extra });

export type SecretEngine = 'gitleaks' | 'trufflehog' | 'secretlint';

/**
 * A secret scanner over the working directory. `history` scans every commit of a full clone
 * (gitleaks and trufflehog; secretlint has no history mode). `workDir` holds its configuration.
 */
export function secretScanner(engine: SecretEngine, o: { reportDir: string; workDir: string; history: boolean }): ScannerInvocation {
  switch (engine) {
    case 'gitleaks': {
      const file = `${o.reportDir}/gitleaks.json`;
      const config = `${o.workDir}/gitleaks.toml`;
      const ignore = `${o.workDir}/gitleaksignore`;
      return {
        requires: ['gitleaks', 'bash'],
        steps: [
          // gitleaks' own rules and allowlist, never the repository's .gitleaks.toml.
          { kind: 'write', file: config, content: GITLEAKS_CONFIG },
          { kind: 'write', file: ignore, content: '' },
          // gitleaks reads <scanned dir>/.gitleaksignore whatever its flags say: a root
          // .gitleaksignore with entries would drop findings unseen, so the gate refuses to run.
          { kind: 'shell', script: GITLEAKSIGNORE_GUARD },
          // --exit-code 0: findings do not stop the scanner; any other non-zero exit is an error.
          // --ignore-gitleaks-allow: `gitleaks:allow` comments in the code do not hide a finding.
          exec([
            'gitleaks', o.history ? 'git' : 'dir', '--no-banner', '--redact', '--exit-code', '0',
            '--config', config, '--gitleaks-ignore-path', ignore, '--ignore-gitleaks-allow',
            '--report-format', 'json', '--report-path', file, '.',
          ]),
        ],
        report: { file, format: 'gitleaks' },
      };
    }
    case 'trufflehog': {
      const file = `${o.reportDir}/trufflehog.json`;
      // JSON lines on stdout; --no-verification keeps found secrets inside the build.
      return {
        requires: ['trufflehog'],
        steps: [exec(['trufflehog', ...(o.history ? ['git', 'file://.'] : ['filesystem', '.']), '--json', '--no-update', '--no-verification'], { stdout: file })],
        report: { file, format: 'trufflehog' },
      };
    }
    case 'secretlint': {
      const file = `${o.reportDir}/secretlint.sarif`;
      const rc = `${o.workDir}/secretlintrc.json`;
      const ignore = `${o.workDir}/secretlintignore`;
      const preset = TOOLS.secretlint.kind === 'npm' ? TOOLS.secretlint.packages[1].name : '';
      return {
        requires: ['secretlint'],
        steps: [
          { kind: 'write', file: rc, content: `{"rules":[{"id":"${preset}"}]}` },
          // An empty ignore file of the gate's: the repository's .secretlintignore is not read.
          { kind: 'write', file: ignore, content: '' },
          // With --output, secretlint writes the SARIF and exits 0 even when it finds secrets.
          exec(['secretlint', '**/*', '--secretlintrc', rc, '--secretlintignore', ignore, '--format', '@secretlint/secretlint-formatter-sarif', '--output', file]),
        ],
        report: { file, format: 'sarif' },
      };
    }
  }
}

export type SastEngineName = 'semgrep' | 'bandit' | 'spotbugs' | 'eslint-security';

/** The JavaScript and TypeScript files the eslint-security engine lints (and whose presence selects it). */
export const JS_EXTENSIONS: readonly string[] = ['js', 'jsx', 'mjs', 'cjs'];
export const TS_EXTENSIONS: readonly string[] = ['ts', 'tsx', 'mts', 'cts'];

/**
 * eslint-plugin-security rules reported as errors (SARIF level error, HIGH): code and command
 * injection and Trojan Source. The plugin's other recommended rules flag patterns that are
 * mostly safe (object-injection on any `obj[key]`, non-literal fs paths and regexps, timing
 * comparisons): they stay warnings (MEDIUM), reported without blocking a HIGH gate.
 */
export const ESLINT_SECURITY_HIGH_RULES: readonly string[] = [
  'security/detect-child-process',
  'security/detect-eval-with-expression',
  'security/detect-non-literal-require',
  'security/detect-bidi-characters',
];

// The npm packages of the eslint entry in the tools table: eslint, plugin, formatter, parser.
function eslintPackages(): { plugin: string; formatter: string; parser: string } {
  const t = TOOLS.eslint;
  if (t.kind !== 'npm' || t.packages.length !== 4) throw new Error('tools table: eslint must list eslint, its security plugin, the SARIF formatter and the TypeScript parser');
  return { plugin: t.packages[1].name, formatter: t.packages[2].name, parser: t.packages[3].name };
}

/**
 * The flat config the eslint-security engine runs with, written outside the scanned tree. Only
 * eslint-plugin-security's recommended rules, nothing of the project's own configuration.
 * Plugin and parser are loaded from beside the eslint that runs (found through its real path,
 * `process.argv[1]`), not from the config file's directory: a global install in a gate, the
 * project's node_modules locally. A missing one makes eslint exit 2: the gate fails closed.
 */
export function eslintSecurityConfig(): string {
  const p = eslintPackages();
  const js = JS_EXTENSIONS.map((e) => `**/*.${e}`);
  const ts = TS_EXTENSIONS.map((e) => `**/*.${e}`);
  return [
    '// Written by the cdk-devsecops-pipeline SAST gate (eslint-security engine).',
    'import { createRequire } from "node:module";',
    'import { realpathSync } from "node:fs";',
    'const load = createRequire(realpathSync(process.argv[1]));',
    `const security = load(${JSON.stringify(p.plugin)});`,
    `const tsParser = load(${JSON.stringify(p.parser)});`,
    `const high = new Set(${JSON.stringify(ESLINT_SECURITY_HIGH_RULES)});`,
    'const rules = Object.fromEntries(Object.keys(security.configs.recommended.rules).map((r) => [r, high.has(r) ? "error" : "warn"]));',
    'export default [',
    // eslint ignores node_modules and .git itself.
    `  { ignores: ${JSON.stringify(NOT_PROJECT_CODE.map((d) => `${d}/**`))} },`,
    // JSX in .js files is common (React): the parser accepts it.
    `  { files: ${JSON.stringify(js)}, languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } }, plugins: { security }, rules },`,
    `  { files: ${JSON.stringify(ts)}, languageOptions: { parser: tsParser }, plugins: { security }, rules },`,
    '];',
  ].join('\n');
}

/**
 * A SARIF formatter module that loads the pinned formatter from beside the running eslint (see
 * eslintSecurityConfig). The formatter writes absolute `file://` URIs; they are made relative to
 * the scanned directory (eslint's cwd), as the other scanners' paths are, so a finding's location
 * does not depend on where the findings CLI runs (the local `scan` evaluates from the user's cwd).
 */
export function eslintSarifFormatter(): string {
  return [
    'const load = require("node:module").createRequire(require("node:fs").realpathSync(process.argv[1]));',
    `const sarif = load(${JSON.stringify(eslintPackages().formatter)});`,
    'module.exports = (results, data) => {',
    '  if (!data || !data.cwd) throw new Error("eslint gave the formatter no cwd");',
    '  const base = require("node:url").pathToFileURL(data.cwd).href.replace(/\\/?$/, "/");',
    '  return sarif(results, data).split(JSON.stringify(base).slice(1, -1)).join("");',
    '};',
  ].join('\n');
}

/** A SAST engine over the working directory. `semgrepRules`: rule files or directories (never downloaded). */
export function sastScanner(engine: SastEngineName, o: { reportDir: string; workDir: string; semgrepRules: string[] }): ScannerInvocation {
  switch (engine) {
    case 'semgrep': {
      const file = `${o.reportDir}/semgrep.sarif`;
      return {
        requires: ['semgrep'],
        // --metrics=off and no version check keep the scan offline; --disable-nosem: `nosemgrep`
        // comments do not hide a finding; the repository's .semgrepignore is not read.
        steps: [exec([
          'semgrep', 'scan', '--metrics=off', '--disable-version-check', '--disable-nosem', '--x-ignore-semgrepignore-files',
          '--sarif', '--output', file, ...o.semgrepRules.flatMap((r) => ['--config', { quoted: r }]), '.',
        ])],
        report: { file, format: 'sarif' },
      };
    }
    case 'bandit': {
      const file = `${o.reportDir}/bandit.json`;
      const config = `${o.workDir}/bandit.yaml`;
      const ini = `${o.workDir}/bandit.ini`;
      return {
        requires: ['bandit'],
        steps: [
          // The gate's (default) configuration and an empty ini: a .bandit file in the repository
          // (skips, tests, exclude, targets) is not read; --ignore-nosec: `# nosec` does not hide a finding.
          { kind: 'write', file: config, content: '{}' },
          { kind: 'write', file: ini, content: '[bandit]' },
          // bandit exits 1 when it reports issues: only other codes are errors.
          exec(['bandit', '-r', '.', '-f', 'json', '-o', file, '-q', '--ignore-nosec', '-c', config, '--ini', ini, '-x', banditExcludes()], { okExitCode: 1 }),
        ],
        report: { file, format: 'bandit' },
      };
    }
    case 'eslint-security': {
      const file = `${o.reportDir}/eslint-security.sarif`;
      const config = `${o.workDir}/eslint.config.mjs`;
      const formatter = `${o.workDir}/eslint-sarif-formatter.cjs`;
      return {
        requires: ['eslint'],
        steps: [
          { kind: 'write', file: config, content: eslintSecurityConfig() },
          { kind: 'write', file: formatter, content: eslintSarifFormatter() },
          // --config with --no-config-lookup: only the gate's config, never the project's (nor its plugins);
          // ESLINT_USE_FLAT_CONFIG=true so an eslintrc setting in the environment cannot switch the format;
          // --no-inline-config: comments in the code cannot turn the security rules off (suppressions go
          // through the findings engine, with a reason); no files to lint (a package.json alone) is an
          // empty report, not an error. eslint exits 1 when it reports errors: only other codes are errors.
          exec([
            'eslint', '--config', config, '--no-config-lookup', '--no-inline-config', '--no-error-on-unmatched-pattern',
            '--format', formatter, '--output-file', file, '.',
          ], { okExitCode: 1, env: { ESLINT_USE_FLAT_CONFIG: 'true' } }),
        ],
        report: { file, format: 'sarif' },
      };
    }
    case 'spotbugs': {
      const file = `${o.reportDir}/spotbugs.sarif`;
      const classpath = `${o.workDir}/classpath.txt`;
      return {
        requires: ['mvn', 'spotbugs', 'bash'],
        steps: [
          exec(['mvn', '-B', '-q', '-DskipTests', 'compile']),
          exec(['mvn', '-B', '-q', 'dependency:build-classpath', `-Dmdep.outputFile=${classpath}`]),
          // Every module's classes; FindSecBugs loads from SpotBugs' plugin directory.
          { kind: 'shell', script: `mapfile -t classes < <(find . -type d -path '*/target/classes') && spotbugs -textui -effort:max -low -auxclasspath "$(cat ${shellArg(classpath)})" -sarif=${shellArg(file)} "\${classes[@]}"` },
        ],
        report: { file, format: 'sarif' },
      };
    }
  }
}

/**
 * bandit's `-x`: glob patterns that match whole path segments. bandit also excludes any path that
 * merely contains an entry (`./.git` would exclude `./.github/`, `./node_modules` would exclude
 * `./node_modules_local/`), a test a `*` pattern never passes; `*` matches across `/`, so a nested
 * directory of the same name is excluded too.
 */
export function banditExcludes(): string {
  return NOT_PROJECT_CODE.map((d) => `*/${d}/*`).join(',');
}

/** The gitleaks configuration the secrets gate runs with: gitleaks' default rules and allowlist. */
export const GITLEAKS_CONFIG = [
  '# Written by the cdk-devsecops-pipeline secrets gate: gitleaks\' default rules, nothing of the repository.',
  'title = "cdk-devsecops-pipeline"',
  '[extend]',
  'useDefault = true',
].join('\n');

/** Fails (exit 1, saying why) when the scanned directory's .gitleaksignore has an entry (a line not blank or a comment). */
export const GITLEAKSIGNORE_GUARD = 'if [ -f .gitleaksignore ] && grep -qv -e \'^[[:space:]]*$\' -e \'^[[:space:]]*#\' .gitleaksignore; then '
  + 'echo \'gitleaks reads .gitleaksignore from the scanned directory and no flag turns that off: remove its entries and accept findings in .devsecops/suppressions.yaml (with a reason and an expiry)\' >&2; false; fi';

/**
 * The trivy files that keep the repository's configuration out: an explicit config (trivy would
 * read ./trivy.yaml) and an empty ignore file (trivy would read ./.trivyignore).
 */
function trivyGateConfig(workDir: string): { steps: ScanStep[]; args: string[] } {
  const config = `${workDir}/trivy.yaml`;
  const ignore = `${workDir}/trivyignore`;
  return {
    steps: [{ kind: 'write', file: config, content: '{}' }, { kind: 'write', file: ignore, content: '' }],
    args: ['--config', config, '--ignorefile', ignore],
  };
}

/** `trivy fs` for dependency CVEs over the working directory. */
export function dependencyScanner(o: { reportDir: string; workDir: string; ignoreUnfixed: boolean; cacheDir?: string }): ScannerInvocation {
  const file = `${o.reportDir}/trivy.json`;
  const gateConfig = trivyGateConfig(o.workDir);
  return {
    requires: ['trivy'],
    // --exit-code 0: findings do not stop trivy; any non-zero exit is an error.
    steps: [
      ...gateConfig.steps,
      exec(['trivy', 'fs', '--scanners', 'vuln', '--format', 'json', '--output', file, '--exit-code', '0', ...gateConfig.args, ...(o.ignoreUnfixed ? ['--ignore-unfixed'] : []), ...trivyCommonArgs(o.cacheDir), '.']),
    ],
    report: { file, format: 'trivy' },
  };
}

export type SbomGeneratorName = 'trivy' | 'cyclonedx-npm';

/** A CycloneDX JSON SBOM of the working directory. */
export function sbomGenerator(generator: SbomGeneratorName, o: { reportDir: string; workDir: string; cacheDir?: string }): ScannerInvocation {
  const file = `${o.reportDir}/sbom.cdx.json`;
  const gateConfig = trivyGateConfig(o.workDir);
  const steps = generator === 'trivy'
    ? [...gateConfig.steps, exec(['trivy', 'fs', '--format', 'cyclonedx', '--output', file, ...gateConfig.args, ...trivyCommonArgs(o.cacheDir), '.'])]
    // From package-lock.json alone: no node_modules, no registry.
    : [exec(['cyclonedx-npm', '--package-lock-only', '--output-format', 'JSON', '--output-reproducible', '--output-file', file, 'package.json'])];
  return { requires: [generator], steps, report: { file, format: 'cyclonedx' } };
}

export type IacEngineName = 'cfn-guard' | 'checkov';

/**
 * An IaC scanner over CloudFormation templates: a directory of them (`templatesDir`, the
 * pipeline's collected cloud assembly) or the files themselves (`templateFiles`, the local scan,
 * so that findings name the files where they are). cfn-guard applies every rule file or directory
 * in `ruleFiles` (always quoted: they may be the user's) and `builtinRuleDirs`.
 */
export function iacScanner(
  engine: IacEngineName,
  o: { reportDir: string; templatesDir?: string; templateFiles?: string[]; builtinRuleDirs?: string[]; ruleFiles?: string[] },
): ScannerInvocation {
  const templates = (flagForDir: string, flagForFile: string): Arg[] => o.templatesDir !== undefined
    ? [flagForDir, o.templatesDir]
    : (o.templateFiles ?? []).flatMap((t) => [flagForFile, { quoted: t }]);
  if ((o.templatesDir === undefined) === (o.templateFiles === undefined)) throw new Error('iacScanner: give templatesDir or templateFiles');
  if (engine === 'cfn-guard') {
    const file = `${o.reportDir}/cfn-guard.sarif`;
    const rules: Arg[] = [...(o.builtinRuleDirs ?? []).flatMap((r) => ['--rules', r]), ...(o.ruleFiles ?? []).flatMap((r) => ['--rules', { quoted: r }])];
    return {
      requires: ['cfn-guard'],
      // cfn-guard exits 19 when a rule fails: only other codes are errors.
      steps: [exec(['cfn-guard', 'validate', ...templates('--data', '--data'), ...rules, '--output-format', 'sarif', '--structured', '--show-summary', 'none'], { stdout: file, okExitCode: 19 })],
      report: { file, format: 'sarif' },
    };
  }
  const file = `${o.reportDir}/checkov.json`;
  return {
    requires: ['checkov'],
    // --soft-fail: findings do not stop checkov; --skip-download: no guidelines fetched, nothing sent out.
    steps: [exec(['checkov', ...templates('--directory', '--file'), '--framework', 'cloudformation', '--output', 'json', '--soft-fail', '--skip-download', '--quiet'], { stdout: file })],
    report: { file, format: 'checkov' },
  };
}

// Characters that need no quoting in bash.
const SHELL_SAFE = /^[A-Za-z0-9@%+=:,./_~-]+$/;

/** Single-quotes a string for bash. */
export function shellQuote(value: string): string {
  return `'${value.split('\'').join('\'\\\'\'')}'`;
}

/** An argument for a bash line: quoted when it must be (or when it is a QuotedArg). */
export function shellArg(a: Arg): string {
  if (typeof a !== 'string') return shellQuote(a.quoted);
  return SHELL_SAFE.test(a) ? a : shellQuote(a);
}

/** The argument's value as the program receives it. */
export function argValue(a: Arg): string {
  return typeof a === 'string' ? a : a.quoted;
}

/** One bash line per step, as a gate's buildspec runs them (a failing line fails the build). */
export function shellLines(steps: ScanStep[]): string[] {
  return steps.map((s) => {
    switch (s.kind) {
      case 'write':
        return `echo ${shellQuote(s.content)} > ${shellArg(s.file)}`;
      case 'shell':
        return s.script;
      case 'exec': {
        const env = Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${shellArg(v)} `).join('');
        const line = `${env}${s.argv.map(shellArg).join(' ')}${s.stdout !== undefined ? ` > ${shellArg(s.stdout)}` : ''}`;
        return s.okExitCode !== undefined ? `{ ${line} || [ $? -eq ${s.okExitCode} ]; }` : line;
      }
    }
  });
}

import type { Scanner } from './scanner';
import { exec } from './steps';
import { NOT_PROJECT_CODE } from '../model/gates';
import type { NpmTool } from '../tools/tools';

const VERSION = '9.39.5';

// eslint 9 runs on node 20 (engines ^20.9.0); 10 is not needed for the security rules.
const artifact: NpmTool = {
  kind: 'npm',
  name: 'eslint',
  version: VERSION,
  packages: [
    { name: 'eslint', version: VERSION, integrity: 'sha512-DgZS62aPLXKlnxILS/AYCoRvHaZeXceIzlXPkkGGzJWSow1aEk0lbTlxUSlyjC8jcaKxAdOnTDz+o1JFSBsyjw==' },
    // The rules: the SAST gate enables only this plugin's recommended set.
    { name: 'eslint-plugin-security', version: '4.1.0', integrity: 'sha512-cB4H72o/w8C0cm4uHJOnXMJz7MYTTuOwhn2X7PMuzZwfwqUoHK/ASHT6WKP+95lFk5Hkf3xfpiXB8a1+cef4rg==' },
    { name: '@microsoft/eslint-formatter-sarif', version: '3.1.0', integrity: 'sha512-/mn4UXziHzGXnKCg+r8HGgPy+w4RzpgdoqFuqaKOqUVBT5x2CygGefIrO4SusaY7t0C4gyIWMNu6YQT6Jw64Cw==' },
    // Parses .ts/.tsx without type information (no tsconfig needed).
    { name: '@typescript-eslint/parser', version: '8.74.0', integrity: 'sha512-ecr8AYdig7avVkxaHdQvxHnIJ/mOyliO4Gv/uWF8q69vBew/z3sexqBwHUZX5Vql+Ns0w4sH6gBLkICGbOvJkA==' },
  ],
  commands: ['eslint'],
  // The SAST gate installs these from assets/eslint-security (package.json and a committed lock at
  // these versions and integrities: every transitive package pinned, one eslint), not the tarballs alone.
  note: 'The gate installs from the lock shipped in assets/eslint-security with npm ci --ignore-scripts: every transitive package is pinned by version and integrity, and an npm override makes the SARIF formatter (which asks for eslint ^8) use this eslint 9, so there is one eslint.',
};

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

// The npm packages of the artifact: eslint, plugin, formatter, parser.
function eslintPackages(): { plugin: string; formatter: string; parser: string } {
  return { plugin: artifact.packages[1].name, formatter: artifact.packages[2].name, parser: artifact.packages[3].name };
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

/**
 * ESLint with eslint-plugin-security's recommended rules over JavaScript and TypeScript, with the
 * gate's own configuration; installed from the lock shipped in assets/eslint-security.
 */
export const eslint: Scanner = {
  name: 'eslint',
  artifact,
  install: { kind: 'shipped-lock', directory: 'eslint-security' },
  engines: [{
    gate: 'sast',
    id: 'eslint-security',
    report: 'sarif',
    covers: { rootFiles: ['package.json'], extensions: [...JS_EXTENSIONS, ...TS_EXTENSIONS], absent: 'no package.json, no JavaScript/TypeScript files' },
    invoke: (o) => {
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
    },
  }],
};

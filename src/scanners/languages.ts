/**
 * Code the SAST engines do not cover: what `Sast.detect()` reports as "not analyzed" (and fails
 * on) instead of passing a repository it did not read. Pure (no aws-cdk-lib), shared by the
 * gate's detection (a bash line, `notAnalyzedScript`) and the local `scan`.
 */
import { shellQuote } from './steps';
import { NOT_PROJECT_CODE } from '../model/gates';

/** A language no SAST engine of the gate analyzes, by file extension. */
export interface UncoveredLanguage {
  readonly name: string;
  readonly extensions: readonly string[];
  /** SpotBugs analyzes it when the repository root is a Maven project (`pom.xml`). */
  readonly coveredByRootPom?: boolean;
}

/**
 * Bandit covers Python, eslint-security JavaScript and TypeScript, SpotBugs a Maven project at
 * the root; detection does not choose Semgrep (its shipped rules are for Python and JS/TS). Everything else here is
 * code the gate would pass unread.
 */
export const UNCOVERED_LANGUAGES: readonly UncoveredLanguage[] = [
  { name: 'Go', extensions: ['go'] },
  { name: 'Java', extensions: ['java'], coveredByRootPom: true },
  { name: 'Kotlin', extensions: ['kt', 'kts'], coveredByRootPom: true },
  { name: 'Scala', extensions: ['scala'] },
  { name: 'Groovy/Gradle', extensions: ['groovy', 'gradle'] },
  { name: 'Ruby', extensions: ['rb'] },
  { name: 'PHP', extensions: ['php'] },
  { name: 'C#', extensions: ['cs'] },
  { name: 'C/C++', extensions: ['c', 'cc', 'cpp', 'cxx', 'h', 'hpp'] },
  { name: 'Rust', extensions: ['rs'] },
  { name: 'Swift', extensions: ['swift'] },
];

/** How one uncovered language is reported: `Go (12 files)`. */
export function notAnalyzedLine(name: string, files: number): string {
  return `${name} (${files} file${files === 1 ? '' : 's'})`;
}

/** How a Maven project below the root (which SpotBugs does not build) is reported. */
export function nestedPomLine(poms: readonly string[]): string {
  return `Maven project not at the repository root (${poms.join(' ')})`;
}

/**
 * A bash command that writes one line per uncovered language found (and a pom.xml below the
 * root when there is none at the root) to `file`; an empty file when everything is covered.
 * Dependency and build directories (NOT_PROJECT_CODE, any node_modules) are not the project's code.
 */
export function notAnalyzedScript(file: string): string {
  const prune = `\\( ${NOT_PROJECT_CODE.map((d) => `-path ./${d}`).join(' -o ')} -o -name node_modules \\) -prune -o -type f`;
  const count = 'c() { local name=$1; shift; local e=(); for p in "$@"; do e+=(-o -name "$p"); done; '
    + `local n; n=$(find . ${prune} \\( "\${e[@]:1}" \\) -print | wc -l); `
    + 'if [ "$n" -gt 0 ]; then if [ "$n" -eq 1 ]; then echo "$name (1 file)"; else echo "$name ($n files)"; fi; fi; }';
  const call = (l: UncoveredLanguage) => `c ${shellQuote(l.name)} ${l.extensions.map((e) => shellQuote(`*.${e}`)).join(' ')}`;
  const always = UNCOVERED_LANGUAGES.filter((l) => !l.coveredByRootPom).map(call);
  const withoutRootPom = UNCOVERED_LANGUAGES.filter((l) => l.coveredByRootPom).map(call);
  const nested = `p=$(find . ${prune} -name pom.xml -print | sed 's|^\\./||' | sort | head -n 3 | tr '\\n' ' '); `
    + `if [ -n "$p" ]; then echo "${nestedPomLine(['${p% }'])}"; fi`;
  return `{ ${count}; ${always.join('; ')}; if [ ! -f pom.xml ]; then ${withoutRootPom.join('; ')}; ${nested}; fi; } > ${shellQuote(file)}`;
}

/**
 * Lock files the dependency scanners read (trivy fs, cyclonedx-npm). When the repository has one
 * that lists a package, a trivy report without Results or an SBOM without components has not
 * analyzed the dependencies, and the SCA and SBOM gates fail ("not analyzed").
 */
export const LOCK_FILES: readonly string[] = [
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml',
  'Pipfile.lock', 'poetry.lock', 'uv.lock', 'requirements.txt',
  'go.sum', 'Gemfile.lock', 'composer.lock', 'Cargo.lock', 'packages.lock.json', 'gradle.lockfile',
];

/**
 * A bash command that writes the repository's lock files that list at least one package (one path
 * a line) to `file`. An npm lock file lists one when it has a `resolved` or `node_modules/` entry (a
 * project without dependencies has neither); the others when they have a line that is not blank or a comment.
 */
export function lockFilesScript(file: string): string {
  const prune = `\\( ${NOT_PROJECT_CODE.map((d) => `-path ./${d}`).join(' -o ')} -o -name node_modules \\) -prune -o -type f`;
  const names = LOCK_FILES.map((n) => `-name ${shellQuote(n)}`).join(' -o ');
  return `find . ${prune} \\( ${names} \\) -print | sed 's|^\\./||' | sort | while IFS= read -r f; do `
    + 'case "$f" in *package-lock.json|*npm-shrinkwrap.json) grep -qE \'"resolved"|"node_modules/\' "$f" && echo "$f";; '
    + '*) grep -qvE \'^[[:space:]]*(#|//|$)\' "$f" && echo "$f";; esac; done > '
    + `${shellQuote(file)}; true`;
}

/**
 * An empty SARIF run of the SAST detection itself: the report of a gate where no engine applies,
 * so evaluate still decides (and fails the gate on code no engine covers).
 */
export const SAST_DETECT_SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [{
    tool: { driver: { name: 'sast-detect', informationUri: 'https://github.com/cdk-devsecops/cdk-devsecops-pipeline', rules: [] } },
    invocations: [{
      executionSuccessful: true,
      toolExecutionNotifications: [{ level: 'warning', message: { text: 'No SAST engine applies to the files present (no Python files, no pom.xml, no package.json or JavaScript/TypeScript files): nothing was analyzed. Code in a language no engine covers is listed as not analyzed and fails the gate.' } }],
    }],
    results: [],
  }],
});

/**
 * The one table of the scanners the security gates install: version, linux x86_64 download
 * and the sha256 of the exact file downloaded. Nothing else in the library names a scanner
 * version; the install commands (install.ts) are generated from this table only.
 *
 * Every sha256 below was copied from a public source that pins it (named in `sha256Source`)
 * and matched by at least one other independent source, unless the entry says otherwise.
 * None was computed here: this workplace reaches no download host but the npm registry.
 */

/** A file fetched over HTTPS and checked against its sha256 before it is used. */
export interface Download {
  /** Exact URL of the file; never a `latest` alias. */
  readonly url: string;
  /** Lower-case hex sha256 of the file at `url`. */
  readonly sha256: string;
  /** Where the sha256 was found (provenance), so a reviewer can re-check it. */
  readonly sha256Source: string;
  /** How the file is unpacked: a gzipped tar, a zip, or used as it is. */
  readonly format: 'tar.gz' | 'zip' | 'file';
}

/** A scanner shipped as a release archive or file (Go, Rust, Java binaries). */
export interface ArchiveTool {
  readonly kind: 'archive';
  readonly name: string;
  readonly version: string;
  readonly download: Download;
  /**
   * Executables to put on the PATH: path inside the unpacked archive → command name in
   * /usr/local/bin. Java tools list their launcher script here.
   */
  readonly binaries: Readonly<Record<string, string>>;
  /** Extra files that belong to the tool (plugins), each checked like the main download. */
  readonly extras?: ReadonlyArray<ExtraFile>;
  /** Why this version was chosen, when it matters (incidents, compatibility). */
  readonly note?: string;
}

/** A checked file that goes into the tool's directory (e.g. a SpotBugs plugin jar). */
export interface ExtraFile extends Download {
  /** Path of the file relative to the unpacked tool directory. */
  readonly destination: string;
}

/** One pinned Python distribution with the sha256 of each of its files pip may pick. */
export interface PipRequirement {
  readonly name: string;
  readonly version: string;
  readonly sha256: ReadonlyArray<string>;
}

/** A scanner installed from PyPI into its own virtual environment. */
export interface PipTool {
  readonly kind: 'pip';
  readonly name: string;
  readonly version: string;
  /** Console scripts of the tool to link into /usr/local/bin. */
  readonly commands: ReadonlyArray<string>;
  /**
   * The tool's own wheel(s): pinned and hashed. `undefined` when no verifiable sha256
   * could be found for this version.
   */
  readonly wheel?: PipRequirement;
  /**
   * The complete dependency closure, each pinned with `==` and hashed, as pip's
   * `--require-hashes` mode demands. Install commands are generated only when it is set:
   * a partly hashed install would either fail or fetch unverified code.
   */
  readonly lockedDependencies?: ReadonlyArray<PipRequirement>;
  readonly sha256Source: string;
  readonly note?: string;
}

/** One exact npm package version with its registry integrity (SRI sha512). */
export interface NpmPackage {
  readonly name: string;
  readonly version: string;
  /** `sha512-<base64>` as published by the npm registry (`npm view NAME@VERSION dist.integrity`). */
  readonly integrity: string;
}

/** A scanner installed from the npm registry: its package and plugins, each tarball checked. */
export interface NpmTool {
  readonly kind: 'npm';
  readonly name: string;
  readonly version: string;
  /** The main package first, then its plugins (rule presets, formatters). */
  readonly packages: ReadonlyArray<NpmPackage>;
  /** Commands the main package puts on the PATH. */
  readonly commands: ReadonlyArray<string>;
  readonly note?: string;
}

export type Tool = ArchiveTool | PipTool | NpmTool;

/** Names of the scanners in the table. */
export type ToolName =
  | 'gitleaks'
  | 'trufflehog'
  | 'semgrep'
  | 'bandit'
  | 'spotbugs'
  | 'trivy'
  | 'grype'
  | 'checkov'
  | 'cfn-guard'
  | 'cyclonedx-npm'
  | 'secretlint'
  | 'eslint';

// Registry tarball URL of an npm package, as `npm view NAME@VERSION dist.tarball` prints it.
function npmTarball(name: string, version: string): string {
  const base = name.startsWith('@') ? name.split('/')[1] : name;
  return `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`;
}

/** The tarball URL the npm registry serves for a package version. */
export function npmTarballUrl(pkg: NpmPackage): string {
  return npmTarball(pkg.name, pkg.version);
}

const GITLEAKS_VERSION = '8.21.2';
const TRUFFLEHOG_VERSION = '3.93.8';
const TRIVY_VERSION = '0.69.3';
const GRYPE_VERSION = '0.110.0';
const CFN_GUARD_VERSION = '3.2.0';
const SPOTBUGS_VERSION = '4.9.3';
const FINDSECBUGS_VERSION = '1.14.0';
const SECRETLINT_VERSION = '11.7.1';
const ESLINT_VERSION = '9.39.5';

/** The table. */
export const TOOLS: { readonly [name in ToolName]: Tool } = {
  'gitleaks': {
    kind: 'archive',
    name: 'gitleaks',
    version: GITLEAKS_VERSION,
    download: {
      url: `https://github.com/gitleaks/gitleaks/releases/download/v${GITLEAKS_VERSION}/gitleaks_${GITLEAKS_VERSION}_linux_x64.tar.gz`,
      sha256: '5bc41815076e6ed6ef8fbecc9d9b75bcae31f39029ceb55da08086315316e3ba',
      sha256Source: 'cashapp/hermit-packages gitleaks.hcl sha256sums; the same value in several Dockerfiles/Makefiles pinning gitleaks 8.21.2 from the release checksums.txt',
      format: 'tar.gz',
    },
    binaries: { gitleaks: 'gitleaks' },
  },
  'trufflehog': {
    kind: 'archive',
    name: 'trufflehog',
    version: TRUFFLEHOG_VERSION,
    download: {
      url: `https://github.com/trufflesecurity/trufflehog/releases/download/v${TRUFFLEHOG_VERSION}/trufflehog_${TRUFFLEHOG_VERSION}_linux_amd64.tar.gz`,
      sha256: 'b965dd2a4106dc3c194dfcaa93931fe0a93571261e3e1f46f2d1728b6612e019',
      sha256Source: 'cashapp/hermit-packages trufflehog.hcl sha256sums; matched by a public pinned-binaries table (TruffleHog linux_amd64 3.93.8)',
      format: 'tar.gz',
    },
    binaries: { trufflehog: 'trufflehog' },
  },
  'trivy': {
    kind: 'archive',
    name: 'trivy',
    version: TRIVY_VERSION,
    download: {
      url: `https://github.com/aquasecurity/trivy/releases/download/v${TRIVY_VERSION}/trivy_${TRIVY_VERSION}_Linux-64bit.tar.gz`,
      sha256: '1816b632dfe529869c740c0913e36bd1629cb7688bd5634f4a858c1d57c88b75',
      sha256Source: 'several independent public pins of trivy_0.69.3_Linux-64bit.tar.gz, one stating it was cosign-verified and matches trivy_0.69.3_checksums.txt',
      format: 'tar.gz',
    },
    binaries: { trivy: 'trivy' },
    // 0.69.4 was a malicious release (GHSA-69fq-xp46-6x23, March 2026) and must never be
    // pinned. 0.69.3 (published 2026-03-03) predates it and is the version the fixed
    // trivy-action 0.35.0 uses; releases before 0.69.2 were lost from GitHub in the
    // 2026-03-01 incident, so older pins no longer download.
    note: 'Known-good release before the malicious 0.69.4 (GHSA-69fq-xp46-6x23).',
  },
  'grype': {
    kind: 'archive',
    name: 'grype',
    version: GRYPE_VERSION,
    download: {
      url: `https://github.com/anchore/grype/releases/download/v${GRYPE_VERSION}/grype_${GRYPE_VERSION}_linux_amd64.tar.gz`,
      sha256: 'aaa98d27d2d7efd9317c6a1ad6d9b15f3e65bab320e7d03bde41e251387bb71c',
      sha256Source: 'AUR grype-bin PKGBUILD sha256sums; matched by several install scripts pinning grype 0.110.0 from the release checksums.txt',
      format: 'tar.gz',
    },
    binaries: { grype: 'grype' },
    note: 'Optional second SCA engine.',
  },
  'cfn-guard': {
    kind: 'archive',
    name: 'cfn-guard',
    version: CFN_GUARD_VERSION,
    download: {
      url: `https://github.com/aws-cloudformation/cloudformation-guard/releases/download/${CFN_GUARD_VERSION}/cfn-guard-v3-x86_64-ubuntu-latest.tar.gz`,
      sha256: '9f8c4d9f15f7dd54a37ea70a5237ba00aba682fb1e6521a744d12259961dfc13',
      sha256Source: 'a devcontainer feature install script citing the 3.2.0 release page; matched by a deployment guide pinning the same archive',
      format: 'tar.gz',
    },
    binaries: { 'cfn-guard-v3-x86_64-ubuntu-latest/cfn-guard': 'cfn-guard' },
  },
  'spotbugs': {
    kind: 'archive',
    name: 'spotbugs',
    version: SPOTBUGS_VERSION,
    download: {
      url: `https://repo.maven.apache.org/maven2/com/github/spotbugs/spotbugs/${SPOTBUGS_VERSION}/spotbugs-${SPOTBUGS_VERSION}.tgz`,
      sha256: 'd464d56050cf1dbda032e9482e1188f7cd7b7646eaff79c2e6cbe4d6822f4d9f',
      sha256Source: 'Homebrew/homebrew-core Formula/s/spotbugs.rb (same Maven Central URL); matched by an install script pinning spotbugs-4.9.3.tgz',
      format: 'tar.gz',
    },
    binaries: { [`spotbugs-${SPOTBUGS_VERSION}/bin/spotbugs`]: 'spotbugs' },
    extras: [{
      url: `https://repo.maven.apache.org/maven2/com/h3xstream/findsecbugs/findsecbugs-plugin/${FINDSECBUGS_VERSION}/findsecbugs-plugin-${FINDSECBUGS_VERSION}.jar`,
      sha256: '6fa340344fa433ff46c2985dab1010e8bc739f9395c983594a5240095e92abc8',
      sha256Source: 'an install script pinning findsecbugs-plugin-1.14.0.jar; matched by an audit report listing the FindSecBugs 1.14.0 jar hash',
      format: 'file',
      // SpotBugs loads every jar in its plugin directory.
      destination: `spotbugs-${SPOTBUGS_VERSION}/plugin/findsecbugs-plugin-${FINDSECBUGS_VERSION}.jar`,
    }],
    note: `SpotBugs with the FindSecBugs ${FINDSECBUGS_VERSION} plugin; needs a Java runtime (present on CodeBuild standard images).`,
  },
  'bandit': {
    kind: 'pip',
    name: 'bandit',
    version: '1.8.6',
    commands: ['bandit'],
    wheel: {
      name: 'bandit',
      version: '1.8.6',
      sha256: ['3348e934d736fcdb68b6aa4030487097e23a501adf3e7827b63658df464dddd0'],
    },
    // The closure pip resolved for bandit 1.8.6 (a public pip log): PyYAML 6.0.2,
    // stevedore 5.4.1, rich 14.0.0, pbr 6.1.1, markdown-it-py 3.0.0, pygments 2.19.2,
    // mdurl 0.1.2, setuptools 80.9.0. Their file hashes could not be found in any public
    // source reachable here, so no hash-locked install is generated yet.
    sha256Source: 'bandit-1.8.6-py3-none-any.whl: a public poetry.lock and a public uv.lock agree',
    note: 'Dependency closure not hash-locked yet: install commands are refused until it is.',
  },
  'semgrep': {
    kind: 'pip',
    name: 'semgrep',
    // The version pinned by a dated public tool table (2026-03-31) alongside trivy 0.69.3.
    version: '1.156.0',
    commands: ['semgrep'],
    // No verifiable sha256 of a semgrep wheel (nor of its ~30 dependencies) was found in
    // any public source reachable here.
    sha256Source: 'none found',
    note: 'No verifiable wheel sha256 found: install commands are refused until the table has one.',
  },
  'checkov': {
    kind: 'pip',
    name: 'checkov',
    // The version pinned by a dated public tool table (2026-03-31) alongside trivy 0.69.3.
    version: '3.2.513',
    commands: ['checkov'],
    // No verifiable sha256 of a checkov wheel (nor of its ~90 dependencies) was found in
    // any public source reachable here.
    sha256Source: 'none found',
    note: 'No verifiable wheel sha256 found: install commands are refused until the table has one.',
  },
  'secretlint': {
    kind: 'npm',
    name: 'secretlint',
    // 11.x is the newest line that runs on node 20 (12+ needs node 22).
    version: SECRETLINT_VERSION,
    packages: [
      { name: 'secretlint', version: SECRETLINT_VERSION, integrity: 'sha512-igo+3xtwOisz3Ge0V1t6SzCnOLXSHjRIODZpqppUmfkb0EE0EbsEMdoUuunaacxffq3NTYSzpZcjbfrPYuO+qA==' },
      { name: '@secretlint/secretlint-rule-preset-recommend', version: SECRETLINT_VERSION, integrity: 'sha512-LsiEhDWoXi9GNx1Zp5eYRNajeUvBrZ82h3k/vzFqo0WoSdmpyDnkkzBTLXqWqj1VNyPCcTwlxOqnEmlz6lXc7A==' },
      { name: '@secretlint/secretlint-formatter-sarif', version: SECRETLINT_VERSION, integrity: 'sha512-uYtk1fueqzj6q67u98VMVk4hPY2ozvpz8sBudTnYOIDwA7ycXpm+7nkmzU8zibFurs5hicb9EZAa94hOOAnDnA==' },
    ],
    commands: ['secretlint'],
    note: 'Each tarball is checked against the registry integrity; transitive dependencies are resolved by npm, which checks each against the registry integrity but does not pin them.',
  },
  'eslint': {
    kind: 'npm',
    name: 'eslint',
    // eslint 9 runs on node 20 (engines ^20.9.0); 10 is not needed for the security rules.
    version: ESLINT_VERSION,
    packages: [
      { name: 'eslint', version: ESLINT_VERSION, integrity: 'sha512-DgZS62aPLXKlnxILS/AYCoRvHaZeXceIzlXPkkGGzJWSow1aEk0lbTlxUSlyjC8jcaKxAdOnTDz+o1JFSBsyjw==' },
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
  },
  'cyclonedx-npm': {
    kind: 'npm',
    name: 'cyclonedx-npm',
    version: '6.0.1',
    packages: [
      { name: '@cyclonedx/cyclonedx-npm', version: '6.0.1', integrity: 'sha512-/aU3bBC6qP6cV/qQ5SfUSygE/+2hQhwgg6sJML31/gZ96NyMvIUuwdk637H4z+LS/NryRT2kjR2wtD0qBEVVHQ==' },
    ],
    commands: ['cyclonedx-npm'],
    note: 'Each tarball is checked against the registry integrity; transitive dependencies are resolved by npm, which checks each against the registry integrity but does not pin them.',
  },
};

/** The table entry of a scanner. */
export function tool(name: ToolName): Tool {
  return TOOLS[name];
}

/**
 * A scanner taken from the build image's Linux distribution, for tools whose PyPI install cannot
 * be hash-locked yet. apt checks the distribution's signed package indexes and each package's
 * hash, so the install is verified; the upstream version is pinned (`package=VERSION-*`: any
 * distribution revision of that upstream version, so security rebuilds still install).
 */
export interface AptPackage {
  /** The table tool this package stands in for. */
  readonly tool: ToolName;
  /** Distribution package name. */
  readonly package: string;
  /** Upstream version, exact. */
  readonly version: string;
  /** Commands the package puts on the PATH. */
  readonly commands: ReadonlyArray<string>;
  /** Distributions known to carry this version. */
  readonly distributions: string;
  readonly note?: string;
}

/** Distribution packages, by the tool they stand in for. */
export const APT_PACKAGES: { readonly [name in ToolName]?: AptPackage } = {
  bandit: {
    tool: 'bandit',
    package: 'bandit',
    version: '1.6.2',
    commands: ['bandit'],
    // The same upstream version the tests run (Debian 12's bandit 1.6.2-2).
    distributions: 'Ubuntu 22.04 jammy (universe; the CodeBuild standard:7.0 image) and Debian 12 bookworm',
    note: 'Older than the PyPI pin (1.8.6), which cannot be hash-locked yet; B602 and the other shell-injection checks are the same.',
  },
};

/**
 * The CDK command-line tools CDK Pipelines installs in its own builds: `aws-cdk` in the
 * self-mutation build, `cdk-assets` in the asset publishing builds. CDK Pipelines writes
 * `npm install -g aws-cdk@2` and `npm install -g cdk-assets@latest`; the pipeline replaces
 * those lines with these tarballs, checked against their integrity. Both packages are bundled
 * (no dependencies), so the tarball is everything that runs.
 */
export const CDK_CLIS: { readonly 'aws-cdk': NpmTool; readonly 'cdk-assets': NpmTool } = {
  'aws-cdk': {
    kind: 'npm',
    name: 'aws-cdk',
    // The aws-cdk devDependency (.projenrc.ts CDK_CLI_VERSION): the CLI the tests synthesize with; the integrity is package-lock.json's.
    version: '2.1148.1',
    packages: [
      { name: 'aws-cdk', version: '2.1148.1', integrity: 'sha512-K3d02L17IwmAuiBWNuX1DzYhKUs9GrKYI7bZnGJfJ1bKz9ymXFxfudBOL3rUb8JAusDNSULiQU2fsJH7kyY2XA==' },
    ],
    commands: ['cdk'],
  },
  'cdk-assets': {
    kind: 'npm',
    name: 'cdk-assets',
    version: '4.7.3',
    packages: [
      // `npm view cdk-assets@4.7.3 dist.integrity` (no dependencies).
      { name: 'cdk-assets', version: '4.7.3', integrity: 'sha512-8RC6CdrgnM0nO/VSPkIolCtEmbVeyuaormzMOuvO30hgZJeKy7dddSxvd9h7S4ZQVoAnlmmRAVnE00kkRktjGg==' },
    ],
    commands: ['cdk-assets'],
  },
};

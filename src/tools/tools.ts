/**
 * The shapes of a pinned artifact (release archive, hash-locked pip closure, checked npm
 * tarballs, distribution package), from which install.ts renders verified install lines. Each
 * scanner's own pins are in its descriptor (src/scanners/<tool>.ts); the CDK CLIs the pipeline
 * installs are here.
 *
 * Every sha256 in the descriptors was copied from a public source that pins it (named in
 * `sha256Source`) and matched by at least one other independent source, unless the entry says
 * otherwise. None was computed here: this workplace reaches no download host but the registries.
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

/**
 * A scanner shipped as a container image, pulled by digest where it runs (the DAST step's
 * `docker run`): never installed, and never by tag alone (a tag such as `stable` moves).
 */
export interface ImageTool {
  readonly kind: 'image';
  readonly name: string;
  /** The upstream version the digest is of. */
  readonly version: string;
  /** Registry and repository, without tag or digest (e.g. `ghcr.io/zaproxy/zaproxy`). */
  readonly repository: string;
  /** `sha256:<64 hex>`: what is pulled. */
  readonly digest: string;
  /** Where the digest was found (provenance), so a reviewer can re-check it. */
  readonly digestSource: string;
  readonly note?: string;
}

/** The image reference a step pulls: repository, version tag (for readers) and digest (what is pulled). */
export function imageReference(t: ImageTool): string {
  return `${t.repository}:${t.version}@${t.digest}`;
}

export type Tool = ArchiveTool | PipTool | NpmTool | ImageTool;

// Registry tarball URL of an npm package, as `npm view NAME@VERSION dist.tarball` prints it.
function npmTarball(name: string, version: string): string {
  const base = name.startsWith('@') ? name.split('/')[1] : name;
  return `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`;
}

/** The tarball URL the npm registry serves for a package version. */
export function npmTarballUrl(pkg: NpmPackage): string {
  return npmTarball(pkg.name, pkg.version);
}

/**
 * A scanner taken from the build image's Linux distribution, for tools whose PyPI install cannot
 * be hash-locked yet. apt checks the distribution's signed package indexes and each package's
 * hash, so the install is verified; the upstream version is pinned (`package=VERSION-*`: any
 * distribution revision of that upstream version, so security rebuilds still install).
 */
export interface AptPackage {
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

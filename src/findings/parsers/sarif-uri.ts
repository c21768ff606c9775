import { msg, Place, text } from './sarif-values';
import { decodePercent, isObject, Obj } from './util';
import { ResourceRef, SourceLocation } from '../../model/finding';
import { normalizeSnippet } from '../fingerprint';

/**
 * Where SARIF results are: artifact URIs (`file:` URIs, relative and absolute paths, URLs) as
 * repository-relative paths, and a result's location (file and lines, or a logical location).
 */

/** A SARIF line number: a whole number from 1 (SARIF writes integers: unlike util's `line`, no numeric strings). */
function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
}

// Segments that cannot be ".", ".." or empty, and no scheme, "%" or backslash.
const PLAIN_PATH = /^[\w\-+@~][\w\-+@~ .]*(?:\/[\w\-+@~][\w\-+@~ .]*)*$/;

// Cache value of a URI that is not a file path (a URL).
const NOT_A_PATH = '\u0000url';

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
  if (p.includes('%')) p = decodePercent(p);
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

/** Interns the run's repeated strings (see `RunContext.intern` in sarif.ts). */
export interface Strings {
  intern(s: string): string;
  intern(s: string | undefined): string | undefined;
}

/** Where a result is: a source location or a resource, and the text of its location's message. */
export interface Where {
  readonly location?: SourceLocation;
  readonly resource?: ResourceRef;
  /** Text of the location's own message (trivy: `target: package@version`). */
  readonly message?: string;
}

/** One run's artifact URIs and the repository paths made of them (cached: results repeat a few files). */
export class RunLocations {
  private readonly paths = new Map<string, string>();
  private readonly outside = new Set<string>();
  private readonly artifactUris = new Map<number, string | undefined>();

  constructor(readonly file: string, readonly run: Obj, private readonly roots: readonly string[], private readonly strings: Strings) {}

  artifactUri(index: unknown): string | undefined {
    if (typeof index !== 'number' || index < 0) return undefined;
    if (!this.artifactUris.has(index)) {
      const artifacts = Array.isArray(this.run.artifacts) ? this.run.artifacts : [];
      const artifact = artifacts[index];
      const loc = isObject(artifact) && isObject(artifact.location) ? artifact.location : undefined;
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

  /** Where a result is: the file and lines of its first location, else the resource it names. */
  locationOf(result: Obj, where: Place): Where {
    const locations = Array.isArray(result.locations) ? result.locations : [];
    const first = locations[0];
    if (!isObject(first)) return {};
    const message = msg(first.message);
    const physical = isObject(first.physicalLocation) ? first.physicalLocation : undefined;
    const artifact = physical && isObject(physical.artifactLocation) ? physical.artifactLocation : undefined;
    const uri = text(artifact?.uri) ?? this.artifactUri(artifact?.index);
    if (uri !== undefined) {
      const file = this.repoPath(uri, where, '.locations[0]');
      if (file === undefined) {
        // A URL (ZAP, other DAST tools): the finding is about a web resource, not a source file.
        if (/^[a-z][a-z0-9+.-]+:/i.test(uri)) return { resource: { id: uri, kind: 'url' }, message };
        return { message };
      }
      const region = physical && isObject(physical.region) ? physical.region : undefined;
      const startLine = positiveInt(region?.startLine);
      const snippetText = region ? msg(region.snippet) : undefined;
      const snippet = snippetText === undefined ? undefined : normalizeSnippet(snippetText);
      return {
        location: {
          file,
          startLine,
          endLine: positiveInt(region?.endLine) ?? startLine,
          snippet: snippet ? snippet : undefined,
          ...(this.isOutside(file) && { outsideRepository: true }),
        },
        message,
      };
    }
    const logical = Array.isArray(first.logicalLocations) ? first.logicalLocations[0] : undefined;
    if (isObject(logical)) {
      const id = text(logical.fullyQualifiedName) ?? text(logical.name);
      if (id) return { resource: { id: this.strings.intern(id), kind: this.strings.intern(text(logical.kind)) }, message };
    }
    return { message };
  }
}

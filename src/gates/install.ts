import * as fs from 'fs';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { GateContext } from './context';
import { EslintEngineAsset } from './eslint-engine';
import { ASSETS_DIR, ShippedFilesAsset } from './shipped-files';
import type { Scanner } from '../scanners/scanner';
import { shellQuote } from '../scanners/steps';
import { aptInstallCommands, commandsFor, lockedVersions, pipLockLines, TOOLS_CACHE_DIR, UnverifiableInstallError } from '../tools/install';

/** How a gate installs a scanner: its install lines (throwing UnverifiableInstallError when they cannot be verified) and the read access they need. */
export interface ScannerInstall {
  readonly lines: () => string[];
  readonly statements: () => iam.PolicyStatement[];
}

/** A scanner's install in a gate build, from its descriptor's install source. */
export function scannerInstall(ctx: GateContext, scanner: Scanner): ScannerInstall {
  const source = scanner.install ?? { kind: 'artifact' };
  switch (source.kind) {
    case 'artifact':
      return { lines: () => commandsFor(scanner.artifact, TOOLS_CACHE_DIR), statements: () => [] };
    case 'apt':
      return { lines: () => aptInstallCommands(source.package), statements: () => [] };
    case 'container':
      return { lines: () => [], statements: () => [] };
    case 'shipped-lock': {
      if (source.directory !== 'eslint-security') throw new Error(`${scanner.name}: no shipped lock '${source.directory}' in this package`);
      return {
        lines: () => EslintEngineAsset.of(ctx.scope).installCommands(),
        statements: () => [EslintEngineAsset.of(ctx.scope).readStatement()],
      };
    }
    case 'pip-lock': {
      checkPipLock(scanner, source.lock);
      return {
        lines: () => {
          const locks = ShippedFilesAsset.of(ctx.scope, 'scanner-locks');
          const { name, version, kind } = scanner.artifact;
          if (kind !== 'pip') throw new Error(`${scanner.name}: a pip lock installs a pip artifact`);
          return [...locks.unpackCommands(), ...pipLockLines({ name, version, lockFile: `${locks.installDir}/${source.lock}`, commands: scanner.artifact.commands, cacheDir: TOOLS_CACHE_DIR })];
        },
        statements: () => [ShippedFilesAsset.of(ctx.scope, 'scanner-locks').readStatement()],
      };
    }
  }
}

/** The shipped lock of a scanner: it must exist and pin the descriptor's version (one fact, checked at synth). */
export function checkPipLock(scanner: Scanner, lock: string): void {
  const file = path.join(ASSETS_DIR, 'scanner-locks', lock);
  if (!fs.existsSync(file)) throw new Error(`${scanner.name}: its lock assets/scanner-locks/${lock} is missing (${file}): the package ships it`);
  const pinned = lockedVersions(fs.readFileSync(file, 'utf8'))[scanner.artifact.name];
  if (pinned !== scanner.artifact.version) {
    throw new Error(`${scanner.name}: assets/scanner-locks/${lock} pins ${scanner.artifact.name} ${pinned ?? '(nothing)'}, the descriptor ${scanner.artifact.version}: regenerate the lock or fix the descriptor`);
  }
}

/** The install lines of a tool, or one line that stops the build when it cannot be installed verifiably. */
export function verifiedInstall(name: string, lines: () => string[]): string[] {
  try {
    return lines();
  } catch (e) {
    if (!(e instanceof UnverifiableInstallError)) throw e;
    // Never install unverified: the gate fails at run time, saying why.
    return [`echo ${shellQuote(`${name}: ${e.message}. This gate fails closed until its descriptor (src/scanners/${name}.ts) can verify it; choose another engine or turn the gate off explicitly.`)} >&2 && exit 1`];
  }
}

/** True when the tool's install lines can be generated (pinned and verified). */
export function installable(lines: () => string[]): boolean {
  try {
    lines();
    return true;
  } catch (e) {
    if (e instanceof UnverifiableInstallError) return false;
    throw e;
  }
}

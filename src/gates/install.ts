import * as iam from 'aws-cdk-lib/aws-iam';
import type { GateContext } from './context';
import { EslintEngineAsset } from './eslint-engine';
import type { Scanner } from '../scanners/scanner';
import { shellQuote } from '../scanners/steps';
import { aptInstallCommands, commandsFor, TOOLS_CACHE_DIR, UnverifiableInstallError } from '../tools/install';

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
    case 'shipped-lock': {
      if (source.directory !== 'eslint-security') throw new Error(`${scanner.name}: no shipped lock '${source.directory}' in this package`);
      return {
        lines: () => EslintEngineAsset.of(ctx.scope).installCommands(),
        statements: () => [EslintEngineAsset.of(ctx.scope).readStatement()],
      };
    }
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

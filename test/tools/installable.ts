import { TOOLS } from '../../src/scanners';
import { PipTool, Tool } from '../../src/tools/tools';

/**
 * A pip tool is installable only with a hashed wheel and a hash-locked closure; the table
 * says which ones have them, the tests do not decide.
 */
export function installable(t: Tool): boolean {
  return t.kind === 'image' ? false : t.kind !== 'pip' || (t.wheel !== undefined && t.lockedDependencies !== undefined);
}

/** The tools of the table that install. */
export const INSTALLABLE = (Object.keys(TOOLS) as string[]).filter((n) => installable(TOOLS[n]));

/** A synthetic hash-locked pip tool: its digests exercise the install line format only and are never shipped. */
export function examplePipTool(lockedDependencies: PipTool['lockedDependencies'] = []): PipTool {
  return {
    kind: 'pip',
    name: 'exampletool',
    version: '1.2.3',
    commands: ['exampletool'],
    wheel: { name: 'exampletool', version: '1.2.3', sha256: ['a'.repeat(64)] },
    lockedDependencies,
    sha256Source: 'test',
  };
}

/**
 * Whether an engine applies to a repository (its `Coverage`): as a bash test for the gate's build
 * and as a check over the files for the local scan, from the same data.
 */
import { readdirSync, existsSync } from 'fs';
import { join } from 'path';
import type { Coverage } from './scanner';
import { shellArg } from './steps';
import { NOT_PROJECT_CODE } from '../model/gates';

// Dependency and build directories at the root, and node_modules anywhere, are not the project's code.
const PRUNE = `${NOT_PROJECT_CODE.map((d) => `-path ./${d} -prune -o`).join(' ')} -name node_modules -prune -o`;

/** A bash test that is true when the repository (the working directory) has a file the engine covers. */
export function coverageShellTest(c: Coverage): string {
  const tests = (c.rootFiles ?? []).map((f) => `[ -f ${shellArg(f)} ]`);
  if (c.extensions && c.extensions.length > 0) {
    const names = c.extensions.map((e) => `-name '*.${e}'`).join(' -o ');
    tests.push(`find . ${PRUNE} \\( ${names} \\) -print | grep -q .`);
  }
  if (tests.length === 0) return 'true';
  return tests.length === 1 ? tests[0] : `{ ${tests.join(' || ')}; }`;
}

/** True when `root` has a file the engine covers (the same files `coverageShellTest` looks for). */
export function coversFiles(root: string, c: Coverage): boolean {
  if ((c.rootFiles ?? []).some((f) => existsSync(join(root, f)))) return true;
  const extensions = new Set(c.extensions ?? []);
  if (extensions.size === 0) return false;
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      // Symbolic links are not followed, as find does not follow them.
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !(rel === '' && NOT_PROJECT_CODE.includes(e.name))) stack.push(r);
      } else if (e.isFile()) {
        const dot = e.name.lastIndexOf('.');
        if (dot > 0 && extensions.has(e.name.slice(dot + 1))) return true;
      }
    }
  }
  return false;
}

/**
 * Whether an engine applies to a repository (its `Coverage`): as a bash test for the gate's build
 * and as a check over the files for the local scan, from the same data.
 */
import { readdirSync, existsSync } from 'fs';
import { join } from 'path';
import type { Coverage } from './scanner';
import { shellArg } from './steps';
import { DOCKERFILE_NAMES } from '../model/dockerfiles';
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

/** `find` over the repository's Dockerfiles (DOCKERFILE_NAMES, any case), dependencies and build output pruned, ending with `action` (e.g. `-print`). */
export function dockerfileFind(action: string): string {
  const names = DOCKERFILE_NAMES.map((n) => `-iname ${shellArg(n)}`).join(' -o ');
  return `find . ${PRUNE} -type f \\( ${names} \\) ${action}`;
}

/** Files under `root` (top-level NOT_PROJECT_CODE directories pruned, as the gates prune them), stopping when `visit` returns true. */
export function walk(root: string, visit: (rel: string) => boolean, prune: readonly string[] = NOT_PROJECT_CODE): void {
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
        if (!(rel === '' && prune.includes(e.name))) stack.push(r);
      } else if (e.isFile() && visit(r)) {
        return;
      }
    }
  }
}

/** True when `root` has a file the engine covers (the same files `coverageShellTest` looks for). */
export function coversFiles(root: string, c: Coverage): boolean {
  if ((c.rootFiles ?? []).some((f) => existsSync(join(root, f)))) return true;
  const extensions = new Set(c.extensions ?? []);
  if (extensions.size === 0) return false;
  let found = false;
  walk(root, (rel) => {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    const dot = name.lastIndexOf('.');
    // Nested node_modules are dependencies, as in the gate's find.
    found = dot > 0 && extensions.has(name.slice(dot + 1)) && !rel.split('/').includes('node_modules');
    return found;
  });
  return found;
}

import { accessSync, constants, mkdirSync, statSync } from 'fs';
import { dirname } from 'path';

/**
 * Output paths (`--out`) checked before any work, so that a bad one is one clear line and exit 2
 * rather than a stack trace after the reports were read: an existing file where a directory is
 * wanted, a directory where a file is wanted, a parent that is a file, no permission to write.
 */
export class OutputPathError extends Error {}

function problem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ENOTDIR') return 'a file is in the way (a path component is a file, not a directory)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  return code ?? 'it cannot be created';
}

/** Creates the directory `dir` (and its parents) for writing, or throws `OutputPathError` naming `option`. */
export function prepareOutputDir(dir: string, option = '--out'): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Absent: created below.
  }
  try {
    if (!isDir) mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new OutputPathError(`${option} ${dir}: not a directory the findings can be written to: ${problem(e)}`);
  }
}

/** Checks the file `file` can be written (its directory is created), or throws `OutputPathError` naming `option`. */
export function prepareOutputFile(file: string, option = '--out'): void {
  try {
    if (statSync(file).isDirectory()) throw new OutputPathError(`${option} ${file}: is a directory; name the file to write`);
  } catch (e) {
    if (e instanceof OutputPathError) throw e;
    // Absent: its directory must be writable.
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
    accessSync(dirname(file), constants.W_OK);
  } catch (e) {
    throw new OutputPathError(`${option} ${file}: its directory cannot be written: ${problem(e)}`);
  }
}

/** One line for an error writing output (a disk that filled up, a file replaced meanwhile): no stack trace. */
export function describeOutputError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || typeof err.syscall !== 'string') return undefined;
  return `cannot ${err.syscall} ${err.path ?? ''}: ${err.code}`.replace(/\s+:/, ':');
}

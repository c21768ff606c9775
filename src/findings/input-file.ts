import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, Stats } from 'fs';
import { isAbsolute, relative, resolve } from 'path';

/**
 * Which files the engine reads as input (reports, suppressions files, baselines): regular files
 * only. A FIFO would hang the gate, a device (`/dev/urandom`, `/dev/zero`) would fill the memory,
 * and a symlink to a file outside the repository would let a crafted report or suppressions file
 * pull a system file into the build log. A symlink is followed only when its real path is a regular
 * file inside the working directory, the repository checkout (CODEBUILD_SRC_DIR) or a given root.
 */
export class InputFileError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}

/** The directories a symlinked input may point into. */
export function inputRoots(extra: ReadonlyArray<string | undefined> = []): string[] {
  const roots = [process.cwd(), process.env.CODEBUILD_SRC_DIR, ...extra].filter((r): r is string => !!r);
  const out: string[] = [];
  for (const r of roots) {
    try {
      out.push(realpathSync(resolve(r)));
    } catch {
      // A root that does not exist contains nothing.
    }
  }
  return out;
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Checks `file` names a regular file (or a symlink to one inside `roots`) and opens it for reading
 * without blocking on a FIFO swapped in meanwhile; returns the open descriptor and its size.
 * Throws `InputFileError` naming the file and, for `what`, the problem.
 */
export function openInputFile(file: string, what: string, roots: readonly string[] = inputRoots()): { fd: number; size: number } {
  let link: Stats;
  try {
    link = lstatSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputFileError(file, `${what} not found`);
    throw new InputFileError(file, `cannot read ${what}: ${code ?? (e as Error).message}`);
  }
  if (link.isSymbolicLink()) {
    let real: string;
    try {
      real = realpathSync(file);
    } catch (e) {
      throw new InputFileError(file, `${what} is a symlink that cannot be resolved (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!roots.some((root) => inside(real, root))) {
      throw new InputFileError(file, `${what} is a symlink to a file outside the repository and the working directory; only files inside them are read`);
    }
  } else if (!link.isFile()) {
    throw new InputFileError(file, `${what} is ${kindOf(link)}, not a regular file`);
  }
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO put in the file's place after the check must not hang the gate.
    // eslint-disable-next-line no-bitwise
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new InputFileError(file, `cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeQuietly(fd);
    throw new InputFileError(file, `${what} is ${kindOf(st)}, not a regular file`);
  }
  return { fd, size: st.size };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to do: the descriptor was not usable anyway.
  }
}

/** Reads a checked input file whole (see `openInputFile`); at most `maxBytes`. */
export function readInputFile(file: string, what: string, options: { maxBytes?: number; roots?: readonly string[] } = {}): Buffer {
  const { fd, size } = openInputFile(file, what, options.roots);
  try {
    const max = options.maxBytes ?? 2 * 1024 * 1024 * 1024 - 1;
    if (size > max) throw new InputFileError(file, `${what} is ${size} bytes; at most ${max} bytes are read`);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeQuietly(fd);
  }
}

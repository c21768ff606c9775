import * as fsSync from 'fs';
import { inputRoots, InputFileError, openInputFile, readInputFile } from '../input-file';
import { isWs } from './json-keys';
import { ReportFormatError } from './types';

/**
 * Reading report files: the checks every report passes before it is decoded (a regular file in the
 * repository, not empty, not too large), and the byte sources lazy JSON decoding reads from (see
 * lazy-json.ts): the bytes in memory, or the open file read through a window.
 */

// Buffers beyond this cannot be read whole by Node (and no scanner writes reports this big).
const MAX_REPORT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/** Options of the report file readers. */
export interface ReportFileOptions {
  /** An empty file is not an error (a format whose clean output is nothing). */
  readonly allowEmpty?: boolean;
  /** Directories a symlinked report may point into. @default the working directory and CODEBUILD_SRC_DIR */
  readonly roots?: readonly string[];
}

function asReportError(file: string, e: unknown): unknown {
  if (!(e instanceof InputFileError)) return e;
  if (/ not found$/.test(e.problem)) return new ReportFormatError(file, 'report file not found (did the scanner run and write it?)');
  return new ReportFormatError(file, e.problem);
}

/** The open report file and its size, with the checks of `openInputFile`; close the descriptor when done. */
export function openReportFile(file: string, roots?: readonly string[]): { fd: number; size: number } {
  try {
    return openInputFile(file, 'report file', roots ?? inputRoots());
  } catch (e) {
    throw asReportError(file, e);
  }
}

/**
 * The size of a report file. Missing, unreadable, not a regular file (a directory, a FIFO, a
 * device, a symlink out of the repository), too large or empty: each a `ReportFormatError` naming the file.
 */
export async function reportFileSize(file: string, options: ReportFileOptions = {}): Promise<number> {
  const opened = openReportFile(file, options.roots);
  fsSync.closeSync(opened.fd);
  const size = opened.size;
  if (size > MAX_REPORT_BYTES) throw new ReportFormatError(file, `report is ${size} bytes; at most ${MAX_REPORT_BYTES} bytes can be read`);
  if (size === 0 && !options.allowEmpty) throw new ReportFormatError(file, 'report file is empty (0 bytes): the scanner wrote nothing');
  return size;
}

/** Length of a UTF-8 byte order mark at the start of the bytes: 3, or 0 when there is none. */
export function utf8BomLength(bytes: Buffer): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** True when the bytes hold nothing but a byte order mark and white space. */
export function isBlank(bytes: Buffer): boolean {
  for (let i = utf8BomLength(bytes); i < bytes.length; i++) if (!isWs(bytes[i])) return false;
  return true;
}

/** Reads a report file whole, with the checks of `reportFileSize`. */
export async function readReportFile(file: string, options: ReportFileOptions = {}): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file, 'report file', { maxBytes: MAX_REPORT_BYTES, roots: options.roots ?? inputRoots() });
  } catch (e) {
    throw asReportError(file, e);
  }
  if (bytes.length === 0 && !options.allowEmpty) throw new ReportFormatError(file, 'report file is empty (0 bytes): the scanner wrote nothing');
  return bytes;
}

/** Where the bytes of a lazily decoded report come from: memory, or the open report file. */
export interface ByteSource {
  readonly file: string;
  readonly size: number;
  /** UTF-8 text of bytes [start, end). */
  text(start: number, end: number): string;
  /** Calls `visit` with consecutive chunks of the bytes from `from`, and each chunk's offset. */
  scan(from: number, visit: (chunk: Buffer, offset: number) => void): void;
}

/** A report already in memory. */
export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(readonly file: string, private readonly buf: Buffer) {
    this.size = buf.length;
  }
  text(start: number, end: number): string {
    return this.buf.toString('utf8', start, end);
  }
  scan(from: number, visit: (chunk: Buffer, offset: number) => void): void {
    visit(this.buf.subarray(from), from);
  }
}

const FILE_WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * The report file itself, read through a window: parsers read elements in order, so one read
 * serves many elements and the report's bytes are never all in memory at once.
 */
export class ReportFileSource implements ByteSource {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  private closed = false;
  constructor(readonly file: string, private readonly fd: number, readonly size: number, private readonly windowBytes = FILE_WINDOW_BYTES) {}

  text(start: number, end: number): string {
    if (start < this.windowStart || end > this.windowStart + this.window.length) {
      this.fill(start, Math.max(this.windowBytes, end - start));
    }
    return this.window.toString('utf8', start - this.windowStart, end - this.windowStart);
  }

  scan(from: number, visit: (chunk: Buffer, offset: number) => void): void {
    for (let offset = from; offset < this.size; offset += this.window.length) {
      this.fill(offset, this.windowBytes);
      if (this.window.length === 0) throw new ReportFormatError(this.file, 'the report file shrank while it was read');
      visit(this.window, offset);
    }
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      fsSync.closeSync(this.fd);
    }
  }

  private fill(start: number, length: number): void {
    // A closed descriptor's number may already belong to another file: never read through it.
    if (this.closed) throw new ReportFormatError(this.file, 'read after the report was closed (a lazy array used after loadReport returned)');
    const want = Math.min(length, this.size - start);
    if (this.window.length < want || this.window.length > Math.max(want, this.windowBytes)) this.window = Buffer.allocUnsafe(Math.max(want, 0));
    let got = 0;
    while (got < want) {
      const n = fsSync.readSync(this.fd, this.window, got, want - got, start + got);
      if (n === 0) break;
      got += n;
    }
    if (got < want) throw new ReportFormatError(this.file, 'the report file shrank while it was read');
    this.window = this.window.subarray(0, want);
    this.windowStart = start;
  }
}

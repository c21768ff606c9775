import * as fsSync from 'fs';
// Bundled into the findings CLI by esbuild, so a build-time dependency.
// eslint-disable-next-line import/no-extraneous-dependencies
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { inputRoots, InputFileError, openInputFile, readInputFile } from '../input-file';
import { BACKSLASH, COMMA, describeKey, jsonSyntaxProblem, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET, refuseDuplicateKeys } from './json-keys';
import { DecodedReport, ReportFormatError } from './types';

/**
 * Turns a report file's bytes into a `DecodedReport` (JSON, NDJSON, XML or CSV), failing closed
 * with a `ReportFormatError` that names the file and the problem.
 *
 * Large JSON reports (100 MB SARIF, trivy JSON) are decoded lazily, because `JSON.parse` of a
 * 100 MB report holds the text plus an object graph several times its size:
 * - one pass of a tokenizer that creates no values reads the file through a 4 MiB window, checks
 *   its structure (a truncated file fails here, before any parser runs) and records every
 *   container of at least `lazyContainerBytes` with its children's byte ranges. A small value
 *   (most of the file: one SARIF result, one trivy vulnerability) is only skipped over, matching
 *   brackets and strings, since `JSON.parse` checks it when it is read; `checkRest` parses the
 *   elements no parser read, so a malformed element fails closed all the same;
 * - the document is built from real objects down to those large containers, and an array whose
 *   elements are each small becomes a *lazy array*: a read-only `Proxy` over an array (so
 *   `Array.isArray` is true and `length`, indexing, `for...of`, `map`, `filter` all work) that
 *   reads and `JSON.parse`s one element's bytes when it is read and keeps nothing.
 * Native parsers need no special code for this: they read `doc.runs[0].results` or
 * `doc.Results[i].Vulnerabilities` as usual, one element at a time, and only the findings they
 * produce stay in memory (neither the text nor the parsed report is ever whole in memory).
 * `forEachElement` is the fast way through an array (it skips the Proxy), `elementsAt` walks JSON
 * paths (`['Results', '*', 'Vulnerabilities']`). Reading back to an element parses it again, and lazy
 * arrays can be read only while `loadReport` runs (the file is closed afterwards).
 */

/** How `decodeReport` decides between eager and lazy JSON decoding. */
export interface DecodeOptions {
  /** JSON (and NDJSON) files at least this large are decoded lazily. @default 32 MiB */
  readonly lazyAboveBytes?: number;
  /** In lazy decoding, arrays spanning at least this many bytes whose elements are each smaller become lazy arrays. @default 1 MiB */
  readonly lazyContainerBytes?: number;
  /** Bytes read from a large report at a time (tests use tiny windows to cross every boundary). @default 4 MiB */
  readonly readWindowBytes?: number;
}

/** JSON reports from this size on are decoded lazily unless told otherwise. */
export const DEFAULT_LAZY_ABOVE_BYTES = 32 * 1024 * 1024;
const DEFAULT_LAZY_CONTAINER_BYTES = 1024 * 1024;
// Buffers beyond this cannot be read whole by Node (and no scanner writes reports this big).
const MAX_REPORT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function isWs(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

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

/**
 * The size of a report file. Missing, unreadable, not a regular file (a directory, a FIFO, a
 * device, a symlink out of the repository), too large or empty: each a `ReportFormatError` naming the file.
 */
export async function reportFileSize(file: string, options: ReportFileOptions = {}): Promise<number> {
  let size: number;
  try {
    const opened = openInputFile(file, 'report file', options.roots ?? inputRoots());
    fsSync.closeSync(opened.fd);
    size = opened.size;
  } catch (e) {
    throw asReportError(file, e);
  }
  if (size > MAX_REPORT_BYTES) throw new ReportFormatError(file, `report is ${size} bytes; at most ${MAX_REPORT_BYTES} bytes can be read`);
  if (size === 0 && !options.allowEmpty) throw new ReportFormatError(file, 'report file is empty (0 bytes): the scanner wrote nothing');
  return size;
}

/** True when the bytes hold nothing but a byte order mark and white space. */
export function isBlank(bytes: Buffer): boolean {
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let i = start; i < bytes.length; i++) if (!isWs(bytes[i])) return false;
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

/** UTF-8 bytes of the report without a byte order mark; UTF-16 (PowerShell's default) is converted. */
function toUtf8(file: string, bytes: Buffer): { buf: Buffer; start: number } {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const le = bytes[0] === 0xff;
    const body = Buffer.from(bytes.subarray(2));
    if (!le) body.swap16();
    return { buf: Buffer.from(body.toString('utf16le'), 'utf8'), start: 0 };
  }
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // A NUL byte in the first KiB means a binary file (an image, an archive), not a report.
  const probeEnd = Math.min(bytes.length, start + 1024);
  for (let i = start; i < probeEnd; i++) {
    if (bytes[i] === 0) throw new ReportFormatError(file, 'is a binary file, not a JSON, NDJSON, XML or CSV report');
  }
  return { buf: bytes, start };
}

/**
 * Decodes a report's bytes. The encoding is chosen from the first character that is not white
 * space: `{` or `[` JSON (NDJSON when several values follow one another, one per line), `<` XML,
 * anything else CSV (with a header row). BOM stripped, CRLF accepted.
 *
 * XML is fast-xml-parser's object with `ignoreAttributes: false` (attributes as `@_name`),
 * `parseTagValue: false` and `parseAttributeValue: false` (every value stays a string, so
 * versions like `1.10` survive), trimmed values; an element that occurs once is not an array.
 */
export function decodeReport(file: string, bytes: Buffer, options: DecodeOptions = {}): DecodedReport {
  const { buf, start: bomEnd } = toUtf8(file, bytes);
  let start = bomEnd;
  while (start < buf.length && isWs(buf[start])) start++;
  if (start >= buf.length) throw new ReportFormatError(file, 'report file is empty (only white space): the scanner wrote no findings and no structure');
  const first = buf[start];
  if (first === LBRACE || first === LBRACKET) {
    const lazyAbove = options.lazyAboveBytes ?? DEFAULT_LAZY_ABOVE_BYTES;
    if (buf.length >= lazyAbove) {
      return decodeJsonLazily(new BufferSource(file, buf), start, options.lazyContainerBytes ?? DEFAULT_LAZY_CONTAINER_BYTES);
    }
    return decodeJsonText(file, buf.toString('utf8', start));
  }
  const text = buf.toString('utf8', start);
  if (first === 0x3c /* < */) return { file, encoding: 'xml', doc: decodeXml(file, text) };
  return { file, encoding: 'csv', doc: decodeCsv(file, text) };
}

// ---------------------------------------------------------------------------------------------
// JSON and NDJSON, eager

function decodeJsonText(file: string, text: string): DecodedReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (jsonError) {
    return decodeNdjson(file, text, jsonError);
  }
  refuseDuplicateKeys(file, text);
  return { file, encoding: 'json', doc };
}

function decodeNdjson(file: string, text: string, jsonError: unknown): DecodedReport {
  const lines = text.split('\n');
  const records: unknown[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch (lineError) {
      // A first line that is not JSON means the file is one (broken) JSON document, not NDJSON.
      if (records.length === 0) {
        throw new ReportFormatError(file, `truncated or unparsable JSON: ${jsonSyntaxProblem(jsonError)}`);
      }
      throw new ReportFormatError(file, `truncated or unparsable NDJSON: line ${i + 1}: ${jsonSyntaxProblem(lineError)}`);
    }
    refuseDuplicateKeys(file, line, (at) => `line ${i + 1}, character ${at}`);
  }
  if (records.length < 2) throw new ReportFormatError(file, `truncated or unparsable JSON: ${jsonSyntaxProblem(jsonError)}`);
  return { file, encoding: 'ndjson', doc: records };
}

// ---------------------------------------------------------------------------------------------
// JSON and NDJSON, lazy

/** Where the bytes of a lazily decoded report come from: memory, or the open report file. */
interface ByteSource {
  readonly file: string;
  readonly size: number;
  /** UTF-8 text of bytes [start, end). */
  text(start: number, end: number): string;
  /** Calls `visit` with consecutive chunks of the bytes from `from`, and each chunk's offset. */
  scan(from: number, visit: (chunk: Buffer, offset: number) => void): void;
}

class BufferSource implements ByteSource {
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

/** A large container: where it ends, and its children's byte ranges (objects: key start/end, value start/end). */
interface LargeContainer {
  readonly end: number;
  readonly children: Float64Array;
}

// Tokenizer modes and what the innermost open container expects next.
const M_STRUCT = 0;
const M_STRING = 1;
const M_SCALAR = 2;
const E_TOP = 0;
const E_ARR_FIRST = 1;
const E_ARR_VALUE = 2;
const E_ARR_AFTER = 3;
const E_OBJ_FIRST = 4;
const E_OBJ_KEY = 5;
const E_OBJ_COLON = 6;
const E_OBJ_VALUE = 7;
const E_OBJ_AFTER = 8;

/** Index of the quote that ends a string, searching from `from`; `chunk.length` when not in this chunk. */
function closingQuote(chunk: Buffer, from: number): number {
  let start = from;
  for (;;) {
    const q = chunk.indexOf(QUOTE, start);
    if (q < 0) return chunk.length;
    let b = q - 1;
    while (b >= from && chunk[b] === BACKSLASH) b--;
    // An even run of backslashes before the quote escapes only themselves.
    if ((q - 1 - b) % 2 === 0) return q;
    start = q + 1;
  }
}

/** True when the chunk ends in an odd run of backslashes after `from` (inside a string). */
function trailingEscape(chunk: Buffer, from: number): boolean {
  let b = chunk.length - 1;
  while (b >= from && chunk[b] === BACKSLASH) b--;
  return (chunk.length - 1 - b) % 2 === 1;
}

function isScalarStart(c: number): boolean {
  return c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e; // - 0-9 t f n
}

// The closing brackets a skipped value still owes, innermost last.
const SKIP_CLOSERS = new Uint8Array(64);

/**
 * The end (exclusive) of the object or array opening at `chunk[from]`, when it closes before
 * `limit`: brackets matched by kind, strings jumped over with the native `indexOf`. -1 when it
 * does not close before `limit` (a large container, or the end of the read window), nests deeper
 * than 64, or a bracket does not match: the full tokenizer then reads it (and names any error).
 * Keys, colons, commas and scalars are not checked here: `JSON.parse` checks them on reading.
 */
function skipSmallValue(chunk: Buffer, from: number, limit: number): number {
  let depth = 0;
  for (let j = from; j < limit; j++) {
    const c = chunk[j];
    if (c === QUOTE) {
      j = closingQuote(chunk, j + 1);
      if (j >= limit) return -1;
    } else if (c === LBRACE || c === LBRACKET) {
      if (depth === SKIP_CLOSERS.length) return -1;
      SKIP_CLOSERS[depth++] = c + 2; // "{" + 2 is "}", "[" + 2 is "]"
    } else if (c === RBRACE || c === RBRACKET) {
      if (depth === 0 || SKIP_CLOSERS[--depth] !== c) return -1;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/**
 * One pass over the bytes, a JSON tokenizer that creates no values: it checks the structure
 * (so a truncated file fails before any parser runs; a malformed small value fails when it is
 * parsed, see `skipSmallValue` and `checkRest`), records every container
 * spanning at least `minBytes` with its children's byte ranges, and returns the ranges of the
 * top-level values (more than one: NDJSON, each starting on a new line). Children are kept on
 * one stack and dropped when their container closes small, so memory follows the large
 * containers only.
 */
function indexJson(src: ByteSource, from: number, minBytes: number): { large: Map<number, LargeContainer>; tops: number[] } {
  const file = src.file;
  const large = new Map<number, LargeContainer>();
  const tops: number[] = [];
  let kinds = new Uint8Array(64);
  let expects = new Uint8Array(64);
  let starts = new Float64Array(64);
  let bases = new Float64Array(64);
  let children = new Float64Array(1024);
  let top = 0; // children used
  let depth = 0;
  let expect = E_TOP;
  let mode = M_STRUCT;
  let isKey = false;
  let escaped = false;
  let tokenStart = 0;
  let lastTopEnd = -1;
  let sawNewline = true;

  // The bytes there are not quoted: a report's text must not reach the build log.
  const bad = (at: number, what: string): ReportFormatError => new ReportFormatError(file, `truncated or unparsable JSON: ${what} at byte ${at}`);
  const push = (a: number, b: number) => {
    if (top + 2 > children.length) {
      const grown = new Float64Array(children.length * 2);
      grown.set(children);
      children = grown;
    }
    children[top++] = a;
    children[top++] = b;
  };
  // A value [start, end) is complete: record it as a child of the open container.
  const valueDone = (start: number, end: number) => {
    if (depth === 0) {
      tops.push(start, end);
      lastTopEnd = end;
      sawNewline = false;
      return;
    }
    push(start, end);
    expect = expect === E_OBJ_VALUE ? E_OBJ_AFTER : E_ARR_AFTER;
  };

  src.scan(from, (chunk, offset) => {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (mode === M_STRING) {
        if (escaped) {
          escaped = false;
          i++;
        }
        // The native indexOf finds the closing quote (checking the backslashes before it).
        const searchFrom = i;
        i = closingQuote(chunk, searchFrom);
        // The string goes on in the next chunk; an odd run of backslashes at the end escapes its first byte.
        if (i >= n) escaped = trailingEscape(chunk, searchFrom);
        if (i >= n) break;
        i++;
        mode = M_STRUCT;
        const end = offset + i;
        if (isKey) {
          push(tokenStart, end);
          expect = E_OBJ_COLON;
        } else if (depth === 0) {
          throw bad(tokenStart, 'a report must be a JSON object or array, not a string');
        } else {
          valueDone(tokenStart, end);
        }
        continue;
      }
      const c = chunk[i];
      if (mode === M_SCALAR) {
        if (c === COMMA || c === RBRACE || c === RBRACKET || isWs(c)) {
          mode = M_STRUCT;
          valueDone(tokenStart, offset + i);
          continue; // the delimiter is read again as structure
        }
        i++;
        continue;
      }
      const at = offset + i;
      if (isWs(c)) {
        if (c === LF && depth === 0) sawNewline = true;
        i++;
        continue;
      }
      switch (expect) {
        case E_TOP:
        case E_ARR_FIRST:
        case E_ARR_VALUE:
        case E_OBJ_VALUE:
          if (c === RBRACKET && expect === E_ARR_FIRST) break;
          if (expect === E_TOP && lastTopEnd >= 0 && !sawNewline) throw bad(at, 'unexpected data after the JSON value');
          if (c === QUOTE) {
            mode = M_STRING;
            isKey = false;
            tokenStart = at;
          } else if (c === LBRACE || c === LBRACKET) {
            // A value that closes within `minBytes` (and this window) is skipped, not tokenized.
            const skipped = skipSmallValue(chunk, i, Math.min(n, i + minBytes - 1));
            if (skipped > 0) {
              valueDone(at, offset + skipped);
              i = skipped;
              continue;
            }
            if (depth === kinds.length) {
              const grow = <T extends Uint8Array | Float64Array>(a: T, b: T): T => {
                b.set(a);
                return b;
              };
              kinds = grow(kinds, new Uint8Array(depth * 2));
              expects = grow(expects, new Uint8Array(depth * 2));
              starts = grow(starts, new Float64Array(depth * 2));
              bases = grow(bases, new Float64Array(depth * 2));
            }
            kinds[depth] = c;
            expects[depth] = expect;
            starts[depth] = at;
            bases[depth] = top;
            depth++;
            expect = c === LBRACE ? E_OBJ_FIRST : E_ARR_FIRST;
          } else if (isScalarStart(c) && expect !== E_TOP) {
            mode = M_SCALAR;
            tokenStart = at;
          } else {
            throw bad(at, expect === E_TOP ? 'expected a JSON object or array' : 'expected a value');
          }
          i++;
          continue;
        case E_OBJ_FIRST:
        case E_OBJ_KEY:
          if (c === RBRACE && expect === E_OBJ_FIRST) break;
          if (c !== QUOTE) throw bad(at, 'expected a key');
          mode = M_STRING;
          isKey = true;
          tokenStart = at;
          i++;
          continue;
        case E_OBJ_COLON:
          if (c !== COLON) throw bad(at, 'expected ":"');
          expect = E_OBJ_VALUE;
          i++;
          continue;
        case E_ARR_AFTER:
        case E_OBJ_AFTER:
          if (c === COMMA) {
            expect = expect === E_ARR_AFTER ? E_ARR_VALUE : E_OBJ_KEY;
            i++;
            continue;
          }
          break;
        default:
          break;
      }
      // Only a closing bracket is left that can be valid here.
      const closes = expect === E_ARR_FIRST || expect === E_ARR_AFTER ? RBRACKET : expect === E_OBJ_FIRST || expect === E_OBJ_AFTER ? RBRACE : -1;
      if (c !== closes) throw bad(at, closes === RBRACKET ? 'expected "," or "]"' : closes === RBRACE ? 'expected "," or "}"' : 'unexpected character');
      depth--;
      const start = starts[depth];
      const base = bases[depth];
      if (at + 1 - start >= minBytes) large.set(start, { end: at + 1, children: children.slice(base, top) });
      top = base;
      expect = expects[depth];
      valueDone(start, at + 1);
      i++;
    }
  });
  if (mode === M_STRING) throw new ReportFormatError(file, 'truncated or unparsable JSON: the file ends inside a string');
  if (mode === M_SCALAR) throw bad(tokenStart, 'a report must be a JSON object or array');
  if (depth > 0) throw new ReportFormatError(file, `truncated or unparsable JSON: the file ends inside ${depth} open ${depth === 1 ? 'bracket' : 'brackets'}`);
  if (tops.length === 0) throw new ReportFormatError(file, 'no JSON value in the report');
  return { large, tops };
}

// A lazy array's elements are parsed in runs of up to this many, spanning at most this many bytes.
const RUN_ELEMENTS = 64;
const RUN_BYTES = 256 * 1024;

/** Builds a lazily decoded document: real objects down to the large arrays, lazy arrays there. */
class LazyJson {
  /** Per lazy array, its bounds and which elements were read. */
  private readonly arrays: Array<{ bounds: Float64Array; read: Uint8Array }> = [];
  constructor(readonly src: ByteSource, readonly large: Map<number, LargeContainer>) {}

  /** Registers a lazy array's bounds; returns the flags its reads set. */
  track(bounds: Float64Array): Uint8Array {
    const read = new Uint8Array(bounds.length / 2);
    this.arrays.push({ bounds, read });
    return read;
  }

  /** Parses every element of every lazy array that was never read: a malformed one fails closed. */
  checkRest(): void {
    for (const { bounds, read } of this.arrays) {
      for (let k = 0; k < read.length; k++) if (read[k] === 0) this.parse(bounds[2 * k], bounds[2 * k + 1]);
    }
  }

  parse(start: number, end: number): unknown {
    let text: string;
    let value: unknown;
    try {
      text = this.src.text(start, end);
      value = JSON.parse(text);
    } catch (e) {
      if (e instanceof ReportFormatError) throw e;
      throw new ReportFormatError(this.src.file, `truncated or unparsable JSON at bytes ${start}-${end}: ${jsonSyntaxProblem(e)}`);
    }
    refuseDuplicateKeys(this.src.file, text, (at) => `in bytes ${start}-${end}, character ${at}`);
    return value;
  }

  /**
   * Elements k, k+1, ... of an array (at most `RUN_ELEMENTS`, spanning at most `RUN_BYTES`) in one
   * `JSON.parse`: the bytes between sibling elements are a comma and white space, which the index
   * checked, so the run is an array's body. One call per run instead of per element, and the same
   * values; when the run does not parse, each element is parsed alone so the error names its bytes.
   */
  parseRun(bounds: Float64Array, k: number): unknown[] {
    const n = bounds.length / 2;
    const start = bounds[2 * k];
    let last = k;
    while (last + 1 < n && last + 1 - k < RUN_ELEMENTS && bounds[2 * (last + 1) + 1] - start <= RUN_BYTES) last++;
    if (last > k) {
      let run: unknown;
      let text = '';
      try {
        text = `[${this.src.text(start, bounds[2 * last + 1])}]`;
        run = JSON.parse(text);
      } catch (e) {
        if (e instanceof ReportFormatError) throw e;
        // Parsed one by one below: the element that does not parse throws, naming its bytes.
      }
      // A run is only trusted when it is exactly the elements (each element is one value).
      if (Array.isArray(run) && run.length === last - k + 1) {
        refuseDuplicateKeys(this.src.file, text, (at) => `in bytes ${start}-${bounds[2 * last + 1]}, character ${at - 1}`);
        return run;
      }
    }
    const one: unknown[] = [];
    for (let j = k; j <= last; j++) one.push(this.parse(bounds[2 * j], bounds[2 * j + 1]));
    return one;
  }

  value(start: number, end: number): unknown {
    const container = this.large.get(start);
    if (!container) return this.parse(start, end);
    const ch = container.children;
    if (this.src.text(start, start + 1) === '{') {
      const out: Record<string, unknown> = {};
      for (let k = 0; k < ch.length; k += 4) {
        const key = this.parse(ch[k], ch[k + 1]) as string;
        if (Object.prototype.hasOwnProperty.call(out, key)) {
          throw new ReportFormatError(this.src.file,
            `duplicate key ${describeKey(key)} in one JSON object (byte ${ch[k]}): readers disagree on which value counts, so the report is refused`);
        }
        const v = this.value(ch[k + 2], ch[k + 3]);
        // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype.
        if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        else out[key] = v;
      }
      return out;
    }
    let allSmall = true;
    for (let k = 0; k < ch.length && allSmall; k += 2) if (this.large.has(ch[k])) allSmall = false;
    if (allSmall) return lazyArray(this, ch, true);
    const out: unknown[] = [];
    for (let k = 0; k < ch.length; k += 2) out.push(this.value(ch[k], ch[k + 1]));
    return out;
  }
}

function decodeJsonLazily(src: ByteSource, from: number, containerBytes: number): DecodedReport {
  const { large, tops } = indexJson(src, from, containerBytes);
  const json = new LazyJson(src, large);
  const checkRest = () => json.checkRest();
  if (tops.length === 2) return { file: src.file, encoding: 'json', doc: json.value(tops[0], tops[1]), checkRest };
  // Several top-level values: NDJSON, one record per line, each read when the parser gets to it.
  return { file: src.file, encoding: 'ndjson', doc: lazyArray(json, Float64Array.from(tops), false), checkRest };
}

/**
 * Opens a large JSON report for lazy decoding straight from the file (its bytes are read through
 * a window, never all at once). Returns undefined when the file is not plain UTF-8 JSON (XML, CSV,
 * UTF-16): those are read whole. Close the returned source once the parser is done.
 */
export function openLargeJsonReport(
  file: string,
  options: DecodeOptions = {},
  roots?: readonly string[],
): { report: DecodedReport; source: ReportFileSource } | undefined {
  let opened: { fd: number; size: number };
  try {
    opened = openInputFile(file, 'report file', roots ?? inputRoots());
  } catch (e) {
    throw asReportError(file, e);
  }
  const source = new ReportFileSource(file, opened.fd, opened.size, options.readWindowBytes);
  try {
    const head = Buffer.from(source.text(0, Math.min(source.size, 4096)), 'utf8');
    let start = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    while (start < head.length && isWs(head[start])) start++;
    if (start >= head.length || (head[start] !== LBRACE && head[start] !== LBRACKET) || head.indexOf(0) >= 0) {
      source.close();
      return undefined;
    }
    const report = decodeJsonLazily(source, start, options.lazyContainerBytes ?? DEFAULT_LAZY_CONTAINER_BYTES);
    return { report, source };
  } catch (e) {
    source.close();
    throw e;
  }
}

/** The array index a property key names ("0", "17"; not "01", "-1", "1.5"), below `length`. */
function toIndex(key: string | symbol, length: number): number | undefined {
  if (typeof key !== 'string') return undefined;
  const len = key.length;
  if (len === 0 || len > 15 || (len > 1 && key.charCodeAt(0) === 48)) return undefined;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n < length ? n : undefined;
}

// Lazy arrays answer this symbol with their element reader, for `forEachElement`.
const LAZY_AT = Symbol('lazyAt');

/**
 * Calls `visit` with each element of an array, lazily decoded or not. For lazy arrays this skips
 * the Proxy (which turns each index into a string): the fast way for large reports.
 */
export function forEachElement(array: readonly unknown[], visit: (element: unknown, index: number) => void): void {
  const at = (array as unknown as Record<symbol, ((k: number) => unknown) | undefined>)[LAZY_AT];
  const n = array.length;
  if (at) {
    for (let i = 0; i < n; i++) visit(at(i), i);
  } else {
    for (let i = 0; i < n; i++) visit(array[i], i);
  }
}

/**
 * A read-only array whose element k is `JSON.parse` of bytes [bounds[2k], bounds[2k+1]). Reading
 * element k parses the run of elements from k (see `parseRun`; NDJSON lines one by one), and the
 * last run is remembered: reading on in order parses each element once, reading back parses again.
 */
function lazyArray(json: LazyJson, bounds: Float64Array, separatedByCommas: boolean): unknown[] {
  const length = bounds.length / 2;
  const read = json.track(bounds);
  // The elements parsed last: [batchStart, batchStart + batch.length).
  let batchStart = -1;
  let batch: unknown[] = [];
  const at = (k: number): unknown => {
    const i = k - batchStart;
    if (i >= 0 && i < batch.length) return batch[i];
    batch = separatedByCommas ? json.parseRun(bounds, k) : [json.parse(bounds[2 * k], bounds[2 * k + 1])];
    batchStart = k;
    read.fill(1, k, k + batch.length);
    return batch[0];
  };
  const readOnly = (): boolean => {
    throw new TypeError(`${json.src.file}: a lazily decoded report array is read-only`);
  };
  return new Proxy(new Array<unknown>(length), {
    get(target, key, receiver) {
      if (key === LAZY_AT) return at;
      const k = toIndex(key, length);
      return k === undefined ? Reflect.get(target, key, receiver) : at(k);
    },
    has(target, key) {
      return toIndex(key, length) !== undefined || Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      const k = toIndex(key, length);
      if (k === undefined) return Reflect.getOwnPropertyDescriptor(target, key);
      return { value: at(k), writable: false, enumerable: true, configurable: true };
    },
    ownKeys() {
      const keys: string[] = [];
      for (let k = 0; k < length; k++) keys.push(String(k));
      keys.push('length');
      return keys;
    },
    set: readOnly,
    defineProperty: readOnly,
    deleteProperty: readOnly,
  });
}

/**
 * Yields the elements of the arrays found at `path` in a decoded JSON document, e.g.
 * `elementsAt(doc, ['runs', '*', 'results'])` yields every SARIF result of every run and
 * `elementsAt(doc, ['Results', '*', 'Vulnerabilities'])` every trivy vulnerability. `'*'` fans
 * out over an array's elements; a missing key or a non-array end yields nothing. Each element
 * is read once, so with lazy arrays (large reports) only one element is parsed at a time.
 */
export function* elementsAt(doc: unknown, path: ReadonlyArray<string | number>): Generator<unknown> {
  if (path.length === 0) {
    if (Array.isArray(doc)) {
      for (let i = 0; i < doc.length; i++) yield doc[i];
    }
    return;
  }
  const [head, ...rest] = path;
  if (head === '*') {
    if (!Array.isArray(doc)) return;
    for (let i = 0; i < doc.length; i++) yield* elementsAt(doc[i], rest);
    return;
  }
  if (typeof doc !== 'object' || doc === null) return;
  yield* elementsAt((doc as Record<string | number, unknown>)[head], rest);
}

// ---------------------------------------------------------------------------------------------
// XML

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

function decodeXml(file: string, text: string): unknown {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    // The validator's message quotes tag names from the file: its code and place only.
    throw new ReportFormatError(file, `truncated or unparsable XML: line ${valid.err.line}, column ${valid.err.col}: ${valid.err.code}`);
  }
  try {
    return xmlParser.parse(text);
  } catch {
    throw new ReportFormatError(file, 'unparsable XML');
  }
}

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * RFC 4180 CSV: rows of cells, header first. Quoted cells may hold commas, quotes (`""`) and line
 * breaks; CRLF and LF both end a row; blank lines are dropped. An unterminated quote fails.
 */
export function decodeCsv(file: string, text: string): string[][] {
  const firstLineEnd = text.indexOf('\n');
  const header = firstLineEnd < 0 ? text : text.slice(0, firstLineEnd);
  if (!header.includes(',')) {
    // What the file says is not quoted: it may be any file, a secret or a system file.
    throw new ReportFormatError(file, 'not a JSON, NDJSON, XML or CSV report: its first line is no JSON, XML or CSV header (the scanner may have written an error message instead of a report)');
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  const n = text.length;
  const endRow = () => {
    row.push(cell);
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    cell = '';
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      endRow();
    } else if (c !== '\r' || text[i + 1] !== '\n') {
      cell += c;
    }
    i++;
  }
  if (quoted) throw new ReportFormatError(file, `truncated or unparsable CSV: a quoted cell in row ${rows.length + 1} is never closed`);
  // CSV has no closing bracket: a last row without its line break is how a cut file shows.
  if (!/\n\s*$/.test(text.slice(-64))) throw new ReportFormatError(file, `truncated CSV: row ${rows.length + 1} does not end with a line break`);
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

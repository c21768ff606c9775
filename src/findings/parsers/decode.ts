import { promises as fs } from 'fs';
// Bundled into the findings CLI by esbuild, so a build-time dependency.
// eslint-disable-next-line import/no-extraneous-dependencies
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DecodedReport, ReportFormatError } from './types';

/**
 * Turns a report file's bytes into a `DecodedReport` (JSON, NDJSON, XML or CSV), failing closed
 * with a `ReportFormatError` that names the file and the problem.
 *
 * Large JSON reports (100 MB SARIF, trivy JSON) are decoded lazily so that the whole object graph
 * never exists at once: `JSON.parse` of a 100 MB report holds the text plus an object graph several
 * times its size. Instead one pass over the bytes finds every container of at least
 * `lazyContainerBytes`; the document is rebuilt from real objects down to the large arrays, and an
 * array whose elements are each small becomes a *lazy array*: a read-only `Proxy` over an array
 * (so `Array.isArray` is true and `length`, indexing, `for...of`, `map`, `filter` all work) that
 * `JSON.parse`s one element's bytes when it is read and keeps nothing. Parsers need no special
 * code: they read `doc.runs[0].results` or `doc.Results[i].Vulnerabilities` as usual, one element
 * at a time, and only the findings they produce stay in memory. Reading an element twice parses it
 * twice; `elementsAt` walks JSON paths without reading anything twice.
 */

/** How `decodeReport` decides between eager and lazy JSON decoding. */
export interface DecodeOptions {
  /** JSON (and NDJSON) files at least this large are decoded lazily. @default 32 MiB */
  readonly lazyAboveBytes?: number;
  /** In lazy decoding, arrays spanning at least this many bytes whose elements are each smaller become lazy arrays. @default 1 MiB */
  readonly lazyContainerBytes?: number;
}

const DEFAULT_LAZY_ABOVE_BYTES = 32 * 1024 * 1024;
const DEFAULT_LAZY_CONTAINER_BYTES = 1024 * 1024;
// Buffers beyond this cannot be read whole by Node (and no scanner writes reports this big).
const MAX_REPORT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function isWs(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

/**
 * Reads a report file whole. Missing, unreadable, a directory, empty or white space only:
 * each a `ReportFormatError` naming the file.
 */
export async function readReportFile(file: string): Promise<Buffer> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ReportFormatError(file, 'report file not found (did the scanner run and write it?)');
    throw new ReportFormatError(file, `cannot read report file: ${(e as Error).message}`);
  }
  if (stat.isDirectory()) throw new ReportFormatError(file, 'is a directory, not a report file');
  if (stat.size > MAX_REPORT_BYTES) throw new ReportFormatError(file, `report is ${stat.size} bytes; at most ${MAX_REPORT_BYTES} bytes can be read`);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    throw new ReportFormatError(file, `cannot read report file: ${(e as Error).message}`);
  }
  if (bytes.length === 0) throw new ReportFormatError(file, 'report file is empty (0 bytes): the scanner wrote nothing');
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
      return decodeJsonLazily(file, buf, start, options.lazyContainerBytes ?? DEFAULT_LAZY_CONTAINER_BYTES);
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
  try {
    return { file, encoding: 'json', doc: JSON.parse(text) };
  } catch (jsonError) {
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
          throw new ReportFormatError(file, `truncated or unparsable JSON: ${(jsonError as Error).message}`);
        }
        throw new ReportFormatError(file, `truncated or unparsable NDJSON: line ${i + 1}: ${(lineError as Error).message}`);
      }
    }
    if (records.length < 2) throw new ReportFormatError(file, `truncated or unparsable JSON: ${(jsonError as Error).message}`);
    return { file, encoding: 'ndjson', doc: records };
  }
}

// ---------------------------------------------------------------------------------------------
// JSON and NDJSON, lazy

/** A large container found by the index pass: where it ends. */
type LargeIndex = Map<number, number>;

/**
 * One pass over the bytes: checks that brackets balance and strings end (so a truncated file is
 * caught before any parser runs), records every container spanning at least `minBytes`, and
 * returns the [start, end) of each top-level value (more than one: NDJSON).
 */
function indexJson(file: string, buf: Buffer, from: number, minBytes: number): { large: LargeIndex; tops: number[] } {
  const large: LargeIndex = new Map();
  const tops: number[] = [];
  let starts = new Float64Array(64);
  let kinds = new Uint8Array(64);
  let depth = 0;
  let topStart = -1;
  let lastTopEnd = -1;
  const end = buf.length;
  let i = from;
  while (i < end) {
    const c = buf[i];
    if (c === QUOTE) {
      if (depth === 0) throw unexpected(file, buf, i);
      i++;
      for (;;) {
        if (i >= end) throw new ReportFormatError(file, 'truncated or unparsable JSON: the file ends inside a string');
        const d = buf[i++];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
      continue;
    }
    if (c === LBRACE || c === LBRACKET) {
      if (depth === 0) {
        // Top-level values after the first must start on a new line (NDJSON).
        if (lastTopEnd >= 0 && buf.subarray(lastTopEnd, i).indexOf(LF) < 0) throw unexpected(file, buf, i);
        topStart = i;
      }
      if (depth === starts.length) {
        const s = new Float64Array(depth * 2);
        s.set(starts);
        starts = s;
        const k = new Uint8Array(depth * 2);
        k.set(kinds);
        kinds = k;
      }
      starts[depth] = i;
      kinds[depth] = c;
      depth++;
    } else if (c === RBRACE || c === RBRACKET) {
      if (depth === 0 || kinds[depth - 1] !== (c === RBRACE ? LBRACE : LBRACKET)) throw unexpected(file, buf, i);
      depth--;
      const s = starts[depth];
      if (i + 1 - s >= minBytes) large.set(s, i + 1);
      if (depth === 0) {
        tops.push(topStart, i + 1);
        lastTopEnd = i + 1;
      }
    } else if (depth === 0 && !isWs(c)) {
      throw unexpected(file, buf, i);
    }
    i++;
  }
  if (depth > 0) throw new ReportFormatError(file, `truncated or unparsable JSON: the file ends inside ${depth} open ${depth === 1 ? 'bracket' : 'brackets'}`);
  return { large, tops };
}

function unexpected(file: string, buf: Buffer, at: number): ReportFormatError {
  const near = buf.toString('utf8', at, Math.min(buf.length, at + 20)).replace(/\s+/g, ' ');
  return new ReportFormatError(file, `truncated or unparsable JSON: unexpected "${near}" at byte ${at}`);
}

/** Reads and parses small JSON values of a lazily decoded document, naming the file on error. */
class JsonSlices {
  constructor(readonly file: string, readonly buf: Buffer, readonly large: LargeIndex, readonly containerBytes: number) {}

  parse(start: number, end: number): unknown {
    try {
      return JSON.parse(this.buf.toString('utf8', start, end));
    } catch (e) {
      throw new ReportFormatError(this.file, `truncated or unparsable JSON at bytes ${start}-${end}: ${(e as Error).message}`);
    }
  }

  skipWs(i: number): number {
    const buf = this.buf;
    while (i < buf.length && isWs(buf[i])) i++;
    return i;
  }

  /** End of the value starting at `i` (which is not white space). */
  valueEnd(i: number): number {
    const known = this.large.get(i);
    if (known !== undefined) return known;
    const buf = this.buf;
    const len = buf.length;
    const c = buf[i];
    // Strings end and brackets balance (checked by the index pass): a depth count suffices,
    // and the bounds checks only guard against a bug turning into an endless loop.
    if (c === QUOTE) {
      i++;
      while (i < len) {
        const d = buf[i++];
        if (d === QUOTE) return i;
        if (d === BACKSLASH) i++;
      }
      return len;
    }
    if (c === LBRACE || c === LBRACKET) {
      let depth = 0;
      while (i < len) {
        const d = buf[i++];
        if (d === QUOTE) {
          while (i < len) {
            const e = buf[i++];
            if (e === QUOTE) break;
            if (e === BACKSLASH) i++;
          }
        } else if (d === LBRACE || d === LBRACKET) {
          depth++;
        } else if (d === RBRACE || d === RBRACKET) {
          depth--;
          if (depth === 0) return i;
        }
      }
      return len;
    }
    // Number, true, false, null: up to the next delimiter; JSON.parse checks it.
    while (i < buf.length) {
      const d = buf[i];
      if (d === COMMA || d === RBRACE || d === RBRACKET || isWs(d)) break;
      i++;
    }
    return i;
  }

  expect(i: number, ch: number, what: string): number {
    if (this.buf[i] !== ch) throw new ReportFormatError(this.file, `truncated or unparsable JSON: expected ${what} at byte ${i}`);
    return i + 1;
  }

  /** The value in [start, end): small ones parsed, large ones rebuilt with lazy arrays inside. */
  value(start: number, end: number): unknown {
    if (!this.large.has(start)) return this.parse(start, end);
    return this.buf[start] === LBRACE ? this.object(start, end) : this.array(start, end);
  }

  object(start: number, end: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let i = this.skipWs(start + 1);
    if (this.buf[i] === RBRACE) return out;
    for (;;) {
      if (this.buf[i] !== QUOTE) throw new ReportFormatError(this.file, `truncated or unparsable JSON: expected a key at byte ${i}`);
      const keyEnd = this.valueEnd(i);
      const key = this.parse(i, keyEnd) as string;
      i = this.skipWs(this.expect(this.skipWs(keyEnd), COLON, '":"'));
      const vEnd = this.valueEnd(i);
      const v = this.value(i, vEnd);
      // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      i = this.skipWs(vEnd);
      if (this.buf[i] === RBRACE && i === end - 1) return out;
      i = this.skipWs(this.expect(i, COMMA, '"," or "}"'));
    }
  }

  array(start: number, end: number): unknown[] {
    const bounds: number[] = [];
    let allSmall = true;
    let i = this.skipWs(start + 1);
    if (this.buf[i] !== RBRACKET) {
      for (;;) {
        const vEnd = this.valueEnd(i);
        if (this.large.has(i)) allSmall = false;
        bounds.push(i, vEnd);
        i = this.skipWs(vEnd);
        if (this.buf[i] === RBRACKET && i === end - 1) break;
        i = this.skipWs(this.expect(i, COMMA, '"," or "]"'));
      }
    }
    if (allSmall) return lazyArray(this, bounds);
    const out: unknown[] = [];
    for (let k = 0; k < bounds.length; k += 2) out.push(this.value(bounds[k], bounds[k + 1]));
    return out;
  }
}

function decodeJsonLazily(file: string, buf: Buffer, from: number, containerBytes: number): DecodedReport {
  const { large, tops } = indexJson(file, buf, from, containerBytes);
  const slices = new JsonSlices(file, buf, large, containerBytes);
  if (tops.length === 2) return { file, encoding: 'json', doc: slices.value(tops[0], tops[1]) };
  // Several top-level values: NDJSON, one record per line, each read when the parser gets to it.
  return { file, encoding: 'ndjson', doc: lazyArray(slices, tops) };
}

const INDEX_KEY = /^(0|[1-9]\d*)$/;

function toIndex(key: string | symbol, length: number): number | undefined {
  if (typeof key !== 'string') return undefined;
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57 || !INDEX_KEY.test(key)) return undefined;
  const n = Number(key);
  return n < length ? n : undefined;
}

/**
 * A read-only array whose element k is `JSON.parse` of bytes [bounds[2k], bounds[2k+1]),
 * parsed on each read (the last one read is remembered, for `a[i].x ... a[i].y`).
 */
function lazyArray(slices: JsonSlices, bounds: number[]): unknown[] {
  const length = bounds.length / 2;
  const offsets = Float64Array.from(bounds);
  let lastIndex = -1;
  let lastValue: unknown;
  const at = (k: number): unknown => {
    if (k !== lastIndex) {
      lastValue = slices.parse(offsets[2 * k], offsets[2 * k + 1]);
      lastIndex = k;
    }
    return lastValue;
  };
  const readOnly = (): boolean => {
    throw new TypeError(`${slices.file}: a lazily decoded report array is read-only`);
  };
  return new Proxy(new Array<unknown>(length), {
    get(target, key, receiver) {
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
    throw new ReportFormatError(file, `truncated or unparsable XML: line ${valid.err.line}: ${valid.err.msg}`);
  }
  try {
    return xmlParser.parse(text);
  } catch (e) {
    throw new ReportFormatError(file, `unparsable XML: ${(e as Error).message}`);
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
    const shown = header.trim().slice(0, 60);
    throw new ReportFormatError(file, `not a JSON, NDJSON, XML or CSV report: it starts with "${shown}"`);
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
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

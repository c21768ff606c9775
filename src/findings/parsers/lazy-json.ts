import { indexJson, LargeContainer } from './json-index';
import { describeKey, isWs, jsonSyntaxProblem, LBRACE, LBRACKET, refuseDuplicateKeys } from './json-keys';
import { ByteSource, openReportFile, ReportFileSource, utf8BomLength } from './report-file';
import { DecodedReport, ReportFormatError } from './types';

/**
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

/** How `decodeReport` and `openLargeJsonReport` decide between eager and lazy JSON decoding. */
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
/** In lazy decoding, arrays spanning at least this many bytes become lazy arrays unless told otherwise. */
export const DEFAULT_LAZY_CONTAINER_BYTES = 1024 * 1024;

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

/** Decodes the JSON (or NDJSON) value starting at byte `from` lazily: arrays spanning at least `containerBytes` become lazy arrays. */
export function decodeJsonLazily(src: ByteSource, from: number, containerBytes: number): DecodedReport {
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
  const opened = openReportFile(file, roots);
  const source = new ReportFileSource(file, opened.fd, opened.size, options.readWindowBytes);
  try {
    const head = Buffer.from(source.text(0, Math.min(source.size, 4096)), 'utf8');
    let start = utf8BomLength(head);
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

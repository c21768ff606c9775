import { BACKSLASH, COLON, COMMA, isWs, LBRACE, LBRACKET, LF, QUOTE, RBRACE, RBRACKET } from './json-keys';
import { ByteSource } from './report-file';
import { ReportFormatError } from './types';

/**
 * The JSON indexer of lazy decoding (see lazy-json.ts): one pass over a large report's bytes that
 * checks its structure and finds its large containers, creating no values.
 */

/** A large container: where it ends, and its children's byte ranges (objects: key start/end, value start/end). */
export interface LargeContainer {
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
export function indexJson(src: ByteSource, from: number, minBytes: number): { large: Map<number, LargeContainer>; tops: number[] } {
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

import { ReportFormatError } from './types';

/**
 * Duplicate keys in JSON objects. `JSON.parse` keeps the last of two equal keys and drops the
 * other silently; other readers (a scanner's own tooling, a reviewer's editor) may keep the first,
 * so a report with a duplicate key can show findings the gate never saw. Such a report is refused.
 *
 * The check is one pass over text that `JSON.parse` has already accepted (so it only needs to find
 * keys, not validate): strings are jumped over with the native `indexOf`, and each key is hashed
 * and compared with the hashes of its own object's keys only (no string is cut out of the text
 * unless two hashes are equal).
 */

/** The JSON syntax bytes the tokenizers here and in json-index.ts (and the decoders) look for. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const SPACE = 0x20;
export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;

/** True for the bytes JSON allows as white space. */
export function isWs(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

// Objects with more keys than this compare through a Set instead of a list.
const LIST_KEYS = 16;

/** Where a duplicate key is: the key and the character offset of its second occurrence. */
export interface DuplicateKey {
  readonly key: string;
  readonly offset: number;
}

/** Index of the quote ending the string whose opening quote is at `open`. */
function stringEnd(s: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return s.length;
    let b = q - 1;
    while (b > open && s.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    from = q + 1;
  }
}

// Per open container: whether it is an object, and where its keys start on the key stack.
let isObjectAt = new Uint8Array(64);
let firstKeyAt = new Int32Array(64);
let setAt: Array<Set<number> | undefined> = [];
// The keys of the open objects, innermost last: hash, start and end (exclusive, quotes excluded).
let keyHash = new Int32Array(1024);
let keyStart = new Int32Array(1024);
let keyEnd = new Int32Array(1024);
let keyEscaped = new Uint8Array(1024);

function growDepth(): void {
  const kinds = new Uint8Array(isObjectAt.length * 2);
  kinds.set(isObjectAt);
  isObjectAt = kinds;
  const firsts = new Int32Array(firstKeyAt.length * 2);
  firsts.set(firstKeyAt);
  firstKeyAt = firsts;
}

function growKeys(): void {
  const grow = (a: Int32Array) => {
    const b = new Int32Array(a.length * 2);
    b.set(a);
    return b;
  };
  keyHash = grow(keyHash);
  keyStart = grow(keyStart);
  keyEnd = grow(keyEnd);
  const escapes = new Uint8Array(keyEscaped.length * 2);
  escapes.set(keyEscaped);
  keyEscaped = escapes;
}

/** The key as JSON.parse reads it (escapes decoded). */
function keyText(text: string, start: number, end: number, escaped: boolean): string {
  return escaped ? JSON.parse(text.slice(start - 1, end + 1)) as string : text.slice(start, end);
}

/**
 * The first duplicate key in `text` (valid JSON: one value, an NDJSON line, or a comma-separated run
 * of array elements), or undefined. Keys are compared as `JSON.parse` reads them (escapes decoded).
 * Each key is hashed as it is read and compared by hash with its own object's keys (a Set from
 * LIST_KEYS keys on); equal hashes are compared as text, so a collision is never a duplicate.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const n = text.length;
  let depth = 0;
  let top = 0; // keys on the stack
  let expectKey = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (!expectKey) {
        i = stringEnd(text, i);
        continue;
      }
      expectKey = false;
      // Read the key, hashing it (FNV-1a over UTF-16 code units); a backslash means escapes.
      let h = 0x811c9dc5;
      let j = i + 1;
      let escaped = false;
      for (; j < n; j++) {
        const k = text.charCodeAt(j);
        if (k === QUOTE) break;
        if (k === BACKSLASH) {
          escaped = true;
          j = stringEnd(text, i);
          break;
        }
        // eslint-disable-next-line no-bitwise
        h = Math.imul(h ^ k, 0x01000193);
      }
      if (escaped) {
        // Hash the key as read, so that "\u0061" and "a" are one key.
        const decoded = keyText(text, i + 1, j, true);
        h = 0x811c9dc5;
        // eslint-disable-next-line no-bitwise
        for (let k = 0; k < decoded.length; k++) h = Math.imul(h ^ decoded.charCodeAt(k), 0x01000193);
      }
      const first = firstKeyAt[depth - 1];
      const count = top - first;
      let clash = -1;
      if (count < LIST_KEYS) {
        for (let k = first; k < top; k++) {
          if (keyHash[k] === h) {
            clash = k;
            break;
          }
        }
      } else {
        let set = setAt[depth - 1];
        if (set === undefined) {
          set = new Set<number>();
          for (let k = first; k < top; k++) set.add(keyHash[k]);
          setAt[depth - 1] = set;
        }
        if (set.has(h)) {
          for (let k = first; k < top; k++) {
            if (keyHash[k] === h) {
              clash = k;
              break;
            }
          }
        }
        set.add(h);
      }
      if (clash >= 0) {
        // Equal hashes: the same key unless a collision (compared as JSON.parse reads them).
        const key = keyText(text, i + 1, j, escaped);
        for (let k = clash; k < top; k++) {
          if (keyHash[k] !== h) continue;
          const other = keyText(text, keyStart[k], keyEnd[k], keyEscaped[k] === 1);
          if (other === key) return { key, offset: i };
        }
      }
      if (top === keyHash.length) growKeys();
      keyHash[top] = h;
      keyStart[top] = i + 1;
      keyEnd[top] = j;
      keyEscaped[top] = escaped ? 1 : 0;
      top++;
      i = j;
    } else if (c === LBRACE || c === LBRACKET) {
      if (depth === isObjectAt.length) growDepth();
      const isObject = c === LBRACE;
      isObjectAt[depth] = isObject ? 1 : 0;
      firstKeyAt[depth] = top;
      setAt[depth] = undefined;
      depth++;
      expectKey = isObject;
    } else if (c === RBRACE || c === RBRACKET) {
      depth--;
      if (depth >= 0) {
        top = firstKeyAt[depth];
        setAt[depth] = undefined;
      }
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = depth > 0 && isObjectAt[depth - 1] === 1;
    }
  }
  return undefined;
}

/** A key for a message: plain keys as they are, anything else not quoted (file contents stay out of logs). */
export function describeKey(key: string): string {
  return /^[A-Za-z0-9_.@$-]{1,64}$/.test(key) ? `"${key}"` : 'a key';
}

/**
 * Throws `ReportFormatError` when `text` has a duplicate key. `place` names where the text is in the
 * file (built only for the message); by default, the character offset in the file.
 */
export function refuseDuplicateKeys(file: string, text: string, place?: (offset: number) => string): void {
  const dup = findDuplicateKey(text);
  if (dup) {
    throw new ReportFormatError(file,
      `duplicate key ${describeKey(dup.key)} in one JSON object (${place ? place(dup.offset) : `character ${dup.offset}`}): readers disagree on which value counts, so the report is refused`);
  }
}

/**
 * A `JSON.parse` error without the text it quotes (Node quotes the start of the input, which may be
 * a secret or a system file): what went wrong and where.
 */
export function jsonSyntaxProblem(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/" is not valid JSON$/.test(message) || /^Unexpected token/.test(message)) {
    const at = /at position (\d+)/.exec(message);
    return `unexpected character${at ? ` at position ${at[1]}` : ''} (not valid JSON)`;
  }
  // Node's other messages name only the kind of error and the position.
  return message.replace(/\s+/g, ' ').slice(0, 200);
}

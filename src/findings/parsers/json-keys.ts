import { ReportFormatError } from './types';

/**
 * Duplicate keys in JSON objects. `JSON.parse` keeps the last of two equal keys and drops the
 * other silently; other readers (a scanner's own tooling, a reviewer's editor) may keep the first,
 * so a report with a duplicate key can show findings the gate never saw. Such a report is refused.
 *
 * The check is one pass over text that `JSON.parse` has already accepted (so it only needs to find
 * keys, not validate): strings are jumped over with the native `indexOf`, and each key is compared
 * with the keys of its own object only (a short list, or a Set for objects with many keys).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;

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

/** True when `text` holds `key` at `at` (short keys: a loop beats `startsWith` here). */
function sameAt(text: string, at: number, key: string): boolean {
  for (let j = 0; j < key.length; j++) if (text.charCodeAt(at + j) !== key.charCodeAt(j)) return false;
  return true;
}

/**
 * Per open container (by depth): whether it is an object, its keys so far, and its name (the key
 * it is the value of, or its array's name). Objects of one name usually have the same keys in the
 * same order (every SARIF result, every trivy vulnerability): the last duplicate-free object of
 * each name is kept as a template, and a key equal to the template's key at the same position is
 * matched in place, without cutting it out of the text or comparing it with the object's other keys.
 */
class Level {
  isObject = false;
  name = '';
  keys: string[] = [];
  count = 0;
  set?: Set<string>;
  /** The keys of the last object of this name, while this object's keys match them. */
  template?: string[];
  templateCount = 0;
  matching = false;
  escaped = false;
}

const levels: Level[] = [];
// Per depth: name -> keys of the last duplicate-free object of that name.
const templates: Array<Map<string, { keys: string[]; count: number }>> = [];
// Templates kept per depth at most (objects keyed by data, not schema, would grow it without end).
const TEMPLATES_PER_DEPTH = 256;

/**
 * The first duplicate key in `text` (valid JSON: one value, an NDJSON line, or a comma-separated run
 * of array elements), or undefined. Keys are compared as `JSON.parse` reads them (escapes decoded).
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const n = text.length;
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (!expectKey) {
        i = stringEnd(text, i);
        continue;
      }
      expectKey = false;
      const level = levels[depth - 1];
      const k = level.count;
      const t = level.matching && k < level.templateCount ? level.template![k] : undefined;
      if (t !== undefined && text.charCodeAt(i + 1 + t.length) === QUOTE && sameAt(text, i + 1, t)) {
        // The template's key at this position: different from the keys before it, as in the template.
        level.keys[k] = t;
        level.count = k + 1;
        i += t.length + 1;
        continue;
      }
      level.matching = false;
      const end = stringEnd(text, i);
      let key = text.slice(i + 1, end);
      if (key.indexOf('\\') >= 0) {
        // An escaped key ("\u0061") is the same key as its plain spelling.
        key = JSON.parse(text.slice(i, end + 1)) as string;
        level.escaped = true;
      }
      const keys = level.keys;
      if (k < LIST_KEYS) {
        for (let j = 0; j < k; j++) if (keys[j] === key) return { key, offset: i };
      } else {
        if (level.set === undefined) level.set = new Set(keys.slice(0, k));
        if (level.set.has(key)) return { key, offset: i };
        level.set.add(key);
      }
      keys[k] = key;
      level.count = k + 1;
      i = end;
    } else if (c === LBRACE || c === LBRACKET) {
      let level = levels[depth];
      if (level === undefined) {
        level = new Level();
        levels[depth] = level;
        templates[depth] = new Map();
      }
      const parent = depth > 0 ? levels[depth - 1] : undefined;
      level.name = parent === undefined ? '' : parent.isObject ? parent.keys[parent.count - 1] : parent.name;
      level.isObject = c === LBRACE;
      if (level.isObject) {
        level.count = 0;
        level.set = undefined;
        level.escaped = false;
        const known = templates[depth].get(level.name);
        level.template = known?.keys;
        level.templateCount = known?.count ?? 0;
        level.matching = known !== undefined;
      }
      depth++;
      expectKey = level.isObject;
    } else if (c === RBRACE || c === RBRACKET) {
      depth--;
      const level = levels[depth];
      if (level !== undefined && level.isObject && !level.escaped && !(level.matching && level.count <= level.templateCount)) {
        // A new shape of object of this name: its keys become the template (the list is handed over).
        const byName = templates[depth];
        if (byName.size < TEMPLATES_PER_DEPTH || byName.has(level.name)) {
          const old = byName.get(level.name);
          byName.set(level.name, { keys: level.keys, count: level.count });
          level.keys = old && old.keys !== level.keys ? old.keys : [];
        }
      }
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = depth > 0 && levels[depth - 1].isObject;
    }
  }
  return undefined;
}

/** A key for a message: plain keys as they are, anything else not quoted (file contents stay out of logs). */
export function describeKey(key: string): string {
  return /^[A-Za-z0-9_.@$-]{1,64}$/.test(key) ? `"${key}"` : 'a key';
}

/** Throws `ReportFormatError` when `text` has a duplicate key; `base` is the text's offset in the file. */
export function refuseDuplicateKeys(file: string, text: string, base = 0, unit = 'character'): void {
  const dup = findDuplicateKey(text);
  if (dup) {
    throw new ReportFormatError(file,
      `duplicate key ${describeKey(dup.key)} in one JSON object (${unit} ${base + dup.offset}): readers disagree on which value counts, so the report is refused`);
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

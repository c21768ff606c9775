import { isObject, Obj } from './util';

/**
 * SARIF's common values, read the same way by the SARIF parser (sarif.ts) and its parts
 * (sarif-ids.ts, sarif-uri.ts, sarif-severity.ts): strings, message objects, property bags, and
 * where a result is, for messages.
 */

/** A non-empty string; anything else undefined (SARIF writes ids, names and texts as strings only). */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `message.text`-style objects (`{ text, markdown }`). */
export function msg(v: unknown): string | undefined {
  return isObject(v) ? text(v.text) : undefined;
}

/** The property bag (`properties`) of a SARIF object. */
export function props(v: Obj | undefined): Obj | undefined {
  return v && isObject(v.properties) ? v.properties : undefined;
}

/** True for a value that is there: not undefined, null or a blank string. */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

/**
 * Where a result is (`runs[0].results[17]`), for messages. One per run, its index moved along the
 * results: the text is built only when a message needs it, not for each of 200,000 results.
 */
export class ResultPlace {
  index = 0;
  constructor(readonly run: string) {}
  toString(): string {
    return `${this.run}.results[${this.index}]`;
  }
}

/** A place in the report, as text or as a `ResultPlace`. */
export type Place = string | ResultPlace;

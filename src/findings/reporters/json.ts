// A string without any character JSON.stringify would escape (or that needs a look: lone surrogates).
// Anchored and negated: V8 matches this twice as fast as a search for one such character.
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/**
 * A string as a JSON string, as `JSON.stringify` writes it. Reporters write one per field of every
 * finding (hundreds of thousands on large reports): most need no escaping, and then cost one test.
 */
export function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/**
 * JSON of objects that many findings share (a trivy target's frozen resource, a package with
 * several CVEs): made once per object. Only frozen objects are remembered (a shared object
 * cannot change), at most `limit` of them.
 */
export class SharedJson<T extends object> {
  private readonly known = new Map<T, string>();

  constructor(private readonly make: (value: T) => string, private readonly limit = 10_000) {}

  of(value: T): string {
    let json = this.known.get(value);
    if (json === undefined) {
      json = this.make(value);
      if (this.known.size < this.limit && Object.isFrozen(value)) this.known.set(value, json);
    }
    return json;
  }
}

/**
 * Versions a gate records beside its findings (`evaluate --tool-version NAME=VALUE`): what cannot
 * be pinned exactly at synth, e.g. the Debian revision of an apt package or the digest and update
 * time of trivy's vulnerability database, so an audit can tell which ones a verdict came from.
 */

/** A name: letters, digits, '.', '_', '-'. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// No backticks, pipes, angle brackets or control characters: the value is shown in Markdown as it is.
const VALUE = /^[A-Za-z0-9][A-Za-z0-9._:+~@/,()= -]{0,199}$/;

/** Parses repeated `NAME=VALUE` arguments; throws an Error naming the bad one. */
export function parseToolVersions(specs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.substring(0, eq) : '';
    const value = eq > 0 ? spec.substring(eq + 1).trim() : '';
    if (!NAME.test(name) || !VALUE.test(value)) {
      throw new Error(`--tool-version ${JSON.stringify(spec)}: use NAME=VALUE, NAME of letters, digits, '.', '_' or '-', VALUE of 1 to 200 letters, digits, spaces and . _ : + ~ @ / , ( ) = -`);
    }
    if (Object.prototype.hasOwnProperty.call(out, name)) throw new Error(`--tool-version ${JSON.stringify(spec)}: ${name} is given twice`);
    out[name] = value;
  }
  return out;
}

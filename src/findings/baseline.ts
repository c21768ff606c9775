/**
 * Baseline: the fingerprints of findings that already existed, so that only new findings block.
 *
 * Accepted forms (detected from the content):
 * - a JSON array of fingerprint strings;
 * - a JSON object with a `fingerprints` array (the `gate-result.json` a previous `evaluate` wrote);
 * - a SARIF log (a previous run's `findings.sarif`): each result's `partialFingerprints` entry of this tool,
 *   and a merged finding's `properties.otherFingerprints`;
 * - plain text, one fingerprint per line (`#` starts a comment).
 */

/** The `partialFingerprints` key under which our SARIF reporter writes a finding's fingerprint. */
export const SARIF_FINGERPRINT_KEY = 'devsecopsFingerprint/v1';

/** A baseline file that cannot be used: a usage error (exit 2). */
export class BaselineError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}

const FINGERPRINT = /^[A-Za-z0-9][A-Za-z0-9:._/+=-]*$/;

/** Parses a baseline file's text into a set of fingerprints. */
export function parseBaseline(text: string, file: string): Set<string> {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new BaselineError(file, 'file is empty; a baseline lists fingerprints (use `[]` for an empty baseline)');
  if (body.startsWith('[') || body.startsWith('{')) return fromJson(body, file);

  const out = new Set<string>();
  body.split(/\r?\n/).forEach((line, i) => {
    const fp = line.replace(/#.*$/, '').trim();
    if (fp === '') return;
    if (!FINGERPRINT.test(fp)) throw new BaselineError(file, `line ${i + 1}: "${fp.slice(0, 80)}" is not a fingerprint`);
    out.add(fp);
  });
  return out;
}

function fromJson(body: string, file: string): Set<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw new BaselineError(file, `not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(doc)) return strings(doc, file, '');
  const obj = doc as Record<string, unknown>;
  if (Array.isArray(obj.fingerprints)) return strings(obj.fingerprints, file, 'fingerprints');
  if (Array.isArray(obj.runs)) {
    const out = new Set<string>();
    for (const run of obj.runs as Array<Record<string, unknown>>) {
      for (const result of (run?.results ?? []) as Array<Record<string, unknown>>) {
        const fp = (result?.partialFingerprints as Record<string, unknown> | undefined)?.[SARIF_FINGERPRINT_KEY];
        if (typeof fp !== 'string') continue;
        out.add(fp);
        const others = (result?.properties as Record<string, unknown> | undefined)?.otherFingerprints;
        if (Array.isArray(others)) for (const o of others) if (typeof o === 'string' && FINGERPRINT.test(o)) out.add(o);
      }
    }
    const anyResults = (obj.runs as Array<Record<string, unknown>>).some((r) => Array.isArray(r?.results) && (r.results as unknown[]).length > 0);
    if (out.size === 0 && anyResults) {
      throw new BaselineError(file, `SARIF results carry no "${SARIF_FINGERPRINT_KEY}" partial fingerprint; use the findings.sarif this CLI wrote`);
    }
    return out;
  }
  throw new BaselineError(file, 'expected a JSON array of fingerprints, an object with a "fingerprints" array, or a SARIF log');
}

function strings(values: unknown[], file: string, where: string): Set<string> {
  const out = new Set<string>();
  values.forEach((v, i) => {
    if (typeof v !== 'string' || !FINGERPRINT.test(v)) {
      throw new BaselineError(file, `${where}[${i}]: ${JSON.stringify(v)?.slice(0, 80)} is not a fingerprint string`);
    }
    out.add(v);
  });
  return out;
}

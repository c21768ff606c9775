import { decodeCsv } from './decode-csv';
import { decodeXml } from './decode-xml';
import { isWs, jsonSyntaxProblem, LBRACE, LBRACKET, refuseDuplicateKeys } from './json-keys';
import { DecodeOptions, decodeJsonLazily, DEFAULT_LAZY_ABOVE_BYTES, DEFAULT_LAZY_CONTAINER_BYTES } from './lazy-json';
import { BufferSource, utf8BomLength } from './report-file';
import { DecodedReport, ReportFormatError } from './types';

/**
 * Turns a report file's bytes into a `DecodedReport` (JSON, NDJSON, XML or CSV), failing closed
 * with a `ReportFormatError` that names the file and the problem. Reading the file is
 * report-file.ts; large JSON is decoded lazily (lazy-json.ts, indexed by json-index.ts); XML and
 * CSV are decode-xml.ts and decode-csv.ts.
 */

/** UTF-8 bytes of the report without a byte order mark; UTF-16 (PowerShell's default) is converted. */
function toUtf8(file: string, bytes: Buffer): { buf: Buffer; start: number } {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const le = bytes[0] === 0xff;
    const body = Buffer.from(bytes.subarray(2));
    if (!le) body.swap16();
    return { buf: Buffer.from(body.toString('utf16le'), 'utf8'), start: 0 };
  }
  const start = utf8BomLength(bytes);
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
 * anything else CSV (with a header row). BOM stripped, CRLF accepted. XML as `decodeXml` gives it.
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

// Bundled into the findings CLI by esbuild, so a build-time dependency.
// eslint-disable-next-line import/no-extraneous-dependencies
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ReportFormatError } from './types';

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/**
 * A report's XML as fast-xml-parser's object with `ignoreAttributes: false` (attributes as `@_name`),
 * `parseTagValue: false` and `parseAttributeValue: false` (every value stays a string, so
 * versions like `1.10` survive), trimmed values; an element that occurs once is not an array.
 */
export function decodeXml(file: string, text: string): unknown {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    // The validator's message quotes tag names from the file: its code and place only.
    throw new ReportFormatError(file, `truncated or unparsable XML: line ${valid.err.line}, column ${valid.err.col}: ${valid.err.code}`);
  }
  try {
    return xmlParser.parse(text);
  } catch {
    throw new ReportFormatError(file, 'unparsable XML');
  }
}

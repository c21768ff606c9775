import { ReportFormatError } from './types';
import { isObject, nativeParser, optionalList } from './util';

/**
 * SPDX 2.x JSON SBOM. It lists components only, never vulnerabilities, so it yields no findings;
 * it is recognized so that an SBOM gate's report is accepted (and checked to be an SBOM) instead
 * of failing as an unknown format.
 */
export const spdxParser = nativeParser({
  format: 'spdx',
  description: 'SPDX 2.x JSON SBOM (components only: no findings)',
  encoding: 'json',
  detect: (report) => isObject(report.doc) && typeof report.doc.spdxVersion === 'string' && report.doc.spdxVersion.startsWith('SPDX-'),
  parse(report) {
    const doc = report.doc;
    if (!isObject(doc) || typeof doc.spdxVersion !== 'string' || !/^SPDX-2\.\d+$/.test(doc.spdxVersion)) {
      throw new ReportFormatError(report.file, 'not an SPDX 2.x JSON document (spdxVersion missing or not SPDX-2.x)');
    }
    if (doc.SPDXID !== 'SPDXRef-DOCUMENT') throw new ReportFormatError(report.file, 'SPDX document has no SPDXID "SPDXRef-DOCUMENT"');
    optionalList(report.file, doc, 'packages', 'packages');
    return [];
  },
});

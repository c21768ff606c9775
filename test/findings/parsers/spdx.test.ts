import { CTX, decodeFixture, report } from './decode-fixture';
import { spdxParser } from '../../../src/findings/parsers/spdx';
import { ReportFormatError } from '../../../src/findings/parsers/types';

describe('SPDX JSON', () => {
  // SBOM only: recognized, no findings.
  test.each(['spdx/trivy-conda-spdx-2.3.json', 'spdx/trivy-julia-spdx-2.3.json'])('%s is recognized and has no findings', (rel) => {
    const decoded = decodeFixture(rel);
    expect(spdxParser.detect(decoded)).toBe(true);
    expect(spdxParser.parse(decoded, CTX)).toEqual([]);
  });

  test('fails closed on something that only resembles SPDX', () => {
    expect(() => spdxParser.parse(report({ spdxVersion: 'SPDX-3.0', SPDXID: 'SPDXRef-DOCUMENT' }), CTX)).toThrow(ReportFormatError);
    expect(() => spdxParser.parse(report({ spdxVersion: 'SPDX-2.3' }), CTX)).toThrow(/SPDXID/);
    expect(() => spdxParser.parse(report({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', packages: {} }), CTX)).toThrow(ReportFormatError);
  });
});

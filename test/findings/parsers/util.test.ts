import { ReportFormatError } from '../../../src/findings/parsers/types';
import { asArray, cveIds, cweIds, nativeParser, packageFromPurl, rate, repoPath, severityOf } from '../../../src/findings/parsers/util';
import { Severity } from '../../../src/model/severity';

describe('parser helpers', () => {
  test('repoPath: POSIX, repository-relative; ".." fails the report', () => {
    expect(repoPath('r', '/conf/aws.tf')).toBe('conf/aws.tf');
    expect(repoPath('r', './many.yaml')).toBe('many.yaml');
    expect(repoPath('r', 'C:\\src\\app\\main.py')).toBe('src/app/main.py');
    expect(repoPath('r', 'a//b/./c')).toBe('a/b/c');
    expect(() => repoPath('r', 'a/../../etc/passwd')).toThrow(ReportFormatError);
    expect(() => repoPath('r', 'a/../../etc/passwd')).toThrow(/r: location "a\/..\/..\/etc\/passwd" contains ".."/);
    expect(() => repoPath('r', '/')).toThrow(ReportFormatError);
  });

  test('rate: score first, then the word; out-of-range and missing values fail', () => {
    expect(rate('r', 7.5, 'LOW', 'x')).toEqual({ severity: Severity.HIGH, rawSeverity: '7.5' });
    expect(rate('r', '9.8', undefined, 'x')).toEqual({ severity: Severity.CRITICAL, rawSeverity: '9.8' });
    expect(rate('r', 0, 'moderate', 'x')).toEqual({ severity: Severity.MEDIUM, rawSeverity: 'moderate' });
    expect(() => rate('r', 11, 'LOW', 'x')).toThrow(/outside 0-10/);
    expect(() => rate('r', undefined, undefined, 'x')).toThrow(/no severity/);
    expect(() => severityOf('r', 'catastrophic', 'x')).toThrow(ReportFormatError);
  });

  test('CVE and CWE ids are normalized and deduplicated; junk dropped', () => {
    expect(cveIds('see cve-2021-44228 and CVE-2021-44228', ['CVE-2019-1549'])).toEqual(['CVE-2021-44228', 'CVE-2019-1549']);
    expect(cweIds(79, 'CWE-89', 'CWE-79: XSS', ['CWE-', 'CWE-noinfo', -1, '0'])).toEqual(['CWE-79', 'CWE-89']);
  });

  test('package URLs keep the namespace and the ecosystem', () => {
    expect(packageFromPurl('pkg:maven/org.apache.logging.log4j/log4j-api@2.12.4')).toEqual({ name: 'org.apache.logging.log4j/log4j-api', installedVersion: '2.12.4', ecosystem: 'maven' });
    expect(packageFromPurl('pkg:npm/%40aws-cdk/core@1.0.0?x=y')).toEqual({ name: '@aws-cdk/core', installedVersion: '1.0.0', ecosystem: 'npm' });
    expect(packageFromPurl('not-a-purl')).toBeUndefined();
  });

  test('a package URL with a malformed escape keeps it as written instead of throwing (as the SARIF parser always did)', () => {
    expect(packageFromPurl('pkg:npm/bad%zzname@1.0%')).toEqual({ name: 'bad%zzname', installedVersion: '1.0%', ecosystem: 'npm' });
  });

  test('asArray treats XML single elements and empty elements alike', () => {
    expect(asArray({ a: 1 })).toEqual([{ a: 1 }]);
    expect(asArray([1, 2])).toEqual([1, 2]);
    expect(asArray('')).toEqual([]);
    expect(asArray(undefined)).toEqual([]);
  });

  test('nativeParser: detect looks only at its encoding and never throws', () => {
    const parser = nativeParser({
      format: 'sarif',
      description: 'x',
      encoding: 'json',
      detect: (r) => (r.doc as { a: { b: number } }).a.b === 1,
      parse: () => [],
    });
    expect(parser.detect({ file: 'f', encoding: 'json', doc: { a: { b: 1 } } })).toBe(true);
    expect(parser.detect({ file: 'f', encoding: 'ndjson', doc: { a: { b: 1 } } })).toBe(false);
    expect(parser.detect({ file: 'f', encoding: 'json', doc: null })).toBe(false);
  });
});

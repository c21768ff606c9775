import { codeFingerprint, normalizeSnippet } from '../../src/findings/fingerprint';

// What folding means, written the plain way: the fast check in normalizeSnippet must agree with it.
const fold = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('normalizeSnippet', () => {
  const cases = [
    '',
    'x',
    'const a = 1;',
    ' leading space',
    'trailing space ',
    'two  spaces',
    'tab\tinside',
    'new\nline',
    'crlf\r\nline',
    '\u00a0no-break space',
    'ideographic\u3000space',
    'byte order mark \ufeff inside',
    '   ',
    ' ',
    '\n',
    'a b c d',
    '  indented(line);  ',
  ];

  test.each(cases)('folds %j as replace(/\\s+/g, " ").trim() does', (s) => {
    expect(normalizeSnippet(s)).toBe(fold(s));
  });

  test('the same for every white space character, alone, inside and at either end', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [ch, `a${ch}b`, `${ch}a`, `a${ch}`, `a ${ch}b`]) expect(normalizeSnippet(s)).toBe(fold(s));
    }
  });

  test('a folded snippet comes back as the same string (no copy)', () => {
    const s = 'eval(request.query.p1);';
    expect(normalizeSnippet(s)).toBe(s);
  });

  test('re-indenting a line does not change the code fingerprint', () => {
    expect(codeFingerprint('r', 'a.py', '    os.system(cmd)')).toBe(codeFingerprint('r', 'a.py', 'os.system(cmd)\n'));
    expect(codeFingerprint('r', 'a.py', 'os.system(cmd)')).not.toBe(codeFingerprint('r', 'a.py', 'os.system(cmd2)'));
  });
});

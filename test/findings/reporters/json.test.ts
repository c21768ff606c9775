import { jsonString } from '../../../src/findings/reporters/json';

describe('jsonString', () => {
  // Every character class the fast path must leave to JSON.stringify, and strings it may write as they are.
  const cases = [
    '',
    'plain text',
    'src/app/handler.ts',
    'say "hi"',
    'C:\\path\\file',
    'tab\there',
    'line\nbreak',
    'nul\u0000byte',
    'unit separator\u001f',
    'delete \u007f is not escaped',
    'é ü 中文',
    'emoji 😀 (a surrogate pair)',
    'lone high \ud800 surrogate',
    'lone low \udc00 surrogate',
    'reversed pair \udc00\ud800',
    'ends with a quote"',
    '"',
    '\\',
    'line separator \u2028 and paragraph separator \u2029',
  ];

  test.each(cases)('writes %j exactly as JSON.stringify does', (s) => {
    expect(jsonString(s)).toBe(JSON.stringify(s));
    expect(JSON.parse(jsonString(s))).toBe(s);
  });

  test('the same over every UTF-16 code unit, alone and between letters', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      expect(jsonString(ch)).toBe(JSON.stringify(ch));
      expect(jsonString(`a${ch}b`)).toBe(JSON.stringify(`a${ch}b`));
    }
  });
});

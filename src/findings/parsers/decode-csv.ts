import { ReportFormatError } from './types';

/**
 * RFC 4180 CSV: rows of cells, header first. Quoted cells may hold commas, quotes (`""`) and line
 * breaks; CRLF and LF both end a row; blank lines are dropped. An unterminated quote fails.
 */
export function decodeCsv(file: string, text: string): string[][] {
  const firstLineEnd = text.indexOf('\n');
  const header = firstLineEnd < 0 ? text : text.slice(0, firstLineEnd);
  if (!header.includes(',')) {
    // What the file says is not quoted: it may be any file, a secret or a system file.
    throw new ReportFormatError(file, 'not a JSON, NDJSON, XML or CSV report: its first line is no JSON, XML or CSV header (the scanner may have written an error message instead of a report)');
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  const n = text.length;
  const endRow = () => {
    row.push(cell);
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    cell = '';
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      endRow();
    } else if (c !== '\r' || text[i + 1] !== '\n') {
      cell += c;
    }
    i++;
  }
  if (quoted) throw new ReportFormatError(file, `truncated or unparsable CSV: a quoted cell in row ${rows.length + 1} is never closed`);
  // CSV has no closing bracket: a last row without its line break is how a cut file shows.
  if (!/\n\s*$/.test(text.slice(-64))) throw new ReportFormatError(file, `truncated CSV: row ${rows.length + 1} does not end with a line break`);
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

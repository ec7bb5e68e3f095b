/**
 * A small RFC 4180 CSV reader (pure): quoted fields with commas, doubled quotes and line breaks, CRLF or LF,
 * a missing final newline. Each record remembers the file line it starts on, so importers can say where a
 * rejected row is.
 */
export type CsvRecord = { line: number; cells: string[] };

export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first header
  const n = text.length;
  const endRecord = () => {
    cells.push(cell);
    // Blank lines are not records.
    if (!(cells.length === 1 && cells[0] === "")) out.push({ line: start, cells });
    cells = [];
    cell = "";
  };
  for (; i < n; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      start = line;
    } else cell += ch;
  }
  if (cell !== "" || cells.length) endRecord();
  return out;
}

/** The header's columns by lower-cased, trimmed name -> index (the first of duplicated names wins). */
export function headerIndex(header: string[]): Map<string, number> {
  const map = new Map<string, number>();
  header.forEach((h, i) => {
    const k = h.trim().toLowerCase();
    if (!map.has(k)) map.set(k, i);
  });
  return map;
}

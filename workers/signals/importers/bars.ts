/**
 * Daily bars as CSV (pure): a header naming date, open, high, low, close, volume (any order, other columns
 * ignored, e.g. pandas' unnamed index), and `symbol` either as a column or given for the whole file.
 * Dates YYYY-MM-DD or M/D/YYYY; volumes may be written as floats ("4006500.0").
 */
import { BarRow } from "../../../schemas";
import { accept, parseDate, parseNumber, reject, type Parsed } from "./common";
import { headerIndex, parseCsv } from "./csv";

const REQUIRED = ["date", "open", "high", "low", "close", "volume"] as const;

export function parseBarsCsv(text: string, opts: { symbol?: string; source?: string } = {}): Parsed<BarRow> {
  const records = parseCsv(text);
  const rows: BarRow[] = [];
  const rejected: Parsed<BarRow>["rejected"] = [];
  if (records.length === 0) return { format: "bars-csv", received: 0, rows, rejected };
  const idx = headerIndex(records[0].cells);
  const missing = REQUIRED.filter((c) => !idx.has(c));
  const symbolCol = idx.get("symbol") ?? idx.get("ticker");
  if (missing.length) {
    reject(rejected, { line: records[0].line, record: 1 }, missing[0], `header lacks column(s) ${missing.join(", ")}`);
    return { format: "bars-csv", received: records.length - 1, rows, rejected };
  }
  const fileSymbol = opts.symbol?.trim().toUpperCase();
  if (symbolCol === undefined && !fileSymbol) {
    reject(rejected, { line: records[0].line, record: 1 }, "symbol", "no symbol column: give the symbol for the whole file");
    return { format: "bars-csv", received: records.length - 1, rows, rejected };
  }
  const source = opts.source ?? "import:bars-csv";
  for (let r = 1; r < records.length; r++) {
    const { line, cells } = records[r];
    const where = { line, record: r };
    const cell = (c: string) => cells[idx.get(c)!];
    const date = parseDate(cell("date"));
    if (date === null) {
      reject(rejected, where, "date", `not a date: ${JSON.stringify((cell("date") ?? "").slice(0, 30))}`);
      continue;
    }
    const values: Record<string, number | null> = {};
    let bad: string | null = null;
    for (const c of ["open", "high", "low", "close", "volume"] as const) {
      values[c] = parseNumber(cell(c));
      if (values[c] === null && bad === null) bad = c;
    }
    if (bad) {
      reject(rejected, where, bad, `not a number: ${JSON.stringify((cell(bad) ?? "").slice(0, 30))}`);
      continue;
    }
    const symbol = (symbolCol !== undefined ? cells[symbolCol] : fileSymbol)?.trim().toUpperCase();
    accept(BarRow, { symbol, date, ...values, source }, where, rows, rejected);
  }
  // The same (symbol, date) twice in one file: the later line wins, the earlier is reported.
  const seen = new Map<string, number>();
  rows.forEach((b, i) => seen.set(`${b.symbol}|${b.date}`, i));
  const deduped = rows.filter((b, i) => {
    if (seen.get(`${b.symbol}|${b.date}`) === i) return true;
    rejected.push({ line: null, record: i + 1, field: "date", reason: `duplicate ${b.symbol} ${b.date}: a later line replaces it` });
    return false;
  });
  return { format: "bars-csv", received: records.length - 1, rows: deduped, rejected };
}

/**
 * Congressional trades in the Stock Watcher formats (pure):
 * - House Stock Watcher JSON (`all_transactions.json` records) and its CSV export (same columns);
 * - Senate Stock Watcher aggregate JSON (`aggregate/all_transactions.json`: flat records, no disclosure date);
 * - Senate Stock Watcher daily JSON (`data/transaction_report_for_MM_DD_YYYY.json`: filings with nested
 *   transactions; `date_recieved` [sic] is the disclosure date).
 * The format is recognised from the records' keys. Quirks handled: tickers as HTML anchors or "--", HTML and
 * entities in descriptions, MM/DD/YYYY vs YYYY-MM-DD dates, truncated amount ranges ("$1,001 -").
 */
import { CongressTradeRow, type ImportRejection } from "../../../schemas";
import { accept, contentId, nullable, parseAmountRange, parseDate, reject, type Parsed } from "./common";
import { headerIndex, parseCsv } from "./csv";

type Raw = Record<string, unknown>;
type Where = { line: number | null; record: number };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

/** Text of an HTML fragment: tags dropped (a <br> becomes a space), the common entities decoded. */
export function htmlText(raw: string): string {
  return raw
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#39|amp|lt|gt|quot|apos|nbsp);/g, (_, e: string) => ENTITIES[e])
    .replace(/\s+/g, " ")
    .trim();
}

function tradeType(raw: unknown): CongressTradeRow["type"] | null {
  const s = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (s === "purchase") return "purchase";
  if (s === "sale_full" || s === "sale (full)") return "sale_full";
  if (s === "sale_partial" || s === "sale (partial)") return "sale_partial";
  if (s === "sale") return "sale";
  if (s === "exchange") return "exchange";
  return null;
}

type Candidate = Omit<CongressTradeRow, "id"> & { id?: string };

function build(
  chamber: "house" | "senate",
  source: string,
  filer: unknown,
  r: Raw,
  disclosure: unknown,
): { candidate?: Candidate; field?: string; reason?: string } {
  const assetType = nullable(r.asset_type);
  if (assetType === "PDF Disclosed Filing") return { field: "asset_type", reason: "scanned paper filing: no transaction details to import" };
  const type = tradeType(r.type);
  if (!type) return { field: "type", reason: `unknown transaction type ${JSON.stringify(String(r.type ?? "").slice(0, 30))}` };
  const transactionDate = parseDate(r.transaction_date);
  if (!transactionDate) return { field: "transaction_date", reason: `not a date: ${JSON.stringify(String(r.transaction_date ?? "").slice(0, 30))}` };
  const disclosureDate = disclosure === undefined ? null : parseDate(disclosure);
  if (disclosure !== undefined && !disclosureDate) return { field: "disclosure_date", reason: `not a date: ${JSON.stringify(String(disclosure ?? "").slice(0, 30))}` };
  const tickerText = typeof r.ticker === "string" ? htmlText(r.ticker) : null;
  const ticker = nullable(tickerText)?.toUpperCase() ?? null;
  const amountText = typeof r.amount === "string" ? r.amount.trim() : "";
  const [amountLow, amountHigh] = parseAmountRange(amountText);
  const owner = nullable(r.owner)?.toLowerCase() ?? null;
  return {
    candidate: {
      chamber,
      filer: typeof filer === "string" ? filer.replace(/^Hon\.\s*/i, "").replace(/\s+/g, " ").trim() : (filer as string),
      ticker: ticker as string | null,
      assetDescription: htmlText(String(r.asset_description ?? "")),
      assetType,
      transactionDate,
      disclosureDate,
      type,
      amountText,
      amountLow,
      amountHigh,
      owner,
      source,
      ptrLink: nullable(r.ptr_link),
    },
  };
}

/** Gives identical records of one file distinct, stable ids: the content hash plus the occurrence number. */
function withIds(candidates: { c: Candidate; where: Where }[], rows: CongressTradeRow[], rejected: ImportRejection[]) {
  const seen = new Map<string, number>();
  for (const { c, where } of candidates) {
    const key = contentId([c.chamber, c.filer, c.ticker, c.transactionDate, c.disclosureDate, c.type, c.amountText, c.owner, c.assetDescription, c.ptrLink]);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    accept(CongressTradeRow, { ...c, id: n === 1 ? key : `${key}-${n}` }, where, rows, rejected);
  }
}

function fromRecords(records: { raw: Raw; where: Where }[], format: string): Parsed<CongressTradeRow> {
  const rows: CongressTradeRow[] = [];
  const rejected: ImportRejection[] = [];
  const candidates: { c: Candidate; where: Where }[] = [];
  let received = 0;
  for (const { raw, where } of records) {
    if (format === "senate-stock-watcher-daily-json") {
      const filer = [raw.first_name, raw.last_name].filter((s) => typeof s === "string").map((s) => (s as string).trim()).join(" ");
      const txs = raw.transactions;
      if (!Array.isArray(txs)) {
        received++;
        reject(rejected, where, "transactions", "filing has no transactions array");
        continue;
      }
      if (txs.length === 0) {
        received++;
        reject(rejected, where, "transactions", "paper filing: no transactions listed");
        continue;
      }
      for (const tx of txs) {
        received++;
        const b = build("senate", "senate-stock-watcher", filer, { ...(tx as Raw), ptr_link: raw.ptr_link }, raw.date_recieved);
        if (b.candidate) candidates.push({ c: b.candidate, where });
        else reject(rejected, where, b.field ?? null, b.reason ?? "invalid");
      }
      continue;
    }
    received++;
    const house = format.startsWith("house");
    const b = house
      ? build("house", "house-stock-watcher", raw.representative, raw, raw.disclosure_date)
      : build("senate", "senate-stock-watcher", raw.senator, raw, undefined);
    if (b.candidate) candidates.push({ c: b.candidate, where });
    else reject(rejected, where, b.field ?? null, b.reason ?? "invalid");
  }
  withIds(candidates, rows, rejected);
  rejected.sort((a, b) => a.record - b.record);
  return { format, received, rows, rejected };
}

export function parseCongress(text: string): Parsed<CongressTradeRow> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return { format: "json", received: 0, rows: [], rejected: [{ line: null, record: 1, field: null, reason: `not valid JSON: ${(e as Error).message}` }] };
    }
    if (!Array.isArray(data)) {
      return { format: "json", received: 0, rows: [], rejected: [{ line: null, record: 1, field: null, reason: "expected an array of Stock Watcher records" }] };
    }
    const first = data.find((x) => x && typeof x === "object") as Raw | undefined;
    const format = !first
      ? "json"
      : "transactions" in first
        ? "senate-stock-watcher-daily-json"
        : "senator" in first
          ? "senate-stock-watcher-json"
          : "representative" in first
            ? "house-stock-watcher-json"
            : "json";
    if (format === "json") {
      return { format, received: data.length, rows: [], rejected: [{ line: null, record: 1, field: null, reason: "not a House or Senate Stock Watcher format (no representative, senator or transactions key)" }] };
    }
    const records = data.map((raw, i) => ({ raw: (raw && typeof raw === "object" ? raw : {}) as Raw, where: { line: null, record: i + 1 } }));
    return fromRecords(records, format);
  }
  const csv = parseCsv(text);
  if (csv.length === 0) return { format: "csv", received: 0, rows: [], rejected: [] };
  const idx = headerIndex(csv[0].cells);
  const format = idx.has("representative") ? "house-stock-watcher-csv" : idx.has("senator") ? "senate-stock-watcher-csv" : "csv";
  if (format === "csv") {
    return { format, received: csv.length - 1, rows: [], rejected: [{ line: 1, record: 1, field: null, reason: "header names neither representative nor senator" }] };
  }
  const records = csv.slice(1).map((rec, i) => {
    const raw: Raw = {};
    for (const [k, j] of idx) raw[k] = rec.cells[j];
    return { raw, where: { line: rec.line, record: i + 1 } };
  });
  return fromRecords(records, format);
}

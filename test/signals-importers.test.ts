// Importers on the real public files (test/fixtures/signals/README.md says where each came from), plus
// malformed rows, duplicate files and the admin API's guard and errors.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ImportResult } from "../schemas";
import { parseBarsCsv } from "../workers/signals/importers/bars";
import { htmlText, parseCongress } from "../workers/signals/importers/congress";
import { parseAmountRange, parseDate } from "../workers/signals/importers/common";
import { parseCsv } from "../workers/signals/importers/csv";
import { newYorkToUtc, parseMacro } from "../workers/signals/importers/macro";
import { parseSentiment } from "../workers/signals/importers/sentiment";
import spyCsv from "./fixtures/signals/ohlcv/SPY_D_1999-2020_pandas-ta.csv?raw";
import houseJson from "./fixtures/signals/congress/house_stock_watcher_all_transactions_subset.json?raw";
import houseCsv from "./fixtures/signals/congress/house_stock_watcher_all_transactions_subset.csv?raw";
import senateJson from "./fixtures/signals/congress/senate_stock_watcher_all_transactions_subset.json?raw";
import senateDay from "./fixtures/signals/congress/senate_transaction_report_for_03_12_2020.json?raw";
import ffCsv from "./fixtures/signals/econ-calendar/forexfactory_2022_beglaryanvaleri.csv?raw";
import ffDay from "./fixtures/signals/econ-calendar/forexfactory-fxcalendar-json/2020-03-06.json?raw";
import { authHeaders, BASE, expectError } from "./helpers";

async function importFile(kind: string, body: string, opts: { type?: string; query?: string; roles?: string[]; auth?: boolean } = {}) {
  const headers: Record<string, string> = { "content-type": opts.type ?? "text/csv", "cf-connecting-ip": `10.9.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}` };
  if (opts.auth !== false) Object.assign(headers, await authHeaders("ops", opts.roles ?? ["admin"]));
  return SELF.fetch(`${BASE}/api/admin/import/${kind}${opts.query ?? ""}`, { method: "POST", headers, body });
}
async function imported(kind: string, body: string, opts: Parameters<typeof importFile>[2] = {}) {
  const res = await importFile(kind, body, opts);
  expect(res.status, await res.clone().text()).toBe(200);
  return ImportResult.parse(await res.json());
}

describe("parsing helpers", () => {
  it("CSV: quotes, doubled quotes, embedded newlines and commas, CRLF, no final newline, line numbers", () => {
    const recs = parseCsv('a,b\r\n1,"x, ""y"""\r\n2,"two\nlines"\n\n3,z');
    expect(recs.map((r) => r.cells)).toEqual([["a", "b"], ["1", 'x, "y"'], ["2", "two\nlines"], ["3", "z"]]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 6]);
  });
  it("dates in the sources' forms, impossible dates refused", () => {
    expect(parseDate("10/04/2021")).toBe("2021-10-04");
    expect(parseDate("2021-09-27")).toBe("2021-09-27");
    expect(parseDate("2/22/2013 12:00:00 AM")).toBe("2013-02-22");
    expect(parseDate("02/30/2020")).toBeNull();
    expect(parseDate("yesterday")).toBeNull();
  });
  it("PTR amount ranges, including the truncated and open-ended forms", () => {
    expect(parseAmountRange("$1,001 - $15,000")).toEqual([1001, 15000]);
    expect(parseAmountRange("Over $50,000,000")).toEqual([50_000_000, null]);
    expect(parseAmountRange("$1,000,000 +")).toEqual([1_000_000, null]);
    expect(parseAmountRange("$1,001 -")).toEqual([1001, null]);
    expect(parseAmountRange("Unknown")).toEqual([null, null]);
  });
  it("HTML in Senate tickers and descriptions", () => {
    expect(htmlText('<a href="https://finance.yahoo.com/q?s=ORCL" target="_blank">ORCL</a>')).toBe("ORCL");
    expect(htmlText("Put <br><em>Strike price:</em> $120.00 &amp; more")).toBe("Put Strike price: $120.00 & more");
  });
  it("New York wall time to UTC across daylight saving", () => {
    expect(newYorkToUtc("2022-01-12", 8, 30)).toBe("2022-01-12T13:30:00.000Z"); // EST
    expect(newYorkToUtc("2022-07-13", 8, 30)).toBe("2022-07-13T12:30:00.000Z"); // EDT
  });
});

describe("importers on the real files (pure)", () => {
  it("bars: pandas-ta SPY since 1999 (unnamed index column, float volumes, 1/16ths, no final newline)", () => {
    const p = parseBarsCsv(spyCsv, { symbol: "SPY" });
    expect(p.received).toBe(5241);
    expect(p.rejected).toEqual([]);
    expect(p.rows[0]).toEqual({ symbol: "SPY", date: "1999-11-01", open: 136.5, high: 137, low: 135.5625, close: 135.5625, volume: 4006500, source: "import:bars-csv" });
    expect(p.rows.at(-1)!.date).toBe("2020-08-28");
  });

  it("bars: malformed rows are rejected with their line and reason; the rest goes through", () => {
    const csv = [
      "date,open,high,low,close,volume",
      "2024-01-02,10,11,9,10.5,1000",
      "2024-01-03,10,9,9.5,10,1000", // high below low
      "2024-13-01,10,11,9,10,1000", // no 13th month
      "2024-01-04,10,11,9,abc,1000",
      "2024-01-05,-1,11,9,10,1000",
      "2024-01-02,10,12,9,11,1000", // same date again: the later line wins
    ].join("\n");
    const p = parseBarsCsv(csv, { symbol: "abc" });
    expect(p.rows.map((r) => [r.date, r.close])).toEqual([["2024-01-02", 11]]);
    const byLine = Object.fromEntries(p.rejected.filter((r) => r.line).map((r) => [r.line, r.field]));
    expect(byLine).toEqual({ 3: "high", 4: "date", 5: "close", 6: "open" });
    expect(p.rejected.find((r) => r.line === null)?.reason).toMatch(/duplicate ABC 2024-01-02/);
    expect(parseBarsCsv("date,open,close\n2024-01-02,1,1").rejected[0]).toMatchObject({ line: 1, reason: expect.stringMatching(/high, low, volume/) });
    expect(parseBarsCsv("date,open,high,low,close,volume\n2024-01-02,1,1,1,1,1").rejected[0].field).toBe("symbol");
  });

  it("congress: House Stock Watcher JSON and its CSV export give the same trades", () => {
    const j = parseCongress(houseJson);
    const c = parseCongress(houseCsv);
    expect(j.format).toBe("house-stock-watcher-json");
    expect(c.format).toBe("house-stock-watcher-csv");
    expect(j.received).toBe(404);
    expect(j.rows.length + j.rejected.length).toBe(404);
    expect(c.rows.map((r) => r.id)).toEqual(j.rows.map((r) => r.id));
    const first = j.rows[0];
    expect(first).toMatchObject({ chamber: "house", filer: "Virginia Foxx", ticker: "BP", transactionDate: "2021-09-27", disclosureDate: "2021-10-04", type: "purchase", amountLow: 1001, amountHigh: 15000, owner: "joint" });
    // Crypto pairs are not US tickers: refused with the reason, not stored under a wrong symbol.
    expect(j.rejected.map((r) => r.reason).join("\n")).toMatch(/ticker|US ticker/);
    expect(j.rows.some((r) => r.ticker === null)).toBe(true); // "--" is kept as an unknown ticker
    expect(j.rows.some((r) => r.amountText === "$1,001 -" && r.amountHigh === null)).toBe(true);
  });

  it("congress: Senate aggregate JSON (no disclosure date, paper filings refused) and the nested daily files", () => {
    const s = parseCongress(senateJson);
    expect(s.format).toBe("senate-stock-watcher-json");
    expect(s.received).toBe(378);
    expect(s.rows.every((r) => r.disclosureDate === null && r.chamber === "senate")).toBe(true);
    expect(s.rejected.filter((r) => /paper filing/.test(r.reason))).toHaveLength(10);
    expect(s.rows.some((r) => r.assetType === "Stock Option" && /Option Type: Put/.test(r.assetDescription))).toBe(true);
    const d = parseCongress(senateDay);
    expect(d.format).toBe("senate-stock-watcher-daily-json");
    const orcl = d.rows.find((r) => r.ticker === "ORCL")!;
    expect(orcl).toMatchObject({ filer: "Kelly Loeffler", transactionDate: "2020-02-14", disclosureDate: "2020-03-12", type: "purchase", owner: "joint" });
    expect(d.rejected.some((r) => /no transactions listed/.test(r.reason))).toBe(true); // Blumenthal's paper filing
  });

  it("macro: ForexFactory 2022 CSV in New York time, with the scraper's broken lines rejected", () => {
    const m = parseMacro(ffCsv);
    expect(m.format).toBe("forexfactory-csv");
    expect(m.received).toBe(3850);
    expect(m.rejected.map((r) => [r.line, r.field])).toEqual(expect.arrayContaining([[expect.any(Number), "time"]]));
    expect(m.rejected.every((r) => r.field === "time" && /17th June|24th June/.test(r.reason))).toBe(true);
    const cpi = m.rows.find((r) => r.currency === "USD" && r.event === "CPI m/m" && r.time.startsWith("2022-01-12"))!;
    expect(cpi).toMatchObject({ time: "2022-01-12T13:30:00.000Z", country: "US", importance: "high", allDay: false });
    expect(m.rows.find((r) => r.event === "Bank Holiday")).toMatchObject({ allDay: true, importance: "holiday" });
  });

  it("macro: ForexFactory daily JSON in UTC (the 6 March 2020 payrolls, 273K against 175K)", () => {
    const m = parseMacro(ffDay);
    expect(m.format).toBe("forexfactory-json");
    expect(m.rejected).toEqual([]);
    const nfp = m.rows.find((r) => r.event === "Non-Farm Employment Change")!;
    expect(nfp).toMatchObject({ time: "2020-03-06T13:30:00.000Z", country: "US", importance: "high", actual: "273K", forecast: "175K" });
  });

  it("sentiment: CSV and JSON in our documented format; bad scores, times and symbols rejected", () => {
    const csv = "symbol,observed_at,source,score,mentions\nSPY,2026-11-20T15:00:00Z,news,0.4,12\nSPY,2026-11-20T16:00:00Z,news,1.4,3\nSPY,not-a-time,news,0.1,\nspy!,2026-11-20T15:00:00Z,news,0.1,";
    const p = parseSentiment(csv);
    expect(p.rows).toEqual([{ symbol: "SPY", observedAt: "2026-11-20T15:00:00.000Z", source: "news", score: 0.4, mentions: 12 }]);
    expect(p.rejected.map((r) => [r.line, r.field])).toEqual([[3, "score"], [4, "observedAt"], [5, "symbol"]]);
    const j = parseSentiment(JSON.stringify([{ symbol: "QQQ", observedAt: "2026-11-20T15:00:00+01:00", source: "social", score: -0.2 }]));
    expect(j.rows[0]).toMatchObject({ symbol: "QQQ", observedAt: "2026-11-20T14:00:00.000Z", mentions: null });
  });
});

describe("POST /api/admin/import/:kind (workerd, D1)", () => {
  it("is admin-only: 401 anonymous, 403 without the admin role", async () => {
    await expectError(await importFile("bars", "x", { auth: false }), 401, "unauthorized");
    await expectError(await importFile("bars", "x", { roles: [] }), 403, "forbidden");
  });

  it("names the field at fault: kind, symbol, content type, empty body", async () => {
    await expectError(await importFile("trades", "x"), 400, "invalid_kind", "params.kind");
    await expectError(await importFile("bars", "x", { query: "?symbol=not%20a%20ticker" }), 400, "invalid_symbol", "query.symbol");
    await expectError(await importFile("bars", "x", { query: "?sym=SPY" }), 400, "invalid_query", "query"); // unknown parameter
    await expectError(await importFile("bars", "x", { type: "application/xml" }), 415, "unsupported_media_type", "headers.content-type");
    await expectError(await importFile("bars", "  "), 422, "validation_failed", "body");
  });

  it("bars: the real SPY file lands, and importing it again changes nothing", async () => {
    const first = await imported("bars", spyCsv, { query: "?symbol=SPY" });
    expect(first).toMatchObject({ kind: "bars", format: "bars-csv", received: 5241, accepted: 5241, rejectedCount: 0, changed: 5241, unchanged: 0 });
    const again = await imported("bars", spyCsv, { query: "?symbol=SPY" });
    expect(again).toMatchObject({ accepted: 5241, changed: 0, unchanged: 5241 });
    const n = await env.DB.prepare("SELECT COUNT(*) AS n, MIN(date) AS lo, MAX(date) AS hi FROM daily_bars WHERE symbol = ?").bind("SPY").first();
    expect(n).toEqual({ n: 5241, lo: "1999-11-01", hi: "2020-08-28" });
    // A corrected value is an update of that one row.
    const fixed = spyCsv.replace("0,1999-11-01,136.5,137.0,135.5625,135.5625,4006500.0", "0,1999-11-01,136.5,137.0,135.5625,135.6,4006500.0");
    expect((await imported("bars", fixed, { query: "?symbol=SPY" })).changed).toBe(1);
  });

  it("congress: House JSON, then the same trades as CSV and the file twice: no duplicates", async () => {
    const a = await imported("congress", houseJson, { type: "application/json" });
    expect(a.changed).toBe(a.accepted);
    const b = await imported("congress", houseCsv);
    const c = await imported("congress", houseJson, { type: "application/json" });
    expect(b.changed).toBe(0);
    expect(c.changed).toBe(0);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM congress_trades WHERE chamber = 'house'").first<{ n: number }>();
    expect(n!.n).toBe(a.accepted);
    expect(a.rejected.every((r) => r.line === null && r.record >= 1)).toBe(true);
  });

  it("macro and sentiment: malformed rows reported with line numbers, the rest stored once", async () => {
    const m = await imported("macro", ffCsv);
    expect(m.rejectedCount).toBe(2);
    expect(m.rejected.map((r) => r.line).every((l) => typeof l === "number" && l > 1)).toBe(true);
    expect((await imported("macro", ffCsv)).changed).toBe(0);
    const s = await imported("sentiment", "symbol,observed_at,source,score\nAAPL,2026-11-20T15:00:00Z,news,0.5\nAAPL,2026-11-20T15:00:00Z,news,7");
    expect(s).toMatchObject({ accepted: 1, rejectedCount: 1, changed: 1 });
    expect(s.rejected[0]).toMatchObject({ line: 3, record: 2, field: "score" });
  });
});

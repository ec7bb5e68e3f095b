// Synthetic seed rows for the signals and feature-store tables, as SQL for `wrangler d1 execute --file`.
// Run by scripts/seed.mjs (npm start) for each of these tables that is empty; deterministic for a given day.
// Every row says `synthetic-seed` in its source column, so the API shows it as synthetic, never as real data.
//   npx tsx scripts/seed/signals.ts <out.sql> [table ...]
import { writeFileSync } from "node:fs";
import { onlineFeatures, realizedVolRow } from "../../workers/features/compute";
import { newYorkDate, tradingDayOnOrBefore } from "../../workers/market/calendar";
import { seededRandom, symbolProfile, syntheticDailyBars } from "../../workers/market/synthetic";
import { ivPercentile, ivRank } from "../../workers/signals/volatility";

const SEED = 20261130;
const SOURCE = "synthetic-seed";
const SYMBOLS = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "TSLA", "AMZN"];
const DAY = 86_400_000;

const [out, ...only] = process.argv.slice(2);
if (!out) throw new Error("usage: tsx scripts/seed/signals.ts <out.sql> [table ...]");
const want = (t: string) => only.length === 0 || only.includes(t);

/** A SQL literal for seed values we generate ourselves (numbers, our own strings, null). */
const lit = (v: unknown) => (v === null || v === undefined ? "NULL" : typeof v === "number" ? (Number.isFinite(v) ? String(v) : "NULL") : typeof v === "boolean" ? (v ? "1" : "0") : `'${String(v).replace(/'/g, "''")}'`);
const lines: string[] = [];
function insert(table: string, rows: Record<string, unknown>[]) {
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const cols = Object.keys(chunk[0]);
    lines.push(`INSERT OR IGNORE INTO ${table} (${cols.join(", ")}) VALUES\n${chunk.map((r) => `(${cols.map((c) => lit(r[c])).join(", ")})`).join(",\n")};`);
  }
}

const now = new Date();
const today = newYorkDate(now);
const lastSession = tradingDayOnOrBefore(new Date(Date.parse(today) - DAY).toISOString().slice(0, 10));
const barsBySymbol = new Map(SYMBOLS.map((s) => [s, syntheticDailyBars(s, SEED, lastSession, symbolProfile(s).spot, 300)]));

if (want("daily_bars")) insert("daily_bars", [...barsBySymbol].flatMap(([symbol, bars]) => bars.map((b) => ({ symbol, ...b, source: SOURCE }))));

if (want("sentiment_observations")) {
  const rows = SYMBOLS.flatMap((symbol) =>
    Array.from({ length: 20 }, (_, d) => {
      const day = new Date(Date.parse(today) - d * DAY).toISOString().slice(0, 10);
      return ["news", "social"].map((src) => {
        const r = seededRandom(`${SEED}:sentiment:${symbol}:${src}:${day}`);
        return { symbol, source: `${SOURCE}:${src}`, observed_at: `${day}T14:00:00.000Z`, score: Math.round(Math.max(-1, Math.min(1, 0.15 + 0.35 * r.normal())) * 1000) / 1000, mentions: Math.round(5 + 40 * r.uniform()) };
      });
    }).flat(),
  );
  insert("sentiment_observations", rows);
}

if (want("congress_trades")) {
  const types = ["purchase", "sale_partial", "purchase", "sale_full", "purchase"];
  const amounts: [string, number, number][] = [["$1,001 - $15,000", 1001, 15000], ["$15,001 - $50,000", 15001, 50000], ["$50,001 - $100,000", 50001, 100000]];
  const rows = Array.from({ length: 40 }, (_, i) => {
    const r = seededRandom(`${SEED}:congress:${i}`);
    const symbol = SYMBOLS[i % SYMBOLS.length];
    const tx = new Date(Date.parse(today) - Math.round(5 + 150 * r.uniform()) * DAY).toISOString().slice(0, 10);
    const lag = Math.round(8 + 40 * r.uniform());
    const disclosed = new Date(Math.min(Date.parse(tx) + lag * DAY, Date.parse(today))).toISOString().slice(0, 10);
    const [amount, lo, hi] = amounts[i % amounts.length];
    return {
      id: `seed-${i}`, chamber: i % 3 ? "house" : "senate", filer: `Synthetic Member ${String.fromCharCode(65 + (i % 9))}`, ticker: symbol,
      asset_description: `${symbolProfile(symbol).symbol} (synthetic)`, asset_type: "Stock", transaction_date: tx, disclosure_date: disclosed,
      type: types[i % types.length], amount_text: amount, amount_low: lo, amount_high: hi, owner: "self", source: SOURCE, ptr_link: null,
    };
  });
  insert("congress_trades", rows);
}

if (want("macro_events")) {
  // A plausible US schedule for the next four months: payrolls on the first Friday, CPI mid-month, an FOMC
  // decision every six weeks, all at their usual New York times (8:30 and 14:00; UTC offsets approximate).
  const rows: Record<string, unknown>[] = [];
  for (let m = 0; m < 5; m++) {
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + m, 1));
    const friday = new Date(first.getTime() + ((5 - first.getUTCDay() + 7) % 7) * DAY).toISOString().slice(0, 10);
    const cpi = new Date(first.getTime() + 11 * DAY).toISOString().slice(0, 10);
    rows.push({ id: `seed-nfp-${friday}`, time: `${friday}T13:30:00.000Z`, all_day: false, country: "US", currency: "USD", event: "Non-Farm Employment Change", importance: "high", actual: null, forecast: "150K", previous: "140K", source: SOURCE });
    rows.push({ id: `seed-cpi-${cpi}`, time: `${cpi}T13:30:00.000Z`, all_day: false, country: "US", currency: "USD", event: "CPI m/m", importance: "high", actual: null, forecast: "0.2%", previous: "0.3%", source: SOURCE });
    rows.push({ id: `seed-claims-${friday}`, time: `${new Date(Date.parse(friday) - DAY).toISOString().slice(0, 10)}T13:30:00.000Z`, all_day: false, country: "US", currency: "USD", event: "Unemployment Claims", importance: "medium", actual: null, forecast: "220K", previous: "218K", source: SOURCE });
  }
  for (let k = 1; k <= 3; k++) {
    const d = new Date(Date.parse(today) + (k * 42 - 20) * DAY).toISOString().slice(0, 10);
    rows.push({ id: `seed-fomc-${d}`, time: `${d}T19:00:00.000Z`, all_day: false, country: "US", currency: "USD", event: "FOMC Statement", importance: "high", actual: null, forecast: null, previous: null, source: SOURCE });
  }
  insert("macro_events", rows);
}

// IV history (260 sessions ending at the last session), RV and liquidity rows, then the feature rows they imply.
const ivRows: Record<string, unknown>[] = [];
const latestIv = new Map<string, { date: string; iv: number; ivRank: number | null; ivPercentile: number | null }>();
const rvRows: Record<string, unknown>[] = [];
const latestRv = new Map<string, { date: string; cc20: number | null; cc60: number | null; trendScore: number | null }>();
const liqRows: Record<string, unknown>[] = [];
for (const [symbol, bars] of barsBySymbol) {
  const vol = symbolProfile(symbol).vol;
  const series: number[] = [];
  for (const b of bars.slice(-260)) {
    const r = seededRandom(`${SEED}:iv:${symbol}:${b.date}`);
    series.push(Math.round(vol * (1 + 0.25 * Math.sin(series.length / 30) + 0.08 * r.normal()) * 10000) / 10000);
    const row = { date: b.date, iv: series.at(-1)!, ivRank: ivRank(series), ivPercentile: ivPercentile(series) };
    ivRows.push({ symbol, date: row.date, iv: row.iv, iv_rank: row.ivRank, iv_percentile: row.ivPercentile, source: SOURCE });
    latestIv.set(symbol, row);
  }
  const rv = realizedVolRow(bars);
  rvRows.push({ symbol, date: rv.date, cc20: rv.cc20, cc60: rv.cc60, parkinson20: rv.parkinson20, yang_zhang20: rv.yangZhang20, trend_score: rv.trendScore, source: SOURCE });
  latestRv.set(symbol, { date: rv.date!, cc20: rv.cc20, cc60: rv.cc60, trendScore: rv.trendScore });
  const p = symbolProfile(symbol);
  liqRows.push({ symbol, as_of: `${lastSession}T21:00:00.000Z`, contracts: p.indexLike ? 1800 : 900, quoted_share: 0.9 + 0.1 * p.liquidity - 0.05, median_spread_pct: Math.round((0.2 - 0.18 * p.liquidity) * 10000) / 10000, atm_spread_pct: Math.round((0.06 - 0.055 * p.liquidity) * 10000) / 10000, total_open_interest: Math.round(p.avgVolume / 20), total_volume: Math.round(p.avgVolume / 100), source: SOURCE });
}
if (want("atm_iv_history")) insert("atm_iv_history", ivRows);
if (want("realized_vol")) insert("realized_vol", rvRows);
if (want("liquidity_by_underlying")) insert("liquidity_by_underlying", liqRows);
if (want("feature_rows")) {
  const computedAt = `${today}T${String(now.getUTCHours()).padStart(2, "0")}:00:00.000Z`;
  insert(
    "feature_rows",
    liqRows.map((l) => {
      const s = l.symbol as string;
      const liq = { asOf: l.as_of as string, contracts: l.contracts as number, quotedShare: l.quoted_share as number, medianSpreadPct: l.median_spread_pct as number, atmSpreadPct: l.atm_spread_pct as number, totalOpenInterest: l.total_open_interest as number, totalVolume: l.total_volume as number };
      return { symbol: s, computed_at: computedAt, body: JSON.stringify(onlineFeatures(s, computedAt, latestIv.get(s), latestRv.get(s), liq)) };
    }),
  );
}

writeFileSync(out, `-- generated by scripts/seed/signals.ts on ${today}\n${lines.join("\n")}\n`);
console.log(`seed: signals SQL for ${only.length ? only.join(", ") : "every signals table"} -> ${out}`);

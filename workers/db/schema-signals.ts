/**
 * D1 tables of the signals and the feature store (re-exported by schema.ts, migrated by drizzle-kit).
 * Natural keys everywhere, so importers and jobs upsert: importing or running twice changes nothing.
 * `source` on every row says where it came from (an importer's format, `synthetic` seed data, or `computed`).
 */
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Daily OHLCV bars, oldest first by date (YYYY-MM-DD, the session's New York date). Prices in dollars. */
export const dailyBars = sqliteTable(
  "daily_bars",
  {
    symbol: text("symbol").notNull(),
    date: text("date").notNull(),
    open: real("open").notNull(),
    high: real("high").notNull(),
    low: real("low").notNull(),
    close: real("close").notNull(),
    volume: real("volume").notNull(),
    source: text("source").notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.date] })],
);

/** Sentiment observations: a score in -1..1 (bearish..bullish) from one source at one time. */
export const sentimentObservations = sqliteTable(
  "sentiment_observations",
  {
    symbol: text("symbol").notNull(),
    source: text("source").notNull(),
    observedAt: text("observed_at").notNull(),
    score: real("score").notNull(),
    /** How many items (posts, articles) the score summarises; null when the source does not say. */
    mentions: integer("mentions"),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.source, t.observedAt] })],
);

/**
 * Congressional trades from the periodic transaction reports (House/Senate Stock Watcher formats).
 * `id` is a hash of the record's content (plus its occurrence number among identical records of a file),
 * since the sources carry no id. Amounts are the PTR range bounds in dollars (high null for "Over $X").
 */
export const congressTrades = sqliteTable(
  "congress_trades",
  {
    id: text("id").primaryKey(),
    chamber: text("chamber", { enum: ["house", "senate"] }).notNull(),
    filer: text("filer").notNull(),
    ticker: text("ticker"),
    assetDescription: text("asset_description").notNull(),
    assetType: text("asset_type"),
    transactionDate: text("transaction_date").notNull(),
    disclosureDate: text("disclosure_date"),
    type: text("type", { enum: ["purchase", "sale", "sale_partial", "sale_full", "exchange", "other"] }).notNull(),
    amountText: text("amount_text").notNull(),
    amountLow: real("amount_low"),
    amountHigh: real("amount_high"),
    owner: text("owner"),
    source: text("source").notNull(),
    ptrLink: text("ptr_link"),
  },
  (t) => [index("congress_trades_ticker_date").on(t.ticker, t.transactionDate)],
);

/** Economic calendar. `time` is the UTC instant (midnight New York for all-day items); importance low..high. */
export const macroEvents = sqliteTable(
  "macro_events",
  {
    id: text("id").primaryKey(),
    time: text("time").notNull(),
    allDay: integer("all_day", { mode: "boolean" }).notNull().default(false),
    country: text("country").notNull(),
    currency: text("currency"),
    event: text("event").notNull(),
    importance: text("importance", { enum: ["low", "medium", "high", "holiday"] }).notNull(),
    actual: text("actual"),
    forecast: text("forecast"),
    previous: text("previous"),
    source: text("source").notNull(),
  },
  (t) => [index("macro_events_time").on(t.time)],
);

/**
 * ATM implied vol per session (30-day constant maturity, fraction per year), appended nightly. IV rank and
 * percentile over the 252 sessions ending on the row are materialised with it, so the online store copies them.
 */
export const atmIvHistory = sqliteTable(
  "atm_iv_history",
  {
    symbol: text("symbol").notNull(),
    date: text("date").notNull(),
    iv: real("iv").notNull(),
    ivRank: real("iv_rank"),
    ivPercentile: real("iv_percentile"),
    source: text("source").notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.date] })],
);

/** Realized volatility per session (fractions per year) and the trend score of the same bars (-1..1). */
export const realizedVol = sqliteTable(
  "realized_vol",
  {
    symbol: text("symbol").notNull(),
    date: text("date").notNull(),
    cc20: real("cc20"),
    cc60: real("cc60"),
    parkinson20: real("parkinson20"),
    yangZhang20: real("yang_zhang20"),
    trendScore: real("trend_score"),
    source: text("source").notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.date] })],
);

/** Option liquidity aggregates per underlying, rebuilt nightly from the chain. Spreads as a fraction of mid. */
export const liquidityByUnderlying = sqliteTable("liquidity_by_underlying", {
  symbol: text("symbol").primaryKey(),
  asOf: text("as_of").notNull(),
  contracts: integer("contracts").notNull(),
  quotedShare: real("quoted_share").notNull(),
  medianSpreadPct: real("median_spread_pct"),
  atmSpreadPct: real("atm_spread_pct"),
  totalOpenInterest: integer("total_open_interest").notNull(),
  totalVolume: integer("total_volume").notNull(),
  source: text("source").notNull(),
});

/**
 * The offline copy of the online features: one row per symbol and hourly run. KV `features:{symbol}` always
 * holds the body of the latest row (written by the same run).
 */
export const featureRows = sqliteTable(
  "feature_rows",
  {
    symbol: text("symbol").notNull(),
    computedAt: text("computed_at").notNull(),
    /** The OnlineFeatures document (schemas/signals.ts) as JSON. */
    body: text("body").notNull(),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.computedAt] })],
);

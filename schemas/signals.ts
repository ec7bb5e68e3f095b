import { z } from "zod";
import { DataSource, IsoDate, Provenance, Ticker, Timestamp } from "./common";

const Part = Provenance.extend({
  fallback: z.boolean().describe("true when the part is synthetic because its source had no data"),
});

export const Trend = z.enum(["up", "down", "sideways"]);

export const SignalsBundle = z.object({
  symbol: Ticker,
  technical: Part.extend({
    trend: Trend,
    sma20: z.number().nullable(),
    sma50: z.number().nullable(),
    rsi14: z.number().min(0).max(100).nullable().describe("Wilder RSI over 14 sessions"),
    realizedVol20: z.number().nonnegative().nullable().describe("close-to-close, annualised (252), 0.2 = 20%"),
    momentum20: z.number().nullable().describe("20-session return, 0.05 = +5%"),
    // Added with the D1-backed signals; optional so documents written before them still parse.
    sessions: z.number().int().nonnegative().optional().describe("daily bars the indicators were computed on"),
    lastClose: z.number().positive().nullable().optional(),
    ema20: z.number().nullable().optional(),
    macd: z.object({ line: z.number(), signal: z.number(), histogram: z.number() }).nullable().optional().describe("MACD(12,26,9), dollars"),
    bollinger: z
      .object({
        upper: z.number(),
        middle: z.number(),
        lower: z.number(),
        percentB: z.number().describe("(close-lower)/(upper-lower): 0 at the lower band, 1 at the upper"),
        bandwidth: z.number().nonnegative().describe("(upper-lower)/middle"),
      })
      .nullable()
      .optional()
      .describe("Bollinger(20, 2)"),
    atr14: z.number().nonnegative().nullable().optional().describe("Wilder ATR over 14 sessions, dollars"),
    adx14: z.number().min(0).max(100).nullable().optional().describe("trend strength; above 25 trending"),
    plusDi14: z.number().min(0).max(100).nullable().optional(),
    minusDi14: z.number().min(0).max(100).nullable().optional(),
    realizedVol: z
      .object({
        closeToClose20: z.number().nonnegative().nullable(),
        closeToClose60: z.number().nonnegative().nullable(),
        parkinson20: z.number().nonnegative().nullable(),
        yangZhang20: z.number().nonnegative().nullable(),
      })
      .optional()
      .describe("annualised (252), 0.2 = 20%"),
    volatilityRegime: z
      .enum(["low", "normal", "high", "unknown"])
      .optional()
      .describe("20-session realized vol against its own past year: below the 25th percentile low, above the 75th high"),
    momentum: z.enum(["positive", "negative", "neutral"]).optional().describe("RSI, MACD histogram and 20-session return together"),
    trendScore: z.number().min(-1).max(1).nullable().optional().describe("-1 strong downtrend .. +1 strong uptrend"),
  }),
  sentiment: Part.extend({
    level: z.number().min(-1).max(1).nullable(),
    change: z.number().nullable(),
    count: z.number().int().nonnegative(),
    sources: z.array(z.string()),
    windowDays: z.number().int().positive().optional().describe("level = mean score over this many days; change = against the window before"),
  }),
  congress: Part.extend({
    netActivity90d: z.number().int().describe("purchases minus sales over 90 days"),
    mostRecent: z
      .object({
        filer: z.string(),
        type: z.string(),
        transactionDate: z.string(),
        disclosureDate: z.string().nullable(),
        disclosureLagDays: z.number().int().nullable(),
        chamber: z.enum(["house", "senate"]).optional(),
        amount: z.string().optional().describe("the PTR amount range as filed"),
      })
      .nullable(),
    windowDays: z.number().int().positive().optional().describe("by transaction date, ending at asOf"),
    purchases: z.number().int().nonnegative().optional(),
    sales: z.number().int().nonnegative().optional(),
    filers: z.number().int().nonnegative().optional().describe("distinct members trading inside the window"),
    medianDisclosureLagDays: z
      .number()
      .nullable()
      .optional()
      .describe("filings trail trades by up to 45 days: recent activity is under-counted by about this much"),
  }),
  macro: Part.extend({
    events: z.array(
      z.object({
        time: z.string(),
        country: z.string(),
        event: z.string(),
        importance: z.enum(["low", "medium", "high"]),
        daysAhead: z.number().int().nonnegative().optional().describe("calendar days from asOf"),
        windows: z.array(z.string()).optional().describe("presets whose DTE window contains the event"),
        forecast: z.string().nullable().optional(),
        previous: z.string().nullable().optional(),
      }),
    ),
    windowDays: z.number().int().nonnegative().optional().describe("how far ahead events are listed"),
  }),
  outlook: z.enum(["bullish", "bearish", "neutral"]).describe("direction the signals lean to"),
  outlookVotes: z
    .array(
      z.object({
        source: z.enum(["technical", "sentiment", "congress"]),
        vote: z.number().min(-1).max(1).describe("+ bullish, - bearish; technical weighs 1, sentiment 0.5, congress 0.25"),
        reason: z.string(),
      }),
    )
    .optional()
    .describe("how the outlook was reached: the votes sum to bullish at +0.75 or more, bearish at -0.75 or less"),
});
export type SignalsBundle = z.infer<typeof SignalsBundle>;

// ------------------------------------------------------------------------------------------------------------
// Importers (CLI and POST /api/admin/import/:kind): rows as stored, validated one by one.

export const ImportKind = z.enum(["bars", "congress", "macro", "sentiment"]).describe("what the file holds");
export type ImportKind = z.infer<typeof ImportKind>;

/** A daily bar row: prices in dollars, volume in shares; high/low must bracket open and close. */
export const BarRow = z
  .object({
    symbol: Ticker,
    date: IsoDate,
    open: z.number().positive(),
    high: z.number().positive(),
    low: z.number().positive(),
    close: z.number().positive(),
    volume: z.number().nonnegative(),
    source: z.string().min(1).max(64),
  })
  .refine((b) => b.high >= Math.max(b.open, b.close, b.low) && b.low <= Math.min(b.open, b.close), {
    message: "high must be the highest and low the lowest of open, high, low, close",
    path: ["high"],
  });
export type BarRow = z.infer<typeof BarRow>;

export const SentimentRow = z.object({
  symbol: Ticker,
  source: z.string().min(1).max(64),
  observedAt: Timestamp,
  score: z.number().min(-1).max(1).describe("-1 bearish .. +1 bullish"),
  mentions: z.number().int().nonnegative().nullable(),
});
export type SentimentRow = z.infer<typeof SentimentRow>;

export const CongressTradeType = z.enum(["purchase", "sale", "sale_partial", "sale_full", "exchange", "other"]);

export const CongressTradeRow = z
  .object({
    id: z.string().min(1),
    chamber: z.enum(["house", "senate"]),
    filer: z.string().min(1).max(200),
    ticker: Ticker.nullable().describe("null when the filing names no ticker ('--')"),
    assetDescription: z.string().max(2000),
    assetType: z.string().max(100).nullable(),
    transactionDate: IsoDate,
    disclosureDate: IsoDate.nullable().describe("null when the source format does not carry it"),
    type: CongressTradeType,
    amountText: z.string().max(100),
    amountLow: z.number().nonnegative().nullable().describe("lower bound of the PTR range, dollars"),
    amountHigh: z.number().nonnegative().nullable().describe("upper bound, dollars; null for 'Over $X'"),
    owner: z.string().max(50).nullable(),
    source: z.string().min(1).max(64),
    ptrLink: z.string().max(500).nullable(),
  })
  .refine((t) => t.disclosureDate === null || t.disclosureDate >= t.transactionDate, {
    message: "disclosed before the transaction date",
    path: ["disclosureDate"],
  });
export type CongressTradeRow = z.infer<typeof CongressTradeRow>;

export const MacroImportance = z.enum(["low", "medium", "high", "holiday"]);

export const MacroEventRow = z.object({
  id: z.string().min(1),
  time: Timestamp.describe("UTC instant; New York midnight for all-day items"),
  allDay: z.boolean(),
  country: z.string().min(2).max(8).describe("ISO country code, EU for the euro area, ALL for every market"),
  currency: z.string().max(8).nullable(),
  event: z.string().min(1).max(300),
  importance: MacroImportance,
  actual: z.string().max(50).nullable(),
  forecast: z.string().max(50).nullable(),
  previous: z.string().max(50).nullable(),
  source: z.string().min(1).max(64),
});
export type MacroEventRow = z.infer<typeof MacroEventRow>;

/** A row the importer refused: where it is in the file and why. */
export const ImportRejection = z.object({
  line: z.number().int().positive().nullable().describe("1-based line of the file (CSV: the record's first line); null for JSON"),
  record: z.number().int().positive().describe("1-based record number among the file's data records"),
  field: z.string().nullable(),
  reason: z.string(),
});
export type ImportRejection = z.infer<typeof ImportRejection>;

/** What an import did. `changed` counts rows inserted or updated: importing the same file again gives 0. */
export const ImportResult = z.object({
  kind: ImportKind,
  format: z.string().describe("detected format, e.g. house-stock-watcher-json or forexfactory-csv"),
  received: z.number().int().nonnegative().describe("data records in the file"),
  accepted: z.number().int().nonnegative(),
  rejected: z.array(ImportRejection),
  rejectedCount: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
});
export type ImportResult = z.infer<typeof ImportResult>;

// ------------------------------------------------------------------------------------------------------------
// Feature store

/** Online features of a symbol (KV `features:{symbol}`), equal to the latest offline row of feature_rows. */
export const OnlineFeatures = z.object({
  symbol: Ticker,
  computedAt: Timestamp.describe("the scheduled time of the hourly run that wrote it"),
  version: z.string(),
  source: DataSource,
  fallback: z.boolean().describe("true when some input table had no row for the symbol"),
  missing: z.array(z.string()).describe("offline tables with no row for the symbol"),
  ivDate: IsoDate.nullable().describe("session of the latest ATM IV row"),
  atmIv: z.number().positive().nullable().describe("30-day ATM implied vol, 0.25 = 25%"),
  ivRank: z.number().min(0).max(100).nullable().describe("over 252 sessions, 0..100"),
  ivPercentile: z.number().min(0).max(100).nullable().describe("over 252 sessions, 0..100"),
  rvDate: IsoDate.nullable().describe("session of the latest realized-vol row"),
  rv20: z.number().nonnegative().nullable().describe("close-to-close over 20 sessions, annualised"),
  rv60: z.number().nonnegative().nullable().describe("close-to-close over 60 sessions, annualised"),
  ivRv: z.number().nonnegative().nullable().describe("atmIv / rv20"),
  trendScore: z.number().min(-1).max(1).nullable().describe("-1 strong downtrend .. +1 strong uptrend"),
  liquidity: z
    .object({
      asOf: Timestamp,
      contracts: z.number().int().nonnegative(),
      quotedShare: z.number().min(0).max(1),
      medianSpreadPct: z.number().nonnegative().nullable().describe("(ask-bid)/mid, 0.05 = 5%"),
      atmSpreadPct: z.number().nonnegative().nullable(),
      totalOpenInterest: z.number().int().nonnegative(),
      totalVolume: z.number().int().nonnegative(),
    })
    .nullable(),
});
export type OnlineFeatures = z.infer<typeof OnlineFeatures>;

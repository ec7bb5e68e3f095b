import { z } from "zod";
import { DataSource, IsoDate, Ticker, Timestamp } from "./common";

export const OptionType = z.enum(["call", "put"]);
export type OptionType = z.infer<typeof OptionType>;

/** Latest NBBO-style quote of an underlying. */
export const Quote = z.object({
  symbol: Ticker,
  bid: z.number().nonnegative(),
  ask: z.number().nonnegative(),
  last: z.number().positive(),
  mid: z.number().positive(),
  bidSize: z.number().int().nonnegative().describe("shares"),
  askSize: z.number().int().nonnegative().describe("shares"),
  prevClose: z.number().positive(),
  change: z.number().describe("last - prevClose, dollars"),
  changePct: z.number().describe("percent, 1.5 = 1.5%"),
  volume: z.number().int().nonnegative().describe("shares traded today"),
  timestamp: Timestamp,
  source: DataSource,
  stale: z.boolean().describe("true when the feed has been silent past the staleness threshold"),
});
export type Quote = z.infer<typeof Quote>;

/**
 * Greeks in the units a trader reads off a screen: delta per $1 of underlying, gamma per $1,
 * vega per 1 vol point (1%), theta per calendar day, rho per 1% of rate. All per one share.
 */
export const DisplayGreeks = z.object({
  delta: z.number(),
  gamma: z.number(),
  vega: z.number().describe("dollars per 1 volatility point (0.01)"),
  theta: z.number().describe("dollars per calendar day"),
  rho: z.number().describe("dollars per 1% of rate"),
});
export type DisplayGreeks = z.infer<typeof DisplayGreeks>;

export const OptionContract = z.object({
  ticker: z
    .string()
    .regex(/^O:[A-Z]{1,6}\d?\d{6}[CP]\d{8}$/)
    .describe("OCC symbol in Polygon form, e.g. O:SPY261218C00650000"),
  underlying: Ticker,
  type: OptionType,
  strike: z.number().positive(),
  expiration: IsoDate,
  dte: z.number().int().nonnegative().describe("calendar days to expiration"),
  bid: z.number().nonnegative(),
  ask: z.number().nonnegative(),
  mid: z.number().nonnegative(),
  bidSize: z.number().int().nonnegative().describe("contracts at the bid"),
  askSize: z.number().int().nonnegative().describe("contracts at the ask"),
  last: z.number().nonnegative().nullable(),
  volume: z.number().int().nonnegative(),
  openInterest: z.number().int().nonnegative(),
  iv: z.number().positive().nullable().describe("implied volatility from the mid, annualised, 0.25 = 25%"),
  greeks: DisplayGreeks.nullable().describe("null when IV cannot be identified from the quote"),
  multiplier: z.number().int().positive().describe("shares per contract, 100 for standard US options"),
  exerciseStyle: z.enum(["american", "european"]),
  updatedAt: Timestamp,
});
export type OptionContract = z.infer<typeof OptionContract>;

export const OptionChain = z.object({
  underlying: Ticker,
  underlyingPrice: z.number().positive(),
  rate: z.number().describe("continuously compounded risk-free rate used for IV and Greeks"),
  dividendYield: z.number().describe("continuous dividend yield used for IV and Greeks"),
  dividendYieldStale: z
    .boolean()
    .optional()
    .describe("live chains: true when the last dividends request failed, so dividendYield is the last known value (0 if none was ever fetched)"),
  expirations: z.array(IsoDate),
  contracts: z.array(OptionContract),
  asOf: Timestamp,
  source: DataSource,
  stale: z.boolean(),
});
export type OptionChain = z.infer<typeof OptionChain>;

/** Query filters of GET /api/chains/:symbol. */
export const ChainFilter = z
  .object({
    expiry: IsoDate.optional(),
    type: OptionType.optional(),
    minDelta: z.coerce.number().min(-1).max(1).optional(),
    maxDelta: z.coerce.number().min(-1).max(1).optional(),
    minDte: z.coerce.number().int().min(0).max(1100).optional(),
    maxDte: z.coerce.number().int().min(0).max(1100).optional(),
  })
  .strict()
  .refine((f) => f.minDelta === undefined || f.maxDelta === undefined || f.minDelta <= f.maxDelta, {
    message: "minDelta must not exceed maxDelta",
    path: ["minDelta"],
  })
  .refine((f) => f.minDte === undefined || f.maxDte === undefined || f.minDte <= f.maxDte, {
    message: "minDte must not exceed maxDte",
    path: ["minDte"],
  });
export type ChainFilter = z.infer<typeof ChainFilter>;

/** A daily bar. */
export const Bar = z.object({
  date: IsoDate,
  open: z.number().positive(),
  high: z.number().positive(),
  low: z.number().positive(),
  close: z.number().positive(),
  volume: z.number().nonnegative(),
});
export type Bar = z.infer<typeof Bar>;

/** GET /api/symbols/:symbol/bars: daily bars, oldest first. */
export const BarSeries = z.object({
  symbol: Ticker,
  bars: z.array(Bar),
  source: DataSource,
  asOf: Timestamp,
  stale: z.boolean(),
});
export type BarSeries = z.infer<typeof BarSeries>;

export const BarsQuery = z
  .object({ sessions: z.coerce.number().int().min(1).max(1000).default(120).describe("trading sessions, newest last") })
  .strict();

/** SymbolRoom.summary(): the quote and the size of a chain window, without the contracts (a cheap first answer). */
export const MarketSummary = z.object({
  quote: Quote,
  expirations: z.number().int().nonnegative(),
  contracts: z.number().int().nonnegative().describe("contracts in the requested window"),
  chainSource: DataSource,
  chainStale: z.boolean(),
});
export type MarketSummary = z.infer<typeof MarketSummary>;

/** What SymbolRoom.snapshot() answers over RPC. */
export const MarketSnapshot = z.object({
  quote: Quote,
  chain: OptionChain,
});
export type MarketSnapshot = z.infer<typeof MarketSnapshot>;

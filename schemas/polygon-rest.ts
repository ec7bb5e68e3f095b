/**
 * Polygon (Massive) REST responses as the vendor sends them (see shared/polygon-protocol.md section 2).
 *
 * These describe the WIRE, not our domain: field names are the vendor's, nanosecond timestamps stay plain
 * numbers (JSON.parse has already rounded them to ~100-250 ns; fine for freshness and ordering, not for
 * dedupe keys), and every object is loose so a key the vendor adds tomorrow does not fail validation.
 * What we rely on downstream is required; what the doc says may be absent (plan-dependent blocks, greeks on
 * deep ITM contracts, exchange ids) is optional.
 */
import { z } from "zod";

/** Unix nanoseconds. Not `.int()`: zod's int is limited to safe integers and these are ~1.7e18. */
const Nanos = z.number().describe("Unix epoch nanoseconds (precision lost above 2^53 by JSON.parse)");
/** Unix milliseconds (aggregate window starts). */
const Millis = z.number().describe("Unix epoch milliseconds");

/**
 * `status` of a 200 body: "OK", or "DELAYED" for delayed-data plans (same shape). Kept as a free string because
 * the doc says to treat any 200 with a parseable body as success rather than enumerate statuses.
 */
export const PolygonStatus = z.string().describe('"OK" | "DELAYED" (others tolerated)');

/** Error body (4xx/5xx): 401/429 put the text in `error`, 403 NOT_AUTHORIZED puts it in `message`. */
export const PolygonErrorBody = z.looseObject({
  status: z.string().optional(),
  request_id: z.string().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});
export type PolygonErrorBody = z.infer<typeof PolygonErrorBody>;

/**
 * Envelope of a list endpoint, items left unchecked: the client validates each item on its own so one bad
 * contract is counted and skipped instead of failing the whole page. `results` is absent on empty pages.
 */
export const PolygonListEnvelope = z.looseObject({
  status: PolygonStatus,
  request_id: z.string().optional(),
  next_url: z.string().optional(),
  results: z.array(z.unknown()).optional(),
});
export type PolygonListEnvelope = z.infer<typeof PolygonListEnvelope>;

// ---------------------------------------------------------------------------------------------------------------
// /v2/last/nbbo/{stocksTicker}

/** Last NBBO of a stock. Lower case = bid, upper case = ask. Sizes are shares for data after 2025-11-03. */
export const PolygonLastNbbo = z.looseObject({
  T: z.string().describe("ticker"),
  p: z.number().describe("bid price"),
  s: z.number().describe("bid size"),
  P: z.number().describe("ask price"),
  S: z.number().describe("ask size"),
  t: Nanos.describe("SIP timestamp, ns"),
  x: z.number().optional().describe("bid exchange id"),
  X: z.number().optional().describe("ask exchange id"),
  c: z.array(z.number()).optional().describe("condition codes"),
  i: z.array(z.number()).optional().describe("indicator codes"),
  q: z.number().optional().describe("sequence number"),
  y: Nanos.optional().describe("exchange timestamp, ns"),
  f: Nanos.optional().describe("TRF timestamp, ns"),
  z: z.number().optional().describe("tape 1/2/3"),
});
export type PolygonLastNbbo = z.infer<typeof PolygonLastNbbo>;

export const PolygonLastNbboResponse = z.looseObject({
  status: PolygonStatus,
  request_id: z.string().optional(),
  results: PolygonLastNbbo,
});
export type PolygonLastNbboResponse = z.infer<typeof PolygonLastNbboResponse>;

// ---------------------------------------------------------------------------------------------------------------
// /v2/aggs/ticker/{t}/range/... and /v2/aggs/ticker/{t}/prev

/** One aggregate bar. `t` is the window start in ms (daily bars: midnight US/Eastern of the session). */
export const PolygonAggBar = z.looseObject({
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number().describe("volume (shares, or contracts for options)"),
  t: Millis.describe("window start, ms"),
  vw: z.number().optional().describe("VWAP of the window"),
  n: z.number().optional().describe("number of trades"),
  otc: z.boolean().optional(),
  T: z.string().optional().describe("ticker (prev-close and grouped endpoints)"),
});
export type PolygonAggBar = z.infer<typeof PolygonAggBar>;

export const PolygonAggsResponse = z.looseObject({
  status: PolygonStatus,
  request_id: z.string().optional(),
  ticker: z.string().optional(),
  adjusted: z.boolean().optional(),
  queryCount: z.number().optional(),
  resultsCount: z.number().optional(),
  next_url: z.string().optional(),
  results: z.array(PolygonAggBar).optional(),
});
export type PolygonAggsResponse = z.infer<typeof PolygonAggsResponse>;

/** Previous-day bar: same envelope, `results` holds at most one bar (none for an unknown ticker). */
export const PolygonPrevCloseResponse = PolygonAggsResponse;
export type PolygonPrevCloseResponse = PolygonAggsResponse;

// ---------------------------------------------------------------------------------------------------------------
// /v3/snapshot/options/{underlyingAsset} (and /{optionContract})

export const PolygonOptionDay = z.looseObject({
  // All optional: a contract that has not traded this session has little or nothing to report here, and a
  // missing day figure must not cost us the contract's quote.
  open: z.number().optional(),
  high: z.number().optional(),
  low: z.number().optional(),
  close: z.number().optional(),
  volume: z.number().optional(),
  vwap: z.number().optional(),
  change: z.number().optional(),
  change_percent: z.number().optional(),
  previous_close: z.number().optional(),
  last_updated: Nanos.optional(),
});

export const PolygonOptionDetails = z.looseObject({
  contract_type: z.enum(["call", "put", "other"]),
  exercise_style: z.enum(["american", "european", "bermudan"]),
  expiration_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD"),
  strike_price: z.number(),
  // Adjusted contracts deliver != 100 shares; never assume the multiplier.
  shares_per_contract: z.number(),
  ticker: z.string().describe("option ticker, O:..."),
});

/** Vendor greeks (Black-Scholes). The whole block or single keys are missing e.g. deep ITM (`"greeks": {}`). */
export const PolygonOptionGreeks = z.looseObject({
  delta: z.number().optional(),
  gamma: z.number().optional(),
  theta: z.number().optional(),
  vega: z.number().optional(),
});

export const PolygonOptionLastQuote = z.looseObject({
  bid: z.number(),
  ask: z.number(),
  midpoint: z.number(),
  bid_size: z.number().describe("contracts"),
  ask_size: z.number().describe("contracts"),
  last_updated: Nanos,
  // The vendor's own OpenAPI example omits timeframe, so it cannot be required.
  timeframe: z.string().optional().describe('"REAL-TIME" | "DELAYED"'),
  bid_exchange: z.number().optional(),
  ask_exchange: z.number().optional(),
});

export const PolygonOptionLastTrade = z.looseObject({
  price: z.number().describe("premium per share"),
  size: z.number().describe("contracts"),
  sip_timestamp: Nanos,
  exchange: z.number().optional(),
  conditions: z.array(z.number()).optional(),
  participant_timestamp: Nanos.optional(),
  timeframe: z.string().optional(),
});

export const PolygonUnderlyingAsset = z.looseObject({
  ticker: z.string(),
  price: z.number().optional().describe("stocks"),
  value: z.number().optional().describe("indices"),
  change_to_break_even: z.number().optional(),
  last_updated: Nanos.optional(),
  timeframe: z.string().optional(),
});

/** One contract of the chain snapshot. Plan-dependent blocks (quote, trade, underlying, greeks) are optional. */
export const PolygonOptionSnapshot = z.looseObject({
  break_even_price: z.number(),
  day: PolygonOptionDay,
  details: PolygonOptionDetails,
  greeks: PolygonOptionGreeks.optional(),
  implied_volatility: z.number().optional().describe("decimal fraction, 0.2449 = 24.49%"),
  open_interest: z.number().optional().describe("prior session end-of-day"),
  fmv: z.number().optional(),
  last_quote: PolygonOptionLastQuote.optional(),
  last_trade: PolygonOptionLastTrade.optional(),
  underlying_asset: PolygonUnderlyingAsset.optional(),
});
export type PolygonOptionSnapshot = z.infer<typeof PolygonOptionSnapshot>;

/** A whole chain page, items checked (for consumers that want strict all-or-nothing validation). */
export const PolygonOptionChainResponse = z.looseObject({
  status: PolygonStatus,
  request_id: z.string().optional(),
  next_url: z.string().optional(),
  results: z.array(PolygonOptionSnapshot).optional(),
});
export type PolygonOptionChainResponse = z.infer<typeof PolygonOptionChainResponse>;

/** Single-contract snapshot: same item, `results` is an object. */
export const PolygonOptionContractResponse = z.looseObject({
  status: PolygonStatus,
  request_id: z.string().optional(),
  results: PolygonOptionSnapshot,
});
export type PolygonOptionContractResponse = z.infer<typeof PolygonOptionContractResponse>;

// ---------------------------------------------------------------------------------------------------------------
// /v3/reference/dividends

/**
 * One cash distribution. `dividend_type`: CD regular cash, SC special cash, LT/ST long/short-term capital gain;
 * kept a free string so a type the vendor adds later is skipped by the consumer rather than failing the page.
 * `frequency`: payments per year (0 one-time, 1, 2, 4, 12; the vendor also knows 24 and 52).
 */
export const PolygonDividend = z.looseObject({
  cash_amount: z.number().describe("per share, in `currency`"),
  ex_dividend_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD"),
  dividend_type: z.string().describe('"CD" | "SC" | "LT" | "ST"'),
  frequency: z.number().optional().describe("payments per year, 0 = one-time"),
  ticker: z.string(),
  currency: z.string().optional(),
  declaration_date: z.string().optional(),
  pay_date: z.string().optional(),
  record_date: z.string().optional(),
  id: z.string().optional(),
});
export type PolygonDividend = z.infer<typeof PolygonDividend>;

/**
 * Live option state (pure): applying streamed quotes and trades to contracts and re-marking IV and Greeks from
 * the new mid. Used by SymbolRoom for the Polygon feed; the synthetic market marks its own chain.
 */
import type { FeedQuote, FeedTrade } from "../../schemas/polygon-ws";
import type { OptionContract, Quote } from "../../schemas";
import { bsGreeks, impliedVol, toDisplayGreeks } from "../analytics";
import { calendarDte, expiryCloseUtc, yearsBetween } from "./calendar";

export type MarkInputs = { spot: number; rate: number; dividendYield: number; now: Date };

/** Re-derives mid, DTE, IV (from the mid) and display Greeks of a contract; null IV when not identifiable. */
export function remark(c: OptionContract, m: MarkInputs): OptionContract {
  const mid = c.bid > 0 || c.ask > 0 ? (c.bid + c.ask) / 2 : 0;
  const years = yearsBetween(m.now, expiryCloseUtc(c.expiration));
  const dte = Math.max(0, calendarDte(m.now, c.expiration));
  let iv: number | null = null;
  let greeks: OptionContract["greeks"] = null;
  if (mid > 0 && years > 0 && m.spot > 0) {
    const base = { kind: c.type, spot: m.spot, strike: c.strike, years, rate: m.rate, dividendYield: m.dividendYield };
    iv = impliedVol({ ...base, price: mid });
    if (iv !== null) greeks = toDisplayGreeks(bsGreeks({ ...base, vol: iv }));
  }
  return { ...c, mid, dte, iv, greeks };
}

/** Applies a streamed NBBO quote unless it is older than what the contract holds. Returns null when ignored. */
export function applyOptionQuote(c: OptionContract, q: FeedQuote, m: MarkInputs): OptionContract | null {
  if (Date.parse(c.updatedAt) > q.t) return null;
  return remark({ ...c, bid: q.bid, ask: q.ask, bidSize: Math.round(q.bidSize), askSize: Math.round(q.askSize), updatedAt: new Date(q.t).toISOString() }, m);
}

/** Applies option trades: last price and the day's volume in contracts. */
export function applyOptionTrades(c: OptionContract, trades: readonly FeedTrade[]): OptionContract {
  if (trades.length === 0) return c;
  const last = trades.reduce((a, b) => (b.t >= a.t ? b : a));
  return { ...c, last: last.price, volume: c.volume + Math.round(trades.reduce((s, t) => s + t.size, 0)) };
}

/** Applies an underlying NBBO quote (sizes in shares) unless older than the held quote. */
export function applyStockQuote(prev: Quote, q: FeedQuote): Quote | null {
  if (Date.parse(prev.timestamp) > q.t) return null;
  if (!(q.bid > 0 && q.ask > 0 && q.ask >= q.bid)) return null; // a crossed or empty NBBO is not a price
  const mid = Math.round(((q.bid + q.ask) / 2) * 1e4) / 1e4;
  return { ...prev, bid: q.bid, ask: q.ask, mid, bidSize: Math.round(q.bidSize), askSize: Math.round(q.askSize), timestamp: new Date(q.t).toISOString(), stale: false };
}

/** Applies underlying trades: last price, change against the previous close, volume. */
export function applyStockTrades(prev: Quote, trades: readonly FeedTrade[]): Quote {
  if (trades.length === 0) return prev;
  const latest = trades.reduce((a, b) => (b.t >= a.t ? b : a));
  const last = latest.price > 0 ? latest.price : prev.last;
  const change = Math.round((last - prev.prevClose) * 100) / 100;
  const newer = Date.parse(prev.timestamp) < latest.t;
  return {
    ...prev,
    last,
    change,
    changePct: Math.round(((last - prev.prevClose) / prev.prevClose) * 1e6) / 1e4,
    volume: prev.volume + Math.round(trades.reduce((s, t) => s + t.size, 0)),
    timestamp: newer ? new Date(latest.t).toISOString() : prev.timestamp,
    stale: false,
  };
}

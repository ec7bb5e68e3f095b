/** Vendor REST shapes -> our contracts (pure). IV and Greeks are recomputed by us, not taken from the vendor. */
import type { OptionContract, Quote } from "../../../schemas";
import type { PolygonAggBar, PolygonLastNbbo, PolygonOptionSnapshot } from "../../../schemas/polygon-rest";

/** Nanoseconds (as a lossy JS number) to an ISO timestamp; ms precision is all we keep. */
export const nsToIso = (ns: number) => new Date(Math.floor(ns / 1e6)).toISOString();

/**
 * One chain-snapshot row as a contract, or null for what we do not trade ("other" types). Quotes missing from the
 * plan come through as a zero bid/ask (the risk filters reject them); the multiplier is the vendor's
 * shares_per_contract, never assumed (adjusted contracts differ).
 */
export function contractFromSnapshot(s: PolygonOptionSnapshot, underlying: string, fallbackIso: string): OptionContract | null {
  const d = s.details;
  if (d.contract_type !== "call" && d.contract_type !== "put") return null;
  if (!(d.strike_price > 0) || !/^O:[A-Z]{1,6}\d?\d{6}[CP]\d{8}$/.test(d.ticker)) return null;
  const bid = s.last_quote?.bid ?? 0;
  const ask = s.last_quote?.ask ?? 0;
  return {
    ticker: d.ticker,
    underlying,
    type: d.contract_type,
    strike: d.strike_price,
    expiration: d.expiration_date,
    dte: 0,
    bid: Math.max(0, bid),
    ask: Math.max(0, ask),
    mid: 0,
    bidSize: Math.max(0, Math.round(s.last_quote?.bid_size ?? 0)),
    askSize: Math.max(0, Math.round(s.last_quote?.ask_size ?? 0)),
    last: s.last_trade?.price ?? null,
    volume: Math.max(0, Math.round(s.day?.volume ?? 0)),
    openInterest: Math.max(0, Math.round(s.open_interest ?? 0)),
    iv: null,
    greeks: null,
    multiplier: Math.max(1, Math.round(d.shares_per_contract || 100)),
    exerciseStyle: d.exercise_style === "european" ? "european" : "american",
    updatedAt: s.last_quote ? nsToIso(s.last_quote.last_updated) : fallbackIso,
  };
}

/** The underlying's quote from the last NBBO and the previous session's bar. */
export function quoteFromRest(symbol: string, nbbo: PolygonLastNbbo, prev: PolygonAggBar | null): Quote {
  const mid = Math.round(((nbbo.p + nbbo.P) / 2) * 1e4) / 1e4; // no binary noise like 346.59000000000003
  const prevClose = prev?.c && prev.c > 0 ? prev.c : mid;
  return {
    symbol,
    bid: nbbo.p,
    ask: nbbo.P,
    last: mid,
    mid,
    bidSize: Math.round(nbbo.s),
    askSize: Math.round(nbbo.S),
    prevClose,
    change: Math.round((mid - prevClose) * 100) / 100,
    changePct: Math.round(((mid - prevClose) / prevClose) * 1e6) / 1e4,
    volume: 0,
    timestamp: nsToIso(nbbo.t),
    source: "polygon",
    stale: false,
  };
}

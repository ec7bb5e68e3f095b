/**
 * The feature vector the GBDT scorer sees for one candidate contract (pure). The backtest that labels the
 * training rows and the live pipeline both build rows here, so training and serving cannot drift apart.
 * Missing inputs are NaN (the model learnt a default direction for them).
 */
import type { OptionContract, SignalsBundle } from "../../schemas";

/** Feature order of the model; bump MODEL_FEATURES_VERSION when it changes (old models then no longer load). */
export const MODEL_FEATURES = [
  "abs_delta", // |delta|, 0..1
  "dte", // calendar days to expiry
  "iv", // implied volatility, annualised (0.25 = 25%)
  "iv_over_rv", // IV / 20-session realized vol
  "spread_pct", // (ask - bid) / mid
  "otm_log_moneyness", // ln(K/S) for calls, ln(S/K) for puts: > 0 out of the money
  "momentum_aligned", // 20-session return, sign flipped for puts: > 0 = the trend is with the trade
  "rsi14", // Wilder RSI, 0..100
  "breakeven_sigmas", // move to breakeven at the ask in one-sigma units (IV x sqrt(T)); > 0 = must move
  "premium_pct_spot", // ask / spot
  "log_open_interest", // ln(1 + open interest)
] as const;
export const MODEL_FEATURES_VERSION = "features/1";
export type ModelFeatureName = (typeof MODEL_FEATURES)[number];

export type MarketContext = { spot: number; realizedVol20: number | null; momentum20: number | null; rsi14: number | null };

export function marketContext(spot: number, signals: SignalsBundle): MarketContext {
  const t = signals.technical;
  return { spot, realizedVol20: t.realizedVol20, momentum20: t.momentum20, rsi14: t.rsi14 };
}

const orNaN = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? Number.NaN : x);

/** The model row of a contract that passed the filters (it has IV and Greeks). `years` to expiry at the close. */
export function featureRow(c: OptionContract, m: MarketContext, years: number): Float64Array {
  const sign = c.type === "call" ? 1 : -1;
  const iv = orNaN(c.iv);
  const breakeven = c.type === "call" ? c.strike + c.ask : c.strike - c.ask;
  const sd = iv * Math.sqrt(Math.max(years, 1 / 365));
  return Float64Array.from([
    Math.abs(orNaN(c.greeks?.delta)),
    c.dte,
    iv,
    m.realizedVol20 ? iv / m.realizedVol20 : Number.NaN,
    c.mid > 0 ? (c.ask - c.bid) / c.mid : Number.NaN,
    sign * Math.log(c.strike / m.spot),
    m.momentum20 === null ? Number.NaN : sign * m.momentum20,
    orNaN(m.rsi14),
    breakeven > 0 ? (sign * Math.log(breakeven / m.spot)) / sd : Number.NaN,
    c.ask / m.spot,
    Math.log1p(c.openInterest),
  ]);
}

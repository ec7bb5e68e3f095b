/**
 * Liquidity score of one option quote, in [0, 1]: how cheaply and reliably a retail-sized order fills.
 *
 *   score = 0.35 * spread + 0.25 * openInterest + 0.15 * volume + 0.15 * freshness + 0.10 * size
 *
 *   spread       = clamp(1 - spreadPct / 0.50)           spreadPct = (ask - bid) / mid; 0 at 50% of mid or wider
 *   openInterest = min(1, log10(1 + OI) / 4)              full marks at 10,000 contracts open
 *   volume       = min(1, log10(1 + volume) / 3)          full marks at 1,000 contracts traded today
 *   freshness    = 2^(-ageSeconds / 30)                    halves every 30 s without a new quote; 1 if unknown age
 *                                                          is declared fresh by the caller (ageSeconds = 0)
 *   size         = min(1, log10(1 + min(bidSize, askSize)) / 2)   full marks at 100 contracts on the thin side;
 *                                                          0.5 (neutral) when the feed gives no sizes
 *
 * A quote with no bid, or crossed/locked (bid >= ask), scores 0: it cannot be traded at a fair price.
 * The spread carries most weight because it is the cost a buyer pays for sure; open interest and volume say
 * whether the spread will still be there tomorrow; age and size say whether the quote is real right now.
 * Log scales because the difference between 10 and 100 contracts matters far more than 10,000 and 10,100.
 */

/** Inputs of liquidityScore: prices in currency per share, sizes and counts in contracts, age in seconds. */
export type LiquidityInput = {
  bid: number;
  ask: number;
  openInterest: number;
  volume: number;
  ageSeconds?: number | null;
  bidSize?: number | null;
  askSize?: number | null;
};

/** The weights of the score's components; they sum to 1. */
export const LIQUIDITY_WEIGHTS = { spread: 0.35, openInterest: 0.25, volume: 0.15, freshness: 0.15, size: 0.1 } as const;

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** The five components of the liquidity score, each in [0, 1] (see the formula at the top of this file). */
export function liquidityComponents(q: LiquidityInput): Record<keyof typeof LIQUIDITY_WEIGHTS, number> {
  const mid = (q.bid + q.ask) / 2;
  const spreadPct = mid > 0 ? (q.ask - q.bid) / mid : Infinity;
  const age = q.ageSeconds ?? 0;
  const thin = q.bidSize == null || q.askSize == null ? null : Math.min(q.bidSize, q.askSize);
  return {
    spread: clamp01(1 - spreadPct / 0.5),
    openInterest: clamp01(Math.log10(1 + Math.max(0, q.openInterest)) / 4),
    volume: clamp01(Math.log10(1 + Math.max(0, q.volume)) / 3),
    freshness: age > 0 ? Math.pow(2, -age / 30) : 1,
    size: thin === null ? 0.5 : clamp01(Math.log10(1 + Math.max(0, thin)) / 2),
  };
}

/** Liquidity score in [0, 1] (dimensionless); 0 for a zero bid or a crossed/locked quote. */
export function liquidityScore(q: LiquidityInput): number {
  if (!(q.bid > 0) || !(q.ask > q.bid)) return 0;
  const c = liquidityComponents(q);
  const w = LIQUIDITY_WEIGHTS;
  return clamp01(w.spread * c.spread + w.openInterest * c.openInterest + w.volume * c.volume + w.freshness * c.freshness + w.size * c.size);
}

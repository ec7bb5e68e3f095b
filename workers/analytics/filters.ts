/**
 * Risk filters for a preset: which option contracts a long buyer may even consider. Pure: the caller passes
 * the quote age (seconds) when it knows it; nothing here reads a clock.
 */

/** The limits besides the preset's delta band and DTE window; prices in currency per share. */
export type RiskLimits = {
  maxSpreadPct: number; // (ask - bid) / mid
  minOpenInterest: number; // contracts
  minVolume: number; // contracts traded today
  minBid: number; // currency per share: below this the option is a lottery ticket with no real market
  maxQuoteAgeSeconds: number; // older quotes are stale
};

/** Default limits used by the recommendation rules. */
export const DEFAULT_RISK_LIMITS: RiskLimits = { maxSpreadPct: 0.25, minOpenInterest: 10, minVolume: 0, minBid: 0.05, maxQuoteAgeSeconds: 120 };

/** The preset part of the filter: absolute delta target and band, days-to-expiry window. */
export type PresetWindow = { targetDelta: number; deltaBand: number; minDte: number; maxDte: number };

/** What the filter reads of a contract (a subset of schemas' OptionContract, plus optional quote age). */
export type FilterableContract = {
  dte: number;
  bid: number;
  ask: number;
  mid: number;
  openInterest: number;
  volume: number;
  iv: number | null;
  greeks: { delta: number } | null;
  ageSeconds?: number | null;
  stale?: boolean;
};

/** Reasons a contract is rejected, in the order they are checked. */
export type RejectionReason =
  | "outside_dte_window"
  | "iv_not_identifiable"
  | "outside_delta_band"
  | "zero_bid"
  | "crossed_or_locked"
  | "stale_quote"
  | "price_too_low"
  | "spread_too_wide"
  | "open_interest_too_low"
  | "volume_too_low";

/** The first reason the contract fails the preset and the limits, or null when it passes (delta is absolute). */
export function riskFilter(c: FilterableContract, p: PresetWindow, limits: RiskLimits = DEFAULT_RISK_LIMITS): RejectionReason | null {
  if (c.dte < p.minDte || c.dte > p.maxDte) return "outside_dte_window";
  if (c.iv === null || c.greeks === null || !Number.isFinite(c.iv)) return "iv_not_identifiable";
  if (Math.abs(Math.abs(c.greeks.delta) - p.targetDelta) > p.deltaBand) return "outside_delta_band";
  if (!(c.bid > 0)) return "zero_bid";
  if (c.bid >= c.ask) return "crossed_or_locked";
  if (c.stale === true || (c.ageSeconds != null && c.ageSeconds > limits.maxQuoteAgeSeconds)) return "stale_quote";
  if (c.bid < limits.minBid) return "price_too_low";
  if ((c.ask - c.bid) / c.mid > limits.maxSpreadPct) return "spread_too_wide";
  if (c.openInterest < limits.minOpenInterest) return "open_interest_too_low";
  if (c.volume < limits.minVolume) return "volume_too_low";
  return null;
}

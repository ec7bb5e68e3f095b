import type { Candidate, OptionContract, OptionType, ResolvedPreset, ScoreComponent } from "../../schemas";

export const RULES_VERSION = "rules/1";

/** Risk filters every candidate must pass (besides the preset's delta band and DTE window). */
export const RISK_LIMITS = {
  maxSpreadPct: 0.25, // (ask - bid) / mid
  minOpenInterest: 10,
  minBid: 0.05, // dollars per share: below this the option is a lottery ticket with no real market
};

/** Rule score weights; they add up to 1 so the score stays in [0, 1]. */
export const RULE_WEIGHTS = { deltaFit: 0.35, dteFit: 0.15, spread: 0.25, liquidity: 0.15, ivValue: 0.1 } as const;

export type Screened = { passed: Array<{ contract: OptionContract; candidate: Candidate; components: ScoreComponent[] }>; considered: number; rejected: Record<string, number> };

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Why a contract fails the preset and the risk filters, or null when it passes. */
export function rejectionReason(c: OptionContract, direction: OptionType, p: ResolvedPreset): string | null {
  if (c.type !== direction) return "wrong_direction";
  if (c.dte < p.minDte || c.dte > p.maxDte) return "outside_dte_window";
  if (c.iv === null || c.greeks === null) return "iv_not_identifiable";
  if (Math.abs(Math.abs(c.greeks.delta) - p.targetDelta) > p.deltaBand) return "outside_delta_band";
  if (c.bid <= 0) return "zero_bid";
  if (c.bid >= c.ask) return "crossed_or_locked";
  if (c.bid < RISK_LIMITS.minBid) return "price_too_low";
  if ((c.ask - c.bid) / c.mid > RISK_LIMITS.maxSpreadPct) return "spread_too_wide";
  if (c.openInterest < RISK_LIMITS.minOpenInterest) return "open_interest_too_low";
  return null;
}

/** The named components of the rule score of a contract that passed the filters; each value in [0, 1]. */
export function scoreComponents(c: OptionContract, p: ResolvedPreset, realizedVol: number | null): ScoreComponent[] {
  const delta = Math.abs(c.greeks!.delta);
  const spreadPct = (c.ask - c.bid) / c.mid;
  const midDte = (p.minDte + p.maxDte) / 2;
  const halfWindow = Math.max(1, (p.maxDte - p.minDte) / 2);
  const ivOverRv = realizedVol ? c.iv! / realizedVol : null;
  const parts: Array<[keyof typeof RULE_WEIGHTS, number, string]> = [
    ["deltaFit", 1 - Math.abs(delta - p.targetDelta) / p.deltaBand, `|delta| ${delta.toFixed(2)} vs target ${p.targetDelta.toFixed(2)}`],
    ["dteFit", 1 - Math.abs(c.dte - midDte) / halfWindow, `${c.dte} days vs the middle of ${p.minDte}-${p.maxDte}`],
    ["spread", 1 - spreadPct / RISK_LIMITS.maxSpreadPct, `spread ${(spreadPct * 100).toFixed(1)}% of mid (limit ${RISK_LIMITS.maxSpreadPct * 100}%)`],
    [
      "liquidity",
      0.7 * Math.min(1, Math.log10(1 + c.openInterest) / 4) + 0.3 * Math.min(1, Math.log10(1 + c.volume) / 3),
      `open interest ${c.openInterest}, volume ${c.volume} (full marks at 10,000 OI and 1,000 traded)`,
    ],
    [
      "ivValue",
      ivOverRv === null ? 0.5 : 1 - (ivOverRv - 0.8) / 1.2,
      ivOverRv === null ? "no realized volatility: neutral" : `IV/RV ${ivOverRv.toFixed(2)}: a buyer prefers implied below realized`,
    ],
  ];
  return parts.map(([name, raw, explanation]) => {
    const value = clamp01(raw);
    return { name, weight: RULE_WEIGHTS[name], value, contribution: value * RULE_WEIGHTS[name], explanation };
  });
}

/** Filters the chain for the preset and direction and scores what passes, best first. */
export function screen(contracts: readonly OptionContract[], direction: OptionType, p: ResolvedPreset, realizedVol: number | null): Screened {
  const rejected: Record<string, number> = {};
  const passed: Screened["passed"] = [];
  for (const c of contracts) {
    const reason = rejectionReason(c, direction, p);
    if (reason) {
      rejected[reason] = (rejected[reason] ?? 0) + 1;
      continue;
    }
    const components = scoreComponents(c, p, realizedVol);
    const score = components.reduce((s, x) => s + x.contribution, 0);
    passed.push({
      contract: c,
      components,
      candidate: {
        ticker: c.ticker,
        type: c.type,
        strike: c.strike,
        expiration: c.expiration,
        dte: c.dte,
        delta: c.greeks!.delta,
        iv: c.iv!,
        bid: c.bid,
        ask: c.ask,
        spreadPct: (c.ask - c.bid) / c.mid,
        openInterest: c.openInterest,
        volume: c.volume,
        score,
      },
    });
  }
  // Ties broken by ticker so the same chain always gives the same pick.
  passed.sort((a, b) => b.candidate.score - a.candidate.score || a.contract.ticker.localeCompare(b.contract.ticker));
  return { passed, considered: contracts.length, rejected };
}

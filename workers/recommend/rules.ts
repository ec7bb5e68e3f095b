import type { Candidate, OptionContract, OptionType, ResolvedPreset, ScoreComponent } from "../../schemas";
import { DEFAULT_RISK_LIMITS, liquidityScore, riskFilter } from "../analytics";

export const RULES_VERSION = "rules/2";

/** Risk filters every candidate must pass (besides the preset's delta band and DTE window): analytics' defaults. */
export const RISK_LIMITS = DEFAULT_RISK_LIMITS;

/** Rule score weights; they add up to 1 so the score stays in [0, 1]. */
export const RULE_WEIGHTS = { deltaFit: 0.35, dteFit: 0.15, spread: 0.25, liquidity: 0.15, ivValue: 0.1 } as const;

export type Screened = { passed: Array<{ contract: OptionContract; candidate: Candidate; components: ScoreComponent[] }>; considered: number; rejected: Record<string, number> };

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Why a contract fails the preset and the risk filters, or null when it passes. */
export function rejectionReason(c: OptionContract, direction: OptionType, p: ResolvedPreset): string | null {
  if (c.type !== direction) return "wrong_direction";
  return riskFilter(c, p, RISK_LIMITS);
}

/** The named components of the rule score of a contract that passed the filters; each value in [0, 1]. */
export function scoreComponents(c: OptionContract, p: ResolvedPreset, realizedVol: number | null, asOfMs: number | null = null): ScoreComponent[] {
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
      liquidityScore({
        bid: c.bid,
        ask: c.ask,
        openInterest: c.openInterest,
        volume: c.volume,
        bidSize: c.bidSize,
        askSize: c.askSize,
        ageSeconds: asOfMs === null ? null : Math.max(0, (asOfMs - Date.parse(c.updatedAt)) / 1000),
      }),
      `liquidity score from spread, open interest ${c.openInterest}, volume ${c.volume}, sizes ${c.bidSize}x${c.askSize} and quote age (analytics/liquidity.ts)`,
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
export function screen(contracts: readonly OptionContract[], direction: OptionType, p: ResolvedPreset, realizedVol: number | null, asOfMs: number | null = null): Screened {
  const rejected: Record<string, number> = {};
  const passed: Screened["passed"] = [];
  for (const c of contracts) {
    const reason = rejectionReason(c, direction, p);
    if (reason) {
      rejected[reason] = (rejected[reason] ?? 0) + 1;
      continue;
    }
    const components = scoreComponents(c, p, realizedVol, asOfMs);
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

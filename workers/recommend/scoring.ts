/**
 * Hybrid scoring (pure): the rule score of each screened candidate blended with the GBDT's probability that
 * buying it at the ask pays off at expiry. hybrid = weights.rule x rule + weights.ml x ml; without a model the
 * rule score ranks alone (and the layer says so).
 */
import type { Candidate, OptionContract, ScoreComponent } from "../../schemas";
import { expiryCloseUtc, yearsBetween } from "../market/calendar";
import { contributions, hasCovers, predict, type CompiledModel } from "./gbdt";
import { featureRow, MODEL_FEATURES, type MarketContext } from "./model-features";

export type ActiveScorer = { name: string; version: string; model: CompiledModel; weights: { rule: number; ml: number } };

/** Weights used when no model is active: the rule score is the score. */
export const RULE_ONLY = { rule: 1, ml: 0 } as const;

export type Scored = { contract: OptionContract; candidate: Candidate; components: ScoreComponent[]; row: Float64Array | null };

/** The candidate with its ranking score and the rule and model parts (the keys of { ...c, ruleScore, mlScore, score }). */
function withScores(c: Candidate, score: number, ruleScore: number, mlScore: number | null): Candidate {
  return {
    ticker: c.ticker,
    type: c.type,
    strike: c.strike,
    expiration: c.expiration,
    dte: c.dte,
    delta: c.delta,
    iv: c.iv,
    bid: c.bid,
    ask: c.ask,
    spreadPct: c.spreadPct,
    openInterest: c.openInterest,
    volume: c.volume,
    score,
    ruleScore,
    mlScore,
  };
}

/** Re-ranks screened candidates by the hybrid score; ties by ticker so the same inputs give the same pick. */
export function hybridRank(
  passed: ReadonlyArray<{ contract: OptionContract; candidate: Candidate; components: ScoreComponent[] }>,
  scorer: ActiveScorer | null,
  ctx: MarketContext,
  now: Date,
): Scored[] {
  // Object literals rather than spreads ({ ...p, candidate: { ...p.candidate, ... } }): V8 copies a spread key
  // by key through a slow path here, ~2.5 us per candidate; same keys, same order. Years to expiry once per expiry.
  const yearsOf = new Map<string, number>();
  const out: Scored[] = new Array(passed.length);
  for (let i = 0; i < passed.length; i++) {
    const p = passed[i];
    const rule = p.candidate.score;
    if (!scorer) {
      out[i] = { contract: p.contract, components: p.components, candidate: withScores(p.candidate, rule, rule, null), row: null };
      continue;
    }
    let years = yearsOf.get(p.contract.expiration);
    if (years === undefined) {
      years = yearsBetween(now, expiryCloseUtc(p.contract.expiration));
      yearsOf.set(p.contract.expiration, years);
    }
    const row = featureRow(p.contract, ctx, years);
    const ml = predict(scorer.model, row)[0];
    out[i] = { contract: p.contract, components: p.components, candidate: withScores(p.candidate, scorer.weights.rule * rule + scorer.weights.ml * ml, rule, ml), row };
  }
  out.sort((a, b) => b.candidate.score - a.candidate.score || a.contract.ticker.localeCompare(b.contract.ticker));
  return out;
}

/** TreeSHAP contributions of the pick, largest magnitude first; null when the model has no covers. */
export function explainPick(scorer: ActiveScorer, row: Float64Array): { bias: number; raw: number; features: Array<{ feature: string; value: number | null; contribution: number }> } | null {
  if (!hasCovers(scorer.model)) return null;
  const { bias, phi } = contributions(scorer.model, row);
  const features = phi[0]
    .map((contribution, j) => ({ feature: scorer.model.featureNames[j] ?? MODEL_FEATURES[j] ?? `f${j}`, value: Number.isNaN(row[j]) ? null : row[j], contribution }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { bias: bias[0], raw: bias[0] + phi[0].reduce((a, b) => a + b, 0), features };
}

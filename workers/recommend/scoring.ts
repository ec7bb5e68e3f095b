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

/** Re-ranks screened candidates by the hybrid score; ties by ticker so the same inputs give the same pick. */
export function hybridRank(
  passed: ReadonlyArray<{ contract: OptionContract; candidate: Candidate; components: ScoreComponent[] }>,
  scorer: ActiveScorer | null,
  ctx: MarketContext,
  now: Date,
): Scored[] {
  const out: Scored[] = passed.map((p) => {
    const rule = p.candidate.score;
    if (!scorer) return { ...p, candidate: { ...p.candidate, ruleScore: rule, mlScore: null }, row: null };
    const row = featureRow(p.contract, ctx, yearsBetween(now, expiryCloseUtc(p.contract.expiration)));
    const ml = predict(scorer.model, row)[0];
    return { ...p, row, candidate: { ...p.candidate, ruleScore: rule, mlScore: ml, score: scorer.weights.rule * rule + scorer.weights.ml * ml } };
  });
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

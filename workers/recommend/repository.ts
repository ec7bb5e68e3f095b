import { eq } from "drizzle-orm";
import { Recommendation } from "../../schemas";
import type { Db } from "../db/client";
import { recommendations, recommendationScores } from "../db/schema";

/**
 * Stores a recommendation whole (request, every layer, the model version), so what the user saw can be fetched
 * again by id, plus one scoring row that a later job completes with the outcome at expiry. One D1 batch: both
 * rows or neither.
 */
export async function saveRecommendation(d: Db, rec: Recommendation, userId: string | null): Promise<void> {
  const score = rec.layers.find((l) => l.kind === "score");
  const rationale = rec.layers.find((l) => l.kind === "rationale");
  const top = rec.layers.find((l) => l.kind === "candidates");
  const pick = top?.kind === "candidates" ? top.top[0] : undefined;
  await d.batch([
    d.insert(recommendations).values({
      id: rec.id,
      userId,
      symbol: rec.request.symbol,
      contractTicker: rec.contract?.ticker ?? null,
      createdAt: rec.createdAt,
      body: JSON.stringify(rec),
    }),
    d.insert(recommendationScores).values({
      recommendationId: rec.id,
      symbol: rec.request.symbol,
      contractTicker: rec.contract?.ticker ?? null,
      expiration: rec.contract?.expiration ?? null,
      entryAsk: rec.contract?.ask ?? null,
      modelName: rec.model?.name ?? null,
      modelVersion: rec.model?.version ?? null,
      ruleScore: pick?.ruleScore ?? null,
      mlScore: pick?.mlScore ?? null,
      hybridScore: pick?.score ?? null,
      weights: score?.kind === "score" && score.weights ? JSON.stringify(score.weights) : null,
      features: score?.kind === "score" && score.contributions ? JSON.stringify(Object.fromEntries(score.contributions.features.map((f) => [f.feature, f.value]))) : null,
      request: JSON.stringify(rec.request),
      rationaleSource: rationale?.kind === "rationale" ? (rationale.provider ?? rationale.source) : "none",
      degraded: JSON.stringify(rec.degraded),
      createdAt: rec.createdAt,
    }),
  ]);
}

export async function findRecommendation(d: Db, id: string): Promise<Recommendation | null> {
  const row = await d.select({ body: recommendations.body }).from(recommendations).where(eq(recommendations.id, id)).get();
  return row ? Recommendation.parse(JSON.parse(row.body)) : null;
}

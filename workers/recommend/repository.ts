import { eq } from "drizzle-orm";
import { Recommendation } from "../../schemas";
import type { Db } from "../db/client";
import { recommendations } from "../db/schema";

/** Stores a recommendation whole, so what the user saw can be fetched again by id. */
export async function saveRecommendation(d: Db, rec: Recommendation, userId: string | null): Promise<void> {
  await d.insert(recommendations).values({
    id: rec.id,
    userId,
    symbol: rec.request.symbol,
    contractTicker: rec.contract?.ticker ?? null,
    createdAt: rec.createdAt,
    body: JSON.stringify(rec),
  });
}

export async function findRecommendation(d: Db, id: string): Promise<Recommendation | null> {
  const row = await d.select({ body: recommendations.body }).from(recommendations).where(eq(recommendations.id, id)).get();
  return row ? Recommendation.parse(JSON.parse(row.body)) : null;
}

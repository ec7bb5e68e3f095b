/** The feature store's read side (I/O): online from KV, else the latest offline row, else computed now. */
import { OnlineFeatures } from "../../schemas";
import type { Db } from "../db/client";
import { readLatestFeatureRow, readLatestOffline } from "../signals/repository";
import { onlineFeatures } from "./compute";
import { featuresKey } from "./hourly";

export type FeaturesAnswer = { features: OnlineFeatures; from: "online" | "offline" | "computed" };

export async function readFeatures(env: Env, database: Db, symbol: string, now: Date): Promise<FeaturesAnswer> {
  const online = OnlineFeatures.safeParse(await env.CACHE.get(featuresKey(symbol), "json").catch(() => null));
  if (online.success) return { features: online.data, from: "online" };
  const row = await readLatestFeatureRow(database, symbol);
  if (row) {
    const offline = OnlineFeatures.safeParse(JSON.parse(row.body));
    if (offline.success) return { features: offline.data, from: "offline" };
  }
  // Not watched yet: the same computation the hourly job does, from the same offline rows, not stored.
  const { iv, rv, liq } = await readLatestOffline(database, [symbol]);
  return { features: onlineFeatures(symbol, now.toISOString(), iv.get(symbol), rv.get(symbol), liq.get(symbol)), from: "computed" };
}

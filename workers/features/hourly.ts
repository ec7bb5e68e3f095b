/**
 * The hourly feature job (I/O, no Durable Objects): online features of every watched symbol from the latest
 * offline rows, into feature_rows and KV `features:{symbol}` in the same run. Kept apart from the nightly job
 * so it can run (and be benchmarked) with D1 and KV alone.
 */
import { OnlineFeatures } from "../../schemas";
import { db, type Db } from "../db/client";
import { watchlistItems } from "../db/schema";
import { featureRows, readLatestOffline, upsert } from "../signals/repository";
import { onlineFeatures } from "./compute";

/** KV key of a symbol's online features. */
export const featuresKey = (symbol: string) => `features:${symbol}`;

export async function watchedSymbols(d: Db): Promise<string[]> {
  const rows = await d.selectDistinct({ symbol: watchlistItems.symbol }).from(watchlistItems).orderBy(watchlistItems.symbol);
  return rows.map((r) => r.symbol);
}

/** Hourly: online features of every watched symbol into feature_rows and KV. Returns the run's summary. */
export async function hourlyFeatures(env: Env, at: Date): Promise<string> {
  const d = db(env.DB);
  const symbols = await watchedSymbols(d);
  const computedAt = at.toISOString();
  const { iv, rv, liq } = await readLatestOffline(d, symbols);
  const docs = symbols.map((s) => OnlineFeatures.parse(onlineFeatures(s, computedAt, iv.get(s), rv.get(s), liq.get(s))));
  const bodies = docs.map((doc) => JSON.stringify(doc));
  const changed = await upsert(d, featureRows, [featureRows.symbol, featureRows.computedAt], docs.map((doc, i) => ({ symbol: doc.symbol, computedAt, body: bodies[i] })));
  // D1 first, then KV: a crash between them leaves KV one run behind, and the next run repairs it.
  for (let i = 0; i < docs.length; i += 100) {
    await Promise.all(docs.slice(i, i + 100).map((doc, j) => env.CACHE.put(featuresKey(doc.symbol), bodies[i + j])));
  }
  const fallback = docs.filter((x) => x.fallback).length;
  return `features for ${docs.length} watched symbols (${changed} rows written, ${fallback} with missing offline rows)`;
}


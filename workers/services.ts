/**
 * The services the Worker builds once per request from its bindings, shared by the API routes and the React
 * Router app (through the load context), so the app never re-imports server modules.
 */
import { SignalsBundle, type ChainFilter, type MarketSnapshot, type Quote, type Recommendation, type RecommendationRequest } from "../schemas";
import { appConfig } from "./config";
import { db } from "./db/client";
import { newYorkDate, tradingDayOnOrBefore } from "./market/calendar";
import { syntheticDailyBars } from "./market/synthetic";
import { runRecommendation, type EmitLayer } from "./recommend/pipeline";
import { findRecommendation, saveRecommendation } from "./recommend/repository";
import { buildSignals } from "./signals/bundle";

export function createServices(env: Env) {
  const config = appConfig(env);
  const room = (symbol: string) => env.SYMBOL_ROOM.get(env.SYMBOL_ROOM.idFromName(symbol));
  const database = db(env.DB);

  const market = {
    snapshot: (symbol: string, filter: ChainFilter = {}): Promise<MarketSnapshot> => room(symbol).snapshot(symbol, filter),
    quote: (symbol: string): Promise<Quote> => room(symbol).quote(symbol),
  };

  /** Signals from the daily bars (synthetic until the bars importer lands), cached in KV per symbol and day. */
  async function signals(symbol: string): Promise<SignalsBundle> {
    const quote = await market.quote(symbol);
    // Daily bars end at the last completed session, whose close is the quote's previous close.
    const lastSession = tradingDayOnOrBefore(newYorkDate(new Date(Date.parse(quote.timestamp) - 86_400_000)));
    const key = `signals:${symbol}:${lastSession}`;
    const cached = await env.CACHE.get(key, "json").catch(() => null);
    const hit = SignalsBundle.safeParse(cached);
    if (hit.success) return hit.data;
    const bars = syntheticDailyBars(symbol, config.marketSeed, lastSession, quote.prevClose, 120);
    const bundle = buildSignals(symbol, bars, "synthetic", quote.timestamp);
    await env.CACHE.put(key, JSON.stringify(bundle), { expirationTtl: config.signalsCacheTtlS }).catch(() => undefined);
    return bundle;
  }

  async function recommend(req: RecommendationRequest, emit: EmitLayer = () => {}, userId: string | null = null): Promise<Recommendation> {
    const rec = await runRecommendation(
      req,
      { snapshot: market.snapshot, signals, now: () => new Date(), newId: () => `rec_${crypto.randomUUID()}` },
      emit,
    );
    await saveRecommendation(database, rec, userId);
    return rec;
  }

  return {
    config,
    market,
    signals,
    recommend,
    findRecommendation: (id: string) => findRecommendation(database, id),
  };
}
export type Services = ReturnType<typeof createServices>;

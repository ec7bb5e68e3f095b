/**
 * The services the Worker builds once per request from its bindings, shared by the API routes and the React
 * Router app (through the load context), so the app never re-imports server modules.
 */
import { SignalsBundle, type BarSeries, type ChainFilter, type MarketSnapshot, type MarketSummary, type Quote, type Recommendation, type RecommendationRequest } from "../schemas";
import { appConfig, polygonApiKey } from "./config";
import type { FlagValues } from "./gateway/flags";
import { unpackSnapshot } from "./market/packed-chain";
import { createPolygonRest } from "./market/polygon/rest";
import { db } from "./db/client";
import { lastCompletedSession, newYorkDate } from "./market/calendar";
import { syntheticDailyBars } from "./market/synthetic";
import { findRecommendation } from "./recommend/repository";
import { createRecommender } from "./recommend/service";
import { createSignalsService } from "./signals/service";
import { readFeatures } from "./features/store";
import { PRESETS } from "./recommend/presets";

export function createServices(env: Env, flags: FlagValues = {}) {
  const config = appConfig(env);
  // The live-polygon flag off (for everyone or for this caller) serves the synthetic market from rooms of their own.
  const synthetic = flags["live-polygon"] === false && config.marketMode === "polygon";
  const room = (symbol: string) => env.SYMBOL_ROOM.get(env.SYMBOL_ROOM.idFromName(synthetic ? `synthetic:${symbol}` : symbol));
  const database = db(env.DB);

  const market = {
    snapshot: async (symbol: string, filter: ChainFilter = {}): Promise<MarketSnapshot> => unpackSnapshot(await room(symbol).snapshot(symbol, filter, { forceSynthetic: synthetic })),
    summary: (symbol: string, filter: ChainFilter = {}): Promise<MarketSummary> => room(symbol).summary(symbol, filter, { forceSynthetic: synthetic }),
    quote: (symbol: string): Promise<Quote> => room(symbol).quote(symbol, { forceSynthetic: synthetic }),
    /** Hands a browser's WebSocket upgrade to the symbol's room (the same room the API reads). */
    openSocket: (symbol: string, request: Request): Promise<Response> => {
      const headers = new Headers(request.headers);
      headers.set("X-Symbol", symbol);
      if (synthetic) headers.set("X-Force-Synthetic", "1");
      return room(symbol).fetch(new Request(request.url, { headers }));
    },
  };

  /** Signals from D1 (bars, sentiment, congress, macro; synthetic and flagged where empty), cached in KV. */
  const signalsService = createSignalsService(env, config, database, market.quote, Object.values(PRESETS));
  const signals = signalsService.signals;

  /** Daily bars: Polygon aggregates when live (falling back visibly), the synthetic history otherwise. */
  async function bars(symbol: string, sessions: number): Promise<BarSeries> {
    const quote = await market.quote(symbol);
    const lastSession = lastCompletedSession(new Date(quote.timestamp));
    const asOf = new Date().toISOString();
    if (quote.source === "polygon") {
      try {
        const rest = createPolygonRest({ baseUrl: config.polygonRestUrl, apiKey: polygonApiKey(env) ?? "" });
        // Calendar days to cover `sessions` trading days (weekends and holidays), with a margin.
        const from = new Date(Date.parse(lastSession) - Math.ceil(sessions * 1.5 + 10) * 86_400_000).toISOString().slice(0, 10);
        const res = await rest.aggregates(symbol, 1, "day", from, lastSession, { adjusted: true, sort: "asc" });
        const series = res.results
          .map((b) => ({ date: newYorkDate(new Date(b.t)), open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v }))
          .filter((b) => b.open > 0 && b.high > 0 && b.low > 0 && b.close > 0)
          .slice(-sessions);
        return { symbol, bars: series, source: "polygon", asOf, stale: quote.stale };
      } catch (e) {
        console.warn(JSON.stringify({ level: "warn", message: "polygon bars failed, synthetic fallback", symbol, error: (e as Error).message }));
      }
    }
    return { symbol, bars: syntheticDailyBars(symbol, config.marketSeed, lastSession, quote.prevClose, sessions), source: "synthetic", asOf, stale: false };
  }

  /** Recommendations (workers/recommend/service.ts): pipeline, model registry, knowledge base, rationale provider. */
  const recommend = createRecommender({
    env,
    database,
    snapshot: market.snapshot,
    summary: market.summary,
    signals,
    llmProvider: config.llmProvider,
    flags,
  });

  return {
    config,
    /** This request's evaluated feature flags (llm-provider, ml-scorer, live-polygon, ...). */
    flags,
    market,
    signals,
    /** Parses, validates and upserts an import file (admin API and CLI). */
    importFile: signalsService.importFile,
    /** Online features of a symbol (KV, else the latest offline row, else computed from the offline tables). */
    features: (symbol: string) => readFeatures(env, database, symbol, new Date()),
    bars,
    recommend,
    findRecommendation: (id: string) => findRecommendation(database, id),
  };
}
export type Services = ReturnType<typeof createServices>;

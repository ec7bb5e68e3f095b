/**
 * The recommendation service: wires the pure pipeline to the bindings (I/O edge). The SymbolRoom snapshot and
 * the signals come from the shared services; online features (KV `features:{symbol}`), the active model
 * (KV + R2), knowledge passages (D1 FTS5) and the rationale provider are read here. Every answer is logged in D1.
 */
import { OnlineFeatures, type ChainFilter, type MarketSnapshot, type MarketSummary, type Recommendation, type RecommendationRequest, type SignalsBundle } from "../../schemas";
import type { Db } from "../db/client";
import { searchKnowledge } from "../orchestrator/knowledge";
import { resolveProvider, type ProviderEnv } from "../orchestrator/providers";
import { loadActiveModel } from "./model-store";
import { runRecommendation, type EmitLayer, type PipelineDeps } from "./pipeline";
import { saveRecommendation } from "./repository";

export type RecommenderDeps = {
  env: Env;
  database: Db;
  snapshot(symbol: string, filter: ChainFilter): Promise<MarketSnapshot>;
  /** Optional cheap first answer (quote + window size) so the market layer need not wait for the chain copy. */
  summary?(symbol: string, filter: ChainFilter): Promise<MarketSummary>;
  signals(symbol: string): Promise<SignalsBundle>;
  /** The deployment's provider (LLM_PROVIDER). */
  llmProvider: string;
  /** Evaluated feature flags of the caller: `llm-provider` (variant), `ml-scorer` (boolean). */
  flags: Record<string, boolean | string>;
  /** Test seams: outbound fetch of the LLM provider, timeouts. */
  fetch?: typeof fetch;
  timeouts?: PipelineDeps["timeouts"];
};

export function createRecommender(d: RecommenderDeps) {
  const env = d.env;
  // A flag can move a cohort to another provider; its default ("template") leaves the deployment's choice.
  const flagged = d.flags["llm-provider"];
  const providerName = typeof flagged === "string" && flagged !== "template" ? flagged : d.llmProvider;
  const mlOn = d.flags["ml-scorer"] !== false;

  return async function recommend(req: RecommendationRequest, emit: EmitLayer = () => {}, userId: string | null = null): Promise<Recommendation> {
    const rationale = resolveProvider(providerName, env as unknown as ProviderEnv, d.fetch);
    const rec = await runRecommendation(
      req,
      {
        snapshot: d.snapshot,
        summary: d.summary,
        signals: d.signals,
        features: async (symbol) => {
          const raw = await env.CACHE.get(`features:${symbol}`, "json");
          if (raw === null) return null;
          const parsed = OnlineFeatures.safeParse(raw);
          if (!parsed.success) throw new Error(`malformed features:${symbol}`);
          return parsed.data;
        },
        model: mlOn ? () => loadActiveModel(env.CACHE, env.ARCHIVE) : undefined,
        knowledge: (query) => searchKnowledge(d.database, query),
        rationale,
        now: () => new Date(),
        newId: () => `rec_${crypto.randomUUID()}`,
        timeouts: d.timeouts,
      },
      emit,
    );
    await saveRecommendation(d.database, rec, userId);
    return rec;
  };
}

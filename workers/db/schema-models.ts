/**
 * D1 tables of the recommendation engine and the AI orchestrator (drizzle): the model registry, the knowledge
 * base the rationale cites (its FTS5 index is the hand-written migration `knowledge_fts`: drizzle cannot declare
 * virtual tables), and the per-recommendation scoring log that outcome evaluation joins later.
 */
import { index, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Versions of each scoring model; the JSON lives in R2 at r2_key, the active version is named in KV. */
export const modelRegistry = sqliteTable(
  "model_registry",
  {
    name: text("name").notNull(),
    version: text("version").notNull(),
    stage: text("stage", { enum: ["staging", "production", "archived"] }).notNull(),
    /** JSON of ModelMetrics (schemas/model.ts): training/validation log loss, AUC, row counts. */
    metrics: text("metrics").notNull(),
    /** JSON array of feature names in the order the model reads them. */
    features: text("features").notNull(),
    r2Key: text("r2_key").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.version] })],
);

/** Strategy notes, risk disclosures and glossary entries; retrieved by FTS5 (knowledge_fts) for rationales. */
export const knowledgeDocs = sqliteTable("knowledge_docs", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: ["strategy", "risk", "glossary"] }).notNull(),
  title: text("title").notNull(),
  body: text("body").notNull(),
  /** Space-separated search terms that are not in the text (synonyms, tickers of the topic). */
  tags: text("tags").notNull().default(""),
  updatedAt: text("updated_at").notNull(),
});

/**
 * One row per answered recommendation with what the scorer saw and said, so a later job can fill `outcome`
 * (return on premium at expiry) and compare rule, ML and hybrid scores against reality.
 */
export const recommendationScores = sqliteTable(
  "recommendation_scores",
  {
    recommendationId: text("recommendation_id").primaryKey(),
    symbol: text("symbol").notNull(),
    contractTicker: text("contract_ticker"),
    expiration: text("expiration"),
    entryAsk: real("entry_ask"),
    modelName: text("model_name"),
    modelVersion: text("model_version"),
    ruleScore: real("rule_score"),
    mlScore: real("ml_score"),
    hybridScore: real("hybrid_score"),
    /** JSON: { rule, ml } weights used. */
    weights: text("weights"),
    /** JSON: feature name -> value the model read (null for missing). */
    features: text("features"),
    /** JSON of the RecommendationRequest. */
    request: text("request").notNull(),
    rationaleSource: text("rationale_source").notNull(),
    degraded: text("degraded").notNull().default("[]"),
    createdAt: text("created_at").notNull(),
    outcome: real("outcome"),
    evaluatedAt: text("evaluated_at"),
  },
  (t) => [index("recommendation_scores_expiration").on(t.expiration)],
);

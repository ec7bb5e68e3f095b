/**
 * D1 schema (drizzle). `npm run db:generate` writes the SQL migrations into migrations/.
 * Money in US dollars (REAL), times as ISO-8601 text (sortable, readable in `wrangler d1 execute`).
 */
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Reference list of tradable underlyings: what symbol lookup searches. */
export const symbols = sqliteTable("symbols", {
  symbol: text("symbol").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind", { enum: ["stock", "etf", "index"] }).notNull(),
  exchange: text("exchange").notNull(),
  hasWeeklies: integer("has_weeklies", { mode: "boolean" }).notNull().default(false),
});

export const profiles = sqliteTable("profiles", {
  userId: text("user_id").primaryKey(),
  capital: real("capital").notNull(),
  /** JSON of PresetChoice: a preset name or a custom preset object. */
  defaultPreset: text("default_preset").notNull(),
  outlook: text("outlook", { enum: ["auto", "bullish", "bearish"] }).notNull().default("auto"),
  updatedAt: text("updated_at").notNull(),
});

export const watchlistItems = sqliteTable(
  "watchlist_items",
  {
    userId: text("user_id").notNull(),
    symbol: text("symbol").notNull(),
    position: integer("position").notNull(),
    addedAt: text("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.symbol] })],
);

/** Every recommendation answered, whole, so GET /api/recommendations/:id returns what the user saw. */
export const recommendations = sqliteTable(
  "recommendations",
  {
    id: text("id").primaryKey(),
    userId: text("user_id"),
    symbol: text("symbol").notNull(),
    contractTicker: text("contract_ticker"),
    createdAt: text("created_at").notNull(),
    /** The whole Recommendation document (schemas/recommendation.ts) as JSON. */
    body: text("body").notNull(),
  },
  (t) => [index("recommendations_symbol_created").on(t.symbol, t.createdAt)],
);

/** One row per run of a cron job: what ran, when, how it ended. */
export const jobRuns = sqliteTable("job_runs", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  job: text("job").notNull(),
  cron: text("cron"),
  startedAt: text("started_at").notNull(),
  finishedAt: text("finished_at"),
  status: text("status", { enum: ["running", "ok", "error"] }).notNull(),
  detail: text("detail"),
});

export * from "./schema-signals";
export * from "./schema-models";

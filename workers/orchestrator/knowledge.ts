/**
 * Retrieval from the knowledge base (D1, FTS5 table knowledge_fts over knowledge_docs): passages for the
 * context bundle. The query is built from the pick (pure), the search is the I/O edge.
 */
import { sql } from "drizzle-orm";
import type { ContextPassage, OptionType } from "../../schemas";
import type { Db } from "../db/client";

/** Search terms for a pick: its side, what sizing and scoring involve, and the risks a buyer carries. */
export function retrievalQuery(p: { type: OptionType; kelly: boolean; noBid: boolean; degraded: boolean }): string {
  const terms = [p.type === "call" ? "call" : "put", "breakeven", "theta", "premium", "sizing", "delta", "liquidity", "score"];
  if (p.kelly) terms.push("kelly");
  if (p.noBid) terms.push("spread");
  if (p.degraded) terms.push("synthetic");
  // FTS5 query syntax: OR of bare terms (alphanumeric only, so user text can never inject operators).
  return terms.map((t) => t.replace(/[^a-z0-9]/gi, "")).filter(Boolean).join(" OR ");
}

/** Best passages by bm25 (title weighted above body, tags least), at most `limit`. */
export async function searchKnowledge(d: Db, query: string, limit = 6): Promise<ContextPassage[]> {
  // drizzle cannot name an FTS5 table: a sql template (still bound parameters) does the MATCH.
  const results = await d.all<{ id: string; kind: ContextPassage["kind"]; title: string; body: string }>(sql`
    SELECT d.id AS id, d.kind AS kind, d.title AS title, d.body AS body
      FROM knowledge_fts JOIN knowledge_docs d ON d.rowid = knowledge_fts.rowid
     WHERE knowledge_fts MATCH ${query}
     ORDER BY bm25(knowledge_fts, 5.0, 1.0, 2.0)
     LIMIT ${limit}`);
  return results.map((r) => ({ id: `kb:${r.id}`, kind: r.kind, title: r.title, body: r.body }));
}

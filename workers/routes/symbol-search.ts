import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-types";
import { parseQuery } from "../gateway/validate";

/** GET /api/symbols?q=: what a person may have meant, for the app's autocomplete. */
export const SymbolSearchQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(1, "type at least one character")
      .max(40, "at most 40 characters")
      .regex(/^[A-Za-z0-9 .&'-]+$/, "letters, digits, spaces and . & ' - only"),
    limit: z.coerce.number().int().min(1).max(20).default(8),
  })
  .strict();
export type SymbolSearchQuery = z.infer<typeof SymbolSearchQuery>;

export const SymbolMatch = z.object({
  symbol: z.string(),
  name: z.string(),
  kind: z.enum(["stock", "etf", "index"]),
  exchange: z.string(),
});
export type SymbolMatch = z.infer<typeof SymbolMatch>;

export const SymbolSearchResult = z.object({ query: z.string(), matches: z.array(SymbolMatch) });
export type SymbolSearchResult = z.infer<typeof SymbolSearchResult>;

/** LIKE wildcards in the user's text are literal characters. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * Exact ticker first, then tickers starting with the text, then names containing it (the seeded reference
 * table is small, so a LIKE scan is enough; every value is a bound parameter).
 */
export const symbolSearch = new Hono<AppEnv>().get("/", async (c) => {
  const { q, limit } = parseQuery(c, SymbolSearchQuery);
  const upper = q.toUpperCase();
  const { results } = await c.env.DB.prepare(
    `SELECT symbol, name, kind, exchange FROM symbols
       WHERE symbol LIKE ?1 ESCAPE '\\' OR name LIKE ?2 ESCAPE '\\'
       ORDER BY CASE WHEN symbol = ?3 THEN 0 WHEN symbol LIKE ?1 ESCAPE '\\' THEN 1 ELSE 2 END, symbol
       LIMIT ?4`,
  )
    .bind(`${escapeLike(upper)}%`, `%${escapeLike(q)}%`, upper, limit)
    .all<SymbolMatch>();
  return c.json({ query: q, matches: results } satisfies SymbolSearchResult);
});

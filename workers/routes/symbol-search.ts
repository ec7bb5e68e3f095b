import { Hono } from "hono";
import { SymbolSearchQuery, type SymbolMatch, type SymbolSearchResult } from "../../schemas";
import type { AppEnv } from "../app-types";
import { parseQuery } from "../gateway/validate";


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

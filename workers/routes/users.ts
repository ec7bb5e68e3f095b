import { Hono } from "hono";
import { ProfileUpdate, WatchlistUpdate } from "../../schemas";
import type { AppEnv } from "../app-types";
import { db } from "../db/client";
import { getProfile, getWatchlist, putProfile, putWatchlist } from "../db/users";
import { requireUser } from "../gateway/auth";
import { parseJsonBody } from "../gateway/validate";

/** Tickers arrive in any case; the contracts store them upper case. */
function upperSymbols(raw: unknown): unknown {
  if (raw && typeof raw === "object" && Array.isArray((raw as { symbols?: unknown }).symbols)) {
    return { ...raw, symbols: (raw as { symbols: unknown[] }).symbols.map((s) => (typeof s === "string" ? s.trim().toUpperCase() : s)) };
  }
  return raw;
}

/** GET/PUT /api/profile: capital, default preset and outlook of the signed-in user. */
export const profile = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/", async (c) => c.json(await getProfile(db(c.env.DB), c.get("user")!.sub)))
  .put("/", async (c) => {
    const body = await parseJsonBody(c, ProfileUpdate);
    return c.json(await putProfile(db(c.env.DB), c.get("user")!.sub, body, new Date().toISOString()));
  });

/** GET/PUT /api/watchlist: the user's ordered symbols (at most 50, valid tickers, no repeats). */
export const watchlist = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/", async (c) => c.json(await getWatchlist(db(c.env.DB), c.get("user")!.sub)))
  .put("/", async (c) => {
    const body = await parseJsonBody(c, WatchlistUpdate, upperSymbols);
    return c.json(await putWatchlist(db(c.env.DB), c.get("user")!.sub, body.symbols, new Date().toISOString()));
  });

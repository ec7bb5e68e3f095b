import { Hono } from "hono";
import { z } from "zod";
import { BarsQuery, ChainFilter } from "../../schemas";
import type { AppEnv } from "../app-types";
import { parseQuery, parseSymbol } from "../gateway/validate";
import { ApiError } from "../gateway/errors";

/** GET /api/quotes/:symbol and GET /api/chains/:symbol, read from the symbol's room. */
export const quotes = new Hono<AppEnv>().get("/:symbol", async (c) => {
  const symbol = parseSymbol(c.req.param("symbol"));
  parseQuery(c, z.object({}).strict());
  return c.json(await c.get("services").market.quote(symbol));
});

export const chains = new Hono<AppEnv>().get("/:symbol", async (c) => {
  const symbol = parseSymbol(c.req.param("symbol"));
  const filter = parseQuery(c, ChainFilter);
  const snap = await c.get("services").market.snapshot(symbol, filter);
  return c.json(snap.chain);
});

/** GET /ws/symbols/:symbol: the browser's live quote and chain, held by the room (hibernatable WebSocket). */
export const sockets = new Hono<AppEnv>().get("/symbols/:symbol", async (c) => {
  const symbol = parseSymbol(c.req.param("symbol"));
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "connect with a WebSocket", [{ field: "headers.upgrade", message: "expected websocket" }]);
  }
  return c.get("services").market.openSocket(symbol, c.req.raw);
});

/** GET /api/symbols/:symbol/bars?sessions=120: daily bars, oldest first, with their source. */
export const symbols = new Hono<AppEnv>().get("/:symbol/bars", async (c) => {
  const symbol = parseSymbol(c.req.param("symbol"));
  const { sessions } = parseQuery(c, BarsQuery);
  return c.json(await c.get("services").bars(symbol, sessions));
});

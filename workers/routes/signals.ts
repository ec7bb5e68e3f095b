import { Hono } from "hono";
import type { AppEnv } from "../app-types";
import { parseSymbol } from "../gateway/validate";

/** GET /api/signals/:symbol: the signals bundle, every part with provenance and a fallback flag. */
export const signals = new Hono<AppEnv>().get("/:symbol", async (c) => {
  const symbol = parseSymbol(c.req.param("symbol"));
  return c.json(await c.get("services").signals(symbol));
});

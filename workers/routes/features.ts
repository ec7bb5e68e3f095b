import { Hono } from "hono";
import type { AppEnv } from "../app-types";
import { parseSymbol } from "../gateway/validate";

/**
 * GET /api/features/:symbol: the online features (IV rank/percentile, RV 20/60, IV/RV, liquidity, trend).
 * `X-Feature-Source` says where they came from: online (KV), offline (latest D1 row) or computed (a symbol the
 * hourly job does not watch, computed from the offline tables on the spot).
 */
export const features = new Hono<AppEnv>().get("/:symbol", async (c) => {
  const symbol = parseSymbol(c.req.param("symbol"));
  const answer = await c.get("services").features(symbol);
  c.header("X-Feature-Source", answer.from);
  return c.json(answer.features);
});

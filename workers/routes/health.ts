import { Hono } from "hono";
import type { AppEnv } from "../app-types";
import { appConfig } from "../config";

type Check = { ok: boolean; ms: number; detail?: unknown };

async function probe(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const t0 = Date.now();
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const detail = await Promise.race([
      fn(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    return { ok: true, ms: Date.now() - t0, ...(detail !== null && typeof detail === "object" && !(detail instanceof Response) ? { detail } : {}) };
  } catch (e) {
    return { ok: false, ms: Date.now() - t0, detail: (e as Error).message };
  }
}

/** GET /api/health: every dependency probed; 503 with the broken ones named when any fails. */
export const health = new Hono<AppEnv>().get("/", async (c) => {
  const env = c.env;
  const feed = (cluster: string) => env.MARKET_FEED.get(env.MARKET_FEED.idFromName(cluster)).health(cluster);
  const [d1, cache, flags, archive, stocks, options] = await Promise.all([
    probe(() => env.DB.prepare("SELECT 1 AS ok").first().then(() => null)),
    probe(() => env.CACHE.get("health:probe")),
    probe(() => env.FLAGS.get("health:probe")),
    probe(() => env.ARCHIVE.head("health/probe").then(() => null)),
    probe(() => feed("stocks")),
    probe(() => feed("options")),
  ]);
  const queue: Check = { ok: typeof env.MARKET_EVENTS?.send === "function", ms: 0, detail: "producer binding present" };
  const checks = { d1, kv_cache: cache, kv_flags: flags, r2_archive: archive, queue_market_events: queue, feed_stocks: stocks, feed_options: options };
  const failing = Object.entries(checks).filter(([, v]) => !v.ok).map(([k]) => k);
  // Read here, not from the request's services: health must answer even when the rest of the stack is broken.
  const config = appConfig(env);
  return c.json(
    {
      status: failing.length ? "degraded" : "ok",
      failing,
      environment: config.appEnv,
      marketMode: config.marketMode,
      time: new Date().toISOString(),
      checks,
    },
    failing.length ? 503 : 200,
  );
});

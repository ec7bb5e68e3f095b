/**
 * Typed reading of `[vars]`: every variable has a default here, so a missing or malformed value never
 * crashes a request (it falls back, and /api/health shows the effective configuration).
 */
export type MarketMode = "polygon" | "synthetic";

function num(raw: string | undefined, fallback: number, min: number, max: number): number {
  const v = Number(raw);
  return Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

function flag(raw: string | undefined): boolean {
  return raw === "true" || raw === "1";
}

/** The Polygon key is a secret (`wrangler secret put POLYGON_API_KEY` or .dev.vars), so it is not in `[vars]`. */
export function polygonApiKey(env: Env): string | undefined {
  return (env as { POLYGON_API_KEY?: string }).POLYGON_API_KEY || undefined;
}

/** Synthetic unless a Polygon key is configured and synthetic-only is off. */
export function marketMode(env: Env): MarketMode {
  return polygonApiKey(env) && !flag(env.POLYGON_SYNTHETIC_ONLY) ? "polygon" : "synthetic";
}

export function appConfig(env: Env) {
  return {
    appEnv: env.APP_ENV ?? "local",
    marketMode: marketMode(env),
    marketSeed: num(env.MARKET_SEED, 20261130, 0, 2 ** 31 - 1),
    tickMs: num(env.SYNTHETIC_TICK_MS, 1000, 100, 60_000),
    chainRemarkMs: num(env.CHAIN_REMARK_MS, 5000, 250, 600_000),
    staleAfterMs: num(env.STALE_AFTER_MS, 15_000, 1000, 3_600_000),
    roomIdleMs: num(env.ROOM_IDLE_MS, 300_000, 1000, 86_400_000),
    riskFreeRate: num(env.RISK_FREE_RATE, 0.04, -0.05, 0.25),
    devAuth: flag(env.DEV_AUTH) && env.APP_ENV !== "production",
    llmProvider: env.LLM_PROVIDER ?? "template",
    signalsCacheTtlS: num(env.SIGNALS_CACHE_TTL_S, 300, 60, 86_400),
    polygonWsUrl: env.POLYGON_WS_URL || "wss://socket.massive.com",
    polygonRestUrl: env.POLYGON_REST_URL || "https://api.massive.com",
    feedFlushMs: num(env.FEED_FLUSH_MS, 100, 50, 250),
    feedReconnectBaseMs: num(env.FEED_RECONNECT_BASE_MS, 1000, 10, 60_000),
    chainPollMs: num(env.CHAIN_POLL_MS, 60_000, 1000, 3_600_000),
    browserPushMs: num(env.BROWSER_PUSH_MS, 100, 100, 5000),
  };
}
export type AppConfig = ReturnType<typeof appConfig>;

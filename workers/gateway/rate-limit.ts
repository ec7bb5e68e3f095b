/**
 * Rate limits: exact token buckets in RateLimiter Durable Objects, sharded by key. A request is checked against
 * every bucket its route class names (per IP, per user, per symbol); the tightest one sets the standard headers
 * (draft-ietf-httpapi-ratelimit-headers: RateLimit-Policy, RateLimit) and a refusal is a 429 with Retry-After.
 */
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-types";
import { ApiError } from "./errors";
import type { BucketRule } from "./token-bucket";
import { hash32 } from "../util/hash";

const Policy = z.object({ limit: z.number().int().positive().max(1_000_000), windowS: z.number().positive().max(86_400) });
const Policies = z.object({ ip: Policy, user: Policy, symbol: Policy, admin: Policy });
export type Policies = z.infer<typeof Policies>;

export const DEFAULT_POLICIES: Policies = {
  ip: { limit: 300, windowS: 60 }, // anonymous market data per client address
  user: { limit: 60, windowS: 60 }, // recommendations, profile, watchlist per signed-in user
  symbol: { limit: 3000, windowS: 60 }, // all callers together per underlying: protects the room and upstream
  admin: { limit: 120, windowS: 60 },
};

/** RATE_LIMITS (JSON) over the defaults; a malformed value keeps the defaults (and says so in the log). */
export function policiesFrom(raw: string | undefined): Policies {
  if (!raw) return DEFAULT_POLICIES;
  try {
    return Policies.parse({ ...DEFAULT_POLICIES, ...JSON.parse(raw) });
  } catch (e) {
    console.warn(JSON.stringify({ level: "warn", message: "RATE_LIMITS ignored", error: String(e).slice(0, 200) }));
    return DEFAULT_POLICIES;
  }
}

export const SHARDS = 16;

const shardOf = (key: string) => `shard-${hash32(key) % SHARDS}`;

const ruleOf = (p: z.infer<typeof Policy>): BucketRule => ({ capacity: p.limit, refillPerSecond: p.limit / p.windowS });

/** Which buckets a request draws from, by path (public market data, user routes, admin). */
function bucketsFor(path: string, ip: string, userId: string | null): Array<{ name: keyof Policies; key: string }> {
  const out: Array<{ name: keyof Policies; key: string }> = [];
  if (path.startsWith("/api/admin/")) {
    out.push({ name: "admin", key: `admin:${userId ?? ip}` });
    return out;
  }
  const market = /^\/api\/(?:quotes|chains|signals|features|symbols)\/([^/]+)/.exec(path);
  if (/^\/api\/(?:recommendations|profile|watchlist)(?:\/|$)/.test(path)) out.push(userId ? { name: "user", key: `user:${userId}` } : { name: "ip", key: `ip:${ip}` });
  else out.push(userId ? { name: "user", key: `user:${userId}` } : { name: "ip", key: `ip:${ip}` });
  if (market) out.push({ name: "symbol", key: `symbol:${decodeURIComponent(market[1]).toUpperCase().slice(0, 16)}` });
  return out;
}

export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === "OPTIONS" || c.req.path === "/api/health") return next();
    const policies = policiesFrom(c.env.RATE_LIMITS);
    // Cloudflare sets CF-Connecting-IP on every request and strips a client's own copy.
    const ip = c.req.header("cf-connecting-ip") ?? "local";
    const buckets = bucketsFor(c.req.path, ip, c.get("user")?.sub ?? null);
    const results = await Promise.all(
      buckets.map(async (b) => {
        const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(shardOf(b.key)));
        return { ...b, policy: policies[b.name], result: await stub.take(b.key, ruleOf(policies[b.name])) };
      }),
    );
    const denied = results.find((r) => !r.result.allowed);
    const tightest = denied ?? results.reduce((a, b) => (b.result.remaining / b.policy.limit < a.result.remaining / a.policy.limit ? b : a));
    const headers = {
      "RateLimit-Policy": results.map((r) => `"${r.name}";q=${r.policy.limit};w=${r.policy.windowS}`).join(", "),
      RateLimit: `"${tightest.name}";r=${tightest.result.remaining};t=${Math.ceil(tightest.result.resetMs / 1000)}`,
    };
    if (denied) {
      const retry = Math.max(1, Math.ceil(denied.result.retryAfterMs / 1000));
      throw new ApiError(429, "rate_limited", `too many requests (${denied.name} limit ${denied.policy.limit} per ${denied.policy.windowS} s): retry in ${retry} s`, undefined, {
        ...headers,
        "Retry-After": String(retry),
      });
    }
    await next();
    for (const [k, v] of Object.entries(headers)) if (c.res.status !== 101) c.res.headers.set(k, v);
  };
}

import { env } from "cloudflare:test";
import type { FeedHealth } from "../../durable-objects/market-feed";

const FAKE = () => (env as unknown as { FAKE_POLYGON_URL: string }).FAKE_POLYGON_URL;

export type FakeStats = {
  connections: { stocks: number; options: number };
  totalConnections: number;
  authAttempts: number;
  subscriptions: { stocks: string[]; options: string[] };
  framesSent: number;
  eventsSent: number;
  malformedSent: number;
  restRequests: Array<{ method: string; path: string; query: Record<string, string> | string; authorized: boolean }>;
};

/** Talks to the fake Polygon server's control API. */
export const fake = {
  async stats(): Promise<FakeStats> {
    return (await fetch(`${FAKE()}/__stats`)).json();
  },
  async scenario(name: string, opts: Record<string, unknown> = {}) {
    const res = await fetch(`${FAKE()}/__scenario`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, ...opts }) });
    if (!res.ok) throw new Error(`scenario ${name}: ${res.status}`);
  },
  async emit(cluster: "stocks" | "options", frame: string) {
    const res = await fetch(`${FAKE()}/__emit`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ cluster, frame }) });
    if (!res.ok) throw new Error(`emit: ${res.status}`);
  },
  async reset() {
    await fetch(`${FAKE()}/__reset`, { method: "POST" });
  },
};

export const feed = (cluster: "stocks" | "options") => env.MARKET_FEED.get(env.MARKET_FEED.idFromName(cluster));

export async function health(cluster: "stocks" | "options"): Promise<FeedHealth> {
  return feed(cluster).health(cluster);
}

/** Polls `probe` until it returns a truthy value, or fails with the last value seen. */
export async function waitFor<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 8000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

import { DurableObject } from "cloudflare:workers";
import { marketMode } from "../workers/config";

export type FeedHealth = {
  cluster: string;
  mode: "polygon" | "synthetic";
  connected: boolean;
  authenticated: boolean;
  lastMessageAgeMs: number | null;
  subscriptions: number;
  detail: string;
};

/**
 * One per Polygon cluster (stocks, options): will hold the single upstream WebSocket the account is allowed.
 * This foundation keeps the subscription reference counts; the socket itself lands with the market-data
 * issue. With no POLYGON_API_KEY the market is synthetic and this object stays idle, and says so in health.
 */
export class MarketFeed extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS subscriptions (channel TEXT PRIMARY KEY, refs INTEGER NOT NULL)");
  }

  /** Adds one reference to a channel (e.g. `Q.SPY`); returns the new count. */
  subscribe(channel: string): number {
    this.ctx.storage.sql.exec(
      "INSERT INTO subscriptions (channel, refs) VALUES (?, 1) ON CONFLICT(channel) DO UPDATE SET refs = refs + 1",
      channel,
    );
    return this.#refs(channel);
  }

  /** Drops one reference; the row goes when the count reaches zero. Returns the new count. */
  unsubscribe(channel: string): number {
    this.ctx.storage.sql.exec("UPDATE subscriptions SET refs = refs - 1 WHERE channel = ? AND refs > 0", channel);
    this.ctx.storage.sql.exec("DELETE FROM subscriptions WHERE refs <= 0");
    return this.#refs(channel);
  }

  health(cluster: string): FeedHealth {
    const subscriptions = this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM subscriptions").one().n;
    const mode = marketMode(this.env);
    return {
      cluster,
      mode,
      connected: false,
      authenticated: false,
      lastMessageAgeMs: null,
      subscriptions,
      detail: mode === "synthetic" ? "synthetic market: no upstream socket needed" : "live feed not implemented yet",
    };
  }

  #refs(channel: string): number {
    const row = this.ctx.storage.sql
      .exec<{ refs: number }>("SELECT refs FROM subscriptions WHERE channel = ?", channel)
      .toArray()[0];
    return row?.refs ?? 0;
  }
}

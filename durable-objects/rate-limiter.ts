import { DurableObject } from "cloudflare:workers";
import { takeTokens, type BucketRule, type TakeResult } from "../workers/gateway/token-bucket";

/**
 * Exact token buckets. One object per shard of keys; a Durable Object runs one request at a time, so a
 * read-modify-write of a bucket can never interleave with another: the count is exact under concurrency.
 */
export class RateLimiter extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_ms INTEGER NOT NULL)",
    );
  }

  /** Takes `cost` tokens from the bucket `key` under `rule`. */
  take(key: string, rule: BucketRule, cost = 1): Omit<TakeResult, "state"> {
    const row = this.ctx.storage.sql
      .exec<{ tokens: number; updated_ms: number }>("SELECT tokens, updated_ms FROM buckets WHERE key = ?", key)
      .toArray()[0];
    const result = takeTokens(row ? { tokens: row.tokens, updatedMs: row.updated_ms } : null, rule, Date.now(), cost);
    this.ctx.storage.sql.exec(
      "INSERT INTO buckets (key, tokens, updated_ms) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms",
      key,
      result.state.tokens,
      result.state.updatedMs,
    );
    const { state: _state, ...answer } = result;
    return answer;
  }
}

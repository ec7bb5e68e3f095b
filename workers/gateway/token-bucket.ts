/**
 * Token bucket arithmetic (pure). A bucket holds up to `capacity` tokens and refills continuously at
 * `refillPerSecond`; a request costing `cost` tokens passes when that many are present.
 */
export type BucketState = { tokens: number; updatedMs: number };
export type BucketRule = { capacity: number; refillPerSecond: number };
export type TakeResult = { allowed: boolean; remaining: number; retryAfterMs: number; resetMs: number; state: BucketState };

/** Refill to `nowMs`, then try to take `cost` tokens. Times in milliseconds. */
export function takeTokens(prev: BucketState | null, rule: BucketRule, nowMs: number, cost = 1): TakeResult {
  const start = prev ?? { tokens: rule.capacity, updatedMs: nowMs };
  // A clock that steps backwards (another colo, a test) must not mint tokens.
  const elapsedMs = Math.max(0, nowMs - start.updatedMs);
  const tokens = Math.min(rule.capacity, start.tokens + (elapsedMs / 1000) * rule.refillPerSecond);
  const allowed = tokens >= cost;
  const left = allowed ? tokens - cost : tokens;
  const deficit = allowed ? 0 : cost - tokens;
  const msPerToken = 1000 / rule.refillPerSecond;
  return {
    allowed,
    remaining: Math.floor(left),
    retryAfterMs: Math.ceil(deficit * msPerToken),
    resetMs: Math.ceil((rule.capacity - left) * msPerToken),
    state: { tokens: left, updatedMs: Math.max(nowMs, start.updatedMs) },
  };
}

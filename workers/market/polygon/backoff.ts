/**
 * Reconnect delay with exponential backoff and full jitter (pure; `random` in [0, 1) is injected so tests are exact):
 * uniform in [0, min(maxMs, baseMs * 2^attempt)], floored at `minMs` so a flapping server is never hammered.
 */
export function reconnectDelayMs(attempt: number, random: number, opts: { baseMs?: number; maxMs?: number; minMs?: number } = {}): number {
  const base = opts.baseMs ?? 1000;
  const max = opts.maxMs ?? 60_000;
  const min = opts.minMs ?? 250;
  const cap = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.max(min, Math.floor(random * cap));
}

/** After a max_connections eviction another client holds the account's slot: wait at least this long (protocol §1.9). */
export const EVICTION_BACKOFF_MS = 60_000;

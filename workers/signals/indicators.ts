/**
 * Technical indicators over daily closes (pure). Inputs are oldest-first; each function returns the value at
 * the LAST bar, or null while the lookback is not yet filled. Deeper versions (full series, TA-Lib parity)
 * come with the signals issue.
 */

/** Simple moving average of the last `n` values. Units of the input. */
export function sma(values: readonly number[], n: number): number | null {
  if (n <= 0 || values.length < n) return null;
  let sum = 0;
  for (let i = values.length - n; i < values.length; i++) sum += values[i];
  return sum / n;
}

/** Wilder's RSI (smoothing 1/n, seeded by the simple average of the first n changes), 0..100. */
export function rsiWilder(closes: readonly number[], n = 14): number | null {
  if (closes.length < n + 1) return null;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= n; i++) {
    const d = closes[i] - closes[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= n;
  loss /= n;
  for (let i = n + 1; i < closes.length; i++) {
    const d = closes[i] - closes[i - 1];
    gain = (gain * (n - 1) + Math.max(d, 0)) / n;
    loss = (loss * (n - 1) + Math.max(-d, 0)) / n;
  }
  if (loss === 0) return gain === 0 ? 50 : 100;
  return 100 - 100 / (1 + gain / loss);
}

/** Close-to-close realized volatility over the last `n` log returns, annualised with 252 sessions (0.2 = 20%). */
export function realizedVol(closes: readonly number[], n = 20): number | null {
  if (closes.length < n + 1) return null;
  const rets: number[] = [];
  for (let i = closes.length - n; i < closes.length; i++) rets.push(Math.log(closes[i] / closes[i - 1]));
  const mean = rets.reduce((a, b) => a + b, 0) / n;
  const variance = rets.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1);
  return Math.sqrt(variance * 252);
}

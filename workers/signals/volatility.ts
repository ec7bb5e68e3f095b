/**
 * Realized volatility estimators and implied-volatility rank (pure).
 *
 * Every estimator is annualised with 252 sessions and returned as a fraction (0.2 = 20% a year). Windows are
 * counted in returns: a 20-session estimator needs 21 bars (the first bar only provides a previous close),
 * so its lookback is n bars and index i covers the returns of bars i-n+1 .. i.
 */
import type { Numbers } from "./indicators";

/** Sessions per year used to annualise daily variances. */
export const SESSIONS_PER_YEAR = 252;

function nanArray(len: number): Float64Array {
  const out = new Float64Array(len);
  out.fill(NaN);
  return out;
}

function checkWindow(name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name}: window must be an integer >= ${min}, got ${n}`);
}

/**
 * Close-to-close volatility: sample standard deviation (n-1) of the last n log returns ln(C_t/C_t-1),
 * annualised. Lookback n bars; fraction per year.
 */
export function closeToCloseVolSeries(close: Numbers, n = 20): Float64Array {
  checkWindow("closeToCloseVol", n, 2);
  const len = close.length;
  const out = nanArray(len);
  if (len <= n) return out;
  const r = new Float64Array(len);
  for (let i = 1; i < len; i++) r[i] = Math.log(close[i] / close[i - 1]);
  // Two-pass per window would be n·len; a running sum of returns and of squared deviations from a fixed
  // shift (the first return) keeps it linear without the cancellation of raw sums of squares.
  const shift = r[1];
  let s1 = 0;
  let s2 = 0;
  for (let i = 1; i < n; i++) {
    const d = r[i] - shift;
    s1 += d;
    s2 += d * d;
  }
  for (let i = n; i < len; i++) {
    const d = r[i] - shift;
    s1 += d;
    s2 += d * d;
    const variance = (s2 - (s1 * s1) / n) / (n - 1);
    out[i] = variance > 0 ? Math.sqrt(variance * SESSIONS_PER_YEAR) : 0;
    const o = r[i - n + 1] - shift;
    s1 -= o;
    s2 -= o * o;
  }
  return out;
}

/**
 * Parkinson (1980) high-low volatility: sqrt(mean(ln(H/L)²) / (4 ln 2)), annualised. Uses only each bar's
 * range, so the window is n bars; the lookback is n-1 bars (kept at n here so that every estimator of the
 * same window starts on the same bar). Fraction per year.
 */
export function parkinsonVolSeries(high: Numbers, low: Numbers, n = 20): Float64Array {
  checkWindow("parkinsonVol", n, 1);
  const len = Math.min(high.length, low.length);
  const out = nanArray(len);
  if (len <= n) return out;
  const f = SESSIONS_PER_YEAR / (4 * Math.LN2 * n);
  let s = 0;
  for (let i = 1; i < n; i++) {
    const hl = Math.log(high[i] / low[i]);
    s += hl * hl;
  }
  for (let i = n; i < len; i++) {
    const hl = Math.log(high[i] / low[i]);
    s += hl * hl;
    out[i] = Math.sqrt(Math.max(0, s * f));
    const o = Math.log(high[i - n + 1] / low[i - n + 1]);
    s -= o * o;
  }
  return out;
}

/**
 * Yang-Zhang (2000) volatility over n sessions: σ² = σo² + k·σc² + (1-k)·σrs², where σo² is the sample
 * variance of overnight returns ln(O_t/C_t-1), σc² the sample variance of open-to-close returns ln(C_t/O_t),
 * σrs² the Rogers-Satchell mean of ln(H/C)ln(H/O) + ln(L/C)ln(L/O), and k = 0.34 / (1.34 + (n+1)/(n-1)).
 * Handles opening gaps and drift. Lookback n bars; fraction per year.
 */
export function yangZhangVolSeries(open: Numbers, high: Numbers, low: Numbers, close: Numbers, n = 20): Float64Array {
  checkWindow("yangZhangVol", n, 2);
  const len = Math.min(open.length, high.length, low.length, close.length);
  const out = nanArray(len);
  if (len <= n) return out;
  const k = 0.34 / (1.34 + (n + 1) / (n - 1));
  const on = new Float64Array(len);
  const oc = new Float64Array(len);
  const rs = new Float64Array(len);
  for (let i = 1; i < len; i++) {
    on[i] = Math.log(open[i] / close[i - 1]);
    oc[i] = Math.log(close[i] / open[i]);
    const hc = Math.log(high[i] / close[i]);
    const ho = Math.log(high[i] / open[i]);
    const lc = Math.log(low[i] / close[i]);
    const lo = Math.log(low[i] / open[i]);
    rs[i] = hc * ho + lc * lo;
  }
  const so = on[1];
  const sc = oc[1];
  let o1 = 0, o2 = 0, c1 = 0, c2 = 0, r1 = 0;
  for (let i = 1; i < n; i++) {
    const a = on[i] - so;
    const b = oc[i] - sc;
    o1 += a; o2 += a * a; c1 += b; c2 += b * b; r1 += rs[i];
  }
  for (let i = n; i < len; i++) {
    const a = on[i] - so;
    const b = oc[i] - sc;
    o1 += a; o2 += a * a; c1 += b; c2 += b * b; r1 += rs[i];
    const vo = (o2 - (o1 * o1) / n) / (n - 1);
    const vc = (c2 - (c1 * c1) / n) / (n - 1);
    const vrs = r1 / n;
    const v = vo + k * vc + (1 - k) * vrs;
    out[i] = v > 0 ? Math.sqrt(v * SESSIONS_PER_YEAR) : 0;
    const j = i - n + 1;
    const a0 = on[j] - so;
    const b0 = oc[j] - sc;
    o1 -= a0; o2 -= a0 * a0; c1 -= b0; c2 -= b0 * b0; r1 -= rs[j];
  }
  return out;
}

/** Default window of IV rank and percentile: one year of sessions. */
export const IV_WINDOW = 252;

/**
 * IV rank: where today's implied vol sits between the low and the high of the window, 0..100.
 * `history` is oldest-first and ENDS with today's value; the window is its last `window` values (252 sessions
 * by default, today included). Null with fewer than 2 values or when high = low.
 */
export function ivRank(history: Numbers, window = IV_WINDOW): number | null {
  const len = history.length;
  if (len < 2) return null;
  const from = Math.max(0, len - window);
  const current = history[len - 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < len; i++) {
    const v = history[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? (100 * (current - lo)) / (hi - lo) : null;
}

/**
 * IV percentile: the share of the window's PREVIOUS sessions whose implied vol was below today's, 0..100.
 * `history` ends with today's value; the window is its last `window` values (today + window-1 before it).
 * Null with fewer than 2 values.
 */
export function ivPercentile(history: Numbers, window = IV_WINDOW): number | null {
  const len = history.length;
  if (len < 2) return null;
  const from = Math.max(0, len - window);
  const current = history[len - 1];
  let below = 0;
  for (let i = from; i < len - 1; i++) if (history[i] < current) below++;
  return (100 * below) / (len - 1 - from);
}

/**
 * Technical indicators over daily bars (pure: no I/O, no clock).
 *
 * Conventions, shared by every function here:
 * - Inputs are oldest-first arrays (`number[]` or typed arrays) of finite numbers; prices in currency per share.
 * - Series functions return a Float64Array as long as the input, NaN where the lookback is not yet filled, so
 *   index i always means "as of bar i". `LOOKBACK` below gives the first valid index for each.
 * - Values match TA-Lib 0.6.0 (default compatibility, unstable period 0) when fed the same bars from the same
 *   first bar, including its seeding choices (EMA seeded by an SMA, Wilder sums for ATR/ADX, MACD's fast EMA
 *   started where the slow one starts). Tests hold them to TA-Lib output saved as fixtures.
 * - Last-value helpers (`sma`, `rsiWilder`, ...) return the value at the last bar, or null while not filled.
 *
 * Speed: one pass per series, running sums instead of windows re-summed, typed arrays, no per-bar allocation
 * (see bench/signals.ts).
 */

export type Numbers = ArrayLike<number>;

/** First valid output index of each series for its default parameters (n = period). */
export const LOOKBACK = {
  sma: (n: number) => n - 1,
  ema: (n: number) => n - 1,
  stddev: (n: number) => n - 1,
  bollinger: (n: number) => n - 1,
  rsi: (n: number) => n,
  macd: (slow: number, signal: number) => slow + signal - 2,
  trueRange: () => 1,
  atr: (n: number) => n,
  dmi: (n: number) => n,
  adx: (n: number) => 2 * n - 1,
} as const;

function nanArray(len: number): Float64Array {
  const out = new Float64Array(len);
  out.fill(NaN);
  return out;
}

function checkPeriod(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name}: period must be a positive integer, got ${n}`);
}

/**
 * Simple moving average over `n` bars. Lookback n-1 bars; units of the input.
 * Running sum (the value drops out as the new one comes in), as TA-Lib does.
 */
export function smaSeries(x: Numbers, n: number): Float64Array {
  checkPeriod("sma", n);
  const len = x.length;
  const out = nanArray(len);
  if (len < n) return out;
  let sum = 0;
  for (let i = 0; i < n - 1; i++) sum += x[i];
  for (let i = n - 1; i < len; i++) {
    sum += x[i];
    out[i] = sum / n;
    sum -= x[i - n + 1];
  }
  return out;
}

/**
 * Exponential moving average, smoothing k = 2/(n+1), seeded with the SMA of the first n values.
 * Lookback n-1 bars; units of the input.
 */
export function emaSeries(x: Numbers, n: number): Float64Array {
  checkPeriod("ema", n);
  return emaFrom(x, n, 0);
}

/** EMA whose seed is the SMA of x[start .. start+n-1]; NaN before start+n-1 (MACD starts its fast EMA late). */
function emaFrom(x: Numbers, n: number, start: number): Float64Array {
  const len = x.length;
  const out = nanArray(len);
  const first = start + n - 1;
  if (len <= first) return out;
  const k = 2 / (n + 1);
  let sum = 0;
  for (let i = start; i <= first; i++) sum += x[i];
  let prev = sum / n;
  out[first] = prev;
  for (let i = first + 1; i < len; i++) {
    prev = (x[i] - prev) * k + prev;
    out[i] = prev;
  }
  return out;
}

/**
 * Population standard deviation over `n` bars, times `k` (TA-Lib STDDEV(n, k)). Lookback n-1 bars; units of
 * the input. Variance from running sums of x and x², clamped at 0 against rounding.
 */
export function stddevSeries(x: Numbers, n: number, k = 1): Float64Array {
  checkPeriod("stddev", n);
  const len = x.length;
  const out = nanArray(len);
  if (len < n) return out;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n - 1; i++) {
    s1 += x[i];
    s2 += x[i] * x[i];
  }
  for (let i = n - 1; i < len; i++) {
    const v = x[i];
    s1 += v;
    s2 += v * v;
    const mean = s1 / n;
    const variance = s2 / n - mean * mean;
    out[i] = variance > 0 ? Math.sqrt(variance) * k : 0;
    const old = x[i - n + 1];
    s1 -= old;
    s2 -= old * old;
  }
  return out;
}

export type Bollinger = { upper: Float64Array; middle: Float64Array; lower: Float64Array };

/**
 * Bollinger bands: middle = SMA(n), upper/lower = middle ± k population standard deviations of the same n
 * closes (TA-Lib BBANDS(n, k, k, SMA)). Lookback n-1 bars; units of the input.
 */
export function bollingerSeries(close: Numbers, n = 20, k = 2): Bollinger {
  checkPeriod("bollinger", n);
  const len = close.length;
  const upper = nanArray(len);
  const middle = nanArray(len);
  const lower = nanArray(len);
  if (len < n) return { upper, middle, lower };
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n - 1; i++) {
    s1 += close[i];
    s2 += close[i] * close[i];
  }
  for (let i = n - 1; i < len; i++) {
    const v = close[i];
    s1 += v;
    s2 += v * v;
    const mean = s1 / n;
    const variance = s2 / n - mean * mean;
    const band = variance > 0 ? Math.sqrt(variance) * k : 0;
    middle[i] = mean;
    upper[i] = mean + band;
    lower[i] = mean - band;
    const old = close[i - n + 1];
    s1 -= old;
    s2 -= old * old;
  }
  return { upper, middle, lower };
}

/**
 * Wilder's RSI: average gain and loss seeded with the simple average of the first n changes, then smoothed by
 * 1/n. Lookback n bars (n changes); 0..100. A window with no movement at all reads 50 (TA-Lib says 0 there;
 * neither direction has won, so we say neutral).
 */
export function rsiSeries(close: Numbers, n = 14): Float64Array {
  checkPeriod("rsi", n);
  const len = close.length;
  const out = nanArray(len);
  if (len <= n) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= n; i++) {
    const d = close[i] - close[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= n;
  loss /= n;
  out[n] = rsiOf(gain, loss);
  const m = n - 1;
  for (let i = n + 1; i < len; i++) {
    const d = close[i] - close[i - 1];
    if (d > 0) {
      gain = (gain * m + d) / n;
      loss = (loss * m) / n;
    } else {
      gain = (gain * m) / n;
      loss = (loss * m - d) / n;
    }
    out[i] = rsiOf(gain, loss);
  }
  return out;
}

function rsiOf(gain: number, loss: number): number {
  const total = gain + loss;
  return total > 1e-14 ? (100 * gain) / total : 50;
}

export type Macd = { macd: Float64Array; signal: Float64Array; histogram: Float64Array };

/**
 * MACD = EMA(fast) - EMA(slow) of closes; signal = EMA(signal) of MACD; histogram = MACD - signal.
 * As in TA-Lib, both EMAs start at bar slow-1 (the fast one seeded by the SMA of the `fast` closes ending
 * there), so the MACD line starts at slow-1 and everything is output from the signal's first value.
 * Lookback slow+signal-2 bars (33 for 12/26/9); units of the input (currency).
 */
export function macdSeries(close: Numbers, fast = 12, slow = 26, signal = 9): Macd {
  checkPeriod("macd fast", fast);
  checkPeriod("macd slow", slow);
  checkPeriod("macd signal", signal);
  if (fast > slow) [fast, slow] = [slow, fast];
  const len = close.length;
  const macd = nanArray(len);
  const sig = nanArray(len);
  const histogram = nanArray(len);
  const start = slow - 1;
  const first = start + signal - 1;
  if (len <= first) return { macd, signal: sig, histogram };
  const kf = 2 / (fast + 1);
  const ks = 2 / (slow + 1);
  const kg = 2 / (signal + 1);
  let ef = 0;
  for (let i = slow - fast; i <= start; i++) ef += close[i];
  ef /= fast;
  let es = 0;
  for (let i = 0; i <= start; i++) es += close[i];
  es /= slow;
  // The MACD values before the signal's seed only feed that seed; TA-Lib does not output them.
  let seed = ef - es;
  for (let i = start + 1; i <= first; i++) {
    ef = (close[i] - ef) * kf + ef;
    es = (close[i] - es) * ks + es;
    seed += ef - es;
  }
  let sg = seed / signal;
  let m = ef - es;
  macd[first] = m;
  sig[first] = sg;
  histogram[first] = m - sg;
  for (let i = first + 1; i < len; i++) {
    ef = (close[i] - ef) * kf + ef;
    es = (close[i] - es) * ks + es;
    m = ef - es;
    sg = (m - sg) * kg + sg;
    macd[i] = m;
    sig[i] = sg;
    histogram[i] = m - sg;
  }
  return { macd, signal: sig, histogram };
}

/**
 * True range: the largest of high-low, |high-previous close|, |low-previous close|. Lookback 1 bar (the first
 * bar has no previous close); currency.
 */
export function trueRangeSeries(high: Numbers, low: Numbers, close: Numbers): Float64Array {
  const len = Math.min(high.length, low.length, close.length);
  const out = nanArray(len);
  for (let i = 1; i < len; i++) out[i] = trueRange(high[i], low[i], close[i - 1]);
  return out;
}

function trueRange(h: number, l: number, prevClose: number): number {
  let tr = h - l;
  const a = h > prevClose ? h - prevClose : prevClose - h;
  if (a > tr) tr = a;
  const b = l > prevClose ? l - prevClose : prevClose - l;
  return b > tr ? b : tr;
}

/**
 * Average true range, Wilder: the mean of the first n true ranges (bars 1..n), then (prev·(n-1) + TR)/n.
 * Lookback n bars; currency.
 */
export function atrSeries(high: Numbers, low: Numbers, close: Numbers, n = 14): Float64Array {
  checkPeriod("atr", n);
  const len = Math.min(high.length, low.length, close.length);
  const out = nanArray(len);
  if (len <= n) return out;
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += trueRange(high[i], low[i], close[i - 1]);
  let atr = sum / n;
  out[n] = atr;
  const m = n - 1;
  for (let i = n + 1; i < len; i++) {
    atr = (atr * m + trueRange(high[i], low[i], close[i - 1])) / n;
    out[i] = atr;
  }
  return out;
}

/** Normalised ATR: ATR(n) / close × 100. Lookback n bars; percent of price. */
export function natrSeries(high: Numbers, low: Numbers, close: Numbers, n = 14): Float64Array {
  const out = atrSeries(high, low, close, n);
  for (let i = n; i < out.length; i++) out[i] = close[i] === 0 ? 0 : (out[i] / close[i]) * 100;
  return out;
}

export type Dmi = { plusDi: Float64Array; minusDi: Float64Array; adx: Float64Array };

/**
 * Wilder's directional movement system: +DI and -DI (lookback n bars, 0..100) and ADX (lookback 2n-1 bars,
 * 0..100). As in TA-Lib: +DM/-DM/TR are Wilder sums seeded with the sum of the first n-1 bars' values
 * (bars 1..n-1) and decayed by 1/n from bar n on; a bar counts only its larger directional move; ADX is the
 * mean of the first n DX values, then Wilder-smoothed.
 */
export function dmiSeries(high: Numbers, low: Numbers, close: Numbers, n = 14): Dmi {
  checkPeriod("dmi", n);
  const len = Math.min(high.length, low.length, close.length);
  const plusDi = nanArray(len);
  const minusDi = nanArray(len);
  const adx = nanArray(len);
  if (len <= n) return { plusDi, minusDi, adx };
  let pdm = 0;
  let mdm = 0;
  let tr = 0;
  for (let i = 1; i < n; i++) {
    const up = high[i] - high[i - 1];
    const down = low[i - 1] - low[i];
    if (down > 0 && up < down) mdm += down;
    else if (up > 0 && up > down) pdm += up;
    tr += trueRange(high[i], low[i], close[i - 1]);
  }
  const adxStart = 2 * n - 1;
  let dxSum = 0;
  let adxPrev = NaN;
  const m = n - 1;
  for (let i = n; i < len; i++) {
    const up = high[i] - high[i - 1];
    const down = low[i - 1] - low[i];
    pdm -= pdm / n;
    mdm -= mdm / n;
    if (down > 0 && up < down) mdm += down;
    else if (up > 0 && up > down) pdm += up;
    tr = tr - tr / n + trueRange(high[i], low[i], close[i - 1]);
    let p = 0;
    let q = 0;
    let dx = 0;
    if (tr > 1e-8 || tr < -1e-8) {
      p = (100 * pdm) / tr;
      q = (100 * mdm) / tr;
      const s = p + q;
      if (s > 1e-8 || s < -1e-8) dx = (100 * Math.abs(p - q)) / s;
    }
    plusDi[i] = p;
    minusDi[i] = q;
    if (i < adxStart) dxSum += dx;
    else if (i === adxStart) {
      adxPrev = (dxSum + dx) / n;
      adx[i] = adxPrev;
    } else {
      adxPrev = (adxPrev * m + dx) / n;
      adx[i] = adxPrev;
    }
  }
  return { plusDi, minusDi, adx };
}

/** ADX(n) alone (see dmiSeries). Lookback 2n-1 bars; 0..100. */
export function adxSeries(high: Numbers, low: Numbers, close: Numbers, n = 14): Float64Array {
  return dmiSeries(high, low, close, n).adx;
}

// ---------------------------------------------------------------------------------------------------------
// Last values (what the signals bundle shows)

/** The last element of a series, or null when it is NaN (lookback not filled) or the series is empty. */
export function last(series: Float64Array): number | null {
  const v = series.length ? series[series.length - 1] : NaN;
  return Number.isNaN(v) ? null : v;
}

/** Simple moving average of the last `n` values, or null with fewer. Lookback n-1 bars; units of the input. */
export function sma(values: Numbers, n: number): number | null {
  if (n <= 0 || values.length < n) return null;
  let sum = 0;
  for (let i = values.length - n; i < values.length; i++) sum += values[i];
  return sum / n;
}

/** Wilder's RSI at the last bar (see rsiSeries). Lookback n bars; 0..100. */
export function rsiWilder(closes: Numbers, n = 14): number | null {
  return last(rsiSeries(closes, n));
}

/**
 * Chain analytics: implied vol and Greeks for every quote of a chain from its mid, with the IV's uncertainty
 * from the spread, risk-neutral probabilities (finish in the money, touch the strike), breakevens and the
 * expected move per expiry. Pure: spot, rates and each quote's time to expiry come from the caller.
 *
 * Speed: European contracts (and American ones where early exercise can never pay: calls without dividends)
 * go through the positional IV and an allocation-free Greeks kernel writing columns (chainAnalyticsColumns);
 * an 8,000-contract chain is timed in bench/. American puts (and calls with dividends) use Bjerksund-Stensland
 * 2002, about a hundred times dearer.
 */
import { bsGreeksInto } from "./black-scholes";
import { americanGreeks, americanImpliedVol, earlyExerciseMatters } from "./american";
import { impliedVolRaw } from "./implied-vol";
import { expFast, logRatio } from "./fast-exp";
import { normCdf, normCdfFast } from "./normal";
import { scratchDoubles } from "./scratch";

/** One quote of a chain: prices in currency per share, years of calendar time to expiry. */
export type ChainQuote = {
  kind: "call" | "put";
  strike: number;
  years: number;
  bid: number;
  ask: number;
  exercise?: "american" | "european";
};

/** Per-quote results; Greeks in raw units (vega per 1.00 vol, theta per year dV/dt, rho per 1.00 rate). */
export type ChainRow = {
  mid: number;
  iv: number | null; // annualised, from the mid
  ivUncertainty: number | null; // half-spread / vega: the vol range the quote itself allows (1.00 = 100 vol points)
  price: number | null; // model price at iv (= mid up to rounding)
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
  rho: number | null;
  probItm: number | null; // risk-neutral probability of finishing in the money
  probTouch: number | null; // risk-neutral probability that spot touches the strike before expiry
  breakeven: number; // underlying price at expiry where buying at the mid breaks even (currency)
  model: "bsm" | "bs2002";
};

/** Options of chainAnalytics: the tick (currency) under half of which time value is not identifiable. */
export type ChainOptions = { tick?: number; american?: boolean };

/**
 * The whole chain's results as columns, index j for quotes[j]: what chain loops and the bench use. NaN stands
 * for null (no identifiable IV, hence no Greeks or probabilities); units as ChainRow. Columns of doubles instead
 * of 8,000 row objects: V8 keeps every double property of an object in its own heap box, so the row form costs
 * 14 allocations per contract and the collector, not the maths, dominated the chain (issue #4's 5 ms target).
 */
export type ChainColumns = {
  length: number;
  mid: Float64Array;
  iv: Float64Array;
  ivUncertainty: Float64Array;
  price: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  vega: Float64Array;
  theta: Float64Array;
  rho: Float64Array;
  probItm: Float64Array;
  probTouch: Float64Array;
  breakeven: Float64Array;
  /** 1 where the row was priced with Bjerksund-Stensland 2002 (American exercise that can pay), else 0. */
  bs2002: Uint8Array;
};

const scratch = scratchDoubles(7);

/** IV, Greeks, uncertainty, probabilities and breakeven for each quote, as columns (spot in currency, continuous rates). */
export function chainAnalyticsColumns(spot: number, rate: number, dividendYield: number, quotes: readonly ChainQuote[], opts: ChainOptions = {}): ChainColumns {
  const tick = opts.tick ?? 0.01;
  const useAmerican = opts.american !== false;
  const n = quotes.length;
  const c: ChainColumns = {
    length: n,
    mid: new Float64Array(n),
    iv: new Float64Array(n),
    ivUncertainty: new Float64Array(n),
    price: new Float64Array(n),
    delta: new Float64Array(n),
    gamma: new Float64Array(n),
    vega: new Float64Array(n),
    theta: new Float64Array(n),
    rho: new Float64Array(n),
    probItm: new Float64Array(n),
    probTouch: new Float64Array(n),
    breakeven: new Float64Array(n),
    bs2002: new Uint8Array(n),
  };
  // Early exercise can pay for puts whenever r > 0 and for calls whenever q > 0: decided once per kind.
  const americanPut = useAmerican && earlyExerciseMatters("put", rate, dividendYield);
  const americanCall = useAmerican && earlyExerciseMatters("call", rate, dividendYield);
  for (let j = 0; j < n; j++) {
    const qt = quotes[j];
    const call = qt.kind === "call";
    const strike = qt.strike;
    const years = qt.years;
    const mid = 0.5 * (qt.bid + qt.ask);
    c.mid[j] = mid;
    c.breakeven[j] = call ? strike + mid : strike - mid;
    const american = qt.exercise === "american" && (call ? americanCall : americanPut);
    let iv: number;
    if (american) {
      c.bs2002[j] = 1;
      const v = americanImpliedVol({ kind: qt.kind, spot, strike, years, rate, dividendYield, price: mid, tick });
      iv = v ?? NaN;
      if (v !== null) {
        const g = americanGreeks({ kind: qt.kind, spot, strike, years, rate, dividendYield, vol: v });
        scratch[0] = g.price;
        scratch[1] = g.delta;
        scratch[2] = g.gamma;
        scratch[3] = g.vega;
        scratch[4] = g.theta;
        scratch[5] = g.rho;
        scratch[6] = probabilityItm(qt.kind, spot, strike, years, rate, dividendYield, v);
      }
    } else {
      iv = impliedVolRaw(call, spot, strike, years, rate, dividendYield, mid, tick);
      if (iv === iv) bsGreeksInto(scratch, 0, call, spot, strike, years, rate, dividendYield, iv);
    }
    c.iv[j] = iv;
    if (iv !== iv) {
      c.ivUncertainty[j] = c.price[j] = c.delta[j] = c.gamma[j] = c.vega[j] = c.theta[j] = c.rho[j] = c.probItm[j] = c.probTouch[j] = NaN;
      continue;
    }
    const vega = scratch[3];
    c.price[j] = scratch[0];
    c.delta[j] = scratch[1];
    c.gamma[j] = scratch[2];
    c.vega[j] = vega;
    c.theta[j] = scratch[4];
    c.rho[j] = scratch[5];
    c.probItm[j] = scratch[6];
    c.ivUncertainty[j] = vega > 0 ? (0.5 * (qt.ask - qt.bid)) / vega : NaN;
    TOUCH[0] = spot;
    TOUCH[1] = strike;
    TOUCH[2] = years;
    TOUCH[3] = rate - dividendYield;
    TOUCH[4] = iv;
    touchFromSlots();
    c.probTouch[j] = TOUCH[5];
  }
  return c;
}

const orNull = (x: number): number | null => (x === x ? x : null);

/** Row j of a column set as a ChainRow (null where the column holds NaN). */
export function chainRow(c: ChainColumns, j: number): ChainRow {
  return {
    mid: c.mid[j],
    iv: orNull(c.iv[j]),
    ivUncertainty: orNull(c.ivUncertainty[j]),
    price: orNull(c.price[j]),
    delta: orNull(c.delta[j]),
    gamma: orNull(c.gamma[j]),
    vega: orNull(c.vega[j]),
    theta: orNull(c.theta[j]),
    rho: orNull(c.rho[j]),
    probItm: orNull(c.probItm[j]),
    probTouch: orNull(c.probTouch[j]),
    breakeven: c.breakeven[j],
    model: c.bs2002[j] ? "bs2002" : "bsm",
  };
}

/** IV, Greeks, uncertainty, probabilities and breakeven for each quote as row objects (chainAnalyticsColumns, one row per quote). */
export function chainAnalytics(spot: number, rate: number, dividendYield: number, quotes: readonly ChainQuote[], opts: ChainOptions = {}): ChainRow[] {
  const c = chainAnalyticsColumns(spot, rate, dividendYield, quotes, opts);
  const rows: ChainRow[] = new Array(c.length);
  for (let j = 0; j < c.length; j++) rows[j] = chainRow(c, j);
  return rows;
}

// touchFromSlots's inputs (spot, barrier, years, carry = r - q, vol) and, in slot 5, its result: the function is
// too large for V8 to inline into the chain loop, and numbers passed to a call that is not inlined are boxed (see
// scratchDoubles).
const TOUCH = scratchDoubles(6);

/**
 * probabilityOfTouch for chain loops: the same reflection formula with the fast normal CDF, the log ratio
 * without a division or a library call, and the power term as one exponential,
 * e^{2 mu b / vol^2} = (barrier/spot)^{2 mu / vol^2}.
 */
function touchFromSlots(): void {
  const spot = TOUCH[0];
  const barrier = TOUCH[1];
  const years = TOUCH[2];
  const carry = TOUCH[3];
  const vol = TOUCH[4];
  TOUCH[5] = 1;
  if (barrier === spot) return;
  const sqrtT = Math.sqrt(years);
  const sig = vol * sqrtT;
  TOUCH[5] = 0;
  if (!(sig > 0)) return;
  const v2 = vol * vol;
  const mu = carry - 0.5 * v2;
  // logRatio reads exponent bits: both must be normal doubles (the IV solve before this has already taken
  // spot and strike as positive and finite).
  const b = spot >= 2.2250738585072014e-308 && barrier >= 2.2250738585072014e-308 ? logRatio(barrier, spot) : Math.log(barrier / spot);
  const power = expFast((2 * mu * b) / v2);
  const muT = mu * years;
  const p = b > 0 ? normCdfFast((-b + muT) / sig) + power * normCdfFast((-b - muT) / sig) : normCdfFast((b - muT) / sig) + power * normCdfFast((b + muT) / sig);
  // An overflowing power meets a vanishing tail only when the drift runs hard toward the barrier: touch is certain.
  TOUCH[5] = p < 1 ? p : 1;
}

/** Risk-neutral probability (0..1) that the option finishes in the money: N(d2) for calls, N(-d2) for puts. */
export function probabilityItm(kind: "call" | "put", spot: number, strike: number, years: number, rate: number, dividendYield: number, vol: number): number {
  const sig = vol * Math.sqrt(years);
  if (!(sig > 0)) {
    const fwd = spot * Math.exp((rate - dividendYield) * years);
    return kind === "call" ? (fwd > strike ? 1 : 0) : fwd < strike ? 1 : 0;
  }
  const d2 = (Math.log(spot / strike) + (rate - dividendYield - 0.5 * vol * vol) * years) / sig;
  return kind === "call" ? normCdf(d2) : normCdf(-d2);
}

/**
 * Risk-neutral probability (0..1) that the underlying touches `barrier` at any time before expiry (the reflection
 * formula for Brownian motion with drift mu = r - q - vol^2/2 in log price); 1 when spot is already there.
 */
export function probabilityOfTouch(spot: number, barrier: number, years: number, rate: number, dividendYield: number, vol: number): number {
  if (barrier === spot) return 1;
  const sig = vol * Math.sqrt(years);
  if (!(sig > 0)) return 0;
  const mu = rate - dividendYield - 0.5 * vol * vol;
  const b = Math.log(barrier / spot);
  const power = Math.pow(barrier / spot, (2 * mu) / (vol * vol));
  if (b > 0) return Math.min(1, normCdf((-b + mu * years) / sig) + power * normCdf((-b - mu * years) / sig));
  return Math.min(1, normCdf((b - mu * years) / sig) + power * normCdf((b + mu * years) / sig));
}

/** One-standard-deviation expected move of the underlying to expiry (currency): spot * vol * sqrt(years). */
export function expectedMoveFromIv(spot: number, vol: number, years: number): number {
  return spot * vol * Math.sqrt(years);
}

/**
 * Expected move from the at-the-money straddle (currency): the straddle mid is the market's price of the
 * expected ABSOLUTE move, E|S_T - K| ~ sqrt(2/pi) * spot * vol * sqrt(T) ~ 0.8 standard deviations; this returns
 * the straddle (call mid + put mid at the strike nearest the forward) and its one-sd equivalent (/ sqrt(2/pi)).
 */
export function expectedMoveFromStraddle(
  spot: number,
  rate: number,
  dividendYield: number,
  years: number,
  quotes: readonly { kind: "call" | "put"; strike: number; bid: number; ask: number }[],
): { strike: number; straddle: number; oneSd: number } | null {
  const fwd = spot * Math.exp((rate - dividendYield) * years);
  let best: number | null = null;
  const calls = new Map<number, number>();
  const puts = new Map<number, number>();
  for (const q of quotes) (q.kind === "call" ? calls : puts).set(q.strike, 0.5 * (q.bid + q.ask));
  for (const k of calls.keys()) if (puts.has(k) && (best === null || Math.abs(k - fwd) < Math.abs(best - fwd))) best = k;
  if (best === null) return null;
  const straddle = calls.get(best)! + puts.get(best)!;
  return { strike: best, straddle, oneSd: straddle / Math.sqrt(2 / Math.PI) };
}

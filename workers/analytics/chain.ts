/**
 * Chain analytics: implied vol and Greeks for every quote of a chain from its mid, with the IV's uncertainty
 * from the spread, risk-neutral probabilities (finish in the money, touch the strike), breakevens and the
 * expected move per expiry. Pure: spot, rates and each quote's time to expiry come from the caller.
 *
 * Speed: European contracts (and American ones where early exercise can never pay: calls without dividends)
 * go through the positional IV and an allocation-free Greeks kernel; an 8,000-contract chain is timed in
 * bench/. American puts (and calls with dividends) use Bjerksund-Stensland 2002, about a hundred times dearer.
 */
import { bsGreeksInto } from "./black-scholes";
import { americanGreeks, americanImpliedVol, earlyExerciseMatters } from "./american";
import { impliedVolRaw } from "./implied-vol";
import { normCdf } from "./normal";

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

const scratch = new Float64Array(6);

/** IV, Greeks, uncertainty, probabilities and breakeven for each quote (spot in currency, continuous rates). */
export function chainAnalytics(spot: number, rate: number, dividendYield: number, quotes: readonly ChainQuote[], opts: ChainOptions = {}): ChainRow[] {
  const tick = opts.tick ?? 0.01;
  const useAmerican = opts.american !== false;
  const out: ChainRow[] = new Array(quotes.length);
  for (let j = 0; j < quotes.length; j++) {
    const qt = quotes[j];
    const call = qt.kind === "call";
    const mid = 0.5 * (qt.bid + qt.ask);
    const halfSpread = 0.5 * (qt.ask - qt.bid);
    const breakeven = call ? qt.strike + mid : qt.strike - mid;
    const american = useAmerican && qt.exercise === "american" && earlyExerciseMatters(qt.kind, rate, dividendYield);
    let iv: number;
    let price = NaN, delta = NaN, gamma = NaN, vega = NaN, theta = NaN, rho = NaN;
    if (american) {
      const v = americanImpliedVol({ kind: qt.kind, spot, strike: qt.strike, years: qt.years, rate, dividendYield, price: mid, tick });
      iv = v ?? NaN;
      if (v !== null) {
        const g = americanGreeks({ kind: qt.kind, spot, strike: qt.strike, years: qt.years, rate, dividendYield, vol: v });
        price = g.price;
        delta = g.delta;
        gamma = g.gamma;
        vega = g.vega;
        theta = g.theta;
        rho = g.rho;
      }
    } else {
      iv = impliedVolRaw(call, spot, qt.strike, qt.years, rate, dividendYield, mid, tick);
      if (iv === iv) {
        bsGreeksInto(scratch, 0, call, spot, qt.strike, qt.years, rate, dividendYield, iv);
        price = scratch[0];
        delta = scratch[1];
        gamma = scratch[2];
        vega = scratch[3];
        theta = scratch[4];
        rho = scratch[5];
      }
    }
    if (iv !== iv) {
      out[j] = { mid, iv: null, ivUncertainty: null, price: null, delta: null, gamma: null, vega: null, theta: null, rho: null, probItm: null, probTouch: null, breakeven, model: american ? "bs2002" : "bsm" };
      continue;
    }
    out[j] = {
      mid,
      iv,
      ivUncertainty: vega > 0 ? halfSpread / vega : null,
      price,
      delta,
      gamma,
      vega,
      theta,
      rho,
      probItm: probabilityItm(qt.kind, spot, qt.strike, qt.years, rate, dividendYield, iv),
      probTouch: probabilityOfTouch(spot, qt.strike, qt.years, rate, dividendYield, iv),
      breakeven,
      model: american ? "bs2002" : "bsm",
    };
  }
  return out;
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

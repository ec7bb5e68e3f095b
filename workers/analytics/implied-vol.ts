/**
 * Implied volatility of a European option under Black-Scholes-Merton.
 *
 * The quote is reduced to its out-of-the-money equivalent (put-call parity: the time value is the OTM price)
 * and normalised by sqrt(S e^{-qT} K e^{-rT}), leaving one function b(h, s) of the log-moneyness h = -|ln F/K|
 * and the total volatility s = vol * sqrt(T). b is convex in s below s_c = sqrt(2|h|) and concave above, so
 * each side gets an objective that is close to linear there (ln b below, ln(b_max - b) above) and is solved by
 * Halley steps inside a bracket that shrinks every iteration, with bisection when a step leaves it.
 */
import type { BsInput } from "./black-scholes";
import { normCdf, normInv, SQRT_TWO_PI } from "./normal";

/** Normalised OTM price e^{h/2} N(h/s + s/2) - e^{-h/2} N(h/s - s/2) for h <= 0; both terms are lower tails. */
function bNorm(h: number, s: number, eh: number, emh: number): number {
  const d = h / s;
  return eh * normCdf(d + s / 2) - emh * normCdf(d - s / 2);
}

/** b_max - b(h, s): the normalised distance to the upper bound, as a sum of two positive tails (no cancellation). */
function cNorm(h: number, s: number, eh: number, emh: number): number {
  const d = h / s;
  return eh * normCdf(-d - s / 2) + emh * normCdf(d - s / 2);
}

/** db/ds, the normalised vega; the same for calls and puts and independent of the sign of h. */
function vegaNorm(h: number, s: number): number {
  const d = h / s;
  return Math.exp(-0.5 * (d * d + (s * s) / 4)) / SQRT_TWO_PI;
}

const MAX_ITER = 60;

/**
 * Total volatility s > 0 with b(h, s) = beta, for h <= 0 and 0 < beta < e^{h/2}; NaN if the iteration fails.
 * Exported for tests and benchmarks, which also read the iteration count.
 */
export function solveNormalised(h: number, beta: number): { s: number; iterations: number } {
  const eh = Math.exp(h / 2);
  const emh = Math.exp(-h / 2);
  const sc = Math.sqrt(-2 * h);
  const bc = h === 0 ? 0 : bNorm(h, sc, eh, emh);
  const lowerBranch = beta < bc;
  let lo = 0;
  let hi = Infinity;
  let s: number;
  let logTarget: number;
  if (lowerBranch) {
    hi = sc;
    logTarget = Math.log(beta);
    // For small s, b ~ phi-like factor exp(-h^2/(2 s^2)) times s^3/(sqrt(2pi) h^2): one fixed-point pass on the
    // prefactor gets within a few percent, which Halley finishes in 2-4 steps.
    s = -h / Math.sqrt(-2 * logTarget);
    for (let k = 0; k < 2; k++) {
      const pre = Math.log((s * s * s) / (SQRT_TWO_PI * h * h)) - (s * s) / 8;
      const denom = -2 * (logTarget - pre);
      if (!(denom > 0)) break;
      s = -h / Math.sqrt(denom);
    }
    if (!(s > 0 && s < sc)) s = sc / 2;
  } else {
    lo = sc;
    const cTarget = eh - beta;
    logTarget = Math.log(cTarget);
    // Exact for h = 0 (c = 2 N(-s/2)); a good start elsewhere on the concave side.
    s = -2 * normInv(cTarget / (eh + emh));
    if (!(s > sc)) s = sc > 0 ? sc * 1.5 : 0.5;
  }

  for (let it = 1; it <= MAX_ITER; it++) {
    const v = vegaNorm(h, s);
    const curv = (h * h) / (s * s * s) - s / 4; // b''/b'
    let f: number, f1: number, f2: number;
    if (lowerBranch) {
      const b = bNorm(h, s, eh, emh);
      if (!(b > 0)) {
        // Underflowed: s is far too small; move up.
        lo = s;
        s = Number.isFinite(hi) ? (lo + hi) / 2 : 2 * s;
        continue;
      }
      const g1 = v / b;
      f = Math.log(b) - logTarget;
      f1 = g1;
      f2 = g1 * curv - g1 * g1;
      if (f < 0) lo = s;
      else hi = s;
    } else {
      const c = cNorm(h, s, eh, emh);
      if (!(c > 0)) {
        hi = s;
        s = (lo + hi) / 2;
        continue;
      }
      const g1 = v / c;
      f = Math.log(c) - logTarget;
      f1 = -g1;
      f2 = -g1 * curv - g1 * g1;
      if (f > 0) lo = s;
      else hi = s;
    }
    if (f === 0) return { s, iterations: it };
    const newton = -f / f1;
    const denom = 1 - (f * f2) / (2 * f1 * f1);
    const halley = denom > 0.5;
    const step = halley ? newton / denom : newton;
    // The error after a Halley step is O(step^3) (Newton: O(step^2)): once the step is this small the result
    // is exact to the last bits, and iterating further only chases rounding noise in f.
    if (Math.abs(step) <= (halley ? 1e-6 : 1e-9) * s) return { s: s + step, iterations: it };
    let next = s + step;
    if (!(next > lo && next < hi)) next = Number.isFinite(hi) ? (lo + hi) / 2 : Math.max(2 * s, lo * 2);
    if (hi - lo <= 4e-16 * hi) return { s: next, iterations: it };
    s = next;
  }
  return { s: NaN, iterations: MAX_ITER };
}

/** Annualised implied volatility (0.25 = 25%) of a European option price, or null when the price is not identifiable. */
export function impliedVol(i: Omit<BsInput, "vol"> & { price: number; tick?: number }): number | null {
  if (!Number.isFinite(i.price) || !(i.years > 0) || !Number.isFinite(i.years)) return null;
  if (!(i.spot > 0) || !(i.strike > 0) || !Number.isFinite(i.spot) || !Number.isFinite(i.strike)) return null;
  if (!Number.isFinite(i.rate) || !Number.isFinite(i.dividendYield)) return null;
  const tick = i.tick ?? 0.01;
  const sF = i.spot * Math.exp(-i.dividendYield * i.years);
  const kD = i.strike * Math.exp(-i.rate * i.years);
  const call = i.kind === "call";
  const intrinsic = Math.max(call ? sF - kD : kD - sF, 0);
  const upper = call ? sF : kD;
  if (i.price < intrinsic || i.price >= upper) return null;
  const timeValue = i.price - intrinsic; // = the price of the OTM option at this strike, by parity
  if (timeValue < tick / 2 || !(timeValue > 0)) return null;
  const x = Math.log(i.spot / i.strike) + (i.rate - i.dividendYield) * i.years;
  const h = -Math.abs(x);
  const beta = timeValue / Math.sqrt(sF * kD);
  if (!(beta < Math.exp(h / 2))) return null; // at or above the upper bound after normalisation rounding
  const { s } = solveNormalised(h, beta);
  const vol = s / Math.sqrt(i.years);
  return Number.isFinite(vol) && vol > 0 ? vol : null;
}

/**
 * Implied volatility of a European option under Black-Scholes-Merton, after P. Jäckel, "Let's Be Rational"
 * (Wilmott, 2015): the published method, implemented here from the paper's formulas.
 *
 * The quote is reduced to its out-of-the-money equivalent (put-call parity: the time value is the OTM price) and
 * normalised by sqrt(S e^{-qT} K e^{-rT}), leaving b(x, s) = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2) with
 * x = -|ln F/K| <= 0 and s = vol * sqrt(T). The range of b is cut in four at b_l < b_c < b_u (b_c at the
 * inflection s_c = sqrt(2|x|), b_l and b_u where the tangent there meets 0 and the upper bound e^{x/2}).
 * In each segment a rational cubic (Delbourgo-Gregory) interpolates s as a function of the price, in the two
 * outer segments after a transformation that makes it nearly linear (the lower map f_l = c |x| N(-|x|/(sqrt3 s))^3,
 * the upper map f_u = N(-s/2)). That guess is accurate to several digits everywhere; two Householder steps of
 * order three on an objective that is nearly linear in each segment (1/ln b, b, ln(b_max - b)) then reach full
 * double precision. Each step costs one exponential (both Gaussian factors share it) and at most one logarithm.
 */
import type { BsInput } from "./black-scholes";
import { discountFactors, expFast, logFast } from "./fast-exp";
import { CENTRAL, centralHalfFast, INV_SQRT_TWO_PI, normInvApprox, scaledTail } from "./normal";
import { scratchDoubles } from "./scratch";

const SQRT3 = Math.sqrt(3);
const TWO_PI = 2 * Math.PI;
const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);
const SQRT_PI_OVER_2 = Math.sqrt(Math.PI / 2);
const LOWER_MAP_C = TWO_PI / Math.sqrt(27); // f_l = c |x| N(-z)^3 has slope 1 at the origin with this c
const EPS = 2.220446049250313e-16;
const R_MIN = -(1 - Math.sqrt(EPS)); // the control parameter must stay above -1
const R_MAX = 2 / (EPS * EPS); // this large a control parameter means linear interpolation

// Scratch slots of the solve, so that no double crosses a call boundary (scratchDoubles says why): these
// functions are too large for V8 to inline everywhere, and a solve boxed ~30 numbers, 370 bytes, before they moved
// here (measured with a fixed young generation).
// Slots 0-2, results of normalisedBlack: b(x, s); b_max - b(x, s) as a sum of positive terms (no cancellation
// near the upper bound); db/ds. Slots 3-6, its inputs: x, s, e^{x/2}, e^{-x/2}.
// Slots 8-14, inputs of solveFromSlots: spot, strike, years, rate, dividendYield, price, tick; slot 15 its result.
// Slots 16-19, initialGuess's results: s, lo, hi and the objective's mode.
const SLOTS = scratchDoubles(20);

/** Normalised OTM call b(x, s), its distance to the bound e^{x/2} and vega, for x <= 0, s > 0 (inputs in SLOTS 3-6); one exp. */
function normalisedBlack(): void {
  const x = SLOTS[3];
  const s = SLOTS[4];
  const eh = SLOTS[5];
  const emh = SLOTS[6];
  const h = x / s;
  const t = 0.5 * s;
  const d1 = h + t;
  const d2 = h - t;
  // e^{x/2} e^{-d1^2/2} = e^{-x/2} e^{-d2^2/2} = e^{-(h^2 + t^2)/2}: one exponential serves both terms.
  const E = expFast(-0.5 * (h * h + t * t));
  SLOTS[2] = E * INV_SQRT_TWO_PI;
  let term1: number; // e^{x/2} N(d1)
  let term1c: number; // e^{x/2} N(-d1)
  const a1 = d1 < 0 ? -d1 : d1;
  if (a1 <= CENTRAL) {
    const c = centralHalfFast(d1);
    term1 = eh * (0.5 + c);
    term1c = eh * (0.5 - c);
  } else {
    const tail = E * scaledTail(a1);
    if (d1 < 0) {
      term1 = tail;
      term1c = eh - tail;
    } else {
      term1 = eh - tail;
      term1c = tail;
    }
  }
  // d2 < 0 always here; e^{-x/2} N(d2).
  const term2 = -d2 <= CENTRAL ? emh * (0.5 + centralHalfFast(d2)) : E * scaledTail(-d2);
  SLOTS[0] = term1 - term2;
  SLOTS[1] = term1c + term2;
}

/** Delbourgo-Gregory rational cubic through (xl, yl), (xr, yr) with end slopes dl, dr and control parameter r. */
function rationalCubic(x: number, xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, r: number): number {
  const h = xr - xl;
  if (!(Math.abs(h) > 0)) return 0.5 * (yl + yr);
  const t = (x - xl) / h;
  if (!(r < R_MAX)) return yr * t + yl * (1 - t);
  const u = 1 - t;
  const t2 = t * t;
  const u2 = u * u;
  return (yr * t2 * t + (r * yr - h * dr) * t2 * u + (r * yl + h * dl) * t * u2 + yl * u2 * u) / (1 + (r - 3) * t * u);
}

/** The smallest control parameter that keeps the interpolant monotone and convex/concave like its data. */
function minControl(dl: number, dr: number, slope: number): number {
  const monotone = dl * slope >= 0 && dr * slope >= 0;
  const convex = dl <= slope && slope <= dr;
  const concave = dl >= slope && slope >= dr;
  if (!monotone && !convex && !concave) return R_MIN;
  let r1 = -Number.MAX_VALUE;
  let r2 = -Number.MAX_VALUE;
  if (monotone) r1 = slope !== 0 ? (dr + dl) / slope : R_MAX;
  if (convex || concave) {
    const a = slope - dl;
    const b = dr - slope;
    r2 = a !== 0 && b !== 0 ? Math.max(Math.abs((dr - dl) / b), Math.abs((dr - dl) / a)) : R_MAX;
  } else if (monotone) r2 = R_MAX;
  return Math.max(R_MIN, r1, r2);
}

/** Control parameter matching the second derivative at the left end, kept shape-preserving. */
function controlLeft(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, d2l: number): number {
  const h = xr - xl;
  const num = 0.5 * h * d2l + (dr - dl);
  const den = (yr - yl) / h - dl;
  const r = num === 0 ? 0 : den === 0 ? (num > 0 ? R_MAX : R_MIN) : num / den;
  return Math.max(r, minControl(dl, dr, (yr - yl) / h));
}

/** Control parameter matching the second derivative at the right end, kept shape-preserving. */
function controlRight(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, d2r: number): number {
  const h = xr - xl;
  const num = 0.5 * h * d2r + (dr - dl);
  const den = dr - (yr - yl) / h;
  const r = num === 0 ? 0 : den === 0 ? (num > 0 ? R_MAX : R_MIN) : num / den;
  return Math.max(r, minControl(dl, dr, (yr - yl) / h));
}

/** Householder factor of order three: the step is newton * this. */
function householder(newton: number, halley: number, hh3: number): number {
  return (1 + 0.5 * halley * newton) / (1 + newton * (halley + (hh3 * newton) / 6));
}

/** Iterations used by the last solve (read by tests and the benchmark). */
export let lastIterations = 0; // an integer (small ints are not boxed)

/**
 * Total volatility s > 0 with b(x, s) = beta for x <= 0 and 0 < beta < e^{x/2} (both dimensionless), into
 * SLOTS slot 15. Inputs in SLOTS: x in slot 3, eh = e^{x/2} in slot 5 (callers get it without an exp), beta in slot 7.
 */
function normalisedImpliedVol(): void {
  const x = SLOTS[3];
  const eh = SLOTS[5];
  const beta = SLOTS[7];
  const bmax = eh;
  SLOTS[6] = 1 / eh;
  // The guess is a function of its own: V8 inlines callees within a budget per optimised function, and the
  // guess's helpers (rational cubic, control parameters, the inverse normal) would spend the iteration's budget,
  // leaving its calls out of line (each call boxes its number arguments as heap numbers).
  initialGuess();
  let s = SLOTS[16];
  let lo = SLOTS[17];
  let hi = SLOTS[18];
  const mode = SLOTS[19];
  if (!(s > lo && s < hi)) s = Number.isFinite(hi) ? 0.5 * (lo + hi) : 2 * lo + 1;

  const lnBeta = logFast(beta);
  const cBeta = mode === 2 ? logFast(bmax - beta) : 0;
  let it = 0;
  let ds = Infinity;
  // Two Householder steps reach double precision from the rational guess; more are a safety net (bisection
  // inside the bracket) that the tests show is not used on the grid they cover.
  for (; it < 12; it++) {
    SLOTS[4] = s;
    normalisedBlack();
    const b = SLOTS[0];
    const bp = SLOTS[2];
    if (b > beta) {
      if (s < hi) hi = s;
    } else if (b < beta && s > lo) lo = s;
    const hs = x / s;
    const halleyB = (hs * hs) / s - 0.25 * s; // b''/b'
    const hh3B = halleyB * halleyB - 3 * (hs / s) * (hs / s) - 0.25; // b'''/b'
    if (!(b > 0 && bp > 0 && SLOTS[1] > 0)) {
      ds = 0.5 * (lo + (Number.isFinite(hi) ? hi : 2 * s + 1)) - s;
    } else if (mode === 0) {
      const lnB = logFast(b);
      const bpob = bp / b;
      const newton = (((lnBeta - lnB) * lnB) / lnBeta) / bpob;
      const k = 1 + 2 / lnB;
      const halley = halleyB - bpob * k;
      const hh3 = hh3B + 2 * bpob * bpob * (1 + (3 / lnB) * (1 + 1 / lnB)) - 3 * halleyB * bpob * k;
      ds = newton * householder(newton, halley, hh3);
    } else if (mode === 1) {
      const newton = (beta - b) / bp;
      ds = newton * householder(newton, halleyB, hh3B);
    } else {
      const gp = bp / SLOTS[1];
      const newton = -(cBeta - logFast(SLOTS[1])) / gp;
      ds = newton * householder(newton, halleyB + gp, hh3B + gp * (2 * gp + 3 * halleyB));
    }
    if (ds < -0.5 * s) ds = -0.5 * s;
    // The step is the error of s to first order, and a fourth-order (Householder) step leaves about K x
    // (step/s)^4 of it: at 2e-4 that is ~2e-15 relative with K ~ 1, so the solve stops here without evaluating
    // b again. Measured on the mpmath grid: K < 1 (at a threshold of 1e-3 the worst error reaches 0.9e-12, at
    // 2e-4 it is the same as with a second evaluation); a third of the solves end after one evaluation.
    if (Math.abs(ds) <= 2e-4 * s) {
      s += ds;
      it++;
      break;
    }
    let next = s + ds;
    if (!(next > lo && next < hi)) next = Number.isFinite(hi) ? 0.5 * (lo + hi) : 2 * s;
    s = next;
    if (hi - lo <= 4 * EPS * s) {
      it++;
      break;
    }
  }
  lastIterations = it;
  SLOTS[15] = s;
}

/**
 * The rational-cubic initial guess of normalisedImpliedVol (x, e^{x/2}, e^{-x/2}, beta in SLOTS 3, 5, 6, 7): the
 * total volatility s in SLOTS 16, the bracket known so far in SLOTS 17-18 (lo, hi) and the objective of the iteration
 * in SLOTS 19 (0: 1/ln b, lowest segment; 1: b itself; 2: ln(b_max - b), highest).
 */
function initialGuess(): void {
  const x = SLOTS[3];
  const eh = SLOTS[5];
  const emh = SLOTS[6];
  const beta = SLOTS[7];
  const bmax = eh;
  const sc = Math.sqrt(-2 * x);
  // At s_c: d1 = 0 and e^{-(h^2+t^2)/2} = e^{x/2}, so b_c and the vega there need no new exponential.
  const term2c = sc <= CENTRAL ? emh * (0.5 - centralHalfFast(sc)) : eh * scaledTail(sc);
  const bc = 0.5 * eh - term2c;
  const vc = eh * INV_SQRT_TWO_PI;
  let s: number;
  let lo = 0;
  let hi = Infinity;
  let mode: 0 | 1 | 2; // 0: objective 1/ln b (lowest segment), 1: b itself, 2: ln(b_max - b) (highest)
  if (beta < bc) {
    const sl = sc - bc / vc;
    SLOTS[4] = sl;
    normalisedBlack();
    const bl = SLOTS[0];
    const vl = SLOTS[2];
    if (beta < bl) {
      // Lower map at s_l with its first two derivatives in beta (derived from f_l(s) and db/ds).
      const ax = -x;
      const z = ax / (SQRT3 * sl);
      const y = z * z;
      const G = expFast(-0.5 * y); // e^{-z^2/2}
      const m = z <= CENTRAL ? (0.5 - centralHalfFast(z)) / G : scaledTail(z); // N(-z) / e^{-z^2/2}
      const es8 = expFast(0.125 * sl * sl);
      const Phi = m * G;
      const fl = LOWER_MAP_C * ax * Phi * Phi * Phi;
      const fp = TWO_PI * y * m * m * es8;
      const g3 = 1 / (G * G * G); // e^{1.5 y}
      const fpp =
        TWO_PI * SQRT_TWO_PI * y * es8 * es8 * g3 * ((2 * m * z) / (sl * SQRT_TWO_PI) + m * m * (0.25 * sl - 2 / sl - (2 * y) / sl));
      const r = Number.isFinite(fpp) ? controlRight(0, bl, 0, fl, 1, fp, fpp) : minControl(1, fp, fl / bl);
      let f = rationalCubic(beta, 0, bl, 0, fl, 1, fp, r);
      if (!(f > 0)) {
        const t = beta / bl;
        f = (fl * t + bl * (1 - t)) * t;
      }
      // Invert f = c |x| N(-z)^3 for z, then s = |x| / (sqrt3 z).
      const p = Math.cbrt(f / (LOWER_MAP_C * ax));
      s = p > 0 ? ax / (SQRT3 * -normInvApprox(p)) : 0;
      hi = sl;
      mode = 0;
    } else {
      const r = controlRight(bl, bc, sl, sc, 1 / vl, 1 / vc, 0);
      s = rationalCubic(beta, bl, bc, sl, sc, 1 / vl, 1 / vc, r);
      lo = sl;
      hi = sc;
      mode = 1;
    }
  } else {
    const su = vc > 0 ? sc + (bmax - bc) / vc : sc;
    SLOTS[4] = su;
    normalisedBlack();
    const bu = SLOTS[0];
    const vu = SLOTS[2];
    if (beta <= bu) {
      const r = controlLeft(bc, bu, sc, su, 1 / vc, 1 / vu, 0);
      s = rationalCubic(beta, bc, bu, sc, su, 1 / vc, 1 / vu, r);
      lo = sc;
      hi = su;
      mode = 1;
    } else {
      // Upper map f_u = N(-s/2) at s_u with its derivatives in beta: -e^{w/2}/2 and sqrt(pi/2) e^{w+s^2/8} w/s.
      const g = expFast(-0.125 * su * su);
      const fu = tailOf(0.5 * su, g);
      const w = (x * x) / (su * su);
      const ew2 = expFast(0.5 * w);
      const fp = -0.5 * ew2;
      const fpp = (SQRT_PI_OVER_2 * ew2 * ew2 * w) / (g * su);
      let f = -1;
      if (Number.isFinite(fpp)) {
        const r = controlLeft(bu, bmax, fu, 0, fp, -0.5, fpp);
        f = rationalCubic(beta, bu, bmax, fu, 0, fp, -0.5, r);
      }
      if (!(f > 0)) {
        const hh = bmax - bu;
        const t = (beta - bu) / hh;
        f = (fu * (1 - t) + 0.5 * hh * t) * (1 - t);
      }
      s = -2 * normInvApprox(f);
      lo = su;
      mode = beta > 0.5 * bmax ? 2 : 1;
    }
  }
  SLOTS[16] = s;
  SLOTS[17] = lo;
  SLOTS[18] = hi;
  SLOTS[19] = mode;
}

/** N(-y) for y >= 0 given g = e^{-y^2/2}. */
function tailOf(y: number, g: number): number {
  return y <= CENTRAL ? 0.5 - centralHalfFast(y) : g * scaledTail(y);
}

/**
 * Annualised implied volatility (0.25 = 25%) of a European option price (currency per share), or null when the
 * price is not identifiable: outside the no-arbitrage bounds (below discounted intrinsic, at or above the
 * upper bound) or with time value under half a tick (tick in currency, 0.01 by default).
 */
export function impliedVol(i: Omit<BsInput, "vol"> & { price: number; tick?: number }): number | null {
  const v = impliedVolRaw(i.kind === "call", i.spot, i.strike, i.years, i.rate, i.dividendYield, i.price, i.tick ?? 0.01);
  return v === v ? v : null;
}

/**
 * impliedVol with positional arguments for chain loops (no object, monomorphic): annualised vol, or NaN where
 * impliedVol gives null. Prices and tick in currency per share, years of calendar time, continuous rates.
 */
export function impliedVolRaw(call: boolean, S: number, K: number, T: number, r: number, q: number, price: number, tick: number): number {
  // A wrapper small enough for V8 to inline into its callers, so the eight numbers travel in typed-array slots
  // rather than as heap numbers; the solve itself is too large to inline anywhere.
  SLOTS[8] = S;
  SLOTS[9] = K;
  SLOTS[10] = T;
  SLOTS[11] = r;
  SLOTS[12] = q;
  SLOTS[13] = price;
  SLOTS[14] = tick;
  solveFromSlots(call);
  return SLOTS[15];
}

/** impliedVolRaw on the inputs in SLOTS 8-14; the vol (or NaN) in SLOTS 15. */
function solveFromSlots(call: boolean): void {
  const S = SLOTS[8];
  const K = SLOTS[9];
  const T = SLOTS[10];
  const r = SLOTS[11];
  const q = SLOTS[12];
  const price = SLOTS[13];
  const tick = SLOTS[14];
  SLOTS[15] = NaN;
  if (!(T > 0 && T < Infinity && S > 0 && S < Infinity && K > 0 && K < Infinity)) return;
  if (!(Math.abs(r) < Infinity && Math.abs(q) < Infinity && Math.abs(price) < Infinity)) return;
  const disc = discountFactors(T, r, q);
  const sF = S * disc[4];
  const kD = K * disc[3];
  const fwdIntrinsic = call ? sF - kD : kD - sF;
  const intrinsic = fwdIntrinsic > 0 ? fwdIntrinsic : 0;
  if (price < intrinsic || price >= (call ? sF : kD)) return;
  const timeValue = price - intrinsic; // = the price of the OTM option at this strike, by parity
  if (timeValue < 0.5 * tick || !(timeValue > 0)) return;
  const lnFK = logFast(S / K) + (r - q) * T;
  const x = lnFK > 0 ? -lnFK : lnFK;
  const beta = timeValue / Math.sqrt(sF * kD);
  // e^{x/2} = sqrt(min(F,K)/max(F,K)): a square root instead of an exponential.
  const eh = sF < kD ? Math.sqrt(sF / kD) : Math.sqrt(kD / sF);
  if (!(beta < eh)) return; // at or above the upper bound after normalisation rounding
  SLOTS[3] = x;
  SLOTS[5] = eh;
  SLOTS[7] = beta;
  normalisedImpliedVol();
  const vol = SLOTS[15] / Math.sqrt(T);
  SLOTS[15] = vol > 0 && vol < Infinity ? vol : NaN;
}

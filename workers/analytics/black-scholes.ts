/**
 * European Black-Scholes-Merton with continuous rate and dividend yield (Merton 1973 / Haug's generalised
 * form). Prices are computed on the out-of-the-money side, where both terms are small tail probabilities and
 * nothing cancels, and the in-the-money side is recovered by put-call parity: OTM + (discounted intrinsic of the
 * forward). That keeps deep-ITM prices >= discounted intrinsic and deep-OTM prices relatively accurate.
 *
 * Speed (see bench/): one call costs 2 exp (discount factors, skipped when a rate is 0, taken by the caller),
 * 1 log ratio, 1 sqrt and ONE more exp for both Gaussian factors, because e^{-d2^2/2} = e^{-d1^2/2} * F/K exactly; the exponential is taken
 * on the side with the smaller |d| so the other factor never needs an overflowing ratio. The log and the Gaussian
 * exp are the inlined expFast/logFast (fast-exp.ts), and the polynomials are in Estrin's form: the kernel is one
 * long chain of dependent floating-point operations, so its latency, not its operation count, sets the speed.
 */
import type { DisplayGreeks } from "../../schemas";
import { discountFactors, expFast, logRatio } from "./fast-exp";
import { CODY, normPdf } from "./normal";
import { scratchDoubles } from "./scratch";

/** Inputs of the model; years is calendar time to expiry, rate and dividendYield continuously compounded, vol annualised. */
export type BsInput = {
  kind: "call" | "put";
  spot: number;
  strike: number;
  years: number;
  rate: number;
  dividendYield: number;
  vol: number;
};

/** Model Greeks in raw units: vega per 1.00 of vol, theta per year of calendar time (dV/dt), rho per 1.00 of rate. */
export type BsGreeks = { price: number; delta: number; gamma: number; vega: number; theta: number; rho: number };

/** Cold path: the detailed reason an input is invalid (kept out of the hot functions so they stay small). */
function invalid(i: BsInput): never {
  if (i.kind !== "call" && i.kind !== "put") throw new RangeError(`bs: kind must be "call" or "put", got ${String(i.kind)}`);
  if (!(i.spot > 0) || !Number.isFinite(i.spot)) throw new RangeError(`bs: spot must be a positive number, got ${i.spot}`);
  if (!(i.strike > 0) || !Number.isFinite(i.strike)) throw new RangeError(`bs: strike must be a positive number, got ${i.strike}`);
  rejectSubnormal(i.spot, i.strike);
  if (!(i.years >= 0) || !Number.isFinite(i.years)) throw new RangeError(`bs: years must be >= 0, got ${i.years}`);
  if (!(i.vol >= 0) || !Number.isFinite(i.vol)) throw new RangeError(`bs: vol must be >= 0, got ${i.vol}`);
  if (!(Math.abs(i.rate) < Infinity && Math.abs(i.dividendYield) < Infinity)) throw new RangeError("bs: rate and dividendYield must be finite");
  throw new RangeError("bs: years + vol + |rate| + |dividendYield| must be a finite number"); // each is finite, the sum overflows
}

/**
 * Spot and strike must be at least the smallest normal double (2.2e-308): the kernel reads their exponent bits
 * (logRatio), which a subnormal does not have in the usual place. No price is quoted in such units; checking here,
 * with the other bounds, costs the kernel nothing (a check inside it measured ~1 ns per option).
 */
function rejectSubnormal(spot: number, strike: number): void {
  if (spot < MIN_NORMAL) throw new RangeError(`bs: spot must be at least ${MIN_NORMAL}, got ${spot}`);
  if (strike < MIN_NORMAL) throw new RangeError(`bs: strike must be at least ${MIN_NORMAL}, got ${strike}`);
}
// The smallest normal double. valid() and bsGreeksInto() write it as a literal: they run per option, and a
// module-level const is a context load plus a number check there (V8 does not fold it).
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * True when every input is in the model's domain; one branchy expression the JIT folds into a few compares. The
 * four magnitudes after spot and strike are checked finite with one sum (NaN or Infinity in any of them fails it):
 * a compare each measured ~0.6 ns more per option (alternating bench runs). invalid() names the field.
 */
function valid(i: BsInput): boolean {
  return (
    (i.kind === "call" || i.kind === "put") &&
    i.spot >= 2.2250738585072014e-308 && i.spot < Infinity &&
    i.strike >= 2.2250738585072014e-308 && i.strike < Infinity &&
    i.years >= 0 && i.vol >= 0 &&
    i.years + i.vol + Math.abs(i.rate) + Math.abs(i.dividendYield) < Infinity
  );
}

// Scratch results of the kernel instead of a returned object, so the price path allocates nothing. Safe because
// the kernel is synchronous and never re-entered.
// Slots of KS: price, delta, gamma, vega, theta, rho (raw units, as bsGreeks) and N(+-d2) for the option's kind
// (the probability of finishing in the money). The Greeks are finished here, not in the callers: bsGreeks must
// stay under V8's inlining limit (460 bytes of bytecode), or its result object can no longer be optimised away.
// scratchDoubles says why typed-array slots, and why outside V8's heap.
const KS = scratchDoubles(8);
// Inputs of the kernel (spot, strike, years, rate, dividendYield, vol): doubles passed to a function that V8 does
// not inline are boxed as heap numbers, one allocation each; typed-array slots carry them raw.
// Slots 6 and 7 carry the discount factors e^{-rT} and e^{-qT}, computed by the caller: single options take
// them from Math.exp in bsPrice/bsGreeks (inlined into the user's code), chain loops from the memo of
// discountFactors() (consecutive contracts share the expiry). Math.exp is a call into V8's C library, and inside
// the kernel it made the JIT save and restore every live register around it: about 4 ns per option, paired runs.
// Discount factors come from the library exp (correctly rounded in practice): deep in the money the price is the
// discounted intrinsic value plus a sliver, and it must not fall an ulp under the value a user computes.
const KIN = scratchDoubles(8);
function setInputs(S: number, K: number, T: number, r: number, q: number, vol: number, dr: number, dq: number): void {
  KIN[0] = S;
  KIN[1] = K;
  KIN[2] = T;
  KIN[3] = r;
  KIN[4] = q;
  KIN[5] = vol;
  KIN[6] = dr;
  KIN[7] = dq;
}

/** setInputs for one option, its discount factors from the library exp (1 for a zero rate); see KIN. */
function setOptionInputs(i: BsInput): void {
  const T = i.years;
  const r = i.rate;
  const q = i.dividendYield;
  setInputs(i.spot, i.strike, T, r, q, i.vol, r === 0 ? 1 : Math.exp(-r * T), q === 0 ? 1 : Math.exp(-q * T));
}

/**
 * The shared kernel for sig = vol*sqrt(T) > 0: price in KS[0] and, when greeks is true, the CDF factors and the
 * density in the other scratch variables. Arguments are plain numbers so the function stays monomorphic.
 */
function kernel(call: boolean, greeks: boolean): void {
  const c = CODY; // Cody's coefficients at literal offsets (normal.ts): loads, not materialised literals
  const S = KIN[0];
  const K = KIN[1];
  const T = KIN[2];
  const r = KIN[3];
  const q = KIN[4];
  const vol = KIN[5];
  const dr = KIN[6];
  const dq = KIN[7];
  const sqrtT = Math.sqrt(T);
  const sig = vol * sqrtT;
  const sF = S * dq;
  const kD = K * dr;
  // ln(F/K) from the inputs rather than from sF/kD keeps it exact when F ~ K; logRatio(S, K) rather than
  // logFast(S / K): the division would sit at the head of the kernel's longest chain (log, d, exp, tails, price).
  const x = logRatio(S, K) + (r - q) * T;
  const invSig = 1 / sig;
  const d1 = x * invSig + 0.5 * sig;
  const d2 = x * invSig - 0.5 * sig; // not d1 - sig: one step shorter on the way to the exponential
  // The Greeks' divisions, taken here while the log and the exp are still in flight rather than after the
  // density at the end of the chain (each division is ~13 cycles of latency).
  const gammaScale = 1 / (S * S * sig);
  const thetaScale = (-0.5 * vol) / sqrtT;
  // One exponential: on the side with the smaller |d| (d1 when F <= K), the other is the exact ratio F/K.
  let g1: number, g2: number;
  if (x <= 0) {
    g1 = expFast(-0.5 * d1 * d1);
    g2 = g1 * (sF / kD);
  } else {
    g2 = expFast(-0.5 * d2 * d2);
    g1 = g2 * (kD / sF);
  }
  // Smaller tails N(-|d|), each relatively accurate. Cody's rationals are written out here rather than called:
  // V8 does not inline them into a kernel this size, and a call boxes its double argument and result (two heap
  // allocations per call, four per option), and the allocations cost the garbage collector's time as well. The two
  // tails are two copies of the same block, not a loop over both: ~5 ns less per option (paired A/B runs).
  const a1 = Math.abs(d1);
  const a2 = Math.abs(d2);
  let t1 = 0;
  let t2 = 0;
  {
    const y = a1;
    let t: number;
    if (y <= c[37]) {
      // Estrin's form (pairs of terms, then powers): positive coefficients, so no cancellation, and half the
      // dependent multiply-adds of Horner's, which is what the kernel's latency is made of.
      const u = y * y;
      const u2 = u * u;
      const num = c[0] + c[1] * u + (c[2] + c[3] * u) * u2 + c[4] * u2 * u2;
      const den = c[5] + c[6] * u + (c[7] + c[8] * u) * u2 + u2 * u2;
      t = 0.5 - (y * num) / den;
    } else {
      const g = g1;
      if (y <= c[38]) {
        const y2 = y * y;
        const y4 = y2 * y2;
        const num = c[9] + c[10] * y + (c[11] + c[12] * y) * y2 + (c[13] + c[14] * y + (c[15] + c[16] * y) * y2) * y4 + c[17] * y4 * y4;
        const den = c[18] + c[19] * y + (c[20] + c[21] * y) * y2 + (c[22] + c[23] * y + (c[24] + c[25] * y) * y2) * y4 + y4 * y4;
        t = g * (num / den); // num/den is ready before g (the exp): one multiply after it, not a division
      } else {
        // scaledTail's asymptotic form (same operations, bit-identical), written out because a call boxes its
        // argument and result: deep-wing options (|d| > sqrt(32), a few percent of a short-dated chain) would
        // allocate two heap numbers each.
        const z = 1 / (y * y);
        const num = (((((c[31] * z + c[30]) * z + c[29]) * z + c[28]) * z + c[27]) * z + c[26]) * z;
        const den = ((((z + c[36]) * z + c[35]) * z + c[34]) * z + c[33]) * z + c[32];
        t = g * ((c[39] - num / den) / y);
      }
    }
    t1 = t;
  }
  {
    const y = a2;
    let t: number;
    if (y <= c[37]) {
      // Estrin's form (pairs of terms, then powers): positive coefficients, so no cancellation, and half the
      // dependent multiply-adds of Horner's, which is what the kernel's latency is made of.
      const u = y * y;
      const u2 = u * u;
      const num = c[0] + c[1] * u + (c[2] + c[3] * u) * u2 + c[4] * u2 * u2;
      const den = c[5] + c[6] * u + (c[7] + c[8] * u) * u2 + u2 * u2;
      t = 0.5 - (y * num) / den;
    } else {
      const g = g2;
      if (y <= c[38]) {
        const y2 = y * y;
        const y4 = y2 * y2;
        const num = c[9] + c[10] * y + (c[11] + c[12] * y) * y2 + (c[13] + c[14] * y + (c[15] + c[16] * y) * y2) * y4 + c[17] * y4 * y4;
        const den = c[18] + c[19] * y + (c[20] + c[21] * y) * y2 + (c[22] + c[23] * y + (c[24] + c[25] * y) * y2) * y4 + y4 * y4;
        t = g * (num / den);
      } else {
        const z = 1 / (y * y);
        const num = (((((c[31] * z + c[30]) * z + c[29]) * z + c[28]) * z + c[27]) * z + c[26]) * z;
        const den = ((((z + c[36]) * z + c[35]) * z + c[34]) * z + c[33]) * z + c[32];
        t = g * ((c[39] - num / den) / y);
      }
    }
    t2 = t;
  }
  // N(d) and N(-d) from the small tail: the large one is 1 - small, which loses nothing relative.
  const nd1 = d1 < 0 ? t1 : 1 - t1;
  const nmd1 = d1 < 0 ? 1 - t1 : t1;
  const nd2 = d2 < 0 ? t2 : 1 - t2;
  const nmd2 = d2 < 0 ? 1 - t2 : t2;
  let price: number;
  if (x <= 0) {
    // The call is out of the money (or at it): price it directly; the put adds the parity term.
    let otm = sF * nd1 - kD * nd2;
    if (otm < 0) otm = 0; // rounding in the far wing; a price is never negative
    price = call ? otm : otm + (kD - sF);
  } else {
    let otm = kD * nmd2 - sF * nmd1;
    if (otm < 0) otm = 0;
    price = call ? otm + (sF - kD) : otm;
  }
  KS[0] = price;
  if (greeks) {
    const n1 = call ? nd1 : nmd1;
    const n2 = call ? nd2 : nmd2;
    const sign = call ? 1 : -1;
    const sFpdf = sF * c[39] * g1; // g1 last: it is the latest input
    KS[1] = sign * dq * n1;
    KS[2] = sFpdf * gammaScale;
    KS[3] = sFpdf * sqrtT;
    // The time decay common to calls and puts, then the carry terms with the kind's sign.
    KS[4] = sFpdf * thetaScale + (sign * q * sF * n1 - sign * r * kD * n2);
    KS[5] = sign * kD * T * n2;
    KS[6] = n2;
  }
}

/** The degenerate limit sig = 0 (years = 0 or vol = 0): the discounted intrinsic value of the forward. */
function degeneratePrice(call: boolean, S: number, K: number, T: number, r: number, q: number): number {
  const fwd = S * Math.exp(-q * T) - K * Math.exp(-r * T);
  return call ? (fwd > 0 ? fwd : 0) : fwd < 0 ? -fwd : 0;
}

/** Black-Scholes-Merton price of a European option, in the currency of spot and strike (per one share). */
export function bsPrice(i: BsInput): number {
  if (!valid(i)) invalid(i);
  const call = i.kind === "call";
  if (!(i.vol * i.years > 0)) return degeneratePrice(call, i.spot, i.strike, i.years, i.rate, i.dividendYield);
  setOptionInputs(i);
  kernel(call, false);
  return KS[0];
}

/** Price and model Greeks in raw units (delta per $1, gamma per $1 per $1, vega per 1.00 vol, theta per year, rho per 1.00 rate). */
export function bsGreeks(i: BsInput): BsGreeks {
  if (!valid(i)) invalid(i);
  const call = i.kind === "call";
  if (!(i.vol * i.years > 0)) return degenerateGreeks(i);
  setOptionInputs(i);
  kernel(call, true);
  return { price: KS[0], delta: KS[1], gamma: KS[2], vega: KS[3], theta: KS[4], rho: KS[5] };
}

/**
 * Price and Greeks written into out[offset..offset+6] as price, delta, gamma, vega, theta, rho (raw units as
 * bsGreeks) and the risk-neutral probability of finishing in the money (N(d2) for a call, N(-d2) for a put, which
 * the kernel has already computed), allocation-free for whole chains.
 */
export function bsGreeksInto(
  out: Float64Array,
  offset: number,
  call: boolean,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  dividendYield: number,
  vol: number,
): boolean {
  if (!(vol * years > 0 && spot >= 2.2250738585072014e-308 && strike >= 2.2250738585072014e-308)) {
    rejectSubnormal(spot, strike);
    return degenerateInto(out, offset, call, spot, strike, years, rate, dividendYield, vol);
  }
  const disc = discountFactors(years, rate, dividendYield);
  setInputs(spot, strike, years, rate, dividendYield, vol, disc[3], disc[4]);
  kernel(call, true);
  for (let k = 0; k < 7; k++) out[offset + k] = KS[k];
  return true;
}

/** bsGreeksInto's sig = 0 branch, out of line so the hot function stays small enough for V8 to inline into chain loops. */
function degenerateInto(out: Float64Array, offset: number, call: boolean, spot: number, strike: number, years: number, rate: number, dividendYield: number, vol: number): boolean {
  const g = degenerateGreeks({ kind: call ? "call" : "put", spot, strike, years, rate, dividendYield, vol });
  out[offset] = g.price;
  out[offset + 1] = g.delta;
  out[offset + 2] = g.gamma;
  out[offset + 3] = g.vega;
  out[offset + 4] = g.theta;
  out[offset + 5] = g.rho;
  out[offset + 6] = Math.abs(g.delta) / Math.exp(-dividendYield * years); // |delta| = e^{-qT} N(+-d), N = 0, 1/2 or 1
  return true;
}

/** Greeks in the limit sig = 0: the option is a forward contract or nothing; at F = K the half-way step. */
function degenerateGreeks(i: BsInput): BsGreeks {
  const call = i.kind === "call";
  const T = i.years;
  const dq = Math.exp(-i.dividendYield * T);
  const dr = Math.exp(-i.rate * T);
  const sF = i.spot * dq;
  const kD = i.strike * dr;
  const x = Math.log(i.spot / i.strike) + (i.rate - i.dividendYield) * T;
  const w = x > 0 ? 1 : x < 0 ? 0 : 0.5; // N(d1) = N(d2) in the limit
  const nd = call ? w : 1 - w;
  const sign = call ? 1 : -1;
  return {
    price: degeneratePrice(call, i.spot, i.strike, T, i.rate, i.dividendYield),
    delta: sign * dq * nd,
    gamma: 0,
    vega: x === 0 ? sF * Math.sqrt(T) * normPdf(0) : 0,
    theta: sign * (i.dividendYield * sF - i.rate * kD) * nd,
    rho: sign * i.strike * T * dr * nd,
  };
}

/**
 * Converts raw model Greeks to the units a trader reads (schemas' DisplayGreeks), per one share:
 * delta per $1, gamma per $1, vega per 0.01 of vol (one vol point), theta per calendar day (theta/365),
 * rho per 0.01 of rate (one percentage point). Multiply by the contract multiplier for per-contract values.
 */
export function toDisplayGreeks(g: Pick<BsGreeks, "delta" | "gamma" | "vega" | "theta" | "rho">): DisplayGreeks {
  return { delta: g.delta, gamma: g.gamma, vega: g.vega / 100, theta: g.theta / 365, rho: g.rho / 100 };
}

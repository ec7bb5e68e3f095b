/**
 * European Black-Scholes-Merton with continuous rate and dividend yield (Merton 1973 / Haug's generalised
 * form). Prices are computed on the out-of-the-money side, where both terms are small tail probabilities and
 * nothing cancels, and the in-the-money side is recovered by put-call parity: OTM + (discounted intrinsic of the
 * forward). That keeps deep-ITM prices >= discounted intrinsic and deep-OTM prices relatively accurate.
 */
import type { DisplayGreeks } from "../../schemas";
import { normCdf, normPdf } from "./normal";

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

function check(i: BsInput): void {
  if (i.kind !== "call" && i.kind !== "put") throw new RangeError(`bs: kind must be "call" or "put", got ${String(i.kind)}`);
  if (!(i.spot > 0) || !Number.isFinite(i.spot)) throw new RangeError(`bs: spot must be a positive number, got ${i.spot}`);
  if (!(i.strike > 0) || !Number.isFinite(i.strike)) throw new RangeError(`bs: strike must be a positive number, got ${i.strike}`);
  if (!(i.years >= 0) || !Number.isFinite(i.years)) throw new RangeError(`bs: years must be >= 0, got ${i.years}`);
  if (!(i.vol >= 0) || !Number.isFinite(i.vol)) throw new RangeError(`bs: vol must be >= 0, got ${i.vol}`);
  if (!Number.isFinite(i.rate) || !Number.isFinite(i.dividendYield)) throw new RangeError("bs: rate and dividendYield must be finite");
}

/** Shared intermediate quantities. sqrtT*vol is the total volatility; zero means the option is worth its forward intrinsic. */
function terms(i: BsInput) {
  const dq = Math.exp(-i.dividendYield * i.years); // e^{-qT}
  const dr = Math.exp(-i.rate * i.years); // e^{-rT}
  const sqrtT = Math.sqrt(i.years);
  const sig = i.vol * sqrtT;
  const sF = i.spot * dq; // spot discounted for dividends: the forward, discounted
  const kD = i.strike * dr; // strike, discounted
  // ln(F/K) built from the inputs rather than from sF/kD to keep it exact when F ~ K.
  const x = Math.log(i.spot / i.strike) + (i.rate - i.dividendYield) * i.years;
  return { dq, dr, sqrtT, sig, sF, kD, x };
}

/** Black-Scholes-Merton price of a European option, in the currency of spot and strike (per one share). */
export function bsPrice(i: BsInput): number {
  check(i);
  const { sig, sF, kD, x } = terms(i);
  const callItm = x > 0;
  // The out-of-the-money side: a call when F <= K, a put when F > K.
  let otm: number;
  if (sig === 0) {
    otm = 0;
  } else {
    const d1 = x / sig + sig / 2;
    const d2 = d1 - sig;
    otm = callItm ? kD * normCdf(-d2) - sF * normCdf(-d1) : sF * normCdf(d1) - kD * normCdf(d2);
    if (otm < 0) otm = 0; // rounding in the far wing; a price is never negative
  }
  const wantOtm = (i.kind === "call") !== callItm;
  if (wantOtm) return otm;
  // In the money: OTM counterpart plus the discounted intrinsic value of the forward (parity).
  return otm + (i.kind === "call" ? sF - kD : kD - sF);
}

/** Price and model Greeks in raw units (delta per $1, gamma per $1 per $1, vega per 1.00 vol, theta per year, rho per 1.00 rate). */
export function bsGreeks(i: BsInput): BsGreeks {
  check(i);
  const price = bsPrice(i);
  const { dq, dr, sqrtT, sig, sF, kD, x } = terms(i);
  const T = i.years;
  const r = i.rate;
  const q = i.dividendYield;
  const call = i.kind === "call";
  if (sig === 0) {
    // The option is a forward contract or nothing. At F = K take the half-way limit of the step.
    const w = x > 0 ? 1 : x < 0 ? 0 : 0.5; // N(d1) = N(d2) in the limit
    const nd = call ? w : 1 - w; // N(+-d) for this kind
    const sign = call ? 1 : -1;
    return {
      price,
      delta: sign * dq * nd,
      gamma: 0,
      vega: x === 0 ? i.spot * dq * sqrtT * normPdf(0) : 0,
      theta: sign * (q * sF - r * kD) * nd,
      rho: sign * i.strike * T * dr * nd,
    };
  }
  const d1 = x / sig + sig / 2;
  const d2 = d1 - sig;
  const pdf1 = normPdf(d1);
  const gamma = (dq * pdf1) / (i.spot * sig);
  const vega = sF * pdf1 * sqrtT;
  const decay = -(sF * pdf1 * i.vol) / (2 * sqrtT); // the time decay common to calls and puts
  if (call) {
    const n1 = normCdf(d1);
    const n2 = normCdf(d2);
    return { price, delta: dq * n1, gamma, vega, theta: decay - r * kD * n2 + q * sF * n1, rho: i.strike * T * dr * n2 };
  }
  const n1 = normCdf(-d1);
  const n2 = normCdf(-d2);
  return { price, delta: -dq * n1, gamma, vega, theta: decay + r * kD * n2 - q * sF * n1, rho: -i.strike * T * dr * n2 };
}

/**
 * Converts raw model Greeks to the units a trader reads (schemas' DisplayGreeks), per one share:
 * delta per $1, gamma per $1, vega per 0.01 of vol (one vol point), theta per calendar day (theta/365),
 * rho per 0.01 of rate (one percentage point). Multiply by the contract multiplier for per-contract values.
 */
export function toDisplayGreeks(g: Pick<BsGreeks, "delta" | "gamma" | "vega" | "theta" | "rho">): DisplayGreeks {
  return { delta: g.delta, gamma: g.gamma, vega: g.vega / 100, theta: g.theta / 365, rho: g.rho / 100 };
}

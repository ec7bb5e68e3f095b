/**
 * American exercise: the Bjerksund-Stensland (2002) approximation, in the notation of E. G. Haug, "The Complete
 * Guide to Option Pricing Formulas" (2nd ed., 2007), implemented from the published formulas. It values the
 * exercise strategy with a flat boundary I1 on [0, t1] and I2 on [t1, T], t1 = (sqrt5 - 1)/2 T; the value of a
 * feasible strategy is a lower bound of the true American value, and so are the European price and the
 * immediate exercise value, so we return the largest of the three: never under intrinsic, never under European.
 *
 * Puts come from calls by the put-call transformation P(S, K, T, r, b, vol) = C(K, S, T, r - b, -b, vol) with
 * b = r - q the cost of carry. The bivariate normal is Genz's (2004) Gauss-Legendre form of Drezner and
 * Wesolowsky's integral; BS2002 only ever needs the correlations +-sqrt(t1/T), so the sines in the quadrature are
 * computed once at module load.
 */
import { bsGreeks, bsPrice, type BsGreeks, type BsInput } from "./black-scholes";
import { impliedVol } from "./implied-vol";
import { normCdf } from "./normal";

// 20-point Gauss-Legendre on [-1, 1]: positive nodes and their weights (the rule is symmetric).
const GL_X = [
  0.07652652113349734, 0.22778585114164507, 0.37370608871541955, 0.5108670019508271, 0.636053680726515, 0.7463319064601508,
  0.8391169718222188, 0.912234428251326, 0.9639719272779138, 0.993128599185095,
];
const GL_W = [
  0.15275338713072628, 0.14917298647260424, 0.1420961093183824, 0.1316886384491769, 0.1181945319615186, 0.1019301198172407,
  0.08327674157670471, 0.06267204833410879, 0.040601429800386446, 0.017614007139150893,
];

/** Quadrature tables for one correlation: sin(theta_i) and 1 - sin^2 at the 20 nodes of [0, asin(rho)]. */
function bvnTable(rho: number): { rho: number; asr: number; sn: Float64Array; den: Float64Array } {
  const asr = Math.asin(rho);
  const sn = new Float64Array(20);
  const den = new Float64Array(20);
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 2; j++) {
      const v = Math.sin((asr * (1 + (j === 0 ? GL_X[i] : -GL_X[i]))) / 2);
      sn[2 * i + j] = v;
      den[2 * i + j] = 1 - v * v;
    }
  }
  return { rho, asr, sn, den };
}

/** The golden-section split of BS2002: t1 = (sqrt5 - 1)/2 T, so rho = sqrt(t1/T) is a constant. */
const T1_RATIO = (Math.sqrt(5) - 1) / 2;
const RHO = Math.sqrt(T1_RATIO);
const TAB_POS = bvnTable(RHO);
const TAB_NEG = bvnTable(-RHO);

/**
 * Bivariate standard normal CDF M(a, b; rho) = P(X < a, Y < b) for |rho| < 0.925 (Genz 2004, 20 points,
 * absolute error ~1e-15): Phi(a) Phi(b) plus the integral of the density over the correlation from 0 to rho.
 */
export function bivariateNormalCdf(a: number, b: number, rho: number): number {
  if (!(Math.abs(rho) < 0.925)) throw new RangeError(`bivariateNormalCdf: |rho| must be < 0.925, got ${rho}`);
  const tab = rho === RHO ? TAB_POS : rho === -RHO ? TAB_NEG : bvnTable(rho);
  return bvnWith(a, b, tab);
}

function bvnWith(a: number, b: number, tab: { asr: number; sn: Float64Array; den: Float64Array }): number {
  // Upper orthant L(h, k) = P(X > h, Y > k) with h = -a, k = -b is what the quadrature gives.
  const h = -a;
  const k = -b;
  const hk = h * k;
  const hs = 0.5 * (h * h + k * k);
  let sum = 0;
  const sn = tab.sn;
  const den = tab.den;
  for (let i = 0; i < 10; i++) {
    const w = GL_W[i];
    sum += w * (Math.exp((sn[2 * i] * hk - hs) / den[2 * i]) + Math.exp((sn[2 * i + 1] * hk - hs) / den[2 * i + 1]));
  }
  const v = (sum * tab.asr) / (4 * Math.PI) + normCdf(a) * normCdf(b);
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Haug's phi(S, T, gamma, H, I) of BS2002: a one-barrier building block (currency^gamma). */
function phi(S: number, T: number, gamma: number, H: number, I: number, r: number, b: number, v: number): number {
  const v2 = v * v;
  const vsT = v * Math.sqrt(T);
  const lambda = (-r + gamma * b + 0.5 * gamma * (gamma - 1) * v2) * T;
  const d = -(Math.log(S / H) + (b + (gamma - 0.5) * v2) * T) / vsT;
  const kappa = (2 * b) / v2 + 2 * gamma - 1;
  return Math.exp(lambda) * Math.pow(S, gamma) * (normCdf(d) - Math.pow(I / S, kappa) * normCdf(d - (2 * Math.log(I / S)) / vsT));
}

/** Haug's psi(S, T, gamma, H, I2, I1, t1) of BS2002: the two-period building block with bivariate normals. */
function psi(S: number, T: number, gamma: number, H: number, I2: number, I1: number, t1: number, r: number, b: number, v: number): number {
  const v2 = v * v;
  const mu = b + (gamma - 0.5) * v2;
  const s1 = v * Math.sqrt(t1);
  const sT = v * Math.sqrt(T);
  const lnSI1 = Math.log(S / I1);
  const lnE2 = Math.log((I2 * I2) / (S * I1));
  const e1 = (lnSI1 + mu * t1) / s1;
  const e2 = (lnE2 + mu * t1) / s1;
  const e3 = (lnSI1 - mu * t1) / s1;
  const e4 = (lnE2 - mu * t1) / s1;
  const f1 = (Math.log(S / H) + mu * T) / sT;
  const f2 = (Math.log((I2 * I2) / (S * H)) + mu * T) / sT;
  const f3 = (Math.log((I1 * I1) / (S * H)) + mu * T) / sT;
  const f4 = (Math.log((S * I1 * I1) / (H * I2 * I2)) + mu * T) / sT;
  const lambda = -r + gamma * b + 0.5 * gamma * (gamma - 1) * v2;
  const kappa = (2 * b) / v2 + (2 * gamma - 1);
  return (
    Math.exp(lambda * T) *
    Math.pow(S, gamma) *
    (bvnWith(-e1, -f1, TAB_POS) -
      Math.pow(I2 / S, kappa) * bvnWith(-e2, -f2, TAB_POS) -
      Math.pow(I1 / S, kappa) * bvnWith(-e3, -f3, TAB_NEG) +
      Math.pow(I1 / I2, kappa) * bvnWith(-e4, -f4, TAB_NEG))
  );
}

/** BS2002 American call (currency) with cost of carry b = r - q; the European value when early exercise never pays. */
function bs2002Call(S: number, K: number, T: number, r: number, b: number, v: number): number {
  const v2 = v * v;
  const t1 = T1_RATIO * T;
  const beta = 0.5 - b / v2 + Math.sqrt((b / v2 - 0.5) ** 2 + (2 * r) / v2);
  const bInf = (beta / (beta - 1)) * K;
  const b0 = Math.max(K, (r / (r - b)) * K);
  const den = (bInf - b0) * b0;
  const h1 = (-(b * t1 + 2 * v * Math.sqrt(t1)) * K * K) / den;
  const h2 = (-(b * T + 2 * v * Math.sqrt(T)) * K * K) / den;
  const I1 = b0 + (bInf - b0) * (1 - Math.exp(h1));
  const I2 = b0 + (bInf - b0) * (1 - Math.exp(h2));
  if (S >= I2) return S - K; // exercise now
  const a1 = (I1 - K) * Math.pow(I1, -beta);
  const a2 = (I2 - K) * Math.pow(I2, -beta);
  return (
    a2 * Math.pow(S, beta) -
    a2 * phi(S, t1, beta, I2, I2, r, b, v) +
    phi(S, t1, 1, I2, I2, r, b, v) -
    phi(S, t1, 1, I1, I2, r, b, v) -
    K * phi(S, t1, 0, I2, I2, r, b, v) +
    K * phi(S, t1, 0, I1, I2, r, b, v) +
    a1 * phi(S, t1, beta, I1, I2, r, b, v) -
    a1 * psi(S, T, beta, I1, I2, I1, t1, r, b, v) +
    psi(S, T, 1, I1, I2, I1, t1, r, b, v) -
    psi(S, T, 1, K, I2, I1, t1, r, b, v) -
    K * psi(S, T, 0, I1, I2, I1, t1, r, b, v) +
    K * psi(S, T, 0, K, I2, I1, t1, r, b, v)
  );
}

/** Whether early exercise can ever pay: calls only with a dividend yield above the rate... of carry, puts only with r > 0. */
export function earlyExerciseMatters(kind: "call" | "put", rate: number, dividendYield: number): boolean {
  // Call: b = r - q >= r (q <= 0) means never exercise early. Put (transformed): never when r <= 0.
  return kind === "call" ? dividendYield > 0 : rate > 0;
}

/** The raw Bjerksund-Stensland 2002 value (currency per share), without the max with European and intrinsic. */
export function bs2002Price(i: BsInput): number {
  const { spot: S, strike: K, years: T, rate: r, dividendYield: q, vol: v } = i;
  const b = r - q;
  if (i.kind === "call") return b >= r ? bsPrice(i) : bs2002Call(S, K, T, r, b, v);
  // Put-call transformation: P(S, K, T, r, b) = C(K, S, T, r - b, -b).
  return -b >= r - b ? bsPrice(i) : bs2002Call(K, S, T, r - b, -b, v);
}

/**
 * American option price (currency per share): max(BS2002, European BSM, immediate exercise S-K or K-S). Each is
 * a lower bound of the true American value, so the max is never under intrinsic nor under the European price.
 */
export function americanPrice(i: BsInput): number {
  const european = bsPrice(i);
  const intrinsic = Math.max(i.kind === "call" ? i.spot - i.strike : i.strike - i.spot, 0);
  if (!(i.years > 0) || !(i.vol > 0) || !earlyExerciseMatters(i.kind, i.rate, i.dividendYield)) return Math.max(european, intrinsic);
  return Math.max(bs2002Price(i), european, intrinsic);
}

/**
 * American Greeks in raw units (as bsGreeks: vega per 1.00 vol, theta per year dV/dt, rho per 1.00 rate) by
 * central differences of americanPrice; equal to bsGreeks where early exercise never pays.
 */
export function americanGreeks(i: BsInput): BsGreeks {
  if (!(i.years > 0) || !(i.vol > 0) || !earlyExerciseMatters(i.kind, i.rate, i.dividendYield)) return bsGreeks(i);
  const p = americanPrice(i);
  // Step sizes balance truncation (h^2) against rounding (eps/h) for a price accurate to ~1e-14 relative.
  const hS = i.spot * 1e-4;
  const up = americanPrice({ ...i, spot: i.spot + hS });
  const dn = americanPrice({ ...i, spot: i.spot - hS });
  const hv = 1e-5;
  const hr = 1e-6;
  const ht = Math.min(1e-5, i.years / 4);
  const vega = (americanPrice({ ...i, vol: i.vol + hv }) - americanPrice({ ...i, vol: i.vol - hv })) / (2 * hv);
  const rho = (americanPrice({ ...i, rate: i.rate + hr }) - americanPrice({ ...i, rate: i.rate - hr })) / (2 * hr);
  const theta = -(americanPrice({ ...i, years: i.years + ht }) - americanPrice({ ...i, years: i.years - ht })) / (2 * ht);
  return { price: p, delta: (up - dn) / (2 * hS), gamma: (up - 2 * p + dn) / (hS * hS), vega, theta, rho };
}

/**
 * Implied volatility (annualised) of an American option price (currency per share) under americanPrice, or null
 * when not identifiable: below intrinsic (S-K or K-S), at or above the upper bound (S for calls, K for puts), or
 * with time value over intrinsic under half a tick. Where early exercise never pays it is the European IV.
 */
export function americanImpliedVol(i: Omit<BsInput, "vol"> & { price: number; tick?: number }): number | null {
  if (!earlyExerciseMatters(i.kind, i.rate, i.dividendYield)) return impliedVol(i);
  const tick = i.tick ?? 0.01;
  const intrinsic = Math.max(i.kind === "call" ? i.spot - i.strike : i.strike - i.spot, 0);
  if (!(i.price - intrinsic >= 0.5 * tick) || !(i.price < (i.kind === "call" ? i.spot : i.strike))) return null;
  if (!(i.years > 0)) return null;
  const f = (v: number) => americanPrice({ ...i, vol: v }) - i.price;
  // The American price is >= the European one, so the European IV (when the price is in its range) is an upper
  // bracket; otherwise grow one. Then a safeguarded secant (Illinois) on the monotone price.
  let hi = impliedVol({ ...i, tick: 0 }) ?? 1;
  let fhi = f(hi);
  for (let k = 0; fhi < 0 && k < 60; k++) {
    hi *= 2;
    fhi = f(hi);
  }
  if (fhi < 0) return null;
  if (fhi === 0) return hi;
  let lo = 1e-6;
  let flo = f(lo);
  if (flo > 0) return null; // even a near-zero vol is worth more: no vol explains the price
  let side = 0;
  for (let k = 0; k < 100; k++) {
    let x = (lo * fhi - hi * flo) / (fhi - flo);
    if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
    const fx = f(x);
    if (fx === 0 || hi - lo <= 1e-15 * hi) return x;
    if (fx > 0) {
      hi = x;
      fhi = fx;
      if (side === 1) flo /= 2;
      side = 1;
    } else {
      lo = x;
      flo = fx;
      if (side === -1) fhi /= 2;
      side = -1;
    }
    if (Math.abs(hi - lo) <= 2e-14 * hi) return 0.5 * (lo + hi);
  }
  return 0.5 * (lo + hi);
}

/**
 * The standard normal distribution: density, cumulative distribution and its inverse, accurate to a few ulps
 * in both tails. Option prices far from the money are differences of tiny tail probabilities, so a CDF that is
 * only accurate in absolute terms (1 - N(x) computed by subtraction) would destroy them.
 *
 * normCdf follows W. J. Cody's rational Chebyshev approximations for the normal integral (Math. Comp. 1969 and
 * the 1993 ACM TOMS 715 revision) in three ranges; normInv is P. J. Acklam's rational approximation polished by
 * one Halley step against normCdf.
 */

import { expFast } from "./fast-exp";

const INV_SQRT_2PI = 0.398942280401432677939946059934; // 1/sqrt(2*pi)
const SQRT_2PI = 2.506628274631000502415765284811;
const SQRT_32 = 5.656854249492380195206754896838;

/**
 * Cody's coefficients in one Float64Array, each polynomial in ascending powers, read at literal offsets by normCdf
 * and the Black-Scholes kernel (scaledTail and centralHalfFast keep them as literals, for the implied-vol
 * kernels). A typed array rather than literals: V8 materialises each double literal with
 * two instructions, one of them a general-register to vector move; an element is one load folded into the
 * arithmetic plus a bounds check on the integer units. With ~50 coefficients in the kernel that measured about
 * 1 ns less per option (bench/analytics.ts, alternating runs), with bit-identical results.
 *   0..4    |x| <= 0.66291: N(x) = 1/2 + x * A(u) / B(u), u = x^2; A = a0 + ... + a4 u^4
 *   5..8    B = b0 + ... + b3 u^3 + u^4
 *   9..17   0.66291 < y <= sqrt(32): N(-y) = exp(-y^2/2) * C(y) / D(y); C = c0 + ... + c8 y^8
 *   18..25  D = d0 + ... + d7 y^7 + y^8
 *   26..31  y > sqrt(32), z = 1/y^2: N(-y) = exp(-y^2/2) (1/sqrt(2 pi) - z P(z) / Q(z)) / y; P = p0 + ... + p5 z^5
 *   32..36  Q = q0 + ... + q4 z^4 + z^5
 *   37      the central boundary 0.66291;  38  sqrt(32);  39  1/sqrt(2 pi)
 */
export const CODY = new Float64Array([
  18154.981253343561249, 1067.6894854603709582, 161.02823106855587881, 2.2352520354606839287, 0.065682337918207449113,
  45507.789335026729956, 10260.932208618978205, 976.09855173777669322, 47.20258190468824187,
  9842.7148383839780218, 11602.651437647350124, 6848.1904505362823326, 2494.5375852903726711, 597.27027639480026226,
  93.506656132177855979, 8.8831497943883759412, 0.39894151208813466764, 1.0765576773720192317e-8,
  19685.429676859990727, 38912.003286093271411, 34900.952721145977266, 18615.571640885098091, 6485.558298266760755,
  1519.377599407554805, 235.38790178262499861, 22.266688044328115691,
  2.9112874951168792e-5, 0.001421619193227893466, 0.022235277870649807, 0.1274011611602473639, 0.21589853405795699, 0.02307344176494017303,
  7.29751555083966205e-5, 0.00378239633202758244, 0.0659881378689285515, 0.468238212480865118, 1.28426009614491121,
  0.66291, 5.656854249492380195206754896838, 0.398942280401432677939946059934,
]);

/**
 * exp(-y^2/2) without the rounding error of y*y: y^2 is split so that the large part is exact (y rounded to
 * 1/16 squares exactly), which keeps the relative error at a few ulps even when y^2/2 is in the hundreds.
 */
function expHalfSq(y: number): number {
  const ys = Math.trunc(y * 16) / 16;
  const del = (y - ys) * (y + ys);
  return Math.exp(-ys * ys * 0.5) * Math.exp(-del * 0.5);
}

/** Standard normal density phi(x) (dimensionless), relative accuracy of a few ulps even for |x| ~ 38. */
export function normPdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  if (y > 40) return 0; // exp(-800) is below the smallest subnormal
  return INV_SQRT_2PI * expHalfSq(y);
}

/** N(x) minus one half for |x| <= 0.66291, without the cancellation of normCdf(x) - 0.5. */
function centralHalf(x: number): number {
  const xsq = x * x;
  let num = CODY[4] * xsq;
  let den = xsq;
  for (let k = 3; k >= 1; k--) {
    num = (num + CODY[k]) * xsq;
    den = (den + CODY[5 + k]) * xsq;
  }
  return (x * (num + CODY[0])) / (den + CODY[5]);
}

/** The lower tail N(-y) for y > 0.66291, relatively accurate down to underflow (y ~ 38.5). */
function lowerTail(y: number): number {
  if (y <= SQRT_32) {
    let num = CODY[17] * y;
    let den = y;
    for (let k = 7; k >= 1; k--) {
      num = (num + CODY[9 + k]) * y;
      den = (den + CODY[18 + k]) * y;
    }
    return (expHalfSq(y) * (num + CODY[9])) / (den + CODY[18]);
  }
  if (y > 38.5) return 0; // N(-38.5) ~ 1e-324: nothing representable is left
  const z = 1 / (y * y);
  let num = CODY[31] * z;
  let den = z;
  for (let k = 4; k >= 1; k--) {
    num = (num + CODY[26 + k]) * z;
    den = (den + CODY[32 + k]) * z;
  }
  const r = (z * (num + CODY[26])) / (den + CODY[32]);
  return (expHalfSq(y) * (INV_SQRT_2PI - r)) / y;
}

/** Standard normal CDF N(x) = P(Z <= x), relative accuracy ~1e-15 in the lower tail, underflows to 0 below -38.5. */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  if (y <= 0.66291) return 0.5 + centralHalf(x);
  const tail = lowerTail(y);
  return x < 0 ? tail : 1 - tail;
}

// Acklam's rational approximation (relative error 1.15e-9), used only as the starting point.
const AK_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const AK_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const AK_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const AK_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const AK_PLOW = 0.02425;

function acklam(p: number): number {
  if (p < AK_PLOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((AK_C[0] * q + AK_C[1]) * q + AK_C[2]) * q + AK_C[3]) * q + AK_C[4]) * q + AK_C[5]) /
      ((((AK_D[0] * q + AK_D[1]) * q + AK_D[2]) * q + AK_D[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((AK_A[0] * r + AK_A[1]) * r + AK_A[2]) * r + AK_A[3]) * r + AK_A[4]) * r + AK_A[5]) * q) /
    (((((AK_B[0] * r + AK_B[1]) * r + AK_B[2]) * r + AK_B[3]) * r + AK_B[4]) * r + 1)
  );
}

/** Quantile of the standard normal: x with N(x) = p, for p in [0, 1] (+-Infinity at the ends, NaN outside). */
export function normInv(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // Work in the lower half: 1 - p is exact for p > 1/2, and the lower tail is where N is relatively accurate.
  if (p > 0.5) return -lowerQuantile(1 - p);
  return lowerQuantile(p);
}

/** x <= 0 with N(x) = p for 0 < p < 1/2: Acklam's guess plus one Halley step (cubic: 1e-9 -> below 1 ulp). */
function lowerQuantile(p: number): number {
  const x = acklam(p);
  // The residual must be computed without cancellation: near the centre against p - 1/2 (exact here, by
  // Sterbenz, because p >= 1/4), in the tail as a difference of two small, relatively accurate numbers.
  let e: number;
  if (p >= 0.25 && -x <= 0.66291) e = centralHalf(x) - (p - 0.5);
  else e = normCdf(x) - p;
  const pdf = normPdf(x);
  if (pdf === 0) return x;
  const u = e / pdf;
  return x - u / (1 + (x * u) / 2);
}

/** sqrt(2*pi), exported for the pricing modules that need the normalisation constant. */
export const SQRT_TWO_PI = SQRT_2PI;

// ------------------------------------------------------------------------------------------------------------
// Fast paths for the pricing kernels. A Black-Scholes price or an implied-vol iteration needs two tail
// probabilities whose Gaussian factors e^{-d^2/2} are related exactly (e^{-d2^2/2} = e^{-d1^2/2} F/K), so the
// kernels compute ONE exponential and pass it in; these helpers then cost a rational function and no exp.

/** Cody's scaled lower tail N(-y) / e^{-y^2/2} for y > 0.66291 (dimensionless); pair it with the caller's exp. */
export function scaledTail(y: number): number {
  // CODY's elements 9-36 written as literals, here and in centralHalfFast: the implied-vol kernels inline these
  // helpers, and with element loads they no longer fit V8's inlining budget (IV solve 265-275 -> 300-320 ns).
  if (y <= 5.656854249492380195206754896838) {
    // Estrin's form (pairs of terms, then powers), as in the Black-Scholes kernel: every coefficient is positive, so
    // nothing cancels, and the dependent chain is half of Horner's (the implied-vol solve waits on it).
    const y2 = y * y;
    const y4 = y2 * y2;
    const num =
      9842.7148383839780218 + 11602.651437647350124 * y + (6848.1904505362823326 + 2494.5375852903726711 * y) * y2 +
      (597.27027639480026226 + 93.506656132177855979 * y + (8.8831497943883759412 + 0.39894151208813466764 * y) * y2) * y4 +
      1.0765576773720192317e-8 * y4 * y4;
    const den =
      19685.429676859990727 + 38912.003286093271411 * y + (34900.952721145977266 + 18615.571640885098091 * y) * y2 +
      (6485.558298266760755 + 1519.377599407554805 * y + (235.38790178262499861 + 22.266688044328115691 * y) * y2) * y4 +
      y4 * y4;
    return num / den;
  }
  return scaledTailFar(y);
}

/**
 * scaledTail beyond sqrt(32): Cody's asymptotic rational in z = 1/y^2. Out of line because it is rare in the
 * kernels that call scaledTail, and a smaller scaledTail fits V8's inlining budget at both of its call sites in the
 * implied-vol solve (each call it does not inline boxes its argument and result).
 */
function scaledTailFar(y: number): number {
  const z = 1 / (y * y);
  const num =
    (((((0.02307344176494017303 * z + 0.21589853405795699) * z + 0.1274011611602473639) * z + 0.022235277870649807) * z +
      0.001421619193227893466) * z + 2.9112874951168792e-5) * z;
  const den = ((((z + 1.28426009614491121) * z + 0.468238212480865118) * z + 0.0659881378689285515) * z + 0.00378239633202758244) * z + 7.29751555083966205e-5;
  return (0.398942280401432677939946059934 - num / den) / y;
}

/** N(d) - 1/2 for |d| <= 0.66291 (Cody's central rational, CODY 0-8 as literals: see scaledTail), unrolled; no exp and no cancellation. */
export function centralHalfFast(x: number): number {
  const s = x * x;
  const num = (((0.065682337918207449113 * s + 2.2352520354606839287) * s + 161.02823106855587881) * s + 1067.6894854603709582) * s + 18154.981253343561249;
  const den = (((s + 47.20258190468824187) * s + 976.09855173777669322) * s + 10260.932208618978205) * s + 45507.789335026729956;
  return (x * num) / den;
}

/**
 * The smaller tail N(-|d|) given g = e^{-d^2/2} computed by the caller (dimensionless, relative accuracy ~1e-15
 * apart from the rounding already in g). Central arguments need no exponential at all.
 */
export function tailGivenExp(d: number, g: number): number {
  const y = d < 0 ? -d : d;
  if (y <= CENTRAL) return 0.5 - centralHalfFast(y);
  return g * scaledTail(y);
}

/** Boundary of Cody's central range; below it N is computed without an exponential. */
export const CENTRAL = 0.66291;
/** 1/sqrt(2 pi), the normal density at 0. */
export const INV_SQRT_TWO_PI = INV_SQRT_2PI;

/** Acklam's quantile without the polishing step (relative error ~1.2e-9), for 0 < p < 1: a starting point only. */
export function normInvApprox(p: number): number {
  if (p > 0.5) return -acklam(1 - p);
  return acklam(p);
}

/**
 * N(x) for chain loops: Cody's rationals with the Gaussian factor from expFast in one piece (no 1/16 split),
 * so the relative error in the far tail grows to about x^2/2 ulps (1e-13 at x = 38) instead of a few; ample for
 * displayed probabilities, and about four times cheaper than normCdf.
 */
export function normCdfFast(x: number): number {
  const y = x < 0 ? -x : x;
  let tail: number;
  if (y <= CENTRAL) tail = 0.5 - centralHalfFast(y);
  else if (y > 38.5) tail = 0;
  else tail = expFast(-0.5 * y * y) * scaledTail(y);
  return x < 0 ? tail : 1 - tail;
}

/**
 * e^x as straight-line JavaScript, for the pricing kernels. V8 compiles Math.exp to a call into its C library
 * (fdlibm), about 8-9 ns per call on the bench machine; this table-driven version is inlined by the JIT and
 * costs about 2 ns, with an error of a few ulps (the tests hold it to 4 ulps against Math.exp over the whole
 * range). A Black-Scholes price needs three exponentials, an implied-vol solve about six, so this is most of
 * the gap to the speed targets in issue #4 (bench/analytics.ts).
 *
 * Method (the classic table reduction, e.g. Tang, ACM TOMS 15(2), 1989): write x = (64k + j) ln2/64 + r with
 * integers k, j (0 <= j < 64) and |r| <= ln2/128; then e^x = 2^k * 2^(j/64) * e^r, with e^r from its Taylor
 * polynomial of degree 5 (truncation below 4e-17 relative). ln2/64 is split Cody-Waite style so that
 * m * LN2_HI is exact for every m in range, which keeps r accurate to an ulp even for |x| ~ 700.
 */

import { scratchDoubles } from "./scratch";

const N = 64;
const INV_STEP = N / Math.LN2;
// fdlibm's split of ln 2: the high part has 32 significant bits, so m * LN2_HI / 64 is exact for |m| < 2^21.
const STEP_HI = 6.93147180369123816490e-1 / N;
const STEP_LO = 1.90821492927058770002e-10 / N;
// Adding then subtracting 1.5 * 2^52 rounds a double of magnitude < 2^51 to the nearest integer, without a call.
const ROUND = 6755399441055744;

/** 2^(j/64) for j = 0..63 (the powers of two are exact; Math.pow is within an ulp for these arguments). */
const FRACTION = new Float64Array(N);
for (let j = 0; j < N; j++) FRACTION[j] = Math.pow(2, j / N);
/** 2^k for k = -1023..1023 (exact). */
const POW2_OFFSET = 1023;
const POW2 = new Float64Array(2 * POW2_OFFSET + 1);
for (let k = 0; k < POW2.length; k++) POW2[k] = Math.pow(2, k - POW2_OFFSET);

/** e^x for any double x (NaN for NaN), within a few ulps of the correctly rounded value. */
export function expFast(x: number): number {
  // Near overflow and in the subnormal range (|result| beyond 2^+-1022) the library call handles the edge
  // rounding; the kernels only get there for Gaussian factors of |d| > 37, where nothing is left to price.
  if (!(x > -708 && x < 709)) return Math.exp(x);
  const mf = x * INV_STEP + ROUND - ROUND; // nearest integer m with x ~ m ln2/64
  const r = x - mf * STEP_HI - mf * STEP_LO;
  const m = mf | 0;
  // 1 + r + r^2/2 + ... + r^5/120 in Estrin's form: the same terms as Horner's, half the dependent steps.
  const r2 = r * r;
  const p = 1 + r + (r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120)));
  return p * (FRACTION[m & (N - 1)] * POW2[(m >> 6) + POW2_OFFSET]);
}

// ---- natural logarithm

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
// One double seen as two 32-bit words, to read the exponent and the leading mantissa bits (little-endian: [1] is high).
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
/** 2^-e for e = -1023..1024 (index e + 1023; exact, 2^-1024 included for logRatio's m/2 of the largest doubles). */
const INV_POW2 = new Float64Array(2048);
for (let k = 0; k < 2048; k++) INV_POW2[k] = Math.pow(2, 1023 - k);
// 256 table points c_j over the reduced mantissa m in [0.75, 1.5): j < 128 covers [1, 1.5) with c_j = 1 + j/256 at
// the left end; j >= 128 is m in [1.5, 2) halved to [0.75, 1) with c_j at the right end. Both ends at 1 give c = 1
// exactly, so ln(1 + tiny) keeps its relative accuracy.
const LOG_C = new Float64Array(256);
const INV_C = new Float64Array(256);
const C = new Float64Array(256);
for (let j = 0; j < 256; j++) {
  const c = j < 128 ? 1 + j / 256 : (1 + (j + 1) / 256) / 2;
  C[j] = c;
  INV_C[j] = 1 / c;
  LOG_C[j] = Math.log(c);
}

/**
 * ln(x) for any double x, within a few ulps of Math.log (the tests hold it to 4 ulps, and to 4 ulps relative
 * near x = 1). Same reason as expFast: Math.log is a C call that also spills every live register around it,
 * which cost ~15 ns inside the Black-Scholes kernel. Method: x = 2^e m, m in [0.75, 1.5) (Tang's table method,
 * ACM TOMS 16(4), 1990): ln x = e ln2 + ln c_j + ln(1 + r), r = (m - c_j)/c_j, |r| < 1/256, degree-7 series.
 */
export function logFast(x: number): number {
  if (!(x >= 2.2250738585072014e-308 && x < Infinity)) return Math.log(x); // 0, negatives, subnormals, NaN, Infinity
  BITS[0] = x;
  const hi = WORDS[1];
  let e = (hi >>> 20) - 1023;
  const j = (hi >>> 12) & 255;
  let m = x * INV_POW2[e + 1023]; // exact: m in [1, 2)
  if (j >= 128) {
    m *= 0.5;
    e += 1;
  }
  const r = (m - C[j]) * INV_C[j]; // m - c_j is exact (Sterbenz)
  // r - r^2/2 + ... + r^7/7, grouped in pairs (Estrin) so the dependent chain is four steps, not seven.
  const r2 = r * r;
  const p = r + r2 * (-0.5 + r * (1 / 3) + r2 * (-0.25 + r * 0.2 + r2 * (-1 / 6 + r * (1 / 7))));
  return e * LN2_HI + LOG_C[j] + (e * LN2_LO + p);
}

/**
 * ln(a/b) for positive finite a and b, without the division: both are reduced as in logFast and the pieces are
 * subtracted term by term (exponents exactly, the table logs, then the two short series). In the Black-Scholes
 * kernel this takes a division (13 cycles of latency) off the longest dependency chain, and the j >= 128 branch
 * becomes arithmetic. Accuracy against mpmath (tests): within 2.5e-16 * max(1, |ln|), as logFast(a / b); next to
 * a/b = 1 within 3e-18, where the rounded quotient alone carries 1.1e-16 (the table terms cancel exactly there).
 * Domain: positive, finite, normal a and b; the caller checks (subnormals would misread the exponent). No check
 * here because it would take the function over V8's inlining limit (460 bytes of bytecode), and a call would box
 * both arguments.
 */
export function logRatio(a: number, b: number): number {
  LR_BITS[0] = a;
  LR_BITS[1] = b;
  const ha = LR_WORDS[1];
  const hb = LR_WORDS[3];
  const ja = (ha >>> 12) & 255;
  const jb = (hb >>> 12) & 255;
  // j >= 128 (m in [1.5, 2)) counts as 2^(e+1) * m/2, as in logFast: j >> 7 is that 0 or 1.
  const ea = (ha >>> 20) - 1023 + (ja >> 7);
  const eb = (hb >>> 20) - 1023 + (jb >> 7);
  const ra = (a * INV_POW2[ea + 1023] - C[ja]) * INV_C[ja]; // exact but the last rounding, as in logFast
  const rb = (b * INV_POW2[eb + 1023] - C[jb]) * INV_C[jb];
  const ra2 = ra * ra;
  const rb2 = rb * rb;
  // The degree-7 series of logFast, grouped for a shorter chain: r + r^2 (..) + (r^4 (..) + r^6 (..)).
  const ra4 = ra2 * ra2;
  const rb4 = rb2 * rb2;
  const pa = ra + ra2 * (-0.5 + ra * 0.3333333333333333) + (ra4 * (-0.25 + ra * 0.2) + ra4 * ra2 * (-0.16666666666666666 + ra * 0.14285714285714285));
  const pb = rb + rb2 * (-0.5 + rb * 0.3333333333333333) + (rb4 * (-0.25 + rb * 0.2) + rb4 * rb2 * (-0.16666666666666666 + rb * 0.14285714285714285));
  const de = ea - eb;
  return de * 6.93147180369123816490e-1 + (LOG_C[ja] - LOG_C[jb]) + de * 1.90821492927058770002e-10 + (pa - pb);
}
// a and b seen as 32-bit words ([1] and [3] are the high words, little-endian).
const LR_BITS = new Float64Array(2);
const LR_WORDS = new Uint32Array(LR_BITS.buffer);

// ---- discount factors

// The last (years, rate, dividendYield) and their factors e^{-rT}, e^{-qT}. A chain is sorted by expiry, so
// thousands of consecutive contracts share them: the kernels (price, Greeks, IV) ask twice per contract and pay
// the library exp only when the expiry or a rate changes. Exact: the same Math.exp values, reused.
const DISCOUNT = scratchDoubles(5);
DISCOUNT.set([NaN, NaN, NaN, 1, 1]);

/** e^{-rate * years} and e^{-dividendYield * years} into DISCOUNT[3] and DISCOUNT[4] (1 for a zero rate). */
export function discountFactors(years: number, rate: number, dividendYield: number): Float64Array {
  if (years !== DISCOUNT[0] || rate !== DISCOUNT[1] || dividendYield !== DISCOUNT[2]) {
    DISCOUNT[0] = years;
    DISCOUNT[1] = rate;
    DISCOUNT[2] = dividendYield;
    DISCOUNT[3] = rate === 0 ? 1 : Math.exp(-rate * years);
    DISCOUNT[4] = dividendYield === 0 ? 1 : Math.exp(-dividendYield * years);
  }
  return DISCOUNT;
}

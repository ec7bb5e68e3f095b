import { describe, expect, it } from "vitest";
import { expFast, logFast, logRatio } from "../workers/analytics/fast-exp";
import reference from "./fixtures/analytics-reference.json";
import { centralHalfFast, CODY, normCdfFast, scaledTail } from "../workers/analytics/normal";
import { bsGreeks, bsPrice, impliedVol, normCdf, normInv, normPdf, toDisplayGreeks, type BsInput } from "../workers/analytics";
import { bsGreeksInto } from "../workers/analytics/black-scholes";

/** |a - b| / |b|, with an absolute floor for values at zero. */
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe("normal distribution", () => {
  // References computed with mpmath at 40 significant digits.
  const cdfRefs: Array<[number, number]> = [
    [-1, 0.15865525393145705],
    [-5, 2.866515718791939e-7],
    [-10, 7.619853024160526e-24],
    [-20, 2.7536241186062337e-89],
    [-37, 5.7255712225245768e-300],
    [-2.5, 0.0062096653257761352],
    [-0.3, 0.38208857781104737],
    [0.5, 0.6914624612740131],
    [1.5, 0.9331927987311419],
    [3, 0.99865010196836991],
  ];
  it.each(cdfRefs)("N(%d) to ~1e-15 relative", (x, ref) => {
    expect(rel(normCdf(x), ref)).toBeLessThan(2e-15);
  });

  it.each(cdfRefs)("the chain loops' fast N(%d) to 1e-13 relative", (x, ref) => {
    expect(rel(normCdfFast(x), ref)).toBeLessThan(1e-13);
  });

  it("symmetry, the centre and graceful underflow", () => {
    expect(normCdf(0)).toBe(0.5);
    for (const x of [0.1, 0.66, 0.7, 2, 5.6, 5.7, 8]) expect(normCdf(x) + normCdf(-x)).toBeCloseTo(1, 15);
    const deep = normCdf(-38);
    expect(deep).toBeGreaterThanOrEqual(0);
    expect(deep).toBeLessThan(1e-314);
    expect(normCdf(-40)).toBe(0);
    expect(normCdf(40)).toBe(1);
    expect(Number.isNaN(normCdf(NaN))).toBe(true);
  });

  it("the density", () => {
    expect(rel(normPdf(1), 0.24197072451914335)).toBeLessThan(1e-15);
    expect(rel(normPdf(30), 1.4736461348785475e-196)).toBeLessThan(2e-15);
    expect(normPdf(-1.3)).toBe(normPdf(1.3));
  });

  it("the quantile function", () => {
    const refs: Array<[number, number]> = [
      [0.975, 1.959963984540054],
      [0.025, -1.9599639845400542],
      [1e-10, -6.3613409024040562],
      [0.3, -0.52440051270804082],
      [0.9999, 3.7190164854557084],
      [1e-300, -37.047096299361199],
    ];
    for (const [p, x] of refs) expect(rel(normInv(p), x)).toBeLessThan(2e-15);
    expect(normInv(0.5)).toBe(0);
    expect(normInv(0)).toBe(-Infinity);
    expect(normInv(1)).toBe(Infinity);
    expect(Number.isNaN(normInv(1.5))).toBe(true);
    for (let p = 0.001; p < 1; p += 0.0137) expect(rel(normCdf(normInv(p)), p)).toBeLessThan(5e-15);
  });
});

describe("Cody's coefficients: one table (CODY), and the literal copies in the implied-vol helpers", () => {
  it("scaledTail and centralHalfFast compute exactly what CODY's polynomials give", () => {
    const horner = (from: number, n: number, x: number, monic: boolean) => {
      let acc = monic ? 1 : CODY[from + n - 1];
      for (let k = monic ? n - 1 : n - 2; k >= 0; k--) acc = acc * x + CODY[from + k];
      return acc;
    };
    // scaledTail's middle range is in Estrin's form, grouped as the Black-Scholes kernel groups it.
    const c = CODY;
    const estrinTail = (y: number) => {
      const y2 = y * y;
      const y4 = y2 * y2;
      const num = c[9] + c[10] * y + (c[11] + c[12] * y) * y2 + (c[13] + c[14] * y + (c[15] + c[16] * y) * y2) * y4 + c[17] * y4 * y4;
      const den = c[18] + c[19] * y + (c[20] + c[21] * y) * y2 + (c[22] + c[23] * y + (c[24] + c[25] * y) * y2) * y4 + y4 * y4;
      return num / den;
    };
    for (let y = 0.7; y < 5.6; y += 0.013) expect(scaledTail(y)).toBe(estrinTail(y));
    for (let x = -0.66; x < 0.66; x += 0.0071) expect(centralHalfFast(x)).toBe((x * horner(0, 5, x * x, false)) / horner(5, 4, x * x, true));
  });
});

describe("the kernels' exponential and logarithm (expFast, logFast)", () => {
  /** Distance in units in the last place of b (the spacing of doubles at b). */
  const ulps = (a: number, b: number) => Math.abs(a - b) / (Math.pow(2, Math.floor(Math.log2(Math.abs(b))) - 52) || Number.MIN_VALUE);

  it("is within 4 ulps of the platform's Math.exp (fdlibm) on 200,000 points across the whole range", () => {
    let worst = 0;
    for (let k = 0; k < 200_000; k++) {
      // A deterministic low-discrepancy walk over [-750, 712]: every binade and table slot gets visited.
      const x = -750 + ((k * 0.6180339887498949) % 1) * 1462;
      const want = Math.exp(x);
      if (want === 0 || want === Infinity || want < 2.2250738585072014e-308) expect(expFast(x)).toBe(want);
      else worst = Math.max(worst, ulps(expFast(x), want));
    }
    expect(worst).toBeLessThanOrEqual(4);
  });

  it("published values and the edges", () => {
    // e and 1/e correctly rounded; e^-700 and e^700 from mpmath (40 digits).
    expect(expFast(1)).toBe(2.718281828459045);
    expect(expFast(-1)).toBe(0.36787944117144233);
    expect(rel(expFast(-700), 9.8596765437597708567e-305)).toBeLessThan(1e-15);
    expect(rel(expFast(700), 1.0142320547350045094e304)).toBeLessThan(1e-15);
    expect(expFast(0)).toBe(1);
    expect(expFast(-0)).toBe(1);
    expect(expFast(1e-300)).toBe(1);
    expect(expFast(710)).toBe(Infinity);
    expect(expFast(-746)).toBe(0);
    expect(expFast(Infinity)).toBe(Infinity);
    expect(expFast(-Infinity)).toBe(0);
    expect(Number.isNaN(expFast(NaN))).toBe(true);
  });

  it("logFast is within 4 ulps of Math.log across the doubles, and relatively accurate next to 1", () => {
    let worst = 0;
    for (let k = 0; k < 200_000; k++) {
      const x = Math.pow(2, -1000 + ((k * 0.6180339887498949) % 1) * 2020); // every binade from 2^-1000 to 2^1020
      worst = Math.max(worst, ulps(logFast(x), Math.log(x)));
    }
    expect(worst).toBeLessThanOrEqual(4);
    // ln(1 + d) ~ d: strikes at the money give S/K next to 1, where an absolute error would be a large relative one.
    let worstRel = 0;
    for (let k = 1; k <= 20_000; k++) {
      const x = 1 + (k % 2 ? 1 : -1) * k * 1e-9;
      worstRel = Math.max(worstRel, rel(logFast(x), Math.log(x)));
    }
    expect(worstRel).toBeLessThan(1e-15);
    expect(logFast(1)).toBe(0);
    expect(logFast(Math.E)).toBeCloseTo(1, 15);
    expect(rel(logFast(1e-300), -690.77552789821370521)).toBeLessThan(1e-15); // mpmath
    expect(logFast(0)).toBe(-Infinity);
    expect(Number.isNaN(logFast(-1))).toBe(true);
    expect(logFast(Infinity)).toBe(Infinity);
    expect(rel(logFast(5e-324), Math.log(5e-324))).toBeLessThan(1e-15); // subnormals go to the library
  });
});

describe("the kernels' ln(a/b) without a division (logRatio)", () => {
  it("is within 2.5e-16 (times |ln| above 1) of mpmath's ln(a/b), and within 1e-17 when a/b is next to 1", () => {
    const cases = reference.logRatio as Array<{ a: number; b: number; ln: number }>;
    expect(cases.length).toBeGreaterThan(400);
    let worst = 0;
    let worstNearOne = 0;
    for (const { a, b, ln } of cases) {
      const err = Math.abs(logRatio(a, b) - ln);
      // Next to 1 the quotient a/b alone would carry 1.1e-16 of rounding; the term-by-term difference does not.
      if (Math.abs(ln) < 1e-4) worstNearOne = Math.max(worstNearOne, err);
      else worst = Math.max(worst, err / Math.max(1, Math.abs(ln)));
    }
    expect(worst).toBeLessThan(2.5e-16);
    expect(worstNearOne).toBeLessThan(1e-17);
    expect(logRatio(3, 3)).toBe(0);
    // Its domain is normal doubles, so the pricing functions refuse a subnormal spot or strike, by name.
    expect(() => bsPrice({ kind: "put", spot: 1e-310, strike: 100, years: 1, rate: 0, dividendYield: 0, vol: 0.2 })).toThrow(/spot must be at least/);
    expect(() => bsGreeks({ kind: "put", spot: 100, strike: 1e-310, years: 1, rate: 0, dividendYield: 0, vol: 0.2 })).toThrow(/strike must be at least/);
    expect(() => bsGreeksInto(new Float64Array(7), 0, true, 1e-310, 100, 1, 0, 0, 0.2)).toThrow(/spot must be at least/);
    expect(bsPrice({ kind: "put", spot: 2.2250738585072014e-308, strike: 2.2250738585072014e-308, years: 1, rate: 0, dividendYield: 0, vol: 0.2 })).toBeGreaterThan(0);
  });
});

describe("Black-Scholes-Merton", () => {
  const base: BsInput = { kind: "call", spot: 42, strike: 40, years: 0.5, rate: 0.1, dividendYield: 0, vol: 0.2 };

  it("Hull's example: S=42, K=40, r=10%, vol=20%, T=0.5", () => {
    expect(bsPrice(base)).toBeCloseTo(4.7594, 4);
    expect(bsPrice({ ...base, kind: "put" })).toBeCloseTo(0.8086, 4);
    expect(rel(bsPrice(base), 4.7594223928715334)).toBeLessThan(1e-14);
  });

  it("Haug's generalised BSM example with a dividend yield", () => {
    const i: BsInput = { kind: "put", spot: 100, strike: 95, years: 0.5, rate: 0.1, dividendYield: 0.05, vol: 0.2 };
    expect(bsPrice(i)).toBeCloseTo(2.4648, 4);
    expect(rel(bsPrice(i), 2.4647876467558214)).toBeLessThan(1e-14);
    expect(rel(bsPrice({ ...i, kind: "call" }), 9.6289835220212575)).toBeLessThan(1e-14);
  });

  it("is relatively accurate in the wings (mpmath references)", () => {
    const refs: Array<[BsInput, number, number]> = [
      [{ kind: "call", spot: 100, strike: 200, years: 0.25, rate: 0.03, dividendYield: 0.01, vol: 0.2 }, 5.817252588284903e-12, 1e-11],
      [{ kind: "put", spot: 100, strike: 50, years: 0.25, rate: 0.03, dividendYield: 0.01, vol: 0.3 }, 3.3958140237305794e-6, 1e-12],
      [{ kind: "call", spot: 100, strike: 60, years: 0.1, rate: 0.05, dividendYield: 0, vol: 0.15 }, 40.299251248439061, 1e-14],
      [{ kind: "put", spot: 100, strike: 160, years: 1, rate: 0.05, dividendYield: 0.02, vol: 0.25 }, 54.655744810339782, 1e-14],
      [{ kind: "call", spot: 650, strike: 700, years: 7 / 365, rate: 0.04, dividendYield: 0.012, vol: 0.12 }, 1.1083057641658685e-5, 1e-12],
      [{ kind: "put", spot: 650, strike: 560, years: 3 / 365, rate: 0.04, dividendYield: 0.012, vol: 0.25 }, 4.5019755829588705e-11, 1e-11],
      [{ kind: "call", spot: 12, strike: 20, years: 2, rate: 0.04, dividendYield: 0.05, vol: 0.35 }, 0.49770597683925274, 1e-14],
      [{ kind: "put", spot: 100, strike: 100, years: 3, rate: 0.05, dividendYield: 0, vol: 1.5 }, 68.097305735188316, 1e-14],
    ];
    for (const [i, ref, tol] of refs) expect(rel(bsPrice(i), ref)).toBeLessThan(tol);
  });

  it("deep in the money stays at or above discounted intrinsic", () => {
    for (const vol of [0.01, 0.05, 0.2]) {
      for (const years of [1 / 365, 0.1, 1]) {
        const c: BsInput = { kind: "call", spot: 100, strike: 40, years, rate: 0.05, dividendYield: 0.02, vol };
        expect(bsPrice(c)).toBeGreaterThanOrEqual(100 * Math.exp(-0.02 * years) - 40 * Math.exp(-0.05 * years));
        const p: BsInput = { ...c, kind: "put", strike: 250 };
        expect(bsPrice(p)).toBeGreaterThanOrEqual(250 * Math.exp(-0.05 * years) - 100 * Math.exp(-0.02 * years));
      }
    }
  });

  it("put-call parity", () => {
    for (const strike of [50, 90, 100, 110, 200]) {
      for (const years of [0.01, 0.5, 2]) {
        const i: BsInput = { kind: "call", spot: 100, strike, years, rate: 0.045, dividendYield: 0.015, vol: 0.3 };
        const lhs = bsPrice(i) - bsPrice({ ...i, kind: "put" });
        const rhs = 100 * Math.exp(-0.015 * years) - strike * Math.exp(-0.045 * years);
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * strike);
      }
    }
  });

  it("years = 0 and vol = 0 give the discounted intrinsic value of the forward", () => {
    expect(bsPrice({ ...base, years: 0 })).toBe(2);
    expect(bsPrice({ ...base, kind: "put", years: 0 })).toBe(0);
    const i: BsInput = { kind: "call", spot: 100, strike: 95, years: 1, rate: 0.05, dividendYield: 0.01, vol: 0 };
    expect(bsPrice(i)).toBeCloseTo(100 * Math.exp(-0.01) - 95 * Math.exp(-0.05), 13);
    expect(bsPrice({ ...i, kind: "put" })).toBe(0);
    expect(bsPrice({ ...i, strike: 110 })).toBe(0);
    const g = bsGreeks(i);
    expect(g.delta).toBeCloseTo(Math.exp(-0.01), 14);
    expect(g.gamma).toBe(0);
    expect(() => bsPrice({ ...i, spot: -1 })).toThrow(RangeError);
    expect(() => bsPrice({ ...i, vol: NaN })).toThrow(RangeError);
    // Every bound names its field, including the four the hot check folds into one sum.
    expect(() => bsGreeks({ ...i, years: Infinity })).toThrow(/years must be >= 0/);
    expect(() => bsGreeks({ ...i, vol: -0.1 })).toThrow(/vol must be >= 0/);
    expect(() => bsGreeks({ ...i, rate: NaN })).toThrow(/rate and dividendYield must be finite/);
    expect(() => bsGreeks({ ...i, dividendYield: -Infinity })).toThrow(/rate and dividendYield must be finite/);
    expect(() => bsPrice({ ...i, years: 1.5e308, vol: 1.5e308 })).toThrow(/must be a finite number/);
  });

  it("Greeks match central finite differences of the price", () => {
    for (const kind of ["call", "put"] as const) {
      for (const strike of [80, 100, 125]) {
        for (const years of [0.05, 0.75]) {
          const i: BsInput = { kind, spot: 100, strike, years, rate: 0.04, dividendYield: 0.02, vol: 0.3 };
          const g = bsGreeks(i);
          const hS = 1e-3;
          const hv = 1e-5;
          const ht = 1e-6;
          const hr = 1e-6;
          const at = (o: Partial<BsInput>) => bsPrice({ ...i, ...o });
          expect(g.price).toBe(bsPrice(i));
          expect(g.delta).toBeCloseTo((at({ spot: 100 + hS }) - at({ spot: 100 - hS })) / (2 * hS), 7);
          expect(g.gamma).toBeCloseTo((at({ spot: 100 + hS }) - 2 * g.price + at({ spot: 100 - hS })) / (hS * hS), 4);
          expect(g.vega).toBeCloseTo((at({ vol: 0.3 + hv }) - at({ vol: 0.3 - hv })) / (2 * hv), 5);
          // theta is dV/dt of calendar time: time passing shortens years.
          expect(g.theta).toBeCloseTo(-(at({ years: years + ht }) - at({ years: years - ht })) / (2 * ht), 4);
          expect(g.rho).toBeCloseTo((at({ rate: 0.04 + hr }) - at({ rate: 0.04 - hr })) / (2 * hr), 5);
        }
      }
    }
  });

  it("signs and display units", () => {
    const c = bsGreeks({ ...base, strike: 42 });
    const p = bsGreeks({ ...base, strike: 42, kind: "put" });
    expect(c.delta).toBeGreaterThan(0);
    expect(p.delta).toBeLessThan(0);
    expect(c.gamma).toBeGreaterThan(0);
    expect(c.vega).toBeGreaterThan(0);
    expect(c.theta).toBeLessThan(0);
    expect(c.rho).toBeGreaterThan(0);
    expect(p.rho).toBeLessThan(0);
    const d = toDisplayGreeks(c);
    expect(d.delta).toBe(c.delta);
    expect(d.gamma).toBe(c.gamma);
    expect(d.vega).toBeCloseTo(c.vega / 100, 15);
    expect(d.theta).toBeCloseTo(c.theta / 365, 15);
    expect(d.rho).toBeCloseTo(c.rho / 100, 15);
    // Hull's ATM example magnitudes: theta a few dollars per year, under 2 cents a day.
    expect(c.theta).toBeLessThan(-3);
    expect(d.theta).toBeGreaterThan(-0.02);
  });
});

describe("implied volatility", () => {
  it("round-trips a grid of vols, maturities and moneyness to 1e-10 where identifiable", () => {
    const vols = [0.05, 0.1, 0.2, 0.35, 0.6, 1, 1.5, 2.2, 3];
    const years = [1 / 365, 3 / 365, 14 / 365, 0.1, 0.25, 0.5, 1, 2, 3];
    const moneyness = [0.5, 0.6, 0.75, 0.9, 0.97, 1, 1.03, 1.1, 1.3, 1.6, 2];
    let identified = 0;
    let unidentified = 0;
    for (const vol of vols)
      for (const T of years)
        for (const m of moneyness)
          for (const kind of ["call", "put"] as const) {
            const i: BsInput = { kind, spot: 100, strike: 100 * m, years: T, rate: 0.045, dividendYield: 0.013, vol };
            const price = bsPrice(i);
            const iv = impliedVol({ ...i, price });
            const sF = 100 * Math.exp(-0.013 * T);
            const kD = 100 * m * Math.exp(-0.045 * T);
            const timeValue = price - Math.max(kind === "call" ? sF - kD : kD - sF, 0);
            if (timeValue < 0.0051) {
              // Under (about) half a tick of time value: nothing to identify.
              if (timeValue < 0.005) expect(iv).toBeNull();
              unidentified++;
              continue;
            }
            expect(iv, `${kind} vol=${vol} T=${T} m=${m}`).not.toBeNull();
            expect(rel(iv!, vol), `${kind} vol=${vol} T=${T} m=${m}`).toBeLessThan(1e-10);
            expect(rel(bsPrice({ ...i, vol: iv! }), price)).toBeLessThan(1e-11);
            identified++;
          }
    expect(identified).toBeGreaterThan(1000);
    expect(unidentified).toBeGreaterThan(0);
  });

  it("handles vols from 1% to 500% and maturities from a day to three years", () => {
    for (const vol of [0.01, 0.02, 4, 5]) {
      for (const T of [1 / 365, 1, 3]) {
        // At the forward, so that even 1% vol over three years leaves time value to identify.
        const i: BsInput = { kind: "call", spot: 1000, strike: 1000 * Math.exp(0.03 * T), years: T, rate: 0.03, dividendYield: 0, vol };
        const price = bsPrice(i);
        const iv = impliedVol({ ...i, price, tick: 0.0001 });
        expect(iv).not.toBeNull();
        expect(rel(iv!, vol)).toBeLessThan(1e-9);
      }
    }
  });

  it("returns null outside the no-arbitrage bounds and under half a tick of time value", () => {
    const i = { kind: "call" as const, spot: 100, strike: 90, years: 0.5, rate: 0.05, dividendYield: 0.01 };
    const intrinsic = 100 * Math.exp(-0.01 * 0.5) - 90 * Math.exp(-0.05 * 0.5);
    expect(impliedVol({ ...i, price: intrinsic - 0.01 })).toBeNull(); // below discounted intrinsic
    expect(impliedVol({ ...i, price: intrinsic + 0.004 })).toBeNull(); // under half a tick
    expect(impliedVol({ ...i, price: intrinsic + 0.004, tick: 0.001 })).not.toBeNull();
    expect(impliedVol({ ...i, price: 100 * Math.exp(-0.01 * 0.5) })).toBeNull(); // at the upper bound
    expect(impliedVol({ ...i, price: 101 })).toBeNull(); // above it
    expect(impliedVol({ ...i, kind: "put", price: 90 * Math.exp(-0.05 * 0.5) + 0.01 })).toBeNull(); // put above K e^{-rT}
    expect(impliedVol({ ...i, kind: "put", price: 0.004 })).toBeNull();
    expect(impliedVol({ ...i, kind: "put", price: 0 })).toBeNull();
    expect(impliedVol({ ...i, price: NaN })).toBeNull();
    expect(impliedVol({ ...i, years: 0, price: 12 })).toBeNull();
    const ok = impliedVol({ ...i, price: bsPrice({ ...i, vol: 0.25 }) });
    expect(ok).not.toBeNull();
    expect(rel(ok!, 0.25)).toBeLessThan(1e-12);
  });
});

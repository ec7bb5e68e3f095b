// Analytics against independent references: test/fixtures/analytics-reference.json is produced by
// scripts/reference/analytics_reference.py (mpmath, 40 digits; Greeks by numerical differentiation at 120 digits,
// implied vols by root finding on the exact double price). Re-run: see the script's docstring.
import { describe, expect, it } from "vitest";
import ref from "./fixtures/analytics-reference.json";
import {
  americanImpliedVol,
  americanPrice,
  bivariateNormalCdf,
  bs2002Price,
  bsGreeks,
  bsPrice,
  impliedVol,
  type BsGreeks,
  type BsInput,
} from "../workers/analytics";
import { lastIterations } from "../workers/analytics/implied-vol";
import * as ivModule from "../workers/analytics/implied-vol";

type Euro = BsInput & BsGreeks;
type IvCase = Omit<BsInput, "vol"> & { vol: number; price: number; iv: number | null; ivPerUlp?: number };
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("European prices and Greeks vs mpmath", () => {
  const cases = ref.european as Euro[];
  it(`prices: 1e-12 relative above 1e-5 of spot, 1e-12 of spot absolute below (${cases.length} cases)`, () => {
    let relCount = 0;
    for (const c of cases) {
      const p = bsPrice(c);
      if (c.price > 1e-5 * c.spot) {
        relCount++;
        expect(rel(p, c.price), JSON.stringify(c)).toBeLessThan(1e-12);
      } else expect(Math.abs(p - c.price), JSON.stringify(c)).toBeLessThan(1e-12 * c.spot);
    }
    expect(relCount).toBeGreaterThan(700);
  });

  it("Greeks to 1e-10 relative (values under 1e-100 are underflow on both sides: compared absolutely)", () => {
    let checked = 0;
    for (const c of cases) {
      const g = bsGreeks(c);
      expect(g.price).toBe(bsPrice(c));
      for (const k of ["delta", "gamma", "vega", "theta", "rho"] as const) {
        const want = c[k];
        const msg = `${k} ${JSON.stringify(c)}`;
        if (Math.abs(want) > 1e-100) {
          expect(rel(g[k], want), msg).toBeLessThan(1e-10);
          checked++;
        } else expect(Math.abs(g[k] - want), msg).toBeLessThan(1e-100);
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});

describe("implied volatility vs mpmath", () => {
  const cases = ref.impliedVol as IvCase[];
  it(`back to 1e-12 absolute wherever identifiable, null where not, in at most 2 iterations (${cases.length} cases)`, () => {
    let identified = 0;
    let nulls = 0;
    let maxIterations = 0;
    for (const c of cases) {
      const v = impliedVol(c);
      if (c.iv === null) {
        expect(v, JSON.stringify(c)).toBeNull();
        nulls++;
        continue;
      }
      expect(v, JSON.stringify(c)).not.toBeNull();
      // Identifiable to 1e-12: one ulp of the price moves the vol by less than 1e-13. The few cases beyond that
      // (time value tiny against vega) still come back within 1e-12 + 4 * (vol per price ulp).
      const tol = 1e-12 + 4 * Math.max(0, (c.ivPerUlp ?? 0) - 1e-13);
      expect(Math.abs(v! - c.iv), JSON.stringify(c)).toBeLessThan(tol);
      maxIterations = Math.max(maxIterations, (ivModule as { lastIterations: number }).lastIterations);
      identified++;
    }
    expect(identified).toBeGreaterThan(450);
    expect(nulls).toBeGreaterThan(50);
    expect(maxIterations).toBeLessThanOrEqual(2);
    expect(typeof lastIterations).toBe("number");
  });

  it("two iterations over a wide grid of total vols and moneyness (round trip on the OTM side, no tick)", () => {
    let worst = 0;
    let maxIt = 0;
    for (const vol of [0.01, 0.05, 0.2, 0.6, 1.5, 3, 5])
      for (const T of [1 / 365, 14 / 365, 0.25, 1, 3])
        for (const m of [0.3, 0.6, 0.9, 1, 1.1, 1.6, 3]) {
          const i: BsInput = { kind: m >= 1 ? "call" : "put", spot: 100, strike: 100 * m, years: T, rate: 0, dividendYield: 0, vol };
          const price = bsPrice(i);
          if (!(price > 1e-250)) continue; // subnormal prices carry too few bits to identify anything
          const v = impliedVol({ ...i, price, tick: 0 });
          expect(v, JSON.stringify(i)).not.toBeNull();
          // Identifiable to 1e-12 only where one ulp of the price is worth under 1e-13 of vol (not at vol 500%
          // over 3 years, where the call is worth 99.99% of spot).
          const perUlp = (Number.EPSILON * price) / bsGreeks(i).vega;
          worst = Math.max(worst, Math.abs(v! - vol) - 4 * Math.max(0, perUlp - 1e-13));
          maxIt = Math.max(maxIt, (ivModule as { lastIterations: number }).lastIterations);
        }
    expect(worst).toBeLessThan(1e-12);
    expect(maxIt).toBeLessThanOrEqual(2);
  });
});

describe("bivariate normal and Bjerksund-Stensland 2002 vs mpmath", () => {
  it("M(a, b; rho) to 1e-15 absolute", () => {
    for (const c of ref.bivariateNormal) expect(Math.abs(bivariateNormalCdf(c.a, c.b, c.rho) - c.value), JSON.stringify(c)).toBeLessThan(1e-15);
  });

  it("BS2002 to 1e-12 relative against an independent 40-digit evaluation of the same formulas", () => {
    for (const c of ref.bs2002 as Array<BsInput & { bs2002: number }>) expect(rel(bs2002Price(c), c.bs2002), JSON.stringify(c)).toBeLessThan(1e-12);
  });

  it("published value: Haug's BS1993 example (S=42, K=40, T=0.75, r=4%, q=8%, vol=35%) is 5.2704; BS2002 improves on it, below a 2000-step tree (5.3096)", () => {
    const p = americanPrice({ kind: "call", spot: 42, strike: 40, years: 0.75, rate: 0.04, dividendYield: 0.08, vol: 0.35 });
    expect(p).toBeGreaterThan(5.2704);
    expect(p).toBeLessThan(5.3096);
    expect(p).toBeCloseTo(5.2869, 4);
  });
});

describe("American exercise", () => {
  it("never under intrinsic nor under the European price, over a grid", () => {
    let n = 0;
    for (const kind of ["call", "put"] as const)
      for (const strike of [50, 80, 95, 100, 105, 120, 160])
        for (const years of [1 / 365, 0.05, 0.25, 1, 2])
          for (const vol of [0.05, 0.2, 0.5, 1.2])
            for (const [rate, dividendYield] of [[0.045, 0.013], [0.08, 0], [0.02, 0.06], [0, 0.03]]) {
              const i: BsInput = { kind, spot: 100, strike, years, rate, dividendYield, vol };
              const a = americanPrice(i);
              const e = bsPrice(i);
              const intrinsic = Math.max(kind === "call" ? 100 - strike : strike - 100, 0);
              expect(a, JSON.stringify(i)).toBeGreaterThanOrEqual(e);
              expect(a, JSON.stringify(i)).toBeGreaterThanOrEqual(intrinsic);
              n++;
            }
    expect(n).toBe(1120);
  });

  it("calls without dividends are European; puts carry an early-exercise premium", () => {
    const c: BsInput = { kind: "call", spot: 100, strike: 100, years: 1, rate: 0.05, dividendYield: 0, vol: 0.2 };
    expect(americanPrice(c)).toBe(bsPrice(c));
    const p: BsInput = { ...c, kind: "put", strike: 110 };
    expect(americanPrice(p)).toBeGreaterThan(bsPrice(p) + 0.1);
  });

  it("American IV round-trips and is null below intrinsic", () => {
    for (const [kind, strike, vol] of [["put", 110, 0.2], ["put", 90, 0.45], ["call", 95, 0.3]] as const) {
      const i: BsInput = { kind, spot: 100, strike, years: 0.5, rate: 0.05, dividendYield: 0.03, vol };
      const price = americanPrice(i);
      const v = americanImpliedVol({ ...i, price });
      expect(v).not.toBeNull();
      expect(Math.abs(v! - vol)).toBeLessThan(1e-10);
    }
    expect(americanImpliedVol({ kind: "put", spot: 100, strike: 120, years: 0.5, rate: 0.05, dividendYield: 0, price: 19.99 })).toBeNull();
  });
});

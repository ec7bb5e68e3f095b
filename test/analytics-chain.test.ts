import { describe, expect, it } from "vitest";
import {
  bsGreeks,
  bsPrice,
  chainAnalytics,
  chainAnalyticsColumns,
  DEFAULT_RISK_LIMITS,
  expectedMoveFromIv,
  expectedMoveFromStraddle,
  liquidityScore,
  probabilityItm,
  probabilityOfTouch,
  riskFilter,
  type ChainQuote,
} from "../workers/analytics";

describe("chain analytics", () => {
  const spot = 100;
  const rate = 0.04;
  const q = 0.01;
  const quotes: ChainQuote[] = [];
  for (const strike of [80, 90, 95, 100, 105, 110, 120])
    for (const kind of ["call", "put"] as const) {
      const theo = bsPrice({ kind, spot, strike, years: 0.25, rate, dividendYield: q, vol: 0.3 });
      quotes.push({ kind, strike, years: 0.25, bid: Math.max(0, theo - 0.05), ask: theo + 0.05, exercise: "european" });
    }

  it("IV from the mid, Greeks at that IV, uncertainty = half-spread / vega, breakevens", () => {
    const rows = chainAnalytics(spot, rate, q, quotes);
    rows.forEach((r, j) => {
      const qt = quotes[j];
      expect(r.iv).not.toBeNull();
      expect(Math.abs(r.iv! - 0.3)).toBeLessThan(1e-12);
      const g = bsGreeks({ kind: qt.kind, spot, strike: qt.strike, years: 0.25, rate, dividendYield: q, vol: r.iv! });
      expect(r.delta).toBeCloseTo(g.delta, 14);
      expect(r.theta).toBeCloseTo(g.theta, 12);
      expect(r.ivUncertainty).toBeCloseTo(0.05 / g.vega, 14);
      expect(r.breakeven).toBeCloseTo(qt.kind === "call" ? qt.strike + r.mid : qt.strike - r.mid, 12);
      expect(r.probItm).toBeGreaterThan(0);
      // To finish beyond an out-of-the-money strike the path must touch it first.
      const otm = qt.kind === "call" ? qt.strike > spot : qt.strike < spot;
      if (otm) expect(r.probTouch!).toBeGreaterThanOrEqual(r.probItm!);
    });
  });

  it("columns hold the same results as the rows, NaN where a row says null, and P(ITM) = N(d2) at the IV", () => {
    const mixed: ChainQuote[] = [...quotes, { kind: "call", strike: 50, years: 0.25, bid: 40, ask: 40.2 }, { kind: "put", strike: 110, years: 0.5, bid: 11.3, ask: 11.5, exercise: "american" }];
    const cols = chainAnalyticsColumns(spot, rate, q, mixed);
    const rows = chainAnalytics(spot, rate, q, mixed);
    expect(cols.length).toBe(mixed.length);
    rows.forEach((r, j) => {
      for (const k of ["iv", "ivUncertainty", "price", "delta", "gamma", "vega", "theta", "rho", "probItm", "probTouch"] as const) {
        if (r[k] === null) expect(Number.isNaN(cols[k][j])).toBe(true);
        else expect(cols[k][j]).toBe(r[k]);
      }
      expect(cols.mid[j]).toBe(r.mid);
      expect(cols.breakeven[j]).toBe(r.breakeven);
      expect(cols.bs2002[j] === 1).toBe(r.model === "bs2002");
      if (r.iv !== null) {
        // The chain's fast paths (kernel N(d2), one-exp touch) against the exact public functions.
        const qt = mixed[j];
        expect(r.probItm!).toBeCloseTo(probabilityItm(qt.kind, spot, qt.strike, qt.years, rate, q, r.iv), 13);
        expect(r.probTouch!).toBeCloseTo(probabilityOfTouch(spot, qt.strike, qt.years, rate, q, r.iv), 13);
      }
    });
    expect(rows.at(-2)!.iv).toBeNull();
    expect(rows.at(-1)!.model).toBe("bs2002");
  });

  it("null IV (never a clamp or 0) when the mid is under intrinsic", () => {
    const [row] = chainAnalytics(spot, rate, q, [{ kind: "call", strike: 50, years: 0.25, bid: 40, ask: 40.2 }]);
    expect(row.iv).toBeNull();
    expect(row.delta).toBeNull();
  });

  it("American puts use BS2002", () => {
    const [row] = chainAnalytics(spot, 0.05, 0, [{ kind: "put", strike: 110, years: 0.5, bid: 11.3, ask: 11.5, exercise: "american" }]);
    expect(row.model).toBe("bs2002");
    expect(row.iv).not.toBeNull();
    const [eur] = chainAnalytics(spot, 0.05, 0, [{ kind: "put", strike: 110, years: 0.5, bid: 11.3, ask: 11.5, exercise: "european" }]);
    expect(row.iv!).toBeLessThan(eur.iv!); // the early-exercise premium explains part of the price
  });

  it("probabilities: ITM N(d2), touch ~ 2x ITM for a driftless OTM strike, expected moves", () => {
    expect(probabilityItm("call", 100, 100, 1, 0, 0, 0.2)).toBeCloseTo(0.460172162722971, 12); // N(-0.1)
    const touch = probabilityOfTouch(100, 120, 1, 0.02, 0, 0.2); // mu = 0: reflection gives exactly 2 N(-b/sig)
    expect(touch).toBeCloseTo(2 * probabilityItm("call", 100, 120, 1, 0.02, 0, 0.2), 12);
    expect(probabilityOfTouch(100, 100, 1, 0, 0, 0.2)).toBe(1);
    expect(expectedMoveFromIv(100, 0.2, 0.25)).toBeCloseTo(10, 12);
    const em = expectedMoveFromStraddle(spot, rate, q, 0.25, quotes)!;
    expect(em.strike).toBe(100);
    expect(em.oneSd).toBeCloseTo(spot * 0.3 * 0.5, 0); // the straddle prices ~0.8 sd of the move
  });
});

describe("liquidity score and risk filters", () => {
  it("score in [0, 1], monotone in spread, OI, volume, age and size; 0 for zero bid or crossed", () => {
    const base = { bid: 1, ask: 1.04, openInterest: 500, volume: 50, ageSeconds: 5, bidSize: 20, askSize: 30 };
    const s = liquidityScore(base);
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThanOrEqual(1);
    expect(liquidityScore({ ...base, ask: 1.2 })).toBeLessThan(s);
    expect(liquidityScore({ ...base, openInterest: 5000 })).toBeGreaterThan(s);
    expect(liquidityScore({ ...base, volume: 0 })).toBeLessThan(s);
    expect(liquidityScore({ ...base, ageSeconds: 120 })).toBeLessThan(s);
    expect(liquidityScore({ ...base, bidSize: 1 })).toBeLessThan(s);
    expect(liquidityScore({ ...base, bid: 0 })).toBe(0);
    expect(liquidityScore({ ...base, bid: 1.05 })).toBe(0);
    expect(liquidityScore({ bid: 10, ask: 10.01, openInterest: 1e6, volume: 1e6, ageSeconds: 0, bidSize: 1e4, askSize: 1e4 })).toBeCloseTo(0.9993, 3);
  });

  it("filters each reason in turn", () => {
    const p = { targetDelta: 0.5, deltaBand: 0.1, minDte: 20, maxDte: 60 };
    const ok = { dte: 30, bid: 1, ask: 1.1, mid: 1.05, openInterest: 100, volume: 10, iv: 0.3, greeks: { delta: -0.48 } };
    expect(riskFilter(ok, p)).toBeNull();
    expect(riskFilter({ ...ok, dte: 10 }, p)).toBe("outside_dte_window");
    expect(riskFilter({ ...ok, iv: null }, p)).toBe("iv_not_identifiable");
    expect(riskFilter({ ...ok, greeks: { delta: 0.2 } }, p)).toBe("outside_delta_band");
    expect(riskFilter({ ...ok, bid: 0 }, p)).toBe("zero_bid");
    expect(riskFilter({ ...ok, bid: 1.1 }, p)).toBe("crossed_or_locked");
    expect(riskFilter({ ...ok, ageSeconds: 600 }, p)).toBe("stale_quote");
    expect(riskFilter({ ...ok, stale: true }, p)).toBe("stale_quote");
    expect(riskFilter({ ...ok, bid: 0.02, ask: 0.03, mid: 0.025 }, p)).toBe("price_too_low");
    expect(riskFilter({ ...ok, ask: 2, mid: 1.5 }, p)).toBe("spread_too_wide");
    expect(riskFilter({ ...ok, openInterest: 1 }, p)).toBe("open_interest_too_low");
    expect(riskFilter({ ...ok, volume: 0 }, p, { ...DEFAULT_RISK_LIMITS, minVolume: 1 })).toBe("volume_too_low");
  });
});

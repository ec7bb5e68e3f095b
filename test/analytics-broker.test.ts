// Our IV and display Greeks against a real broker's model values (test/fixtures/ib-greeks/README.md): a check of
// units and conventions (vega per vol point, theta per calendar day, IV annualised on calendar time), not of
// precision: IB's rate, dividend yield, clock and American model are not published, so the tolerances below are
// the size of those unknowns, and a units mistake (x100, x365, trading-day time) misses them by far.
import { describe, expect, it } from "vitest";
import { bsGreeks, impliedVol, toDisplayGreeks } from "../workers/analytics";
import c0811 from "./fixtures/ib-greeks/SPY230811C00450000.csv?raw";
import p0811 from "./fixtures/ib-greeks/SPY230811P00450000.csv?raw";
import c0901 from "./fixtures/ib-greeks/SPY230901C00450000.csv?raw";
import p0901 from "./fixtures/ib-greeks/SPY230901P00450000.csv?raw";

// Assumptions for 2023-08-04: effective fed funds 5.33%, SPY's trailing dividend yield ~1.45%, snapshot times in
// New York (EDT, UTC-4), expiry at the 16:00 close.
const RATE = 0.0533;
const DIVIDEND_YIELD = 0.0145;

const files = [
  { name: "SPY 2023-08-11 450 call", kind: "call", expiry: "2023-08-11", csv: c0811 },
  { name: "SPY 2023-08-11 450 put", kind: "put", expiry: "2023-08-11", csv: p0811 },
  { name: "SPY 2023-09-01 450 call", kind: "call", expiry: "2023-09-01", csv: c0901 },
  { name: "SPY 2023-09-01 450 put", kind: "put", expiry: "2023-09-01", csv: p0901 },
] as const;

describe("against Interactive Brokers' model Greeks (SPY, 2023-08-04)", () => {
  it.each(files)("$name: IV, delta, gamma, vega per vol point, theta per day", ({ kind, expiry, csv }) => {
    const rows = csv.trim().split("\n").slice(1);
    expect(rows.length).toBe(20);
    const closeMs = Date.parse(`${expiry}T20:00:00Z`);
    for (const row of rows) {
      const [stampText, ...numbers] = row.split(",");
      const [price, ibIv, ibDelta, ibGamma, ibVega, ibTheta, und] = numbers.map(Number);
      const stamp = /^(\d{4})(\d\d)(\d\d) (\d\d:\d\d:\d\d)/.exec(stampText)!;
      const at = Date.parse(`${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}-04:00`);
      const years = (closeMs - at) / (365 * 86_400_000);
      const base = { kind, spot: und, strike: 450, years, rate: RATE, dividendYield: DIVIDEND_YIELD };
      const iv = impliedVol({ ...base, price });
      expect(iv).not.toBeNull();
      expect(Math.abs(iv! - ibIv)).toBeLessThan(0.01); // within one vol point
      const g = toDisplayGreeks(bsGreeks({ ...base, vol: ibIv }));
      expect(Math.abs(g.delta - ibDelta)).toBeLessThan(0.02);
      expect(Math.abs(g.gamma / ibGamma - 1)).toBeLessThan(0.06);
      expect(Math.abs(g.vega / ibVega - 1)).toBeLessThan(0.06);
      expect(Math.abs(g.theta / ibTheta - 1)).toBeLessThan(0.1);
    }
  });
});

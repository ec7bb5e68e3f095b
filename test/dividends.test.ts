import { describe, expect, it } from "vitest";
import { addDays } from "../workers/market/calendar";
import { dividendYield, type DividendRecord } from "../workers/market/dividends";

const cd = (ex: string, cash: number, frequency = 4): DividendRecord => ({ ex_dividend_date: ex, cash_amount: cash, dividend_type: "CD", frequency });

describe("dividendYield: continuous yield q = -ln(1 - D/S) from trailing regular cash dividends", () => {
  it("sums the regular payments of the trailing 365 days (a SPY-like quarterly payer)", () => {
    // As of 2026-04-01 the window starts 2025-04-01: 2025-03-21 is out, the next four are in.
    // D = 1.76 + 1.82 + 1.99 + 1.74 = 7.31; q = -ln(1 - 7.31/650) = -ln(0.988753846...) = 0.0113098699924...
    const divs = [cd("2025-03-21", 1.7), cd("2025-06-20", 1.76), cd("2025-09-19", 1.82), cd("2025-12-19", 1.99), cd("2026-03-20", 1.74)];
    const r = dividendYield(divs, 650, "2026-04-01");
    expect(r.payments).toBe(4);
    expect(r.annualised).toBe(false);
    expect(r.annualCash).toBeCloseTo(7.31, 12);
    expect(r.yield).toBeCloseTo(0.011309869992444732, 12);
    // the order of the input does not matter
    expect(dividendYield([...divs].reverse(), 650, "2026-04-01").yield).toBeCloseTo(0.011309869992444732, 12);
  });

  it("leaves out special cash, one-time and capital-gain distributions (a KO-like payer)", () => {
    // D = 4 x 0.51 = 2.04 regular; the 1.00 special, the one-time CD and the 0.30 capital gain are ignored.
    // q = -ln(1 - 2.04/68) = -ln(0.97) = 0.0304592074847...
    const divs: DividendRecord[] = [
      cd("2025-06-13", 0.51),
      cd("2025-09-15", 0.51),
      { ex_dividend_date: "2025-10-01", cash_amount: 1.0, dividend_type: "SC", frequency: 0 },
      { ex_dividend_date: "2025-10-02", cash_amount: 0.4, dividend_type: "CD", frequency: 0 },
      { ex_dividend_date: "2025-11-20", cash_amount: 0.3, dividend_type: "LT", frequency: 4 },
      { ex_dividend_date: "2025-11-21", cash_amount: 0.1, dividend_type: "ST", frequency: 4 },
      cd("2025-12-01", 0.51),
      cd("2026-03-13", 0.51),
    ];
    const r = dividendYield(divs, 68, "2026-04-01");
    expect(r.payments).toBe(4);
    expect(r.annualCash).toBeCloseTo(2.04, 12);
    expect(r.yield).toBeCloseTo(0.030459207484708574, 12);
  });

  it("annualises the latest regular payment of a new payer (fewer payments than its frequency)", () => {
    // Two quarterly payments so far, the latest 0.25: D = 0.25 x 4 = 1.00; q = -ln(1 - 1/100) = -ln(0.99) = 0.0100503358535...
    const r = dividendYield([cd("2025-11-10", 0.2), cd("2026-02-10", 0.25)], 100, "2026-04-01");
    expect(r.payments).toBe(2);
    expect(r.annualised).toBe(true);
    expect(r.annualCash).toBeCloseTo(1, 12);
    expect(r.yield).toBeCloseTo(0.01005033585350145, 12);
  });

  it("counts only the latest `frequency` payments when ex-date drift puts one more in the window", () => {
    // Ex-dates 2025-04-01 (the window's first day, inclusive) .. 2026-03-20: five quarterly payments in 365 days.
    // The latest four: D = 0.55 + 0.50 + 0.50 + 0.50 = 2.05; q = -ln(1 - 2.05/80) = 0.0259590391700...
    const divs = [cd("2025-04-01", 0.5), cd("2025-06-20", 0.5), cd("2025-09-19", 0.5), cd("2025-12-19", 0.5), cd("2026-03-20", 0.55)];
    const r = dividendYield(divs, 80, "2026-04-01");
    expect(r.payments).toBe(5);
    expect(r.annualCash).toBeCloseTo(2.05, 12);
    expect(r.yield).toBeCloseTo(0.025959039170096097, 12);
  });

  it("treats the window as [as-of - 365 days, as-of]: declared future ex-dates are not counted yet", () => {
    expect(addDays("2026-04-01", -365)).toBe("2025-04-01");
    expect(addDays("2024-03-01", -365)).toBe("2023-03-02"); // leap year: 365 days, not one calendar year
    const r = dividendYield([cd("2025-03-31", 9), cd("2026-04-01", 1, 1), cd("2026-04-02", 5, 1)], 100, "2026-04-01");
    // only the as-of day's payment (annual, frequency 1) counts: q = -ln(0.99)
    expect(r.payments).toBe(1);
    expect(r.yield).toBeCloseTo(0.01005033585350145, 12);
  });

  it("monthly payers: twelve payments of 0.10 are 1.20 a year", () => {
    const months = ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"];
    const divs = months.map((m) => cd(`${m}-15`, 0.1, 12));
    const r = dividendYield(divs, 40, "2026-04-01");
    expect(r.payments).toBe(12);
    expect(r.annualCash).toBeCloseTo(1.2, 12);
    expect(r.yield).toBeCloseTo(-Math.log(1 - 1.2 / 40), 14); // -ln(0.97) = 0.0304592...
  });

  it("is 0 without regular dividends, and for data that cannot be a yield", () => {
    expect(dividendYield([], 100, "2026-04-01")).toEqual({ yield: 0, annualCash: 0, payments: 0, annualised: false });
    expect(dividendYield([{ ex_dividend_date: "2026-01-05", cash_amount: 3, dividend_type: "SC", frequency: 0 }], 100, "2026-04-01").yield).toBe(0);
    expect(dividendYield([cd("2026-01-05", 1)], 0, "2026-04-01").yield).toBe(0);
    expect(dividendYield([cd("2026-01-05", 1)], Number.NaN, "2026-04-01").yield).toBe(0);
    expect(dividendYield([cd("2026-01-05", 30)], 100, "2026-04-01").yield).toBe(0); // D = 120 >= S
    expect(dividendYield([cd("2026-01-05", 0)], 100, "2026-04-01").yield).toBe(0);
  });
});

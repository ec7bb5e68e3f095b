import { describe, expect, it } from "vitest";
import {
  calendarDte,
  expiryCloseUtc,
  isNyseHoliday,
  isTradingDay,
  listedExpirations,
  newYorkDate,
  thirdFriday,
  tradingDayOnOrBefore,
  yearsBetween,
} from "../workers/market/calendar";
import { formatOcc, parseOcc } from "../workers/market/polygon/occ";

describe("NYSE holidays", () => {
  // Published NYSE holiday calendars for 2025-2027.
  const holidays: Record<number, string[]> = {
    2025: ["2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"],
    2026: ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"],
    2027: ["2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"],
  };

  it.each(Object.entries(holidays))("every holiday of %s, and no other weekday", (year, list) => {
    for (const d of list) expect(isNyseHoliday(d), d).toBe(true);
    const found: string[] = [];
    for (let t = Date.UTC(Number(year), 0, 1); t < Date.UTC(Number(year) + 1, 0, 1); t += 86_400_000) {
      const d = new Date(t).toISOString().slice(0, 10);
      if (isNyseHoliday(d)) found.push(d);
    }
    expect(found).toEqual(list);
  });

  it("observance rules", () => {
    expect(isNyseHoliday("2026-07-04")).toBe(false); // Saturday: observed Friday 07-03
    expect(isNyseHoliday("2027-06-19")).toBe(false); // Saturday: observed Friday 06-18
    expect(isNyseHoliday("2027-07-04")).toBe(false); // Sunday: observed Monday 07-05
    expect(isNyseHoliday("2021-12-31")).toBe(false); // New Year's Day 2022 was a Saturday: no Friday closure
    expect(isNyseHoliday("2027-12-31")).toBe(false); // likewise for 2028
    expect(isNyseHoliday("2023-01-02")).toBe(true); // New Year's Day 2023 was a Sunday
    expect(isNyseHoliday("2021-06-18")).toBe(false); // Juneteenth became an exchange holiday in 2022
    expect(isNyseHoliday("2026-11-27")).toBe(false); // the day after Thanksgiving is an early close, not a holiday
    expect(isNyseHoliday("2024-03-29")).toBe(true); // Good Friday 2024
  });

  it("trading days", () => {
    expect(isTradingDay("2026-04-03")).toBe(false);
    expect(isTradingDay("2026-04-04")).toBe(false); // Saturday
    expect(isTradingDay("2026-04-06")).toBe(true);
    expect(tradingDayOnOrBefore("2026-06-19")).toBe("2026-06-18");
    expect(tradingDayOnOrBefore("2026-04-05")).toBe("2026-04-02");
    expect(() => isNyseHoliday("2026-02-30")).toThrow();
    expect(() => isNyseHoliday("26-02-01")).toThrow();
  });
});

describe("expirations", () => {
  it("third Fridays", () => {
    expect(thirdFriday(2026, 1)).toBe("2026-01-16");
    expect(thirdFriday(2026, 5)).toBe("2026-05-15");
    expect(thirdFriday(2026, 6)).toBe("2026-06-19");
    expect(thirdFriday(2025, 4)).toBe("2025-04-18");
    expect(thirdFriday(2027, 10)).toBe("2027-10-15");
  });

  it("weeklies then monthlies out to about a year, holiday Fridays moved to Thursday", () => {
    const list = listedExpirations(new Date("2026-03-10T15:30:00Z"));
    expect(list).toEqual([
      "2026-03-13", "2026-03-20", "2026-03-27", "2026-04-02", "2026-04-10", "2026-04-17", "2026-05-15", "2026-06-18",
      "2026-07-17", "2026-08-21", "2026-09-18", "2026-10-16", "2026-11-20", "2026-12-18", "2027-01-15", "2027-02-19",
    ]);
    expect(list).not.toContain("2026-04-03"); // Good Friday
    expect(list).not.toContain("2026-06-19"); // Juneteenth, a Friday
  });

  it("Good Friday on a third Friday moves the monthly to Thursday (April 2025)", () => {
    const list = listedExpirations(new Date("2025-04-01T14:00:00Z"));
    expect(list).toContain("2025-04-17");
    expect(list).not.toContain("2025-04-18");
  });

  it("drops an expiry once its 16:00 New York close has passed", () => {
    expect(listedExpirations(new Date("2026-03-13T19:59:59Z"))[0]).toBe("2026-03-13");
    expect(listedExpirations(new Date("2026-03-13T20:00:00Z"))[0]).toBe("2026-03-20");
    // A Saturday: this week's Friday is gone, the six weeklies start next Friday.
    const sat = listedExpirations(new Date("2026-03-14T15:00:00Z"));
    expect(sat.slice(0, 6)).toEqual(["2026-03-20", "2026-03-27", "2026-04-02", "2026-04-10", "2026-04-17", "2026-04-24"]);
  });

  it("options: counts of weeklies and monthlies", () => {
    const now = new Date("2026-03-10T15:30:00Z");
    expect(listedExpirations(now, { weeklies: 0 })).toHaveLength(12);
    expect(listedExpirations(now, { weeklies: 2, monthlies: 0 })).toEqual(["2026-03-13", "2026-03-20"]);
    const all = listedExpirations(now);
    expect([...all].sort()).toEqual(all);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe("New York time", () => {
  it("16:00 close instants across daylight saving time", () => {
    expect(expiryCloseUtc("2026-12-18").toISOString()).toBe("2026-12-18T21:00:00.000Z");
    expect(expiryCloseUtc("2026-07-17").toISOString()).toBe("2026-07-17T20:00:00.000Z");
    expect(expiryCloseUtc("2026-03-06").toISOString()).toBe("2026-03-06T21:00:00.000Z"); // before the spring change
    expect(expiryCloseUtc("2026-03-08").toISOString()).toBe("2026-03-08T20:00:00.000Z"); // change day (Sunday)
    expect(expiryCloseUtc("2026-10-30").toISOString()).toBe("2026-10-30T20:00:00.000Z");
    expect(expiryCloseUtc("2026-11-01").toISOString()).toBe("2026-11-01T21:00:00.000Z"); // fall change day
    expect(expiryCloseUtc("2027-03-12").toISOString()).toBe("2027-03-12T21:00:00.000Z"); // DST starts 2027-03-14
    expect(expiryCloseUtc("2027-03-19").toISOString()).toBe("2027-03-19T20:00:00.000Z");
  });

  it("New York calendar dates and days to expiry", () => {
    expect(newYorkDate(new Date("2026-03-11T03:00:00Z"))).toBe("2026-03-10");
    expect(newYorkDate(new Date("2026-01-15T04:59:00Z"))).toBe("2026-01-14");
    expect(newYorkDate(new Date("2026-01-15T05:00:00Z"))).toBe("2026-01-15");
    expect(calendarDte(new Date("2026-03-10T15:30:00Z"), "2026-03-20")).toBe(10);
    expect(calendarDte(new Date("2026-03-11T02:00:00Z"), "2026-03-20")).toBe(10);
    expect(calendarDte(new Date("2026-03-20T19:00:00Z"), "2026-03-20")).toBe(0);
    expect(yearsBetween(new Date("2026-01-01T00:00:00Z"), new Date("2027-01-01T00:00:00Z"))).toBe(1);
    expect(yearsBetween(new Date("2026-01-02T00:00:00Z"), new Date("2026-01-01T00:00:00Z"))).toBeCloseTo(-1 / 365, 15);
  });
});

describe("OCC symbology", () => {
  it("formats Polygon option tickers", () => {
    expect(formatOcc({ underlying: "SPY", expiration: "2026-12-18", type: "call", strike: 650 })).toBe("O:SPY261218C00650000");
    expect(formatOcc({ underlying: "SPXW", expiration: "2026-12-18", type: "put", strike: 5850.5 })).toBe("O:SPXW261218P05850500");
    expect(formatOcc({ underlying: "BRK.B", expiration: "2027-01-15", type: "call", strike: 480 })).toBe("O:BRKB270115C00480000");
    expect(formatOcc({ underlying: "F", expiration: "2026-06-18", type: "put", strike: 12.5 })).toBe("O:F260618P00012500");
    expect(formatOcc({ underlying: "AAPL1", expiration: "2026-06-18", type: "put", strike: 0.5 })).toBe("O:AAPL1260618P00000500");
    expect(formatOcc({ underlying: "SPY", expiration: "2026-12-18", type: "call", strike: 0.1 + 0.2 })).toBe("O:SPY261218C00000300");
  });

  it("parses with or without the O: prefix, and round-trips", () => {
    expect(parseOcc("O:SPY261218C00650000")).toEqual({ root: "SPY", expiration: "2026-12-18", type: "call", strike: 650 });
    expect(parseOcc("SPXW261218P05850500")).toEqual({ root: "SPXW", expiration: "2026-12-18", type: "put", strike: 5850.5 });
    expect(parseOcc("O:AAPL1261218C00230000").root).toBe("AAPL1");
    expect(parseOcc("O:BRKB270115C00480000").root).toBe("BRKB");
    const schemaTicker = /^O:[A-Z]{1,6}\d?\d{6}[CP]\d{8}$/;
    for (const underlying of ["SPY", "F", "GOOGL", "SPXW", "AAPL1"])
      for (const strike of [0.5, 1, 12.5, 99.125, 650, 5850, 99999.999])
        for (const type of ["call", "put"] as const) {
          const ticker = formatOcc({ underlying, expiration: "2027-01-15", type, strike });
          expect(ticker).toMatch(schemaTicker);
          expect(parseOcc(ticker)).toEqual({ root: underlying, expiration: "2027-01-15", type, strike });
        }
  });

  it("rejects malformed input with a clear error", () => {
    const bad = [
      "",
      "SPY",
      "O:SPY261218X00650000", // neither C nor P
      "O:SPY261218C650000", // strike not 8 digits
      "O:SPY261218C006500000", // 9 digits
      "O:TOOLONGX261218C00650000", // root over 6 letters
      "o:spy261218c00650000", // lower case
      "O:SPY261318C00650000", // month 13
      "O:SPY260230C00650000", // February 30
      "O:SPY261218C00000000", // zero strike
      "O:SPY12261218C00650000", // two trailing digits on the root
      "X:SPY261218C00650000",
    ];
    for (const t of bad) expect(() => parseOcc(t), t).toThrow(/parseOcc/);
    expect(() => formatOcc({ underlying: "SPY", expiration: "2026-12-18", type: "call", strike: 0 })).toThrow(/strike/);
    expect(() => formatOcc({ underlying: "SPY", expiration: "2026-12-18", type: "call", strike: 1.2345 })).toThrow(/strike/);
    expect(() => formatOcc({ underlying: "SPY", expiration: "2026-12-18", type: "call", strike: 100000 })).toThrow(/strike/);
    expect(() => formatOcc({ underlying: "SPY", expiration: "2026-13-18", type: "call", strike: 1 })).toThrow(/expiration/);
    expect(() => formatOcc({ underlying: "SPY", expiration: "1999-12-17", type: "call", strike: 1 })).toThrow(/expiration/);
    expect(() => formatOcc({ underlying: "TOOLONGX", expiration: "2026-12-18", type: "call", strike: 1 })).toThrow(/root/);
    expect(() => formatOcc({ underlying: "SPY", expiration: "2026-12-18", type: "straddle" as "call", strike: 1 })).toThrow(/type/);
  });
});

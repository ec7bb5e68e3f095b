import { describe, expect, it } from "vitest";
import { Bar, OptionChain, Quote } from "../schemas";
import { expiryCloseUtc, isTradingDay, yearsBetween } from "../workers/market/calendar";
import {
  advance,
  initialState,
  seededRandom,
  symbolProfile,
  syntheticChain,
  syntheticDailyBars,
  syntheticQuote,
  type SyntheticState,
} from "../workers/market/synthetic";

const RATE = 0.043;
const T0 = new Date("2026-06-15T14:05:00Z"); // a Monday, 10:05 in New York

/** Walks a state through `n` steps of `stepMs`, returning every state. */
function walk(symbol: string, seed: number, start: Date, n: number, stepMs: number): { state: SyntheticState; now: Date } {
  let now = start;
  let state = initialState(symbol, seed, now);
  for (let i = 0; i < n; i++) {
    now = new Date(now.getTime() + stepMs);
    state = advance(state, now);
  }
  return { state, now };
}

/** Every static-arbitrage and quoting invariant the chain promises; returns the violations. */
function arbitrageViolations(chain: OptionChain, now: Date): string[] {
  const errs: string[] = [];
  const S = chain.underlyingPrice;
  for (const expiration of chain.expirations) {
    const T = yearsBetween(now, expiryCloseUtc(expiration));
    const inExp = chain.contracts.filter((c) => c.expiration === expiration);
    const calls = inExp.filter((c) => c.type === "call").sort((a, b) => a.strike - b.strike);
    const puts = inExp.filter((c) => c.type === "put").sort((a, b) => a.strike - b.strike);
    if (calls.length !== puts.length) errs.push(`${expiration}: calls and puts at different strikes`);
    for (const c of inExp) {
      if (!(c.bid <= c.ask)) errs.push(`${c.ticker}: bid ${c.bid} > ask ${c.ask}`);
      if (c.bid < 0) errs.push(`${c.ticker}: negative bid`);
      if (c.ask < 0.01) errs.push(`${c.ticker}: ask under a tick`);
      if (Math.abs(c.mid - (c.bid + c.ask) / 2) > 1e-12) errs.push(`${c.ticker}: mid is not (bid+ask)/2`);
    }
    for (let i = 1; i < calls.length; i++) if (calls[i].mid > calls[i - 1].mid) errs.push(`${calls[i].ticker}: call mid rises with strike`);
    for (let i = 1; i < puts.length; i++) if (puts[i].mid < puts[i - 1].mid) errs.push(`${puts[i].ticker}: put mid falls with strike`);
    for (let i = 0; i < Math.min(calls.length, puts.length); i++) {
      const C = calls[i];
      const P = puts[i];
      const parity = S * Math.exp(-chain.dividendYield * T) - C.strike * Math.exp(-chain.rate * T);
      if (!(C.bid - P.ask <= parity && parity <= C.ask - P.bid)) {
        errs.push(`${C.ticker}: parity ${parity} outside [${C.bid - P.ask}, ${C.ask - P.bid}]`);
      }
    }
  }
  return errs;
}

describe("seeded randomness and profiles", () => {
  it("streams are reproducible, key-dependent and well distributed", () => {
    const a = seededRandom("1:SPY:5");
    const b = seededRandom("1:SPY:5");
    const c = seededRandom("1:SPY:6");
    const xa = [a.uniform(), a.uniform(), a.normal()];
    expect([b.uniform(), b.uniform(), b.normal()]).toEqual(xa);
    expect(c.uniform()).not.toBe(xa[0]);
    const r = seededRandom("moments");
    let sum = 0;
    let sq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.04);
  });

  it("known names are realistic, other tickers get a stable hash-derived profile", () => {
    expect(symbolProfile("SPY")).toMatchObject({ indexLike: true });
    expect(symbolProfile("SPY").spot).toBeGreaterThan(500);
    expect(symbolProfile("F").spot).toBeLessThan(20);
    expect(symbolProfile("AAPL").indexLike).toBe(false);
    const z = symbolProfile("ZZZQ");
    expect(symbolProfile("ZZZQ")).toEqual(z);
    expect(z.spot).toBeGreaterThanOrEqual(10);
    expect(z.spot).toBeLessThanOrEqual(400);
    expect(z.vol).toBeGreaterThanOrEqual(0.2);
    expect(z.vol).toBeLessThanOrEqual(0.7);
    expect(z.dividendYield).toBeGreaterThanOrEqual(0);
    expect(z.dividendYield).toBeLessThanOrEqual(0.03);
    expect(symbolProfile("BRK.B").symbol).toBe("BRK.B");
    expect(() => symbolProfile("NOT A TICKER")).toThrow();
    expect(() => symbolProfile("TOOLONG")).toThrow();
  });
});

describe("the underlying", () => {
  it("is deterministic: same seed and times give identical states, quotes and chains", () => {
    const run = () => {
      const { state, now } = walk("SPY", 42, T0, 25, 1500);
      return { state, quote: syntheticQuote(state, now), chain: syntheticChain(state, now, { rate: RATE }) };
    };
    const a = run();
    const b = run();
    expect(b.state).toEqual(a.state);
    expect(b.quote).toEqual(a.quote);
    expect(b.chain).toEqual(a.chain);
    const other = walk("SPY", 43, T0, 25, 1500).state;
    expect(other.spot).not.toBe(a.state.spot);
  });

  it("survives a JSON round trip (Durable Object storage) without changing the path", () => {
    const { state, now } = walk("AAPL", 9, T0, 10, 2000);
    const later = new Date(now.getTime() + 5000);
    const restored = JSON.parse(JSON.stringify(state)) as SyntheticState;
    expect(advance(restored, later)).toEqual(advance(state, later));
  });

  it("does nothing when time does not move forward", () => {
    const s = initialState("QQQ", 1, T0);
    expect(advance(s, T0)).toBe(s);
    expect(advance(s, new Date(T0.getTime() - 1000))).toBe(s);
  });

  it("moves by exact GBM steps with the profile vol, whatever the step size", () => {
    const vol = symbolProfile("NVDA").vol;
    let s = initialState("NVDA", 5, T0);
    let now = T0;
    const zs: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const dtMs = [250, 5000, 3_600_000, 86_400_000][i % 4];
      now = new Date(now.getTime() + dtMs);
      const next = advance(s, now);
      const dt = dtMs / (365 * 86_400_000);
      // Standardised log return: remove the drift bound and scale; should be N(0, 1).
      zs.push(Math.log(next.spot / s.spot) / (vol * Math.sqrt(dt)));
      expect(next.spot).toBeGreaterThan(0);
      s = next;
    }
    const mean = zs.reduce((a, b) => a + b, 0) / zs.length;
    const sd = Math.sqrt(zs.reduce((a, b) => a + (b - mean) ** 2, 0) / zs.length);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(0.93);
    expect(sd).toBeLessThan(1.07);
    expect(s.step).toBe(3000);
  });

  it("rolls the previous close and the day's volume on a new New York day", () => {
    // Tuesday 15:55 New York, then Wednesday 09:45 New York.
    const tue = new Date("2026-06-16T19:55:00Z");
    const s1 = advance(initialState("MSFT", 3, new Date("2026-06-16T14:00:00Z")), tue);
    expect(s1.dayKey).toBe("2026-06-16");
    expect(s1.dayVolume).toBeGreaterThan(0);
    const s2 = advance(s1, new Date("2026-06-17T13:45:00Z"));
    expect(s2.dayKey).toBe("2026-06-17");
    expect(s2.prevClose).toBe(s1.spot);
    expect(s2.dayVolume).toBeLessThan(s1.dayVolume);
    // Within a day volume only accumulates.
    const s3 = advance(s2, new Date("2026-06-17T15:00:00Z"));
    expect(s3.dayVolume).toBeGreaterThanOrEqual(s2.dayVolume);
    expect(s3.prevClose).toBe(s2.prevClose);
    // No volume on a Saturday.
    const sat = advance(s3, new Date("2026-06-20T16:00:00Z"));
    expect(sat.dayVolume).toBe(0);
  });

  it("quotes are schema-valid with a penny-ish spread around the price", () => {
    for (const symbol of ["SPY", "AAPL", "F", "ZZZQ", "META", "BRK.B"]) {
      const { state, now } = walk(symbol, 11, T0, 20, 3000);
      const q = Quote.parse(syntheticQuote(state, now));
      expect(q.bid).toBeLessThanOrEqual(state.spot);
      expect(q.ask).toBeGreaterThanOrEqual(state.spot);
      expect(q.ask - q.bid).toBeLessThan(Math.max(0.03, state.spot * 0.001));
      expect(Math.abs(q.last - state.spot)).toBeLessThanOrEqual(0.005 + 1e-12); // a last print is in cents
      expect(Math.round(q.last * 100) / 100).toBe(q.last);
      expect(q.changePct).toBeCloseTo(((state.spot - state.prevClose) / state.prevClose) * 100, 4); // shown to a basis point
      expect(q.stale).toBe(false);
      expect(q.source).toBe("synthetic");
      expect(syntheticQuote(state, now, "computed").source).toBe("computed");
    }
    const spy = walk("SPY", 11, T0, 3, 1000);
    const q = syntheticQuote(spy.state, spy.now);
    expect(Math.round((q.ask - q.bid) * 100)).toBeLessThanOrEqual(2);
  });
});

describe("the option chain", () => {
  const times = [
    new Date("2026-06-15T14:05:00Z"), // Monday morning
    new Date("2026-06-18T19:30:00Z"), // Thursday, half an hour before a holiday-moved expiry
    new Date("2026-06-20T12:00:00Z"), // Saturday
    new Date("2026-12-17T21:30:00Z"), // after the close, winter time
  ];

  it.each(["SPY", "AAPL", "F", "ZZZQ"])("%s: schema-valid and free of static arbitrage at several times", (symbol) => {
    for (const now of times) {
      const state = advance(initialState(symbol, 7, new Date(now.getTime() - 60_000)), now);
      const chain = OptionChain.parse(syntheticChain(state, now, { rate: RATE }));
      expect(chain.contracts.length).toBeGreaterThan(100);
      expect(arbitrageViolations(chain, now)).toEqual([]);
    }
  });

  it.each(["SPY", "AAPL", "F", "ZZZQ"])("%s: still arbitrage-free after many advance() steps", (symbol) => {
    let now = T0;
    let state = initialState(symbol, 123, now);
    for (let i = 0; i < 400; i++) {
      now = new Date(now.getTime() + (i % 50 === 49 ? 20 * 3_600_000 : 60_000));
      state = advance(state, now);
      if (i % 100 === 99) {
        const chain = OptionChain.parse(syntheticChain(state, now, { rate: RATE }));
        expect(arbitrageViolations(chain, now)).toEqual([]);
      }
    }
  });

  it("every contract is internally consistent", () => {
    const { state, now } = walk("AAPL", 2, T0, 5, 1000);
    const chain = syntheticChain(state, now, { rate: RATE });
    expect(chain.source).toBe("synthetic");
    expect(chain.stale).toBe(false);
    expect(chain.rate).toBe(RATE);
    expect(chain.dividendYield).toBe(symbolProfile("AAPL").dividendYield);
    expect(chain.underlyingPrice).toBe(state.spot);
    expect(chain.asOf).toBe(now.toISOString());
    for (const c of chain.contracts) {
      expect(c.ticker.startsWith("O:AAPL")).toBe(true);
      expect(c.multiplier).toBe(100);
      expect(c.exerciseStyle).toBe("american");
      expect(c.updatedAt).toBe(now.toISOString());
      // Penny ticks under $3, nickels above (AAPL is not an index ETF).
      const cents = Math.round(c.bid * 100);
      expect(Math.abs(c.bid * 100 - cents)).toBeLessThan(1e-6);
      if (c.bid >= 3) expect(cents % 5).toBe(0);
      if (c.last !== null) {
        expect(c.last).toBeGreaterThanOrEqual(c.bid);
        expect(c.last).toBeLessThanOrEqual(c.ask);
      }
      if (c.iv === null) expect(c.greeks).toBeNull();
      else expect(c.greeks).not.toBeNull();
      if (c.greeks) {
        if (c.type === "call") expect(c.greeks.delta).toBeGreaterThan(0);
        else expect(c.greeks.delta).toBeLessThan(0);
        expect(c.greeks.gamma).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("SPY: $1 strikes near the money, about a year of expiries with weeklies first, a bounded size", () => {
    const { state, now } = walk("SPY", 42, T0, 5, 1000);
    const chain = syntheticChain(state, now, { rate: RATE });
    expect(chain.contracts.length).toBeLessThanOrEqual(2500);
    const first = chain.expirations[0];
    const strikes = [...new Set(chain.contracts.filter((c) => c.expiration === first).map((c) => c.strike))].sort((a, b) => a - b);
    const near = strikes.filter((k) => Math.abs(k - state.spot) <= 10);
    expect(near.length).toBeGreaterThanOrEqual(19);
    for (let i = 1; i < near.length; i++) expect(near[i] - near[i - 1]).toBe(1);
    for (const k of strikes) expect(Number.isInteger(k)).toBe(true);

    const days = chain.expirations.map((e) => (Date.parse(e) - Date.parse("2026-06-15")) / 86_400_000);
    expect(days[0]).toBeLessThanOrEqual(7);
    // Weekly spacing; a holiday-moved Thursday expiry makes one gap 6 and the next 8 days.
    for (let i = 1; i < 6; i++) expect(days[i] - days[i - 1]).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < 6; i++) expect(days[i] - days[i - 1]).toBeLessThanOrEqual(8);
    expect(days[days.length - 1]).toBeGreaterThan(300);
    expect(days[days.length - 1]).toBeLessThan(400);
    expect(chain.expirations).toContain("2026-06-18"); // Juneteenth Friday moved to Thursday
    expect(chain.expirations).not.toContain("2026-06-19");
  });

  it("strikes reach about 5 delta on both sides", () => {
    for (const symbol of ["SPY", "AAPL", "F", "ZZZQ"]) {
      const { state, now } = walk(symbol, 4, T0, 3, 1000);
      const chain = syntheticChain(state, now, { rate: RATE });
      for (const e of chain.expirations) {
        const c = chain.contracts.filter((x) => x.expiration === e);
        const callDeltas = c.filter((x) => x.type === "call" && x.greeks).map((x) => x.greeks!.delta);
        const putDeltas = c.filter((x) => x.type === "put" && x.greeks).map((x) => x.greeks!.delta);
        expect(Math.min(...callDeltas), `${symbol} ${e}`).toBeLessThan(0.06);
        expect(Math.max(...putDeltas), `${symbol} ${e}`).toBeGreaterThan(-0.06);
      }
    }
  });

  it("has an equity skew (25-delta put IV above ATM IV) and a term structure", () => {
    for (const symbol of ["SPY", "AAPL", "ZZZQ"]) {
      const { state, now } = walk(symbol, 8, T0, 3, 1000);
      const chain = syntheticChain(state, now, { rate: RATE });
      const atmIvs: number[] = [];
      for (const e of chain.expirations) {
        const puts = chain.contracts.filter((x) => x.expiration === e && x.type === "put" && x.greeks && x.iv);
        if (puts[0].dte < 7) continue;
        const nearest = (target: number) => puts.reduce((a, b) => (Math.abs(b.greeks!.delta - target) < Math.abs(a.greeks!.delta - target) ? b : a));
        const put25 = nearest(-0.25);
        const atm = nearest(-0.5);
        expect(put25.iv!, `${symbol} ${e}`).toBeGreaterThan(atm.iv!);
        atmIvs.push(atm.iv!);
      }
      expect(new Set(atmIvs.map((v) => v.toFixed(3))).size).toBeGreaterThan(3);
      expect(Math.abs(atmIvs[0] - atmIvs[atmIvs.length - 1])).toBeGreaterThan(0.005);
    }
  });

  it("volume and open interest peak near the money and are larger in monthlies", () => {
    const { state, now } = walk("AAPL", 21, T0, 3, 1000);
    const chain = syntheticChain(state, now, { rate: RATE });
    const byExp = (e: string) => chain.contracts.filter((x) => x.expiration === e);
    const oi = (xs: typeof chain.contracts) => xs.reduce((a, b) => a + b.openInterest, 0);
    const monthly = byExp("2026-07-17");
    const weekly = byExp("2026-07-10");
    expect(oi(monthly)).toBeGreaterThan(oi(weekly));
    const calls = monthly.filter((x) => x.type === "call");
    const atm = calls.reduce((a, b) => (Math.abs(b.strike - state.spot) < Math.abs(a.strike - state.spot) ? b : a));
    expect(atm.openInterest).toBeGreaterThan(calls[0].openInterest);
    expect(atm.openInterest).toBeGreaterThan(calls[calls.length - 1].openInterest);
    expect(chain.contracts.some((x) => x.volume > 0)).toBe(true);
  });
});

describe("daily bars", () => {
  it("are a deterministic, consistent OHLCV history of trading days ending at the given close", () => {
    const bars = syntheticDailyBars("AAPL", 5, "2026-06-17", 231.45, 120);
    expect(bars).toHaveLength(120);
    expect(syntheticDailyBars("AAPL", 5, "2026-06-17", 231.45, 120)).toEqual(bars);
    expect(syntheticDailyBars("AAPL", 6, "2026-06-17", 231.45, 120)).not.toEqual(bars);
    expect(bars[bars.length - 1].date).toBe("2026-06-17");
    expect(bars[bars.length - 1].close).toBe(231.45);
    for (let i = 0; i < bars.length; i++) {
      const b = Bar.parse(bars[i]);
      expect(isTradingDay(b.date)).toBe(true);
      if (i > 0) expect(b.date > bars[i - 1].date).toBe(true);
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
      expect(b.low).toBeGreaterThan(0);
    }
    expect(bars.map((b) => b.date)).not.toContain("2026-06-19"); // Juneteenth
    expect(bars.map((b) => b.date)).not.toContain("2026-05-25"); // Memorial Day
    // Daily log returns have roughly the profile's vol.
    const r = bars.slice(1).map((b, i) => Math.log(b.close / bars[i].close));
    const sd = Math.sqrt(r.reduce((a, x) => a + x * x, 0) / r.length) * Math.sqrt(252);
    expect(sd).toBeGreaterThan(symbolProfile("AAPL").vol * 0.6);
    expect(sd).toBeLessThan(symbolProfile("AAPL").vol * 1.6);
  });

  it("end on the last trading day when endDate is not one", () => {
    const bars = syntheticDailyBars("F", 1, "2026-06-20", 12.3, 5); // a Saturday
    expect(bars.map((b) => b.date)).toEqual(["2026-06-12", "2026-06-15", "2026-06-16", "2026-06-17", "2026-06-18"]);
    expect(syntheticDailyBars("F", 1, "2026-06-20", 12.3, 0)).toEqual([]);
  });
});

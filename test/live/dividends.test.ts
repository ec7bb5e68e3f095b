import { abortAllDurableObjects, env, reset, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SymbolRoom } from "../../durable-objects/symbol-room";
import { OptionChain, type OptionContract } from "../../schemas";
import { impliedVol } from "../../workers/analytics";
import { expiryCloseUtc, newYorkDate, yearsBetween } from "../../workers/market/calendar";
import { fake } from "./helpers";

const FAKE = () => (env as unknown as { FAKE_POLYGON_URL: string }).FAKE_POLYGON_URL;

async function chainOf(symbol: string): Promise<OptionChain> {
  const res = await SELF.fetch(`http://localhost/api/chains/${symbol}`);
  expect(res.status).toBe(200);
  return OptionChain.parse(await res.json());
}

type FakeDividend = { cash_amount: number; dividend_type: string; ex_dividend_date: string; frequency: number };

/** The fake's dividends of a ticker, asked directly (the way a person would check the vendor). */
async function fakeDividends(ticker: string): Promise<FakeDividend[]> {
  const res = await fetch(`${FAKE()}/v3/reference/dividends?ticker=${ticker}&limit=1000&apiKey=demo`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: FakeDividend[] }).results;
}

/** IV of a contract re-solved from its mid with the chain's own inputs and a chosen dividend yield. */
function resolve(chain: OptionChain, c: OptionContract, dividendYield: number): number | null {
  const years = yearsBetween(new Date(chain.asOf), expiryCloseUtc(c.expiration));
  return impliedVol({ kind: c.type, spot: chain.underlyingPrice, strike: c.strike, years, rate: chain.rate, dividendYield, price: c.mid });
}

const roomOf = (symbol: string) => env.SYMBOL_ROOM.get(env.SYMBOL_ROOM.idFromName(symbol));

beforeEach(async () => {
  await fake.reset();
  await fake.scenario("silent"); // no streamed quotes: the chain stays as marked at bootstrap
});

// Each test uses its own symbol (XOM, CVX, PG: no other live test uses them); storage is wiped after each.
afterEach(async () => {
  await abortAllDurableObjects();
  await reset();
});

describe("live dividend yield", () => {
  it("reports the yield of the vendor's trailing regular dividends and marks every IV with it", async () => {
    const chain = await chainOf("XOM");
    expect(chain.source).toBe("polygon");
    expect(chain.dividendYieldStale).toBe(false);

    // The room asked for the trailing year of XOM's dividends, authenticated.
    const asked = (await fake.stats()).restRequests.filter((r) => r.path === "/v3/reference/dividends");
    expect(asked.length).toBeGreaterThanOrEqual(1);
    expect(asked[0].authorized).toBe(true);
    const today = newYorkDate(new Date(chain.asOf));
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 365 * 86_400_000).toISOString().slice(0, 10);
    expect(asked[0].query).toMatchObject({ ticker: "XOM", "ex_dividend_date.gte": from, order: "desc" });

    // By hand: regular cash of the trailing 365 days D (the latest four of a quarterly payer: on the day an ex-date
    // recurs exactly 365 days later both ends of the window hold one), q = -ln(1 - D/S) at the chain's spot.
    const regular = (await fakeDividends("XOM"))
      .filter((d) => d.dividend_type === "CD" && d.frequency > 0 && d.ex_dividend_date >= from && d.ex_dividend_date <= today)
      .sort((a, b) => b.ex_dividend_date.localeCompare(a.ex_dividend_date));
    expect(regular.length).toBeGreaterThanOrEqual(4);
    expect(regular[0].frequency).toBe(4); // a quarterly payer
    const D = regular.slice(0, 4).reduce((s, d) => s + d.cash_amount, 0);
    const expected = -Math.log(1 - D / chain.underlyingPrice);
    expect(chain.dividendYield).toBeCloseTo(expected, 10);
    expect(chain.dividendYield).toBeGreaterThan(0.025); // XOM-like, ~3.4%
    expect(chain.dividendYield).toBeLessThan(0.045);

    // Every IV is the one its mid gives with that yield.
    const marked = chain.contracts.filter((c) => c.iv !== null);
    expect(marked.length).toBeGreaterThan(chain.contracts.length / 2);
    for (const c of marked) expect(resolve(chain, c, chain.dividendYield)!, c.ticker).toBeCloseTo(c.iv!, 6);

    // Put-call parity: with the yield, the call and the put of the at-the-money strike of the longest expiry agree
    // (the fake prices both on one smile, with the dividends it reports); without it they split apart.
    const expiry = chain.expirations.at(-1)!;
    const atm = chain.contracts
      .filter((c) => c.expiration === expiry && c.type === "call" && c.iv !== null)
      .reduce((a, b) => (Math.abs(b.strike - chain.underlyingPrice) < Math.abs(a.strike - chain.underlyingPrice) ? b : a));
    const put = chain.contracts.find((c) => c.expiration === expiry && c.type === "put" && c.strike === atm.strike)!;
    expect(put.iv).not.toBeNull();
    const gapWith = Math.abs(atm.iv! - put.iv!);
    const gapWithout = Math.abs(resolve(chain, atm, 0)! - resolve(chain, put, 0)!);
    expect(gapWith).toBeLessThan(0.003);
    expect(gapWithout).toBeGreaterThan(0.01);
    expect(gapWithout).toBeGreaterThan(5 * gapWith);
  });

  it("a failing dividends request leaves a live chain at yield 0, flagged dividendYieldStale", async () => {
    await fake.scenario("rest-500", { pathPrefix: "/v3/reference/dividends" });
    const chain = await chainOf("CVX");
    expect(chain.source).toBe("polygon"); // the rest of the bootstrap is unaffected
    expect(chain.dividendYield).toBe(0);
    expect(chain.dividendYieldStale).toBe(true);
    expect(chain.contracts.filter((c) => c.iv !== null).length).toBeGreaterThan(chain.contracts.length / 2);
  });

  it("keeps the last yield when a refresh fails, flagged, and persists it across eviction", async () => {
    const first = await chainOf("PG");
    expect(first.dividendYieldStale).toBe(false);
    expect(first.dividendYield).toBeGreaterThan(0.015);

    // Make both the chain poll and the daily dividends refresh due, then evict the room so it reloads from storage.
    const room = roomOf("PG");
    await runInDurableObject(room, (_i: SymbolRoom, state) => {
      const row = state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'room'").toArray()[0];
      const meta = JSON.parse(row.value) as { symbol: string; dividendYield: number; dividendsCheckedMs: number; lastChainPollMs: number };
      expect(meta.symbol).toBe("PG");
      expect(meta.dividendYield).toBe(first.dividendYield); // persisted with the room's state
      state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'room'", JSON.stringify({ ...meta, dividendsCheckedMs: 0, lastChainPollMs: 0 }));
    });
    await abortAllDurableObjects();
    await fake.scenario("rest-500", { pathPrefix: "/v3/reference/dividends" });
    const before = (await fake.stats()).restRequests.filter((r) => r.path === "/v3/reference/dividends").length;
    expect(await runDurableObjectAlarm(roomOf("PG"))).toBe(true); // a fresh stub: the old one died with the abort
    expect((await fake.stats()).restRequests.filter((r) => r.path === "/v3/reference/dividends").length).toBeGreaterThan(before);

    const after = await chainOf("PG");
    expect(after.source).toBe("polygon");
    expect(after.dividendYieldStale).toBe(true);
    expect(after.dividendYield).toBe(first.dividendYield);
    const c = after.contracts.find((x) => x.iv !== null)!;
    expect(resolve(after, c, after.dividendYield)!).toBeCloseTo(c.iv!, 6);
  });
});

/**
 * Polygon REST client against an injected fake fetch: the vendor's own fixtures must parse, pagination must
 * re-add only the key, retries must follow the documented transient statuses, and the key must never leak.
 */
import { describe, expect, it } from "vitest";
import pyChain from "./fixtures/polygon/rest/client-python-mocks/v3_snapshot_options_AAPL.json";
import pyContract from "./fixtures/polygon/rest/client-python-mocks/v3_snapshot_options_AAPL_O-AAPL230616C00150000.json";
import pyRange from "./fixtures/polygon/rest/client-python-mocks/v2_aggs_ticker_AAPL_range_1_day_2005-04-01_2005-04-04.json";
import pyPrev from "./fixtures/polygon/rest/client-python-mocks/v2_aggs_ticker_AAPL_prev.json";
import goChainPage1 from "./fixtures/polygon/rest/client-go/v3_snapshot_options_AAPL_page1_empty-greeks.json";
import openapiExamples from "./fixtures/polygon/rest/vendor-openapi/rest_examples.json";
import {
  PolygonAggsResponse,
  PolygonOptionChainResponse,
  PolygonOptionContractResponse,
} from "../schemas/polygon-rest";
import {
  createPolygonRest,
  PolygonFormatError,
  PolygonHttpError,
  PolygonNetworkError,
  type PolygonRestOptions,
} from "../workers/market/polygon/rest";

const KEY = "sEcReT-k3y_0123456789";
const BASE = "https://api.test.example";

type Handler = (url: URL, call: number) => Response | Promise<Response>;

/** A fake fetch that records every URL it is asked for and answers from `handler`. */
function fakeFetch(handler: Handler) {
  const calls: URL[] = [];
  const fetch = async (input: string) => {
    const url = new URL(input);
    calls.push(url);
    return handler(url, calls.length);
  };
  return { fetch, calls };
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function client(handler: Handler, extra: Partial<PolygonRestOptions> = {}) {
  const f = fakeFetch(handler);
  const sleeps: number[] = [];
  const rest = createPolygonRest({
    baseUrl: BASE,
    apiKey: KEY,
    fetch: f.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { rest, calls: f.calls, sleeps };
}

/** Query of a recorded call as a plain object (for exact comparisons). */
function query(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}

/** Everything an error exposes: message, string form and its own fields. */
function everything(err: unknown): string {
  return `${String(err)} ${(err as Error).message} ${JSON.stringify(err)} ${(err as Error).stack ?? ""}`;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("schemas accept the vendor fixtures", () => {
  it("chain snapshot pages (python mock, go mock with empty greeks and DELAYED, OpenAPI example)", () => {
    expect(PolygonOptionChainResponse.safeParse(pyChain).success).toBe(true);
    expect(PolygonOptionChainResponse.safeParse(goChainPage1).success).toBe(true);
    const example = (openapiExamples as Record<string, unknown>)["GET /v3/snapshot/options/{underlyingAsset}"];
    const r = PolygonOptionChainResponse.safeParse(example);
    expect(r.success).toBe(true);
    // The OpenAPI example's last_quote has no timeframe; it must still parse.
    expect(r.data?.results?.[0].last_quote?.timeframe).toBeUndefined();
  });

  it("single contract, aggregates and previous close", () => {
    expect(PolygonOptionContractResponse.safeParse(pyContract).success).toBe(true);
    expect(
      PolygonOptionContractResponse.safeParse(
        (openapiExamples as Record<string, unknown>)["GET /v3/snapshot/options/{underlyingAsset}/{optionContract}"],
      ).success,
    ).toBe(true);
    expect(PolygonAggsResponse.safeParse(pyRange).success).toBe(true);
    expect(PolygonAggsResponse.safeParse(pyPrev).success).toBe(true);
    for (const k of [
      "GET /v2/aggs/ticker/{stocksTicker}/range/{multiplier}/{timespan}/{from}/{to}",
      "GET /v2/aggs/ticker/{optionsTicker}/range/{multiplier}/{timespan}/{from}/{to}",
      "GET /v2/aggs/ticker/{stocksTicker}/prev",
    ]) {
      expect(PolygonAggsResponse.safeParse((openapiExamples as Record<string, unknown>)[k]).success, k).toBe(true);
    }
  });

  it("keeps unknown vendor keys and still checks required ones", () => {
    const item = structuredClone(pyChain.results[0]) as Record<string, unknown>;
    item.brand_new_vendor_field = { x: 1 };
    const ok = PolygonOptionChainResponse.safeParse({ ...pyChain, results: [item] });
    expect(ok.success).toBe(true);
    expect((ok.data?.results?.[0] as Record<string, unknown>).brand_new_vendor_field).toEqual({ x: 1 });
    const broken = structuredClone(item);
    delete (broken.details as Record<string, unknown>).strike_price;
    expect(PolygonOptionChainResponse.safeParse({ ...pyChain, results: [broken] }).success).toBe(false);
  });
});

describe("endpoints", () => {
  it("accepts the runtime's own fetch and rejects a missing key at construction", () => {
    expect(() => createPolygonRest({ baseUrl: BASE, apiKey: KEY, fetch: globalThis.fetch })).not.toThrow();
    expect(() => createPolygonRest({ baseUrl: BASE, apiKey: "" })).toThrow(/apiKey/);
  });

  it("lastNbbo parses results and authenticates with the apiKey query parameter", async () => {
    const nbbo = {
      request_id: "r-nbbo",
      status: "OK",
      results: { T: "SPY", p: 600.01, s: 300, x: 11, P: 600.03, S: 200, X: 12, c: [1], i: [604], q: 123, t: 1.7e18, y: 1.7e18, z: 2 },
    };
    const { rest, calls } = client(() => json(nbbo));
    const r = await rest.lastNbbo("SPY");
    expect(r).toMatchObject({ T: "SPY", p: 600.01, P: 600.03, s: 300, S: 200 });
    expect(calls[0].pathname).toBe("/v2/last/nbbo/SPY");
    expect(query(calls[0])).toEqual({ apiKey: KEY });
  });

  it("lastNbbo with a body missing required fields throws PolygonFormatError", async () => {
    const { rest } = client(() => json({ status: "OK", results: { T: "SPY", p: "600" } }));
    const err = await caught(rest.lastNbbo("SPY"));
    expect(err).toBeInstanceOf(PolygonFormatError);
    expect((err as PolygonFormatError).issues.join(" ")).toMatch(/results\.p/);
  });

  it("a 200 with a non-JSON body on a single-object endpoint throws PolygonFormatError", async () => {
    const { rest } = client(() => new Response("<html>oops</html>", { status: 200 }));
    expect(await caught(rest.previousClose("AAPL"))).toBeInstanceOf(PolygonFormatError);
  });

  it("previousClose returns the bar, or null when the vendor has none", async () => {
    const { rest, calls } = client((url) =>
      url.pathname.includes("NOPE") ? json({ status: "OK", queryCount: 0, resultsCount: 0, ticker: "NOPE" }) : json(pyPrev),
    );
    const bar = await rest.previousClose("AAPL");
    expect(bar).toMatchObject({ T: "AAPL", c: 156.8, t: 1651003200000 });
    expect(calls[0].pathname).toBe("/v2/aggs/ticker/AAPL/prev");
    expect(await rest.previousClose("NOPE")).toBeNull();
  });

  it("aggregates builds the range path, passes options and follows next_url", async () => {
    const page2 = { ...pyRange, results: [{ ...pyRange.results[1], t: 1112673600000 }], next_url: undefined };
    const { rest, calls } = client((url, n) =>
      n === 1 ? json({ ...pyRange, status: "DELAYED", next_url: `${BASE}/v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04?cursor=abc` }) : json(page2),
    );
    const r = await rest.aggregates("AAPL", 1, "day", "2005-04-01", "2005-04-04", { adjusted: true, sort: "asc", limit: 5000 });
    expect(calls[0].pathname).toBe("/v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04");
    expect(query(calls[0])).toEqual({ adjusted: "true", sort: "asc", limit: "5000", apiKey: KEY });
    expect(query(calls[1])).toEqual({ cursor: "abc", apiKey: KEY });
    expect(r.results.map((b) => b.t)).toEqual([1112331600000, 1112587200000, 1112673600000]);
    expect(r).toMatchObject({ ticker: "AAPL", pages: 2, malformed: 0, truncated: false, delayed: true });
  });

  it("optionContractSnapshot parses the single-contract fixture; ':' stays readable in the path", async () => {
    const { rest, calls } = client(() => json(pyContract));
    const c = await rest.optionContractSnapshot("AAPL", "O:AAPL230616C00150000");
    expect(c.details.ticker).toBe("O:AAPL230616C00150000");
    expect(c.greeks?.delta).toBeCloseTo(0.6437, 4);
    expect(calls[0].pathname).toBe("/v3/snapshot/options/AAPL/O:AAPL230616C00150000");
  });
});

describe("option chain snapshot pagination", () => {
  it("sends filters and limit=250 once, then follows next_url re-adding ONLY the key", async () => {
    const { rest, calls } = client((url, n) => {
      if (n === 1) return json({ ...pyChain, next_url: `${BASE}/v3/snapshot/options/AAPL?cursor=Y3Vyc29yMg` });
      if (n === 2) return json(goChainPage1); // its next_url points at api.massive.com with another cursor
      return json({ status: "OK", request_id: "last", results: [] });
    });
    const r = await rest.optionChainSnapshot("AAPL", {
      expirationGte: "2023-01-01",
      expirationLte: "2023-12-31",
      strikeGte: 50,
      strikeLte: 200,
      contractType: "call",
    });
    expect(calls).toHaveLength(3);
    expect(query(calls[0])).toEqual({
      "expiration_date.gte": "2023-01-01",
      "expiration_date.lte": "2023-12-31",
      "strike_price.gte": "50",
      "strike_price.lte": "200",
      contract_type: "call",
      limit: "250",
      apiKey: KEY,
    });
    expect(query(calls[1])).toEqual({ cursor: "Y3Vyc29yMg", apiKey: KEY });
    expect(query(calls[2])).toEqual({ cursor: "YXA9MSZhcz0mbGltaXQ9MSZzb3J0PXRpY2tlcg", apiKey: KEY });
    // The go fixture's next_url names the real vendor host; the key must go only to the configured one.
    expect(calls.every((u) => u.origin === BASE)).toBe(true);
    expect(r.results).toHaveLength(4);
    expect(r.results[1].greeks).toEqual({});
    expect(r.results[1].last_quote?.timeframe).toBe("DELAYED");
    expect(r).toMatchObject({ pages: 3, malformed: 0, truncated: false });
    expect(r.requestIds).toEqual(["104d9b901d0c9e81d284cb8b41c5cdd3", "0d350849-a2a8-43c5-8445-9c6f55d371e6", "last"]);
  });

  it("stops on a repeating cursor", async () => {
    const { rest, calls } = client(() => json({ ...pyChain, next_url: `${BASE}/v3/snapshot/options/KRTX?cursor=same` }));
    const r = await rest.optionChainSnapshot("KRTX");
    expect(calls).toHaveLength(2);
    expect(r).toMatchObject({ pages: 2, truncated: true, stopReason: "repeated-cursor" });
    expect(r.results).toHaveLength(2);
  });

  it("caps the number of pages", async () => {
    const { rest, calls } = client((_url, n) => json({ ...pyChain, next_url: `${BASE}/v3/snapshot/options/SPY?cursor=c${n}` }), {
      maxPages: 5,
    });
    const r = await rest.optionChainSnapshot("SPY");
    expect(calls).toHaveLength(5);
    expect(r).toMatchObject({ pages: 5, truncated: true, stopReason: "max-pages" });
  });

  it("counts and skips malformed items without failing the page", async () => {
    const good = pyChain.results[0];
    const noDetails = { ...good, details: undefined };
    const badType = { ...good, details: { ...good.details, contract_type: "future" } };
    const stringStrike = { ...good, details: { ...good.details, strike_price: "150" } };
    const { rest } = client(() => json({ status: "OK", results: [good, noDetails, 42, null, badType, stringStrike, good] }));
    const r = await rest.optionChainSnapshot("AAPL");
    expect(r.results).toHaveLength(2);
    expect(r.malformed).toBe(5);
    expect(r.malformedIssues.length).toBeGreaterThan(0);
    expect(r.malformedIssues.length).toBeLessThanOrEqual(5);
  });

  it("a broken envelope throws on the first page and truncates on a later one", async () => {
    const first = client(() => json({ status: "OK", results: "nope" }));
    expect(await caught(first.rest.optionChainSnapshot("AAPL"))).toBeInstanceOf(PolygonFormatError);

    const later = client((_u, n) => (n === 1 ? json({ ...pyChain, next_url: `${BASE}/x?cursor=2` }) : json({ results: {} })));
    const r = await later.rest.optionChainSnapshot("AAPL");
    expect(r).toMatchObject({ pages: 2, truncated: true, stopReason: "malformed-page" });
    expect(r.results).toHaveLength(1);
  });
});

describe("dividends", () => {
  // Written in the vendor's documented shape for /v3/reference/dividends (hand-made values).
  const div = (ex: string, cash: number | string, extra: Record<string, unknown> = {}) => ({
    cash_amount: cash,
    currency: "USD",
    declaration_date: "2025-01-01",
    dividend_type: "CD",
    ex_dividend_date: ex,
    frequency: 4,
    id: `E${ex.replace(/-/g, "")}`,
    pay_date: "2025-01-31",
    record_date: ex,
    ticker: "KO",
    ...extra,
  });

  it("sends ticker, the ex-date filter, sort/order and limit, follows next_url re-adding only the key, skips bad items", async () => {
    const { rest, calls } = client((_u, n) =>
      n === 1
        ? json({ status: "OK", request_id: "d1", results: [div("2026-03-13", 0.53), div("2025-12-01", 0.51)], next_url: `${BASE}/v3/reference/dividends?cursor=ZGl2Mg` })
        : json({ status: "OK", request_id: "d2", results: [div("2025-09-15", "0.51"), div("2025-06-13", 0.51, { dividend_type: "SC", frequency: 0 }), { ticker: "KO" }] }),
    );
    const r = await rest.dividends("KO", { exDividendDateGte: "2025-04-01" });
    expect(calls).toHaveLength(2);
    expect(calls[0].pathname).toBe("/v3/reference/dividends");
    expect(query(calls[0])).toEqual({ ticker: "KO", "ex_dividend_date.gte": "2025-04-01", sort: "ex_dividend_date", order: "desc", limit: "100", apiKey: KEY });
    expect(query(calls[1])).toEqual({ cursor: "ZGl2Mg", apiKey: KEY });
    expect(r.results.map((d) => [d.ex_dividend_date, d.cash_amount, d.dividend_type])).toEqual([
      ["2026-03-13", 0.53, "CD"],
      ["2025-12-01", 0.51, "CD"],
      ["2025-06-13", 0.51, "SC"],
    ]);
    expect(r).toMatchObject({ pages: 2, malformed: 2, truncated: false, requestIds: ["d1", "d2"] });
  });

  it("retries a 429 like every endpoint, and a 403 (plan without the endpoint) surfaces the vendor text without the key", async () => {
    const ok = client((_u, n) => (n === 1 ? json({ status: "ERROR", error: "slow down" }, 429) : json({ status: "OK", results: [] })));
    expect((await ok.rest.dividends("SPY")).results).toEqual([]);
    expect(ok.calls).toHaveLength(2);
    const denied = client(() => json({ status: "NOT_AUTHORIZED", request_id: "x", message: "You are not entitled to this data." }, 403));
    const err = await caught(denied.rest.dividends("SPY"));
    expect(err).toBeInstanceOf(PolygonHttpError);
    expect((err as PolygonHttpError).status).toBe(403);
    expect(everything(err)).toContain("not entitled");
    expect(everything(err)).not.toContain(KEY);
  });
});

describe("retries and errors", () => {
  const RATE_LIMITED = {
    status: "ERROR",
    request_id: "rl-1",
    error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue.",
  };

  it("retries a 429 and then succeeds, sleeping through the injected sleep", async () => {
    const { rest, calls, sleeps } = client((_u, n) => (n === 1 ? json(RATE_LIMITED, 429) : json(pyPrev)));
    expect(await rest.previousClose("AAPL")).not.toBeNull();
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([150]); // base 200, equal jitter with random()=0.5 -> 100 + 50
  });

  it("retries 413/499/502/503 too, with growing delays", async () => {
    const statuses = [413, 499, 502, 503];
    const { rest, sleeps } = client((_u, n) => (n <= statuses.length ? json({}, statuses[n - 1]) : json(pyPrev)), {
      maxRetries: 4,
      random: () => 0,
    });
    await rest.previousClose("AAPL");
    expect(sleeps).toEqual([100, 200, 400, 800]);
  });

  it("honours a vendor Retry-After (bounded by maxDelayMs)", async () => {
    const { rest, sleeps } = client((_u, n) => (n === 1 ? json(RATE_LIMITED, 429, { "retry-after": "2" }) : json(pyPrev)));
    await rest.previousClose("AAPL");
    expect(sleeps).toEqual([2000]);
  });

  it("gives up after maxRetries+1 attempts of 500 with a PolygonHttpError", async () => {
    const { rest, calls, sleeps } = client(() => new Response("upstream broke", { status: 500, headers: { "x-request-id": "hdr-rid" } }));
    const err = await caught(rest.lastNbbo("SPY"));
    expect(err).toBeInstanceOf(PolygonHttpError);
    const e = err as PolygonHttpError;
    expect(calls).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    expect(e.status).toBe(500);
    expect(e.attempts).toBe(4);
    expect(e.vendorMessage).toBe("upstream broke");
    expect(e.requestId).toBe("hdr-rid");
  });

  it("401 surfaces the vendor `error` text without retrying", async () => {
    const { rest, calls } = client(() => json({ status: "ERROR", request_id: "r401", error: "Unknown API Key" }, 401));
    const e = (await caught(rest.optionChainSnapshot("SPY"))) as PolygonHttpError;
    expect(e).toBeInstanceOf(PolygonHttpError);
    expect(calls).toHaveLength(1);
    expect(e.status).toBe(401);
    expect(e.vendorMessage).toBe("Unknown API Key");
    expect(e.request_id).toBe("r401");
    expect(e.message).toContain("Unknown API Key");
  });

  it("403 surfaces the vendor `message` text", async () => {
    const body = {
      status: "NOT_AUTHORIZED",
      request_id: "r403",
      message: "You are not entitled to this data. Please upgrade your plan at https://massive.com/pricing",
    };
    const { rest } = client(() => json(body, 403));
    const e = (await caught(rest.lastNbbo("SPY"))) as PolygonHttpError;
    expect(e.status).toBe(403);
    expect(e.vendorStatus).toBe("NOT_AUTHORIZED");
    expect(e.vendorMessage).toBe(body.message);
    expect(e.message).toContain("not entitled");
  });

  it("retries network failures and then throws PolygonNetworkError", async () => {
    const { rest, calls } = client((url) => {
      throw new TypeError(`connect ECONNREFUSED while fetching ${url.toString()}`);
    }, { maxRetries: 2 });
    const err = await caught(rest.previousClose("AAPL"));
    expect(err).toBeInstanceOf(PolygonNetworkError);
    expect(calls).toHaveLength(3);
  });

  it("never puts the key into an error, even when the runtime or vendor echo it", async () => {
    const cases: Array<[string, Handler]> = [
      ["401 echoing the key", () => json({ status: "ERROR", error: `Unknown API Key ${KEY}` }, 401)],
      ["500 exhausted", () => new Response(`bad gateway for apiKey=${KEY}`, { status: 502 })],
      ["format error", () => json({ status: "OK", results: { nope: true } })],
      ["network", (url) => Promise.reject(new Error(`network down: ${url.toString()}`))],
      ["timeout-like", () => Promise.reject(new DOMException(`timed out ${encodeURIComponent(KEY)}`, "TimeoutError"))],
    ];
    for (const [name, handler] of cases) {
      const { rest } = client(handler, { maxRetries: 1 });
      const err = await caught(rest.lastNbbo("SPY"));
      expect(err, name).toBeInstanceOf(Error);
      const text = everything(err);
      expect(text, name).not.toContain(KEY);
      expect(text, name).not.toContain(encodeURIComponent(KEY));
      expect(text, name).toContain("REDACTED");
    }
  });
});

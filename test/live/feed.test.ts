import { abortAllDurableObjects, env, reset, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OptionChain, Quote, ServerMessage } from "../../schemas";
import { fake, feed, health, sleep, waitFor } from "./helpers";

async function quote(symbol: string): Promise<Quote> {
  const res = await SELF.fetch(`http://localhost/api/quotes/${symbol}`);
  expect(res.status).toBe(200);
  return Quote.parse(await res.json());
}

/** Opens a browser socket on a room and collects what it receives. */
async function browser(symbol: string) {
  const res = await SELF.fetch(`http://localhost/ws/symbols/${symbol}`, { headers: { Upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: Array<{ at: number; msg: ServerMessage }> = [];
  ws.addEventListener("message", (e) => messages.push({ at: Date.now(), msg: ServerMessage.parse(JSON.parse(e.data as string)) }));
  ws.accept();
  return { ws, messages };
}

const stockQuote = (sym: string, bid: number, ask: number, t: number) => ({ ev: "Q", sym, bx: 4, ax: 7, bp: bid, ap: ask, bs: 100, as: 200, t, q: t });

beforeEach(async () => {
  await fake.reset();
  await fake.scenario("silent");
});

// Each test uses its own symbol: Durable Object storage outlives a test, so rooms never share state; the
// auth-failure test runs last because a fatal state is remembered until the configuration changes.
afterEach(async () => {
  await abortAllDurableObjects();
  await reset(); // storage too: a fatal auth state must not leak into the next test
});

describe("live market data through MarketFeed and SymbolRoom", () => {
  it("bootstraps a room from REST (paginated, key re-added), then authenticates and subscribes upstream", async () => {
    const q = await quote("SPY");
    expect(q.source).toBe("polygon");
    const chain = OptionChain.parse(await (await SELF.fetch("http://localhost/api/chains/SPY")).json());
    expect(chain.source).toBe("polygon");
    expect(chain.contracts.length).toBeGreaterThan(250); // more than one vendor page
    expect(chain.contracts.filter((c) => c.iv !== null).length).toBeGreaterThan(chain.contracts.length / 2);

    const stats = await fake.stats();
    const pages = stats.restRequests.filter((r) => r.path === "/v3/snapshot/options/SPY");
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.every((r) => r.authorized)).toBe(true);

    const h = await waitFor(async () => {
      const s = await health("stocks");
      return s.state === "ready" && s.acknowledged >= 3 ? s : null;
    }, "stocks feed ready with acks");
    expect(h.authenticated).toBe(true);
    const subs = await waitFor(async () => {
      const st = await fake.stats();
      return st.subscriptions.stocks.includes("Q.SPY") && st.subscriptions.options.length > 0 ? st.subscriptions : null;
    }, "upstream subscriptions");
    expect(subs.stocks).toEqual(expect.arrayContaining(["Q.SPY", "T.SPY", "AM.SPY"]));
    expect(subs.options.filter((t) => t.startsWith("Q.")).length).toBeLessThanOrEqual(1000);
  });

  it("carries a socket event to a browser socket as a quote delta", async () => {
    await quote("QQQ");
    await waitFor(async () => (await health("stocks")).acknowledged >= 3, "stocks subscribed");
    const b = await browser("QQQ");
    await waitFor(() => b.messages.length >= 2, "snapshot and status");
    const t = Date.now() + 1000;
    await fake.emit("stocks", JSON.stringify([stockQuote("QQQ", 700.01, 700.03, t)]));
    const got = await waitFor(() => b.messages.find((m) => m.msg.type === "quote" && m.msg.quote.bid === 700.01), "the quote delta");
    expect(got.msg.type === "quote" && got.msg.quote.ask).toBe(700.03);
    expect(got.msg.type === "quote" && got.msg.quote.source).toBe("polygon");
    b.ws.close(1000);
  });

  it("skips and counts malformed frames and keeps going; older events never overwrite newer ones", async () => {
    await quote("IWM");
    await waitFor(async () => (await health("stocks")).acknowledged >= 3, "stocks subscribed");
    const before = (await health("stocks")).counters.malformed;
    const t = Date.now() + 5000;
    await fake.emit("stocks", "{not json");
    await fake.emit("stocks", JSON.stringify({ ev: "Q", sym: "IWM" }));
    await fake.emit("stocks", JSON.stringify([{ ev: "Q", sym: "IWM", bp: "x" }, stockQuote("IWM", 701, 701.02, t)]));
    await waitFor(async () => (await quote("IWM")).bid === 701, "the valid quote after the malformed ones");
    const h = await health("stocks");
    expect(h.counters.malformed - before).toBe(3);
    expect(h.state).toBe("ready");
    // out of order: an older quote arrives after a newer one
    await fake.emit("stocks", JSON.stringify([stockQuote("IWM", 650, 650.02, t - 3000)]));
    await fake.emit("stocks", JSON.stringify([stockQuote("IWM", 702, 702.02, t + 10)]));
    await waitFor(async () => (await quote("IWM")).bid === 702, "the newer quote");
    await fake.emit("stocks", JSON.stringify([stockQuote("IWM", 640, 640.02, t + 5)]));
    await sleep(300);
    expect((await quote("IWM")).bid).toBe(702);
  });

  it("reconnects with backoff after a drop and re-subscribes everything", async () => {
    await quote("AAPL");
    await waitFor(async () => (await health("stocks")).acknowledged >= 3, "stocks subscribed");
    const connectionsBefore = (await fake.stats()).totalConnections;
    await feed("stocks").dropConnection();
    const h = await waitFor(async () => {
      const s = await health("stocks");
      return s.counters.reconnects >= 1 && s.state === "ready" && s.acknowledged >= 3 ? s : null;
    }, "reconnected and re-subscribed");
    expect(h.connected).toBe(true);
    const st = await fake.stats();
    expect(st.totalConnections).toBeGreaterThan(connectionsBefore);
    expect(st.subscriptions.stocks).toEqual(expect.arrayContaining(["Q.AAPL", "T.AAPL", "AM.AAPL"]));
  });

  it("steps back after a max_connections eviction instead of fighting for the slot", async () => {
    await fake.scenario("evict");
    await quote("MSFT");
    const h = await waitFor(async () => {
      const s = await health("stocks");
      return s.state === "evicted" ? s : null;
    }, "evicted");
    expect(h.lastError).toMatch(/max_connections/);
    expect(Date.parse(h.nextAttemptAt!) - Date.now()).toBeGreaterThan(50_000);
    const attempts = (await fake.stats()).authAttempts;
    await sleep(500);
    expect((await fake.stats()).authAttempts).toBe(attempts);
  });

  it("archives every frame received: frames counted equal messages archived", async () => {
    await quote("AMD");
    await waitFor(async () => (await health("stocks")).acknowledged >= 3, "stocks subscribed");
    for (let i = 0; i < 20; i++) await fake.emit("stocks", JSON.stringify([stockQuote("AMD", 600 + i, 600.02 + i, Date.now() + 10_000 + i)]));
    const h = await waitFor(async () => {
      const s = await health("stocks");
      return s.counters.frames > 20 && s.counters.archived === s.counters.frames ? s : null;
    }, "archive caught up");
    expect(h.counters.archived).toBe(h.counters.frames);
    // The queue consumer writes them to R2 as gzip NDJSON: every emitted frame exactly once.
    const emitted = Array.from({ length: 20 }, (_, i) => `"bp":${600 + i},`);
    const lines = await waitFor(async () => {
      const listed = await env.ARCHIVE.list({ prefix: "raw/stocks/" });
      let frames: string[] = [];
      for (const o of listed.objects) {
        const obj = await env.ARCHIVE.get(o.key);
        const text = await new Response(obj!.body.pipeThrough(new DecompressionStream("gzip"))).text();
        frames = frames.concat(text.trim().split("\n").map((l) => (JSON.parse(l) as { frame: string }).frame));
      }
      return emitted.every((e) => frames.some((f) => f.includes(e))) ? frames : null;
    }, "archive objects in R2", 15_000, 250);
    for (const e of emitted) expect(lines.filter((f) => f.includes(e)), e).toHaveLength(1);
  });

  it("survives eviction and restart of both objects: the room reloads its state, the feed comes back by its watchdog", async () => {
    await quote("TSLA");
    await waitFor(async () => (await health("stocks")).acknowledged >= 3, "stocks subscribed");
    const t = Date.now() + 20_000;
    await fake.emit("stocks", JSON.stringify([stockQuote("TSLA", 710, 710.02, t)]));
    await waitFor(async () => (await quote("TSLA")).bid === 710, "quote applied");
    await abortAllDurableObjects();
    // The room comes back from SQLite with the live state, not a fresh bootstrap.
    const reloaded = await quote("TSLA");
    expect(reloaded.bid).toBe(710);
    expect(reloaded.source).toBe("polygon");
    // The feed object lost its socket; its alarm brings it back with every subscription.
    await runDurableObjectAlarm(feed("stocks"));
    await waitFor(async () => (await health("stocks")).state === "ready", "feed reconnected");
    const st = await waitFor(async () => {
      const s = await fake.stats();
      return s.subscriptions.stocks.includes("Q.TSLA") ? s : null;
    }, "re-subscribed");
    expect(st.subscriptions.stocks).toEqual(expect.arrayContaining(["Q.TSLA", "T.TSLA", "AM.TSLA"]));
  });
});

  it("re-marks IV and Greeks of a contract on its streamed quote", async () => {
    await quote("META");
    const subs = await waitFor(async () => {
      const st = await fake.stats();
      return st.subscriptions.options.filter((t) => t.startsWith("Q.O:META")).length > 0 ? st.subscriptions.options : null;
    }, "option subscriptions");
    await waitFor(async () => (await health("options")).state === "ready", "options feed ready");
    const ticker = subs.find((t) => t.startsWith("Q.O:META"))!.slice(2);
    const before = OptionChain.parse(await (await SELF.fetch("http://localhost/api/chains/META")).json()).contracts.find((c) => c.ticker === ticker)!;
    const bid = Math.round((before.mid * 1.2 + 0.5) * 100) / 100;
    await fake.emit("options", JSON.stringify([{ ev: "Q", sym: ticker, bx: 302, ax: 313, bp: bid, ap: bid + 0.1, bs: 10, as: 12, t: Date.now() + 1000, q: 1 }]));
    const after = await waitFor(async () => {
      const chain = OptionChain.parse(await (await SELF.fetch("http://localhost/api/chains/META")).json());
      const c = chain.contracts.find((x) => x.ticker === ticker)!;
      return c.bid === bid ? c : null;
    }, "the contract re-marked");
    expect(after.ask).toBeCloseTo(bid + 0.1, 10);
    expect(after.mid).toBeCloseTo(bid + 0.05, 10);
    expect(after.iv).not.toBeNull();
    expect(after.iv!).toBeGreaterThan(before.iv ?? 0); // a dearer option at the same spot means a higher IV
    expect(after.greeks).not.toBeNull();
  });

  it("sends a browser at most one quote delta per 100 ms however fast the feed runs", async () => {
    await quote("NFLX");
    await waitFor(async () => (await health("stocks")).acknowledged >= 3, "stocks subscribed");
    const b = await browser("NFLX");
    await waitFor(() => b.messages.length >= 2, "snapshot");
    const t0 = Date.now() + 30_000;
    const start = Date.now();
    for (let i = 0; i < 60; i++) {
      await fake.emit("stocks", JSON.stringify([stockQuote("NFLX", 100 + i / 100, 100.05 + i / 100, t0 + i)]));
      await sleep(10);
    }
    await waitFor(() => b.messages.some((m) => m.msg.type === "quote" && m.msg.quote.bid === 100.59), "the last quote");
    const quotes = b.messages.filter((m) => m.msg.type === "quote");
    const seconds = (Date.now() - start) / 1000;
    expect(quotes.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 1);
    for (let i = 1; i < quotes.length; i++) expect(quotes[i].at - quotes[i - 1].at).toBeGreaterThanOrEqual(90);
    b.ws.close(1000);
  });

  it("flags the data stale when the feed goes silent past the threshold", async () => {
    await quote("KO");
    await waitFor(async () => (await health("stocks")).acknowledged >= 3, "stocks subscribed");
    await fake.emit("stocks", JSON.stringify([stockQuote("KO", 70, 70.02, Date.now())]));
    await waitFor(async () => (await quote("KO")).bid === 70, "fresh quote");
    expect((await quote("KO")).stale).toBe(false);
    await waitFor(async () => (await quote("KO")).stale, "stale after STALE_AFTER_MS of silence", 6000, 200);
    const chain = OptionChain.parse(await (await SELF.fetch("http://localhost/api/chains/KO")).json());
    expect(chain.stale).toBe(true);
  });

  it("falls back visibly to the synthetic market when Polygon's REST API is down", async () => {
    await fake.scenario("rest-500");
    const q = await quote("PEP");
    expect(q.source).toBe("synthetic");
    const b = await browser("PEP");
    const status = await waitFor(() => b.messages.find((m) => m.msg.type === "status"), "status message");
    expect(status.msg.type === "status" && status.msg.source).toBe("synthetic");
    expect(status.msg.type === "status" && status.msg.message).toMatch(/Polygon unavailable/);
    b.ws.close(1000);
  });

  it("treats auth_failed as fatal: visible in health, no retry loop, the watchdog does not retry either", async () => {
    await fake.scenario("auth-failure");
    await quote("NVDA");
    const h = await waitFor(async () => {
      const s = await health("stocks");
      return s.state === "fatal" ? s : null;
    }, "fatal");
    expect(h.lastError).toMatch(/auth_failed/);
    expect(h.detail).toMatch(/POLYGON_API_KEY/);
    const attempts = (await fake.stats()).authAttempts;
    await sleep(300);
    await runDurableObjectAlarm(feed("stocks"));
    expect((await fake.stats()).authAttempts).toBe(attempts);
    const apiHealth = (await (await SELF.fetch("http://localhost/api/health")).json()) as { checks: { feed_stocks: { detail: { state: string } } } };
    expect(apiHealth.checks.feed_stocks.detail.state).toBe("fatal");
  });

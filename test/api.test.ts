import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BarSeries, OptionChain, Quote, Recommendation, RecommendationEvent, ServerMessage } from "../schemas";
import { parseOcc } from "../workers/market/polygon/occ";
import { authHeaders, get, postJson } from "./helpers";

describe("GET /api/health", () => {
  it("reports every dependency ok on a healthy local stack", async () => {
    const res = await get("/api/health");
    const body = (await res.json()) as { status: string; failing: string[]; checks: Record<string, { ok: boolean }> };
    expect(res.status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body.failing).toEqual([]);
    expect(Object.keys(body.checks).sort()).toEqual(
      ["d1", "feed_options", "feed_stocks", "kv_cache", "kv_flags", "queue_market_events", "r2_archive"].sort(),
    );
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});

describe("GET /api/quotes/:symbol", () => {
  it("answers a schema-valid synthetic quote, case-insensitively", async () => {
    const res = await get("/api/quotes/spy");
    expect(res.status).toBe(200);
    const q = Quote.parse(await res.json());
    expect(q.symbol).toBe("SPY");
    expect(q.source).toBe("synthetic");
    expect(q.stale).toBe(false);
    expect(q.bid).toBeLessThanOrEqual(q.ask);
    expect(q.mid).toBeCloseTo((q.bid + q.ask) / 2, 10);
    expect(Math.abs(Date.parse(q.timestamp) - Date.now())).toBeLessThan(60_000);
  });

  it("serves any well-formed ticker, share classes included", async () => {
    for (const s of ["BRK.B", "ZZZQ", "F"]) {
      const res = await get(`/api/quotes/${s}`);
      expect(res.status, s).toBe(200);
      expect(Quote.parse(await res.json()).symbol).toBe(s);
    }
  });
});

describe("GET /api/chains/:symbol", () => {
  it("answers the whole chain with OCC tickers, IV and Greeks", async () => {
    const res = await get("/api/chains/SPY");
    expect(res.status).toBe(200);
    const chain = OptionChain.parse(await res.json());
    expect(chain.contracts.length).toBeGreaterThan(500);
    expect(chain.expirations.length).toBeGreaterThanOrEqual(12);
    for (const c of chain.contracts.slice(0, 200)) {
      const occ = parseOcc(c.ticker);
      expect(occ.expiration).toBe(c.expiration);
      expect(occ.strike).toBe(c.strike);
      expect(occ.type).toBe(c.type);
    }
    expect(chain.contracts.filter((c) => c.iv !== null && c.greeks !== null).length / chain.contracts.length).toBeGreaterThan(0.8);
  });

  it("applies type, DTE and signed delta filters", async () => {
    const res = await get("/api/chains/AAPL?type=put&minDte=20&maxDte=70&minDelta=-0.6&maxDelta=-0.2");
    expect(res.status).toBe(200);
    const chain = OptionChain.parse(await res.json());
    expect(chain.contracts.length).toBeGreaterThan(5);
    for (const c of chain.contracts) {
      expect(c.type).toBe("put");
      expect(c.dte).toBeGreaterThanOrEqual(20);
      expect(c.dte).toBeLessThanOrEqual(70);
      expect(c.greeks!.delta).toBeGreaterThanOrEqual(-0.6);
      expect(c.greeks!.delta).toBeLessThanOrEqual(-0.2);
    }
  });

  it("filters one expiry", async () => {
    const all = OptionChain.parse(await (await get("/api/chains/QQQ")).json());
    const expiry = all.expirations[2];
    const one = OptionChain.parse(await (await get(`/api/chains/QQQ?expiry=${expiry}`)).json());
    expect(one.contracts.length).toBeGreaterThan(0);
    expect(new Set(one.contracts.map((c) => c.expiration))).toEqual(new Set([expiry]));
  });
});

const request = { symbol: "SPY", preset: "balanced", capital: 100_000 };

describe("POST /api/recommendations", () => {
  it("answers one schema-valid recommendation that respects the preset and the risk budget", async () => {
    const res = await postJson("/api/recommendations", request);
    expect(res.status).toBe(200);
    const rec = Recommendation.parse(await res.json());
    expect(rec.contract).not.toBeNull();
    const c = rec.contract!;
    expect(Math.abs(Math.abs(c.greeks!.delta) - 0.5)).toBeLessThanOrEqual(0.1);
    expect(c.dte).toBeGreaterThanOrEqual(21);
    expect(c.dte).toBeLessThanOrEqual(60);
    const s = rec.sizing!;
    expect(s.contracts).toBeGreaterThan(0);
    expect(s.pricePerContract).toBeCloseTo(c.ask * 100, 6);
    expect(s.premium).toBeLessThanOrEqual(100_000 * 0.05 + 1e-9);
    // one more contract would break the budget
    expect(s.premium + s.pricePerContract).toBeGreaterThan(100_000 * 0.05);
    expect(s.maxLoss).toBe(s.premium);
    expect(s.breakeven).toBeCloseTo(c.type === "call" ? c.strike + c.ask : c.strike - c.ask, 6);
    expect(rec.layers.map((l) => l.kind)).toEqual(["market", "analytics", "signals", "candidates", "score", "sizing", "rationale"]);
    const score = rec.layers.find((l) => l.kind === "score")!;
    expect(score.kind === "score" && score.components.reduce((a, x) => a + x.contribution, 0)).toBeCloseTo(score.kind === "score" ? score.total : NaN, 12);
  });

  it("follows an explicit outlook and a custom preset", async () => {
    const res = await postJson("/api/recommendations", {
      symbol: "AAPL",
      preset: { targetDelta: 0.35, minDte: 10, maxDte: 50 },
      capital: 50_000,
      outlook: "bearish",
    });
    expect(res.status).toBe(200);
    const rec = Recommendation.parse(await res.json());
    expect(rec.direction).toBe("put");
    expect(rec.contract!.type).toBe("put");
    expect(rec.preset.name).toBe("custom");
    expect(Math.abs(Math.abs(rec.contract!.greeks!.delta) - 0.35)).toBeLessThanOrEqual(rec.preset.deltaBand + 1e-12);
  });

  it("explains when the capital cannot buy one contract", async () => {
    const rec = Recommendation.parse(await (await postJson("/api/recommendations", { ...request, capital: 100, preset: "conservative" })).json());
    expect(rec.sizing!.contracts).toBe(0);
    expect(rec.sizing!.note).toMatch(/risk budget/);
  });

  it("stores the recommendation for GET /api/recommendations/:id", async () => {
    const rec = Recommendation.parse(await (await postJson("/api/recommendations", request)).json());
    const res = await get(`/api/recommendations/${rec.id}`, { headers: await authHeaders() });
    expect(res.status).toBe(200);
    expect(Recommendation.parse(await res.json())).toEqual(rec);
  });

  it("streams the layers as Server-Sent Events, done last", async () => {
    const res = await postJson("/api/recommendations", request, { accept: "text/event-stream" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const frames = (await res.text()).split("\n\n").filter(Boolean);
    const events = frames.map((f) => {
      const type = /^event: (.+)$/m.exec(f)![1];
      const ev = RecommendationEvent.parse(JSON.parse(/^data: (.+)$/m.exec(f)![1]));
      expect(ev.type).toBe(type);
      return ev;
    });
    expect(events.map((e) => (e.type === "layer" ? e.layer.kind : e.type))).toEqual([
      "market", "analytics", "signals", "candidates", "score", "sizing", "rationale", "done",
    ]);
  });

  it("streams NDJSON when asked", async () => {
    const res = await postJson("/api/recommendations", request, { accept: "application/x-ndjson" });
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text()).trim().split("\n").map((l) => RecommendationEvent.parse(JSON.parse(l)));
    expect(lines.at(-1)!.type).toBe("done");
    expect(lines.filter((l) => l.type === "layer")).toHaveLength(7);
  });
});

describe("GET /ws/symbols/:symbol", () => {
  it("upgrades and sends a snapshot, then answers a ping", async () => {
    const res = await SELF.fetch("http://localhost/ws/symbols/SPY", { headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const messages: ServerMessage[] = [];
    const got = new Promise<void>((resolve) => {
      ws.addEventListener("message", (e) => {
        messages.push(ServerMessage.parse(JSON.parse(e.data as string)));
        if (messages.some((m) => m.type === "pong")) resolve();
      });
    });
    ws.accept();
    ws.send(JSON.stringify({ type: "ping" }));
    await got;
    expect(messages[0].type).toBe("snapshot");
    const snap = messages[0];
    if (snap.type === "snapshot") {
      expect(snap.quote.symbol).toBe("SPY");
      expect(snap.chain.contracts.every((c) => c.dte <= 60)).toBe(true);
    }
    ws.close(1000, "done");
  });
});

describe("GET /api/symbols/:symbol/bars", () => {
  it("answers daily bars ending at the previous close", async () => {
    const res = await get("/api/symbols/AAPL/bars?sessions=60");
    expect(res.status).toBe(200);
    const series = BarSeries.parse(await res.json());
    expect(series.bars).toHaveLength(60);
    expect(series.source).toBe("synthetic");
    const quote = Quote.parse(await (await get("/api/quotes/AAPL")).json());
    expect(series.bars.at(-1)!.close).toBeCloseTo(quote.prevClose, 6);
    for (let i = 1; i < series.bars.length; i++) expect(series.bars[i].date > series.bars[i - 1].date).toBe(true);
  });

  it("rejects a bad sessions count", async () => {
    const res = await get("/api/symbols/AAPL/bars?sessions=0");
    expect(res.status).toBe(400);
  });
});

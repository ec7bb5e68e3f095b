// Runs inside workerd (bundled by bench/recommend.ts): the real recommendation route, pipeline, model store,
// knowledge retrieval and D1 log, over real local bindings (D1, KV, R2). The market comes from an in-memory
// 8,000-contract chain standing in for a SymbolRoom; each request gets the preset's slice packed, structured-cloned
// and unpacked, which is what a Durable Object RPC return costs.
import { Hono } from "hono";
import type { MarketSnapshot, OptionContract, SignalsBundle } from "../../schemas";
import { db } from "../../workers/db/client";
import { filterContracts, matchesFilter } from "../../workers/market/chain-query";
import { packSnapshot, unpackSnapshot } from "../../workers/market/packed-chain";
import { formatOcc } from "../../workers/market/polygon/occ";
import { initialState, syntheticChain, syntheticDailyBars, syntheticQuote } from "../../workers/market/synthetic";
import { createRecommender } from "../../workers/recommend/service";
import { recommendations } from "../../workers/routes/recommendations";
import { buildSignals } from "../../workers/signals/bundle";

type BenchEnv = { DB: D1Database; CACHE: KVNamespace; ARCHIVE: R2Bucket };

let snap: MarketSnapshot | null = null;
let signals: SignalsBundle | null = null;

/** SPY's synthetic chain, densified with quarter-dollar strike copies to exactly `n` contracts. */
function denseChain(n: number): MarketSnapshot {
  const now = new Date();
  const state = initialState("SPY", 20261130, now);
  const chain = syntheticChain(state, now, { rate: 0.04 });
  const out: OptionContract[] = [];
  for (let k = 0; out.length < n && k < 8; k++) {
    for (const c of chain.contracts) {
      if (out.length >= n) break;
      const strike = c.strike + k * 0.25;
      out.push(k === 0 ? c : { ...c, strike, ticker: formatOcc({ underlying: "SPY", expiration: c.expiration, type: c.type, strike }) });
    }
  }
  return { quote: syntheticQuote(state, now), chain: { ...chain, contracts: out } };
}

export default {
  async fetch(request: Request, env: BenchEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/setup") {
      const { statements, contracts } = (await request.json()) as { statements: string[]; contracts: number };
      for (const q of statements) await env.DB.prepare(q).run();
      snap = denseChain(contracts);
      return Response.json({ contracts: snap.chain.contracts.length });
    }
    // The floor of the measurement: a stream whose first event is written at once, through the same client path.
    if (url.pathname === "/floor") {
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const writer = writable.getWriter();
      const enc = new TextEncoder();
      void (async () => {
        await writer.write(enc.encode('event: layer\ndata: {"kind":"market"}\n\n'));
        await new Promise((r) => setTimeout(r, 1));
        await writer.write(enc.encode('event: done\ndata: {}\n\n'));
        await writer.close();
      })();
      return new Response(readable, { headers: { "content-type": "text/event-stream" } });
    }
    // Production reads the bundle from its KV cache (SIGNALS_CACHE_TTL_S); build it once per isolate, not per request.
    signals ??= buildSignals("SPY", syntheticDailyBars("SPY", 20261130, "2026-11-27", 600, 120), "synthetic", new Date().toISOString());
    const recommend = createRecommender({
      env: env as unknown as Env,
      database: db(env.DB),
      // x-bench-no-clone: the same request without the RPC copy, to attribute the time to first layer.
      snapshot: async (_symbol, filter) => {
        // An RPC answer arrives asynchronously: the copy happens when it lands, not when the call is made.
        await new Promise((r) => setTimeout(r, 0));
        const s = { quote: snap!.quote, chain: { ...snap!.chain, contracts: filterContracts(snap!.chain.contracts, filter) } };
        // What SymbolRoom.snapshot() ships: the chain packed into columns, cloned, unpacked by the caller. Packing
        // runs in the room (another isolate) in production; here it is charged to the request, which overstates.
        return request.headers.has("x-bench-no-clone") ? s : unpackSnapshot(structuredClone(packSnapshot(s)));
      },
      // What SymbolRoom.summary() answers: the quote and the window's size, no contract copy.
      summary: async (_symbol, filter) => {
        const chain = snap!.chain;
        return { quote: structuredClone(snap!.quote), expirations: chain.expirations.length, contracts: chain.contracts.reduce((n, c) => n + (matchesFilter(c, filter) ? 1 : 0), 0), chainSource: chain.source, chainStale: chain.stale };
      },
      signals: async () => signals!,
      llmProvider: "template",
      flags: {},
    });
    const app = new Hono<{ Variables: { requestId: string; services: unknown } }>();
    app.use(async (c, next) => {
      c.set("requestId", crypto.randomUUID());
      c.set("services", { recommend });
      await next();
    });
    app.route("/api/recommendations", recommendations as unknown as Hono<{ Variables: { requestId: string; services: unknown } }>);
    return app.fetch(request, env, ctx);
  },
};

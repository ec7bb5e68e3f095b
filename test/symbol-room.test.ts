import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MarketSnapshot } from "../schemas";
import { SymbolRoom } from "../durable-objects/symbol-room";
import { packContracts, unpackContracts, unpackSnapshot } from "../workers/market/packed-chain";

const roomOf = (symbol: string) => env.SYMBOL_ROOM.get(env.SYMBOL_ROOM.idFromName(symbol));

describe("SymbolRoom", () => {
  it("answers a schema-valid snapshot by RPC, its chain packed into columns", async () => {
    const packed = await roomOf("MSFT").snapshot("MSFT", { type: "call", maxDte: 30 });
    expect(packed.chain.contracts.numbers).toBeInstanceOf(Float64Array);
    const snap = MarketSnapshot.parse(unpackSnapshot(packed));
    expect(snap.quote.symbol).toBe("MSFT");
    expect(snap.chain.contracts.length).toBe(packed.chain.contracts.count);
    expect(snap.chain.contracts.length).toBeGreaterThan(10);
    expect(snap.chain.contracts.every((c) => c.type === "call" && c.dte <= 30)).toBe(true);
  });

  it("the packed chain restores every contract exactly: nulls, American and European, strings, integers", async () => {
    const snap = unpackSnapshot(await roomOf("AAPL").snapshot("AAPL"));
    const base = snap.chain.contracts;
    // Edge rows the synthetic chain may not have: null last/IV/Greeks, a European index option, odd strings.
    const edge = [
      { ...base[0], last: null, iv: null, greeks: null },
      { ...base[1], exerciseStyle: "european" as const, underlying: "SPX", ticker: "O:SPX261218P05000000", expiration: "2026-12-18", updatedAt: "2026-11-30T15:00:00.000Z" },
      { ...base[2], volume: 2 ** 40, openInterest: 0, bid: 0, strike: 0.5 },
    ];
    const all = [...base, ...edge];
    expect(unpackContracts(structuredClone(packContracts(all)))).toEqual(all);
    expect(unpackContracts(packContracts([]))).toEqual([]);
  });

  it("survives an eviction: a new instance reloads the same quote and chain from SQLite storage", async () => {
    const stub = roomOf("NVDA");
    await stub.snapshot("NVDA");
    await runInDurableObject(stub, async (instance: SymbolRoom, state) => {
      const before = instance.peek();
      expect(before.meta).not.toBeNull();
      expect(before.contracts).toBeGreaterThan(100);
      // What the runtime does after an eviction or a deploy: construct the class again over the same storage.
      const reborn = new SymbolRoom(state, env);
      const after = reborn.peek();
      expect(after.meta).toEqual(before.meta);
      expect(after.contracts).toBe(before.contracts);
      expect(after.chainAsOf).toBe(before.chainAsOf);
    });
  });

  it("moves the synthetic market on its alarm and keeps the state", async () => {
    const stub = roomOf("TSLA");
    const first = await stub.quote("TSLA");
    await new Promise((r) => setTimeout(r, 1100));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const step = await runInDurableObject(stub, (i: SymbolRoom) => i.peek().meta!.market.step);
    expect(step).toBeGreaterThan(0);
    const second = await stub.quote("TSLA");
    expect(Date.parse(second.timestamp)).toBeGreaterThan(Date.parse(first.timestamp));
    expect(second.last).not.toBe(first.last);
  });

  it("answers a peer's close with a code it may send, and never throws (a dropped tab reports 1006)", async () => {
    await runInDurableObject(roomOf("DIA"), async (i: SymbolRoom) => {
      for (const [reported, sent] of [
        [1006, 1000],
        [1005, 1000],
        [1001, 1001],
        [4001, 4001],
      ] as const) {
        const pair = new WebSocketPair();
        const [client, server] = [pair[0], pair[1]];
        client.accept();
        server.accept();
        const closed = new Promise<number>((resolve) => client.addEventListener("close", (e) => resolve(e.code)));
        await i.webSocketClose(server, reported);
        expect(await closed).toBe(sent);
      }
      // Already closed on this side: no close frame can go out, and the handler still returns normally.
      const pair = new WebSocketPair();
      pair[0].accept();
      pair[1].accept();
      pair[1].close(1000, "done");
      await expect(i.webSocketClose(pair[1], 1006)).resolves.toBeUndefined();
    });
  });

  it("stops ticking when nobody looks", async () => {
    const stub = roomOf("IWM");
    await stub.quote("IWM");
    await runInDurableObject(stub, async (i: SymbolRoom, state) => {
      // Pretend the last look was long ago: the alarm must not reschedule itself.
      (i.peek().meta as { lastAccessMs: number }).lastAccessMs = 0;
      await state.storage.deleteAlarm();
      await i.alarm();
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});

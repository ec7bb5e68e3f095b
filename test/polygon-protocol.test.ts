import { describe, expect, it } from "vitest";
import session from "./fixtures/polygon/ws_client-python_mock_server_session.json";
import spec from "./fixtures/polygon/ws_vendor_spec_examples.json";
import { reconnectDelayMs } from "../workers/market/polygon/backoff";
import { Coalescer } from "../workers/market/polygon/coalesce";
import { parseAck, parseFrame, splitTopic, topicActions } from "../workers/market/polygon/protocol";
import { OPTION_QUOTE_CAP, selectOptionContracts, type OptionInterest } from "../workers/market/polygon/selection";
import type { PolygonEvent } from "../schemas/polygon-ws";

describe("parseFrame", () => {
  it("parses every vendor spec example event (stocks and options T/Q/A/AM)", () => {
    for (const [name, event] of Object.entries(spec)) {
      const parsed = parseFrame(JSON.stringify([event]));
      expect(parsed.malformed, name).toBe(0);
      expect(parsed.events, name).toHaveLength(1);
      expect(parsed.events[0].sym).toBe((event as { sym: string }).sym);
    }
  });

  it("follows the client-python mock session: statuses, acks, one- and two-event frames", () => {
    const frames = (session as Array<{ direction: string; frame: string }>).filter((f) => f.direction === "server").map((f) => parseFrame(f.frame));
    expect(frames.every((f) => f.malformed === 0)).toBe(true);
    expect(frames.flatMap((f) => f.statuses.map((s) => s.status))).toEqual(["connected", "auth_success", "success", "success"]);
    expect(frames.map((f) => f.events.length)).toEqual([0, 0, 0, 1, 2, 0]);
    // the second AMZN trade has no conditions (`c`): optional keys are simply absent
    const amzn = frames[4].events[1];
    expect(amzn.ev === "T" && amzn.c).toBeUndefined();
    expect(parseAck(frames[2].statuses[0].message)).toEqual({ subscribed: true, topic: "T.AAPL" });
    expect(parseAck(frames[5].statuses[0].message)).toEqual({ subscribed: false, topic: "T.AAPL" });
  });

  it("dispatches a mixed array element by element and counts what is malformed", () => {
    const frame = JSON.stringify([
      { ev: "Q", sym: "O:SPY251219C00650000", bx: 302, ax: 313, bp: 12.4, ap: 12.55, bs: 40, as: 25, t: 1734537600123, q: 912345678 },
      { ev: "status", status: "success", message: "subscribed to: Q.SPY" },
      { ev: "T", sym: "SPY", p: "not a number", s: 1, t: 1 },
      { ev: "ZZ", sym: "SPY" },
      null,
      { ev: "AM", sym: "SPY", v: 10, o: 1, h: 2, l: 1, c: 2, s: 1610144640000, e: 1610144700000 },
    ]);
    const parsed = parseFrame(frame);
    expect(parsed.events.map((e) => e.ev)).toEqual(["Q", "AM"]);
    expect(parsed.statuses).toHaveLength(1);
    expect(parsed.malformed).toBe(3);
  });

  it("counts a non-JSON or non-array frame as malformed and never throws", () => {
    expect(parseFrame("{nope").malformed).toBe(1);
    expect(parseFrame('{"ev":"T"}').malformed).toBe(1);
    expect(parseFrame("").malformed).toBe(1);
    expect(parseFrame("[]")).toEqual({ statuses: [], events: [], malformed: 0 });
  });
});

describe("topics", () => {
  it("splits at the first dot only, tolerating spaces", () => {
    expect(splitTopic("Q.O:SPY251219C00650000")).toEqual({ channel: "Q", ticker: "O:SPY251219C00650000" });
    expect(splitTopic(" T.BRK.B")).toEqual({ channel: "T", ticker: "BRK.B" });
    expect(splitTopic("nodot")).toBeNull();
  });

  it("splits long subscription lists into several actions under the size limit", () => {
    const topics = Array.from({ length: 3000 }, (_, i) => `Q.O:SPY2612${String(i).padStart(4, "0")}C00650000`);
    const actions = topicActions("subscribe", topics, 10_000);
    expect(actions.length).toBeGreaterThan(1);
    expect(actions.every((a) => a.params.length <= 10_000)).toBe(true);
    expect(actions.flatMap((a) => a.params.split(","))).toEqual(topics);
  });
});

const q = (sym: string, t: number, bid: number): PolygonEvent => ({ ev: "Q", sym, bp: bid, ap: bid + 0.1, bs: 1, as: 1, t });

describe("Coalescer", () => {
  it("keeps the latest quote per contract and routes by room", () => {
    const c = new Coalescer((sym) => (sym.startsWith("O:SPY") || sym === "SPY" ? "SPY" : null));
    c.add(q("O:SPY261218C00650000", 1000, 1));
    c.add(q("O:SPY261218C00650000", 1002, 2));
    c.add(q("O:SPY261218C00655000", 1001, 3));
    c.add(q("AAPL", 1001, 3)); // nobody subscribed: dropped
    const [batch, ...rest] = c.drain("options", 5);
    expect(rest).toEqual([]);
    expect(batch.underlying).toBe("SPY");
    expect(batch.quotes.map((x) => [x.sym, x.bid])).toEqual([
      ["O:SPY261218C00650000", 2],
      ["O:SPY261218C00655000", 3],
    ]);
    expect(c.dropped).toBe(1);
    expect(c.drain("options", 6)).toEqual([]);
  });

  it("never lets an older timestamp overwrite a newer one, even across drains", () => {
    const c = new Coalescer(() => "SPY");
    c.add(q("SPY", 2000, 10));
    c.add(q("SPY", 1500, 9)); // late: dropped
    expect(c.drain("stocks", 0)[0].quotes[0].bid).toBe(10);
    c.add(q("SPY", 1999, 8)); // still older than what was delivered
    expect(c.drain("stocks", 0)).toEqual([{ underlying: "SPY", cluster: "stocks", quotes: [], trades: [], bars: [], sentAt: 0 }]);
    c.add(q("SPY", 2001, 11));
    expect(c.drain("stocks", 0)[0].quotes[0].bid).toBe(11);
  });

  it("keeps every trade in time order and the newest version of each bar window", () => {
    const c = new Coalescer(() => "SPY");
    c.add({ ev: "T", sym: "SPY", p: 1, s: 10, t: 3 });
    c.add({ ev: "T", sym: "SPY", p: 2, s: 20, t: 1 });
    c.add({ ev: "AM", sym: "SPY", v: 5, o: 1, h: 1, l: 1, c: 1, s: 60_000, e: 120_000 });
    c.add({ ev: "AM", sym: "SPY", v: 7, o: 1, h: 2, l: 1, c: 2, s: 60_000, e: 120_000 }); // corrected re-send
    const b = c.drain("stocks", 0)[0];
    expect(b.trades.map((t) => t.t)).toEqual([1, 3]);
    expect(b.bars).toHaveLength(1);
    expect(b.bars[0].v).toBe(7);
  });
});

describe("selectOptionContracts", () => {
  const windows = [{ minDte: 7, maxDte: 120 }];
  const chain = (room: string, spot: number, n: number): OptionInterest[] =>
    Array.from({ length: n }, (_, i) => ({ ticker: `O:${room}${i}`, room, strike: spot * (0.5 + i / n), spot, dte: 7 + (i % 150) }));

  it("caps the selection at 1,000 contracts, nearest the money, inside the DTE windows", () => {
    const all = chain("SPY", 600, 5000);
    const chosen = selectOptionContracts(all, windows);
    expect(chosen).toHaveLength(OPTION_QUOTE_CAP);
    const picked = all.filter((c) => chosen.includes(c.ticker));
    expect(picked.every((c) => c.dte >= 7 && c.dte <= 120)).toBe(true);
    const worstPicked = Math.max(...picked.map((c) => Math.abs(Math.log(c.strike / c.spot))));
    const bestSkipped = Math.min(...all.filter((c) => !chosen.includes(c.ticker) && c.dte <= 120).map((c) => Math.abs(Math.log(c.strike / c.spot))));
    expect(worstPicked).toBeLessThanOrEqual(bestSkipped);
  });

  it("shares the cap fairly between underlyings and is deterministic", () => {
    const all = [...chain("AAA", 100, 3000), ...chain("BBB", 50, 3000)];
    const chosen = selectOptionContracts(all, windows);
    expect(chosen.filter((t) => t.startsWith("O:AAA"))).toHaveLength(500);
    expect(chosen.filter((t) => t.startsWith("O:BBB"))).toHaveLength(500);
    expect(selectOptionContracts([...all].reverse(), windows)).toEqual(chosen);
  });
});

describe("reconnectDelayMs", () => {
  it("grows exponentially with full jitter, capped, never below the floor", () => {
    expect(reconnectDelayMs(0, 0.5)).toBe(500);
    expect(reconnectDelayMs(3, 0.5)).toBe(4000);
    expect(reconnectDelayMs(20, 0.999)).toBeLessThanOrEqual(60_000);
    expect(reconnectDelayMs(5, 0)).toBe(250);
  });
});

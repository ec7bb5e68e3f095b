import { describe, expect, it } from "vitest";
import type { SignalsBundle } from "../schemas";
import { outlookOf } from "../workers/signals/bundle";

const prov = { source: "database" as const, asOf: "2026-11-27T21:00:00.000Z", version: "test", fallback: false };
const technical = (trend: "up" | "down" | "sideways", rsi14: number | null = 55): SignalsBundle["technical"] => ({
  ...prov,
  trend,
  sma20: null,
  sma50: null,
  rsi14,
  realizedVol20: 0.2,
  momentum20: 0,
});
const sentiment = (level: number | null, count: number, fallback = false): SignalsBundle["sentiment"] => ({ ...prov, fallback, level, change: null, count, sources: ["test"] });
const congress = (net: number, filers: number, fallback = false): SignalsBundle["congress"] => ({ ...prov, fallback, netActivity90d: net, mostRecent: null, filers });

describe("the outlook vote: technical 1, sentiment 0.5, congress 0.25; bullish at +0.75, bearish at -0.75", () => {
  it("the trend alone decides when nothing else votes, and not when overbought or oversold", () => {
    expect(outlookOf(technical("up")).outlook).toBe("bullish");
    expect(outlookOf(technical("down")).outlook).toBe("bearish");
    expect(outlookOf(technical("up", 80)).outlook).toBe("neutral");
    expect(outlookOf(technical("down", 20)).outlook).toBe("neutral");
    expect(outlookOf(technical("sideways")).outlook).toBe("neutral");
  });

  it("contrary news sentiment cancels the trend; agreeing sentiment and congress lean a sideways market", () => {
    const contrary = outlookOf(technical("up"), sentiment(-0.4, 12));
    expect(contrary.outlook).toBe("neutral"); // 1 - 0.5
    expect(contrary.votes.map((v) => [v.source, v.vote])).toEqual([
      ["technical", 1],
      ["sentiment", -0.5],
    ]);
    expect(outlookOf(technical("sideways"), sentiment(0.3, 5), congress(4, 3)).outlook).toBe("bullish"); // 0.5 + 0.25
    expect(outlookOf(technical("sideways"), sentiment(-0.3, 5), congress(-2, 2)).outlook).toBe("bearish");
    expect(outlookOf(technical("sideways"), sentiment(0.3, 5)).outlook).toBe("neutral"); // 0.5 alone is not enough
    expect(outlookOf(technical("down"), sentiment(0.5, 9), congress(6, 4)).outlook).toBe("neutral"); // -1 + 0.75
  });

  it("fallback parts, thin sentiment, faint levels and a single trader do not vote", () => {
    for (const [s, c] of [
      [sentiment(0.9, 40, true), congress(10, 5, true)],
      [sentiment(0.9, 2), congress(1, 1)],
      [sentiment(0.1, 50), congress(5, 1)],
      [sentiment(null, 0), congress(0, 0)],
    ] as const) {
      const r = outlookOf(technical("sideways"), s, c);
      expect(r.votes.map((v) => v.source)).toEqual(["technical"]);
      expect(r.outlook).toBe("neutral");
    }
  });

  it("each vote says why, with the numbers it used", () => {
    const { votes } = outlookOf(technical("up", 61.7), sentiment(0.25, 7), congress(3, 2));
    expect(votes[0].reason).toContain("RSI 62");
    expect(votes[1].reason).toContain("0.25 over 7 observations");
    expect(votes[2].reason).toContain("bought 3 times in 90 days (2 members)");
  });
});

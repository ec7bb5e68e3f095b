import type { Bar, DataSource, SignalsBundle } from "../../schemas";
import { last, rsiWilder, sma } from "./indicators";
import { closeToCloseVolSeries } from "./volatility";

export const SIGNALS_VERSION = "signals/1";

/**
 * The signals bundle of a symbol from its daily bars (pure). Sentiment, congressional trades and the macro
 * calendar have no tables yet: those parts are empty and say `fallback: true` rather than inventing values.
 */
export function buildSignals(symbol: string, bars: readonly Bar[], barsSource: DataSource, asOf: string): SignalsBundle {
  const closes = bars.map((b) => b.close);
  const last = closes.at(-1) ?? null;
  const sma20 = sma(closes, 20);
  const sma50 = sma(closes, 50);
  const rsi14 = rsiWilder(closes, 14);
  const rv20 = last(closeToCloseVolSeries(closes, 20));
  const momentum20 = closes.length > 20 && last !== null ? last / closes[closes.length - 21] - 1 : null;

  // Trend: price and the fast average on the same side of the slow one, by more than a quarter of a percent.
  let trend: SignalsBundle["technical"]["trend"] = "sideways";
  if (last !== null && sma20 !== null && sma50 !== null) {
    if (sma20 > sma50 * 1.0025 && last > sma20) trend = "up";
    else if (sma20 < sma50 * 0.9975 && last < sma20) trend = "down";
  }
  let outlook: SignalsBundle["outlook"] = "neutral";
  if (trend === "up" && (rsi14 ?? 50) < 75) outlook = "bullish";
  else if (trend === "down" && (rsi14 ?? 50) > 25) outlook = "bearish";

  const fallbackPart = { source: "synthetic" as const, asOf, version: SIGNALS_VERSION, fallback: true };
  return {
    symbol,
    technical: {
      source: barsSource,
      asOf: bars.length ? `${bars[bars.length - 1].date}T21:00:00.000Z` : asOf,
      version: SIGNALS_VERSION,
      fallback: barsSource === "synthetic",
      trend,
      sma20,
      sma50,
      rsi14,
      realizedVol20: rv20,
      momentum20,
    },
    sentiment: { ...fallbackPart, level: null, change: null, count: 0, sources: [] },
    congress: { ...fallbackPart, netActivity90d: 0, mostRecent: null },
    macro: { ...fallbackPart, events: [] },
    outlook,
  };
}

/**
 * The signals bundle of a symbol (pure): technical from daily bars, sentiment, congressional trades and the
 * macro calendar from the rows the caller read. Each part carries provenance (source, asOf, version) and
 * `fallback: true` when its table had no data at all, in which case it shows no values rather than invented ones.
 */
import type { Bar, DataSource, SignalsBundle } from "../../schemas";
import { expiryCloseUtc } from "../market/calendar";
import { atrSeries, bollingerSeries, dmiSeries, emaSeries, last, macdSeries, rsiSeries, sma } from "./indicators";
import { closeToCloseVolSeries, parkinsonVolSeries, yangZhangVolSeries } from "./volatility";
import { OUTLOOK_THRESHOLD, VOTE_WEIGHTS } from "./outlook-rule";

export const SIGNALS_VERSION = "signals/2";

const DAY_MS = 86_400_000;
type Technical = SignalsBundle["technical"];

/** -1..1: distance of the close from its 50-session mean in units of 3 ATRs, scaled by ADX/25 (trend strength). */
export function trendScore(close: number | null, sma50: number | null, atr14: number | null, adx14: number | null): number | null {
  if (close === null || sma50 === null || atr14 === null || !(atr14 > 0)) return null;
  const direction = Math.max(-1, Math.min(1, (close - sma50) / (3 * atr14)));
  const strength = adx14 === null ? 0.5 : Math.max(0, Math.min(1, adx14 / 25));
  return direction * strength;
}

/** Low/normal/high: the last 20-session realized vol against the quartiles of its own last 252 values. */
export function volatilityRegime(rv20: Float64Array): Technical["volatilityRegime"] {
  const values: number[] = [];
  for (let i = Math.max(0, rv20.length - 252); i < rv20.length; i++) if (!Number.isNaN(rv20[i])) values.push(rv20[i]);
  if (values.length < 60) return "unknown";
  const current = values[values.length - 1];
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return current < q(0.25) ? "low" : current > q(0.75) ? "high" : "normal";
}

/** Open, high, low and close of daily bars (oldest first) as columns, the indicators' input. */
export function barColumns(bars: readonly Bar[]): { open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array } {
  const n = bars.length;
  const open = new Float64Array(n), high = new Float64Array(n), low = new Float64Array(n), close = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    open[i] = bars[i].open;
    high[i] = bars[i].high;
    low[i] = bars[i].low;
    close[i] = bars[i].close;
  }
  return { open, high, low, close };
}

/** Technical part from daily bars (oldest first). asOf is the last bar's 16:00 New York close. */
export function technicalPart(bars: readonly Bar[], source: DataSource, fallback: boolean, asOf: string): Technical {
  const n = bars.length;
  const { open, high, low, close } = barColumns(bars);
  const lastClose = n ? close[n - 1] : null;
  const sma20 = sma(close, 20);
  const sma50 = sma(close, 50);
  const rsi14 = last(rsiSeries(close, 14));
  const cc20 = closeToCloseVolSeries(close, 20);
  const rv20 = last(cc20);
  const momentum20 = n > 20 && lastClose !== null ? lastClose / close[n - 21] - 1 : null;
  const m = macdSeries(close, 12, 26, 9);
  const macd = last(m.macd) === null ? null : { line: last(m.macd)!, signal: last(m.signal)!, histogram: last(m.histogram)! };
  const bb = bollingerSeries(close, 20, 2);
  const upper = last(bb.upper), middle = last(bb.middle), lower = last(bb.lower);
  const bollinger =
    upper === null || middle === null || lower === null || lastClose === null
      ? null
      : { upper, middle, lower, percentB: upper > lower ? (lastClose - lower) / (upper - lower) : 0.5, bandwidth: middle > 0 ? (upper - lower) / middle : 0 };
  const atr14 = last(atrSeries(high, low, close, 14));
  const dmi = dmiSeries(high, low, close, 14);
  const adx14 = last(dmi.adx);

  // Trend: price and the fast average on the same side of the slow one, by more than a quarter of a percent.
  let trend: Technical["trend"] = "sideways";
  if (lastClose !== null && sma20 !== null && sma50 !== null) {
    if (sma20 > sma50 * 1.0025 && lastClose > sma20) trend = "up";
    else if (sma20 < sma50 * 0.9975 && lastClose < sma20) trend = "down";
  }
  // Momentum: at least two of RSI side, MACD histogram sign and 20-session return agree.
  const votes = [rsi14 === null ? 0 : rsi14 > 55 ? 1 : rsi14 < 45 ? -1 : 0, macd === null ? 0 : Math.sign(macd.histogram), momentum20 === null ? 0 : Math.sign(momentum20)];
  const sum = votes.reduce((a, b) => a + b, 0);

  return {
    source,
    asOf: n ? expiryCloseUtc(bars[n - 1].date).toISOString() : asOf,
    version: SIGNALS_VERSION,
    fallback,
    trend,
    sma20,
    sma50,
    rsi14,
    realizedVol20: rv20,
    momentum20,
    sessions: n,
    lastClose,
    ema20: last(emaSeries(close, 20)),
    macd,
    bollinger,
    atr14,
    adx14,
    plusDi14: last(dmi.plusDi),
    minusDi14: last(dmi.minusDi),
    realizedVol: {
      closeToClose20: rv20,
      closeToClose60: last(closeToCloseVolSeries(close, 60)),
      parkinson20: last(parkinsonVolSeries(high, low, 20)),
      yangZhang20: last(yangZhangVolSeries(open, high, low, close, 20)),
    },
    volatilityRegime: volatilityRegime(cc20),
    momentum: sum >= 2 ? "positive" : sum <= -2 ? "negative" : "neutral",
    trendScore: trendScore(lastClose, sma50, atr14, adx14),
  };
}

export type SentimentObs = { source: string; observedAt: string; score: number; mentions: number | null };

/** Days of the sentiment level window; the change compares with the window before it. */
export const SENTIMENT_WINDOW_DAYS = 7;

/** Sentiment part: mention-weighted mean score over the last 7 days, its change against the 7 before. */
export function sentimentPart(rows: readonly SentimentObs[], tableEmpty: boolean, asOf: string): SignalsBundle["sentiment"] {
  const base = { version: SIGNALS_VERSION, windowDays: SENTIMENT_WINDOW_DAYS };
  if (tableEmpty) return { ...base, source: "synthetic", asOf, fallback: true, level: null, change: null, count: 0, sources: [] };
  const now = Date.parse(asOf);
  const cut1 = now - SENTIMENT_WINDOW_DAYS * DAY_MS;
  const cut2 = now - 2 * SENTIMENT_WINDOW_DAYS * DAY_MS;
  let w1 = 0, s1 = 0, w2 = 0, s2 = 0, count = 0, latest = "";
  const sources = new Set<string>();
  const origins = new Set<string>();
  for (const r of rows) {
    const t = Date.parse(r.observedAt);
    if (!(t <= now) || t <= cut2) continue;
    const w = r.mentions === null ? 1 : Math.max(r.mentions, 0);
    if (t > cut1) {
      w1 += w;
      s1 += w * r.score;
      count++;
      sources.add(r.source);
      origins.add(r.source.startsWith("synthetic") ? "synthetic" : "database");
      if (r.observedAt > latest) latest = r.observedAt;
    } else {
      w2 += w;
      s2 += w * r.score;
    }
  }
  const level = w1 > 0 ? s1 / w1 : null;
  const prior = w2 > 0 ? s2 / w2 : null;
  return {
    ...base,
    source: origins.size === 1 && origins.has("synthetic") ? "synthetic" : "database",
    asOf: latest ? new Date(Date.parse(latest)).toISOString() : asOf,
    fallback: false,
    level,
    change: level !== null && prior !== null ? level - prior : null,
    count,
    sources: [...sources].sort(),
  };
}

export type CongressTrade = {
  chamber: "house" | "senate";
  filer: string;
  type: string;
  transactionDate: string;
  disclosureDate: string | null;
  amountText: string;
  source: string;
};

/** Window of the congressional activity count, by transaction date. */
export const CONGRESS_WINDOW_DAYS = 90;

const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/**
 * Congress part: purchases minus sales by transaction date over the 90 days to asOf, the most recent trade
 * with its disclosure lag, and the median lag, because filings trail trades by up to 45 days (recent
 * windows fill in late).
 */
export function congressPart(trades: readonly CongressTrade[], tableEmpty: boolean, asOf: string): SignalsBundle["congress"] {
  const base = { version: SIGNALS_VERSION, windowDays: CONGRESS_WINDOW_DAYS };
  if (tableEmpty) {
    return { ...base, source: "synthetic", asOf, fallback: true, netActivity90d: 0, mostRecent: null, purchases: 0, sales: 0, filers: 0, medianDisclosureLagDays: null };
  }
  const today = asOf.slice(0, 10);
  const from = new Date(Date.parse(today) - CONGRESS_WINDOW_DAYS * DAY_MS).toISOString().slice(0, 10);
  let purchases = 0, sales = 0;
  const filers = new Set<string>();
  let recent: CongressTrade | null = null;
  let known = "";
  const lags: number[] = [];
  const origins = new Set<string>();
  for (const t of trades) {
    if (t.transactionDate > today) continue;
    origins.add(t.source.startsWith("synthetic") ? "synthetic" : "database");
    if (t.disclosureDate) lags.push(days(t.transactionDate, t.disclosureDate));
    const seen = t.disclosureDate ?? t.transactionDate;
    if (seen <= today && seen > known) known = seen;
    if (!recent || t.transactionDate > recent.transactionDate) recent = t;
    if (t.transactionDate <= from) continue;
    filers.add(t.filer);
    if (t.type === "purchase") purchases++;
    else if (t.type.startsWith("sale")) sales++;
  }
  lags.sort((a, b) => a - b);
  const median = lags.length ? (lags.length % 2 ? lags[(lags.length - 1) / 2] : (lags[lags.length / 2 - 1] + lags[lags.length / 2]) / 2) : null;
  return {
    ...base,
    source: origins.size === 1 && origins.has("synthetic") ? "synthetic" : "database",
    asOf: known ? `${known}T00:00:00.000Z` : asOf,
    fallback: false,
    netActivity90d: purchases - sales,
    purchases,
    sales,
    filers: filers.size,
    medianDisclosureLagDays: median,
    mostRecent: recent
      ? {
          filer: recent.filer,
          type: recent.type,
          chamber: recent.chamber,
          amount: recent.amountText,
          transactionDate: recent.transactionDate,
          disclosureDate: recent.disclosureDate,
          disclosureLagDays: recent.disclosureDate ? days(recent.transactionDate, recent.disclosureDate) : null,
        }
      : null,
  };
}

export type MacroEvent = { time: string; country: string; event: string; importance: string; forecast: string | null; previous: string | null; source: string };
export type DteWindow = { name: string; minDte: number; maxDte: number };

/**
 * Macro part: high-importance events (US or all markets) from asOf to the longest DTE window, each with the
 * windows it falls inside (an option of that preset expires after the event).
 */
export function macroPart(events: readonly MacroEvent[], tableEmpty: boolean, asOf: string, windows: readonly DteWindow[]): SignalsBundle["macro"] {
  const horizon = windows.reduce((m, w) => Math.max(m, w.maxDte), 0);
  const base = { version: SIGNALS_VERSION, windowDays: horizon };
  if (tableEmpty) return { ...base, source: "synthetic", asOf, fallback: true, events: [] };
  const now = Date.parse(asOf);
  const origins = new Set<string>();
  const out: SignalsBundle["macro"]["events"] = [];
  for (const e of events) {
    const t = Date.parse(e.time);
    const daysAhead = Math.floor((t - now) / DAY_MS);
    if (e.importance !== "high" || !(t >= now) || daysAhead > horizon || !(e.country === "US" || e.country === "ALL")) continue;
    origins.add(e.source.startsWith("synthetic") ? "synthetic" : "database");
    out.push({
      time: new Date(t).toISOString(),
      country: e.country,
      event: e.event,
      importance: "high",
      daysAhead,
      windows: windows.filter((w) => daysAhead <= w.maxDte).map((w) => w.name),
      forecast: e.forecast,
      previous: e.previous,
    });
  }
  out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return { ...base, source: origins.size === 1 && origins.has("synthetic") ? "synthetic" : "database", asOf, fallback: false, events: out.slice(0, 50) };
}

type Vote = NonNullable<SignalsBundle["outlookVotes"]>[number];

/** Sentiment votes only with this many observations in its window and a mean at least this far from zero. */
export const SENTIMENT_MIN_COUNT = 3;
export const SENTIMENT_MIN_LEVEL = 0.15;
/** Congress votes only when net purchases (or sales) over 90 days reach this, by at least two members. */
export const CONGRESS_MIN_NET = 2;

/**
 * The direction the signals lean to, as a transparent vote: technical +-1 (an uptrend not yet overbought, a
 * downtrend not yet oversold), news sentiment +-0.5 (mean level beyond +-0.15 over at least 3 observations),
 * congressional trading +-0.25 (net purchases or sales of 2 or more by 2 or more members in 90 days; weakest,
 * because filings trail trades by up to 45 days). Parts that are fallbacks (no data) do not vote. Bullish at a sum
 * of +0.75 or more, bearish at -0.75 or less: the trend alone decides unless sentiment contradicts it, and
 * sentiment with congress agreeing can lean a sideways market.
 */
export function outlookOf(
  technical: Technical,
  sentiment?: SignalsBundle["sentiment"],
  congress?: SignalsBundle["congress"],
): { outlook: SignalsBundle["outlook"]; votes: Vote[] } {
  const votes: Vote[] = [];
  const rsi = technical.rsi14 ?? 50;
  const detail = `trend ${technical.trend}${technical.rsi14 !== null ? `, RSI ${technical.rsi14.toFixed(0)}` : ""}`;
  if (technical.trend === "up" && rsi < 75) votes.push({ source: "technical", vote: VOTE_WEIGHTS.technical, reason: `uptrend, not overbought (${detail})` });
  else if (technical.trend === "down" && rsi > 25) votes.push({ source: "technical", vote: -VOTE_WEIGHTS.technical, reason: `downtrend, not oversold (${detail})` });
  else votes.push({ source: "technical", vote: 0, reason: `no trend to follow (${detail})` });
  if (sentiment && !sentiment.fallback && sentiment.level !== null && sentiment.count >= SENTIMENT_MIN_COUNT && Math.abs(sentiment.level) >= SENTIMENT_MIN_LEVEL) {
    const sign = sentiment.level > 0 ? 1 : -1;
    votes.push({ source: "sentiment", vote: VOTE_WEIGHTS.sentiment * sign, reason: `news sentiment ${sentiment.level.toFixed(2)} over ${sentiment.count} observations` });
  }
  if (congress && !congress.fallback && Math.abs(congress.netActivity90d) >= CONGRESS_MIN_NET && (congress.filers ?? 0) >= 2) {
    const sign = congress.netActivity90d > 0 ? 1 : -1;
    votes.push({ source: "congress", vote: VOTE_WEIGHTS.congress * sign, reason: `members of Congress net ${sign > 0 ? "bought" : "sold"} ${Math.abs(congress.netActivity90d)} times in 90 days (${congress.filers} members)` });
  }
  const sum = votes.reduce((a, v) => a + v.vote, 0);
  return { outlook: sum >= OUTLOOK_THRESHOLD ? "bullish" : sum <= -OUTLOOK_THRESHOLD ? "bearish" : "neutral", votes };
}

export type SignalsInputs = {
  symbol: string;
  asOf: string;
  bars: { rows: readonly Bar[]; source: DataSource; fallback: boolean };
  sentiment: { rows: readonly SentimentObs[]; tableEmpty: boolean };
  congress: { rows: readonly CongressTrade[]; tableEmpty: boolean };
  macro: { rows: readonly MacroEvent[]; tableEmpty: boolean };
  windows: readonly DteWindow[];
};

/** The whole bundle from what the caller read. */
export function buildSignalsBundle(x: SignalsInputs): SignalsBundle {
  const technical = technicalPart(x.bars.rows, x.bars.source, x.bars.fallback, x.asOf);
  const sentiment = sentimentPart(x.sentiment.rows, x.sentiment.tableEmpty, x.asOf);
  const congress = congressPart(x.congress.rows, x.congress.tableEmpty, x.asOf);
  const { outlook, votes } = outlookOf(technical, sentiment, congress);
  return {
    symbol: x.symbol,
    technical,
    sentiment,
    congress,
    macro: macroPart(x.macro.rows, x.macro.tableEmpty, x.asOf, x.windows),
    outlook,
    outlookVotes: votes,
  };
}

/** Technical signals alone, every other part flagged as fallback (kept for callers with only bars). */
export function buildSignals(symbol: string, bars: readonly Bar[], barsSource: DataSource, asOf: string): SignalsBundle {
  const empty = { rows: [], tableEmpty: true };
  return buildSignalsBundle({ symbol, asOf, bars: { rows: bars, source: barsSource, fallback: barsSource === "synthetic" }, sentiment: empty, congress: empty, macro: empty, windows: [] });
}

/**
 * A local stand-in for Polygon (Massive): a real WebSocket + HTTP server speaking the protocol documented in
 * shared/polygon-protocol.md, with scripted failure scenarios, so the Worker's real ingestion path can run (and be
 * tested) without a vendor account:
 *
 *   tsx scripts/fake-polygon.ts --port 8790 --scenario steady
 *   npm start -- --var POLYGON_API_KEY:demo --var POLYGON_WS_URL:ws://127.0.0.1:8790 --var POLYGON_REST_URL:http://127.0.0.1:8790
 *
 * What it imitates, and where the vendor is undocumented what it chooses (see section 5 of the protocol doc):
 * - WS `/stocks` and `/options`: connected -> auth -> subscribe, one ack per topic, arrays of mixed events,
 *   one connection per cluster (newest authenticated wins, the older gets `max_connections` and close 1008),
 *   at most 1,000 option contracts on options `Q` (excess topics get an `error` status), auth timeout.
 * - REST: last NBBO, previous close, aggregates, option chain snapshot and dividends with cursor pagination whose
 *   `next_url` carries no key, 401/429/500 bodies as the vendor sends them.
 * - Control API for tests under `/__*` (never authenticated, never counted as REST traffic).
 *
 * Market data are deterministic functions of (ticker, time): a spot from a hash of the ticker, a slow smooth
 * wander around it, quarterly cash dividends from a per-name yield, options priced with Black-Scholes-Merton on a
 * smile with the dividend yield those dividends imply. Good for shapes and flows, not for research.
 */
import { hash32 } from "../workers/util/hash";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { addDays, expiryCloseUtc, isTradingDay, listedExpirations, newYorkDate, newYorkOffsetMinutes, yearsBetween } from "../workers/market/calendar";
import { formatOcc, parseOcc, type OccParts } from "../workers/market/polygon/occ";

// ---------------------------------------------------------------------------------------------------------------
// Public API

export type Cluster = "stocks" | "options";

export const SCENARIOS = [
  "steady",
  "disconnect",
  "auth-failure",
  "evict",
  "malformed",
  "burst",
  "out-of-order",
  "silent",
  "rest-429",
  "rest-500",
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioOptions {
  /** disconnect: ticks (data frames when subscribed) before the socket is terminated. Default 3. */
  framesBeforeDrop?: number;
  /** burst: how long the burst lasts, ms. Default 1000. */
  burstMs?: number;
  /** burst: option quotes per array. Default 500. */
  burstSize?: number;
  /** out-of-order: every Nth data frame carries stale events. Default 3. */
  outOfOrderEvery?: number;
  /** rest-429 / rest-500: failing answers per path before the normal one. Default 2 for 429, unlimited for 500. */
  count?: number;
  /** rest-429 / rest-500: only paths starting with this fail (e.g. "/v3/reference/dividends"). Default: every path. */
  pathPrefix?: string;
  [k: string]: unknown;
}

export interface FakePolygonOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  scenario?: ScenarioName;
  /** Steady-stream tick, ms. */
  tickMs?: number;
  /** Close a connection that has not authenticated within this time (`auth_timeout`). 0 disables. */
  authTimeoutMs?: number;
  /** Simultaneous authenticated connections per cluster (the vendor default is 1). */
  maxConnectionsPerCluster?: number;
  /** Option contracts allowed on options `Q` per connection. */
  maxOptionQuoteContracts?: number;
  /** Seed of the event randomness (sizes, exchanges, which events a tick carries). */
  seed?: number;
  /** Log connections and scenario changes to stderr. */
  verbose?: boolean;
}

export interface RestRequestRecord {
  method: string;
  path: string;
  /** Query parameters with the key removed. */
  query: Record<string, string>;
  authorized: boolean;
  status: number;
}

export interface FakePolygonStats {
  scenario: { name: ScenarioName; opts: ScenarioOptions };
  /** Open sockets per cluster (authenticated or not yet). */
  connections: Record<Cluster, number>;
  /** Open sockets per cluster that have authenticated (the vendor allows one per cluster). */
  authedConnections: Record<Cluster, number>;
  /** WebSocket connections accepted since start/reset. */
  totalConnections: number;
  authAttempts: number;
  authFailures: number;
  /** Connections closed with max_connections (by a newer connection or the evict scenario). */
  evictions: number;
  /** Connections terminated abruptly by the disconnect scenario. */
  drops: number;
  subscriptions: Record<Cluster, string[]>;
  /** Every text frame sent to any client: status, data, malformed and emitted. */
  framesSent: number;
  statusFramesSent: number;
  /** Frames carrying market events (valid or not), excluding /__emit frames. */
  dataFramesSent: number;
  /** Frames sent through emit()/POST /__emit. */
  emittedFrames: number;
  /** Well-formed market events (T/Q/A/AM), including stale out-of-order ones. */
  eventsSent: number;
  eventsByCluster: Record<Cluster, number>;
  /**
   * Items a correct client must reject: each non-JSON frame, each JSON frame that is not an array, and each bad
   * element (missing/mistyped field, null, unknown ev) inside an otherwise valid array. Detail in `malformed`.
   */
  malformedSent: number;
  malformed: { nonJsonFrames: number; nonArrayFrames: number; badEvents: number };
  /** Events whose timestamp is older than one already sent for the same symbol. */
  outOfOrderSent: number;
  /** Last 1,000 REST requests (control endpoints excluded). */
  restRequests: RestRequestRecord[];
  restRequestCount: number;
}

export interface FakePolygon {
  port: number;
  /** http://host:port — the POLYGON_REST_URL. */
  url: string;
  /** ws://host:port — the POLYGON_WS_URL; the client appends /stocks or /options. */
  wsUrl: string;
  close(): Promise<void>;
  setScenario(name: ScenarioName, opts?: ScenarioOptions): void;
  stats(): FakePolygonStats;
  /** Sends exactly `frame` to every authenticated socket of the cluster; returns how many got it. */
  emit(cluster: Cluster, frame: string): number;
  /** Zeroes the counters and REST history and restores the start scenario; optionally drops every socket. */
  reset(opts?: { closeConnections?: boolean }): void;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic market model

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
const RATE = 0.04;

/** FNV-1a with a final avalanche: a stable 32-bit hash of a string. */
const unit = (s: string, salt = 0) => (hash32(s, salt) + 0.5) / 4294967296;

/** mulberry32: small seeded PRNG for per-event variety (sizes, exchanges), so runs are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The underlying an option root or index ticker prices off (SPXW and SPX share I:SPX's spot; AAPL1 is AAPL). */
function underlyingKey(ticker: string): string {
  const t = ticker.replace(/^I:/, "").replace(/\d$/, "");
  if (t === "SPXW") return "SPX";
  if (t === "NDXP") return "NDX";
  return t;
}

/** Base spot of an underlying: 20..520 from a hash of its name. */
function baseSpot(key: string): number {
  return 20 + 500 * unit(key, 7);
}

/**
 * Spot at an instant: the base wandering by a few percent over days, with intraday and minute ripples. A pure
 * function of time, so REST bars, REST snapshots and the stream agree with each other.
 */
function spotAt(ticker: string, ms: number): number {
  const key = underlyingKey(ticker);
  const b = baseSpot(key);
  const p1 = 2 * Math.PI * unit(key, 1);
  const p2 = 2 * Math.PI * unit(key, 2);
  const p3 = 2 * Math.PI * unit(key, 3);
  const x =
    0.03 * Math.sin((2 * Math.PI * ms) / (45 * DAY_MS) + p1) +
    0.006 * Math.sin((2 * Math.PI * ms) / DAY_MS + p2) +
    0.0015 * Math.sin((2 * Math.PI * ms) / 600_000 + p3);
  return round2(b * (1 + x));
}

/** Strike spacing a listing would use at this price. */
function strikeStep(spot: number): number {
  if (spot < 25) return 0.5;
  if (spot < 100) return 1;
  if (spot < 250) return 2.5;
  return 5;
}

function normCdf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): plenty for quotes rounded to cents.
  const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp((-x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
const normPdf = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);

/** Smile: higher vol away from the money, a put skew, and a per-underlying level. */
function smileIv(key: string, spot: number, strike: number, years: number): number {
  const m = Math.log(strike / spot);
  const level = 0.16 + 0.3 * unit(key, 11);
  return Math.max(0.05, level - 0.25 * m + 1.2 * m * m + 0.02 / Math.sqrt(Math.max(years, 1 / 365)));
}

/** Black-Scholes-Merton with a continuous dividend yield q (European; the vendor's greeks are BS too). */
function blackScholes(type: "call" | "put", S: number, K: number, T: number, iv: number, q = 0) {
  const t = Math.max(T, 1 / (365 * 24 * 60));
  const sq = iv * Math.sqrt(t);
  const d1 = (Math.log(S / K) + (RATE - q + (iv * iv) / 2) * t) / sq;
  const d2 = d1 - sq;
  const disc = Math.exp(-RATE * t);
  const carry = Math.exp(-q * t);
  const price = type === "call" ? S * carry * normCdf(d1) - K * disc * normCdf(d2) : K * disc * normCdf(-d2) - S * carry * normCdf(-d1);
  const delta = type === "call" ? carry * normCdf(d1) : carry * (normCdf(d1) - 1);
  const gamma = (carry * normPdf(d1)) / (S * sq);
  const vega = (S * carry * normPdf(d1) * Math.sqrt(t)) / 100; // per vol point
  const sign = type === "call" ? 1 : -1;
  const thetaYear =
    (-S * carry * normPdf(d1) * iv) / (2 * Math.sqrt(t)) -
    sign * RATE * K * disc * normCdf(sign * d2) +
    sign * q * S * carry * normCdf(sign * d1);
  return { price: Math.max(price, 0), delta, gamma, vega, theta: thetaYear / 365 };
}

// ---- dividends ---------------------------------------------------------------------------------------------------

/**
 * Regular cash yield (at the base spot) of names the tests and demos use; other stocks get one from a hash and about
 * 40% of them pay nothing. Indices pay none (their options' carry is not modelled here).
 */
const DIVIDEND_YIELDS: Record<string, number> = {
  SPY: 0.013, QQQ: 0.006, IWM: 0.012, DIA: 0.016, KO: 0.029, PEP: 0.035, JNJ: 0.031, XOM: 0.034, PG: 0.025, CVX: 0.043,
  AAPL: 0.004, MSFT: 0.008, META: 0.003, COST: 0.005, GOOGL: 0.004, NVDA: 0.0003, TSLA: 0, AMD: 0, NFLX: 0, AMZN: 0,
};
const INDEX_KEYS = new Set(["SPX", "NDX", "RUT", "VIX", "DJX", "XSP"]);
/** Names that also pay a special (SC, one-time) dividend at the end of even years, like Costco's. */
const SPECIAL_PAYERS: Record<string, number> = { COST: 15 };

export interface FakeDividend {
  cash_amount: number;
  currency: string;
  declaration_date: string;
  dividend_type: "CD" | "SC";
  ex_dividend_date: string;
  frequency: number;
  id: string;
  pay_date: string;
  record_date: string;
  ticker: string;
}

function fakeDividendYield(key: string): number {
  if (INDEX_KEYS.has(key)) return 0;
  if (key in DIVIDEND_YIELDS) return DIVIDEND_YIELDS[key];
  return unit(key, 41) < 0.4 ? 0 : Math.round((0.005 + 0.03 * unit(key, 42)) * 1e4) / 1e4;
}

/** First trading day on or after a date. */
function tradingDayOnOrAfter(date: string): string {
  let d = date;
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

const dividendCache = new Map<string, FakeDividend[]>();

/**
 * Every dividend of a stock from two years before `today` (New York date) to what is already declared: quarterly
 * regular cash (CD, frequency 4) on a per-name day of a per-name month cycle, raised 4% each January, declared a
 * month before the ex-date, paid three weeks after it (record date = ex-date, T+1 settlement); plus the specials
 * of SPECIAL_PAYERS. Newest first.
 */
function fakeDividends(ticker: string, today: string): FakeDividend[] {
  const key = underlyingKey(ticker);
  const cacheKey = `${ticker}|${today}`;
  const hit = dividendCache.get(cacheKey);
  if (hit) return hit;
  const out: FakeDividend[] = [];
  const y = fakeDividendYield(key);
  const [year] = today.split("-").map(Number);
  const make = (ex: string, cash: number, type: "CD" | "SC", frequency: number): FakeDividend => ({
    cash_amount: cash,
    currency: "USD",
    declaration_date: addDays(ex, -30),
    dividend_type: type,
    ex_dividend_date: ex,
    frequency,
    id: `E${hash32(`${ticker}|${ex}|${type}`).toString(16)}`,
    pay_date: addDays(ex, 21),
    record_date: ex,
    ticker,
  });
  if (y > 0 && !ticker.startsWith("I:")) {
    const perQuarter = (baseSpot(key) * y) / 4;
    const firstMonth = 1 + (hash32(key, 43) % 3); // Jan/Apr/Jul/Oct, Feb/May/Aug/Nov or Mar/Jun/Sep/Dec
    const day = 5 + (hash32(key, 44) % 20);
    for (let yy = year - 2; yy <= year + 1; yy++) {
      for (let m = firstMonth; m <= 12; m += 3) {
        const ex = tradingDayOnOrAfter(`${yy}-${String(m).padStart(2, "0")}-${String(day).padStart(2, "0")}`);
        out.push(make(ex, round2(perQuarter * 1.04 ** (yy - 2026)), "CD", 4));
      }
    }
  }
  const special = SPECIAL_PAYERS[key];
  if (special && !ticker.startsWith("I:")) {
    for (let yy = year - 2; yy <= year; yy++) if (yy % 2 === 0) out.push(make(tradingDayOnOrAfter(`${yy}-12-27`), special, "SC", 0));
  }
  const from = addDays(today, -730);
  const known = out
    .filter((d) => d.ex_dividend_date >= from && d.declaration_date <= today)
    .sort((a, b) => (a.ex_dividend_date < b.ex_dividend_date ? 1 : a.ex_dividend_date > b.ex_dividend_date ? -1 : 0));
  if (dividendCache.size > 1_000) dividendCache.clear();
  dividendCache.set(cacheKey, known);
  return known;
}

/**
 * The continuous yield the fake prices options with, so its quotes carry the dividends it reports: regular cash of
 * the trailing 365 days D, q = -ln(1 - D/S). (The fake pays every quarter, so no new-payer rule is needed here.)
 */
function pricingYield(root: string, S: number, ms: number): number {
  const today = newYorkDate(new Date(ms));
  const from = addDays(today, -365);
  let D = 0;
  for (const d of fakeDividends(underlyingKey(root), today)) {
    if (d.dividend_type === "CD" && d.frequency > 0 && d.ex_dividend_date >= from && d.ex_dividend_date <= today) D += d.cash_amount;
  }
  return D > 0 && D < S ? -Math.log(1 - D / S) : 0;
}

interface OptionMark {
  S: number;
  iv: number;
  bid: number;
  ask: number;
  mid: number;
  greeks: { delta: number; gamma: number; theta: number; vega: number };
}

/** Quote of an option at an instant: BS theo on the smile, a spread of ~4% (at least a cent), cent ticks. */
function markOption(p: OccParts, ms: number): OptionMark {
  const S = spotAt(p.root, ms);
  const T = Math.max(0, yearsBetween(new Date(ms), expiryCloseUtc(p.expiration)));
  const iv = smileIv(underlyingKey(p.root), S, p.strike, T);
  const bs = blackScholes(p.type, S, p.strike, T, iv, pricingYield(p.root, S, ms));
  const half = Math.max(0.01, bs.price * 0.02);
  const bid = Math.max(0, Math.floor((bs.price - half) * 100) / 100);
  const ask = Math.max(bid + 0.01, Math.ceil((bs.price + half) * 100) / 100);
  return {
    S,
    iv,
    bid: round2(bid),
    ask: round2(ask),
    mid: round2((bid + ask) / 2),
    greeks: { delta: bs.delta, gamma: bs.gamma, theta: bs.theta, vega: bs.vega },
  };
}

/** Midnight US/Eastern of a New York date, in ms: how the vendor stamps daily bars. */
function nyMidnight(date: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  return utcMidnight - newYorkOffsetMinutes(new Date(utcMidnight + 12 * 3_600_000)) * 60_000;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Session bounds (09:30-16:00 New York) of a date, ms. */
function sessionOf(date: string): [number, number] {
  const mid = nyMidnight(date);
  return [mid + 570 * 60_000, mid + 960 * 60_000];
}

interface AggBar {
  v: number;
  vw: number;
  o: number;
  c: number;
  h: number;
  l: number;
  t: number;
  n: number;
}

/** A bar over [start, end): open/close from the spot path, extremes widened by a hash, volume from a hash. */
function barFor(ticker: string, start: number, end: number): AggBar {
  const isOption = ticker.startsWith("O:");
  const price = (ms: number) => {
    if (!isOption) return spotAt(ticker, ms);
    try {
      return markOption(parseOcc(ticker), ms).mid;
    } catch {
      return spotAt(ticker, ms);
    }
  };
  const o = price(start);
  const c = price(end - 1);
  const mid = price((start + end) / 2);
  const wiggle = Math.max(o, c) * 0.002 * unit(`${ticker}|${start}`, 21);
  const h = round2(Math.max(o, c, mid) + wiggle);
  const l = round2(Math.max(0.01, Math.min(o, c, mid) - wiggle));
  const scale = Math.max(1, (end - start) / 60_000);
  const v = Math.round((isOption ? 5 : 20_000) * scale * (0.3 + unit(`${ticker}|${start}`, 22)));
  return { v, vw: round2((o + c + h + l) / 4), o, c, h, l, t: start, n: Math.max(1, Math.round(v / (isOption ? 2 : 120))) };
}

const SPAN_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000 };

/** Bars like /v2/aggs range: intraday spans inside regular sessions of trading days, daily and longer per calendar. */
function rangeBars(ticker: string, mult: number, span: string, fromMs: number, toMs: number, cap: number): AggBar[] {
  const out: AggBar[] = [];
  const firstDay = newYorkDate(new Date(fromMs));
  const lastDay = newYorkDate(new Date(toMs));
  if (SPAN_MS[span]) {
    const step = SPAN_MS[span] * mult;
    for (let d = Date.parse(`${firstDay}T12:00:00Z`); isoDay(d) <= lastDay && out.length < cap; d += DAY_MS) {
      const date = isoDay(d);
      if (!isTradingDay(date)) continue;
      const [open, close] = sessionOf(date);
      for (let t = open; t < close && out.length < cap; t += step) {
        if (t < fromMs || t > toMs) continue;
        out.push(barFor(ticker, t, Math.min(t + step, close)));
      }
    }
    return out;
  }
  // day / week / month / quarter / year: one bar per period, stamped at the period's first trading day.
  const days: string[] = [];
  for (let d = Date.parse(`${firstDay}T12:00:00Z`); isoDay(d) <= lastDay && days.length < cap * 31; d += DAY_MS) {
    if (isTradingDay(isoDay(d))) days.push(isoDay(d));
  }
  const periodKey = (date: string): string => {
    const [y, m] = date.split("-").map(Number);
    if (span === "day") return date;
    if (span === "week") {
      const t = Date.parse(`${date}T12:00:00Z`);
      return isoDay(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS);
    }
    if (span === "month") return `${y}-${m}`;
    if (span === "quarter") return `${y}-Q${Math.ceil(m / 3)}`;
    return `${y}`;
  };
  const groups: string[][] = [];
  let lastKey = "";
  for (const date of days) {
    const k = periodKey(date);
    if (k !== lastKey) groups.push([]);
    lastKey = k;
    groups[groups.length - 1].push(date);
  }
  for (let i = 0; i < groups.length && out.length < cap; i += mult) {
    const chunk = groups.slice(i, i + mult).flat();
    const start = nyMidnight(chunk[0]);
    const [open] = sessionOf(chunk[0]);
    const [, close] = sessionOf(chunk[chunk.length - 1]);
    const bar = barFor(ticker, open, close);
    out.push({ ...bar, t: start });
  }
  return out;
}

/** Expiries the fake lists: the next three weekly Fridays and the next monthly, about four in all. */
function fakeExpirations(now: Date): string[] {
  return listedExpirations(now, { weeklies: 3, monthlies: 2 }).slice(0, 4);
}

/** Strike ladder of an underlying for the day: centred on the day's opening spot so pages stay stable all day. */
function fakeStrikes(underlying: string, now: Date): number[] {
  const dayStart = nyMidnight(newYorkDate(now));
  const s0 = spotAt(underlying, dayStart);
  const step = strikeStep(s0);
  const centre = Math.round(s0 / step) * step;
  const out: number[] = [];
  for (let i = -20; i <= 20; i++) {
    const k = Math.round((centre + i * step) * 1000) / 1000;
    if (k > 0) out.push(k);
  }
  return out;
}

function optionRoot(underlying: string): string {
  return underlying.replace(/^I:/, "").replace(/[^A-Z0-9]/g, "").slice(0, 6) || "X";
}

/** One item of /v3/snapshot/options in the vendor's shape (ns timestamps, greeks omitted deep in the money). */
function snapshotItem(underlying: string, p: OccParts, ticker: string, nowMs: number) {
  const mark = markOption(p, nowMs);
  const key = ticker;
  const nowNs = nowMs * 1e6;
  const isIndex = underlying.startsWith("I:");
  const oiScale = Math.exp(-Math.abs(Math.log(p.strike / mark.S)) * 8);
  const open_interest = Math.round(20 + 20_000 * oiScale * unit(key, 31));
  const volume = Math.round(open_interest * 0.2 * unit(key, 32));
  const prevClose = round2(Math.max(0.01, mark.mid * (0.9 + 0.2 * unit(key, 33))));
  const close = mark.mid;
  const item: Record<string, unknown> = {
    break_even_price: round2(p.type === "call" ? p.strike + mark.mid : p.strike - mark.mid),
    day: {
      change: round2(close - prevClose),
      change_percent: round2(((close - prevClose) / prevClose) * 100),
      close,
      high: round2(Math.max(close, prevClose) * 1.03),
      low: round2(Math.min(close, prevClose) * 0.97),
      open: prevClose,
      previous_close: prevClose,
      volume,
      vwap: round2((close + prevClose) / 2),
      last_updated: nowNs - 60_000 * 1e6,
    },
    details: {
      contract_type: p.type,
      exercise_style: isIndex ? "european" : "american",
      expiration_date: p.expiration,
      shares_per_contract: 100,
      strike_price: p.strike,
      ticker,
    },
    implied_volatility: Math.round(mark.iv * 1e6) / 1e6,
    last_quote: {
      ask: mark.ask,
      ask_size: 1 + Math.floor(200 * unit(key, 34)),
      bid: mark.bid,
      bid_size: 1 + Math.floor(200 * unit(key, 35)),
      last_updated: nowNs - Math.floor(5_000 * unit(key, 36)) * 1e6,
      midpoint: mark.mid,
      timeframe: "REAL-TIME",
    },
    open_interest,
    underlying_asset: {
      change_to_break_even: round2((p.type === "call" ? p.strike + mark.mid : p.strike - mark.mid) - mark.S),
      last_updated: nowNs - 1_000 * 1e6,
      ticker: underlying,
      timeframe: "REAL-TIME",
      ...(isIndex ? { value: mark.S } : { price: mark.S }),
    },
  };
  // The vendor leaves greeks out (an empty object) where its model gives up, e.g. deep in the money.
  item.greeks = Math.abs(mark.greeks.delta) > 0.995 ? {} : mark.greeks;
  if (volume > 0) {
    item.last_trade = {
      conditions: [209],
      exchange: 300 + Math.floor(20 * unit(key, 37)),
      price: mark.mid,
      sip_timestamp: nowNs - Math.floor(600_000 * unit(key, 38)) * 1e6,
      size: 1 + Math.floor(20 * unit(key, 39)),
      timeframe: "REAL-TIME",
    };
  }
  return item;
}

interface ChainQuery {
  u: string;
  f: Record<string, string>;
  sort: string;
  order: "asc" | "desc";
  limit: number;
  offset: number;
}

function chainFor(q: ChainQuery, nowMs: number) {
  const now = new Date(nowMs);
  const root = optionRoot(q.u);
  const items: { ticker: string; p: OccParts }[] = [];
  for (const expiration of fakeExpirations(now)) {
    for (const strike of fakeStrikes(q.u, now)) {
      for (const type of ["call", "put"] as const) {
        const ticker = formatOcc({ underlying: root, expiration, type, strike });
        items.push({ ticker, p: { root, expiration, type, strike } });
      }
    }
  }
  const num = (k: string) => (q.f[k] === undefined ? undefined : Number(q.f[k]));
  const str = (k: string) => q.f[k];
  const filtered = items.filter(({ p }) => {
    const e = p.expiration;
    if (str("expiration_date") !== undefined && e !== str("expiration_date")) return false;
    if (str("expiration_date.gt") !== undefined && !(e > str("expiration_date.gt"))) return false;
    if (str("expiration_date.gte") !== undefined && !(e >= str("expiration_date.gte"))) return false;
    if (str("expiration_date.lt") !== undefined && !(e < str("expiration_date.lt"))) return false;
    if (str("expiration_date.lte") !== undefined && !(e <= str("expiration_date.lte"))) return false;
    const k = p.strike;
    if (num("strike_price") !== undefined && k !== num("strike_price")) return false;
    if (num("strike_price.gt") !== undefined && !(k > num("strike_price.gt")!)) return false;
    if (num("strike_price.gte") !== undefined && !(k >= num("strike_price.gte")!)) return false;
    if (num("strike_price.lt") !== undefined && !(k < num("strike_price.lt")!)) return false;
    if (num("strike_price.lte") !== undefined && !(k <= num("strike_price.lte")!)) return false;
    if (str("contract_type") !== undefined && p.type !== str("contract_type")) return false;
    return true;
  });
  const by = (a: { ticker: string; p: OccParts }, b: { ticker: string; p: OccParts }): number => {
    if (q.sort === "expiration_date" && a.p.expiration !== b.p.expiration) return a.p.expiration < b.p.expiration ? -1 : 1;
    if (q.sort === "strike_price" && a.p.strike !== b.p.strike) return a.p.strike - b.p.strike;
    return a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0;
  };
  filtered.sort((a, b) => (q.order === "desc" ? -by(a, b) : by(a, b)));
  const page = filtered.slice(q.offset, q.offset + q.limit);
  return {
    results: page.map(({ ticker, p }) => snapshotItem(q.u, p, ticker, nowMs)),
    more: q.offset + q.limit < filtered.length,
  };
}

const encodeCursor = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
function decodeCursor<T>(s: string): T | null {
  try {
    return JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as T;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Server

const STATUS_TEXT = {
  connected: "Connected Successfully",
  auth_success: "authenticated",
  auth_failed: "authentication failed",
  auth_timeout: "No authentication request received.",
  max_connections: "Maximum number of websocket connections exceeded.",
  auth_required: "authentication required",
} as const;

const STOCK_CHANNELS = new Set(["T", "Q", "A", "AM"]);
const DEFAULT_WILDCARD_STOCKS = ["SPY", "QQQ", "AAPL"];
const REST_HISTORY = 1_000;
/** Backpressure for the burst pump: stop writing while this much is queued for the client. */
const BURST_HIGH_WATER = 4 * 1024 * 1024;

interface Conn {
  id: number;
  cluster: Cluster;
  ws: WebSocket;
  authed: boolean;
  /** Topics as acked, e.g. "Q.O:SPY251219C00650000". */
  subs: Set<string>;
  /** Ticks under the current scenario generation (drives disconnect and malformed rotation). */
  ticks: number;
  dataFrames: number;
  generation: number;
  burstUntil?: number;
  authTimer?: NodeJS.Timeout;
  tickTimer?: NodeJS.Timeout;
  closed: boolean;
}

interface SymState {
  t: number;
  q: number;
}

export async function startFakePolygon(options: FakePolygonOptions = {}): Promise<FakePolygon> {
  const {
    port = 0,
    host = "127.0.0.1",
    apiKey = "demo",
    scenario: initialScenario = "steady",
    tickMs = 100,
    authTimeoutMs = 10_000,
    maxConnectionsPerCluster = 1,
    maxOptionQuoteContracts = 1_000,
    seed = 1,
    verbose = false,
  } = options;
  if (!SCENARIOS.includes(initialScenario)) throw new Error(`unknown scenario ${initialScenario}`);

  const log = (...a: unknown[]) => {
    if (verbose) console.error("[fake-polygon]", ...a);
  };
  let rand = prng(seed);
  let scenario: { name: ScenarioName; opts: ScenarioOptions } = { name: initialScenario, opts: {} };
  let generation = 0;
  const conns = new Set<Conn>();
  let nextConnId = 1;
  /** Per cluster+symbol: last timestamp and sequence sent, so streams are monotonic unless meant not to be. */
  const symState = new Map<string, SymState>();
  /** Per path: failing answers already given under rest-429 / rest-500. */
  const restFailures = new Map<string, number>();

  const blankCounters = () => ({
    totalConnections: 0,
    authAttempts: 0,
    authFailures: 0,
    evictions: 0,
    drops: 0,
    framesSent: 0,
    statusFramesSent: 0,
    dataFramesSent: 0,
    emittedFrames: 0,
    eventsSent: 0,
    eventsByCluster: { stocks: 0, options: 0 } as Record<Cluster, number>,
    malformed: { nonJsonFrames: 0, nonArrayFrames: 0, badEvents: 0 },
    outOfOrderSent: 0,
    restRequests: [] as RestRequestRecord[],
    restRequestCount: 0,
  });
  let c = blankCounters();

  // ---- sending ---------------------------------------------------------------------------------------------------

  function sendRaw(conn: Conn, text: string): boolean {
    if (conn.closed || conn.ws.readyState !== WebSocket.OPEN) return false;
    conn.ws.send(text);
    c.framesSent++;
    return true;
  }

  function sendStatus(conn: Conn, status: string, message: string): void {
    if (sendRaw(conn, JSON.stringify([{ ev: "status", status, message }]))) c.statusFramesSent++;
  }

  /** Sends a data frame; `valid` events and `bad` elements are counted separately. */
  function sendData(conn: Conn, events: unknown[], valid: number, bad = 0): void {
    if (events.length === 0) return;
    if (sendRaw(conn, JSON.stringify(events))) {
      c.dataFramesSent++;
      conn.dataFrames++;
      c.eventsSent += valid;
      c.eventsByCluster[conn.cluster] += valid;
      c.malformed.badEvents += bad;
    }
  }

  function closeConn(conn: Conn, code: number, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    clearTimers(conn);
    try {
      conn.ws.close(code, reason);
    } catch {
      conn.ws.terminate();
    }
  }

  function clearTimers(conn: Conn): void {
    if (conn.authTimer) clearTimeout(conn.authTimer);
    if (conn.tickTimer) clearInterval(conn.tickTimer);
    conn.authTimer = conn.tickTimer = undefined;
  }

  // ---- events ------------------------------------------------------------------------------------------------------

  /** Next timestamp and sequence for a symbol: never behind what was already sent, sequence with gaps. */
  function stamp(cluster: Cluster, sym: string, now: number): SymState {
    const k = `${cluster}|${sym}`;
    let s = symState.get(k);
    if (!s) {
      s = { t: 0, q: 1_000_000 + (hash32(sym) % 1_000_000) * 100 };
      symState.set(k, s);
    }
    s.t = Math.max(s.t, now);
    s.q += 1 + Math.floor(rand() * 4); // increasing, unique, not contiguous, like the vendor's `q`
    return { t: s.t, q: s.q };
  }

  function stockQuote(sym: string, now: number) {
    const { t, q } = stamp("stocks", sym, now);
    const px = spotAt(sym, t);
    const half = Math.max(0.01, round2(px * 0.00005));
    return {
      ev: "Q", sym, bx: 1 + Math.floor(rand() * 20), bp: round2(px - half), bs: 100 * (1 + Math.floor(rand() * 10)),
      ax: 1 + Math.floor(rand() * 20), ap: round2(px + half), as: 100 * (1 + Math.floor(rand() * 10)),
      c: 0, i: [604], t, q, z: 1 + (hash32(sym) % 3),
    };
  }

  function stockTrade(sym: string, now: number) {
    const { t, q } = stamp("stocks", sym, now);
    const ev: Record<string, unknown> = {
      ev: "T", sym, x: 1 + Math.floor(rand() * 20), i: String(Math.floor(rand() * 1e9)), z: 1 + (hash32(sym) % 3),
      p: spotAt(sym, t), s: 1 + Math.floor(rand() * 500), t, q,
    };
    if (rand() < 0.6) ev.c = [14, 41]; // conditions are omitted when there are none
    return ev;
  }

  function optionQuote(sym: string, now: number) {
    const { t, q } = stamp("options", sym, now);
    let bp = 0.05;
    let ap = 0.1;
    try {
      const m = markOption(parseOcc(sym), t);
      bp = m.bid;
      ap = m.ask;
    } catch {
      // Unparseable contract subscribed: still quote something so the client sees traffic.
    }
    return {
      ev: "Q", sym, bx: 300 + Math.floor(rand() * 20), ax: 300 + Math.floor(rand() * 20),
      bp, ap, bs: 1 + Math.floor(rand() * 200), as: 1 + Math.floor(rand() * 200), t, q,
    };
  }

  function optionTrade(sym: string, now: number) {
    const { t, q } = stamp("options", sym, now);
    let p = 0.07;
    try {
      p = markOption(parseOcc(sym), t).mid;
    } catch {
      // see optionQuote
    }
    return { ev: "T", sym, x: [65, 302, 312, 316][Math.floor(rand() * 4)], p, s: 1 + Math.floor(rand() * 20), c: [209], t, q };
  }

  function aggregate(cluster: Cluster, ev: "A" | "AM", sym: string, now: number) {
    const len = ev === "A" ? 1_000 : 60_000;
    const s = Math.floor(now / len) * len;
    const bar = barFor(sym, s, s + len);
    const dayOpen = barFor(sym, nyMidnight(newYorkDate(new Date(now))) + 570 * 60_000, nyMidnight(newYorkDate(new Date(now))) + 571 * 60_000).o;
    return {
      ev, sym, v: bar.v, av: bar.v * 50, op: dayOpen, vw: bar.vw, o: bar.o, c: bar.c, h: bar.h, l: bar.l,
      a: round2((dayOpen + bar.c) / 2), z: Math.max(1, Math.round(bar.v / bar.n)), s, e: s + len,
    };
  }

  /** Symbols a connection streams for a channel; wildcards expand to a fixed small set. */
  function symbolsFor(conn: Conn, ch: string): string[] {
    const out: string[] = [];
    for (const topic of conn.subs) {
      const dot = topic.indexOf(".");
      if (topic.slice(0, dot) !== ch) continue;
      const sym = topic.slice(dot + 1);
      if (sym !== "*") out.push(sym);
      else if (conn.cluster === "stocks") out.push(...DEFAULT_WILDCARD_STOCKS);
      else out.push(...wildcardContracts());
    }
    return [...new Set(out)];
  }

  function wildcardContracts(): string[] {
    const now = new Date();
    const exp = fakeExpirations(now)[0];
    const strikes = fakeStrikes("SPY", now);
    const k = strikes[Math.floor(strikes.length / 2)];
    return (["call", "put"] as const).map((type) => formatOcc({ underlying: "SPY", expiration: exp, type, strike: k }));
  }

  /** One tick's events for a connection: quotes (1-2 per symbol), trades for some, aggregates now and then. */
  function tickEvents(conn: Conn, now: number): Record<string, unknown>[] {
    const events: Record<string, unknown>[] = [];
    const stocks = conn.cluster === "stocks";
    for (const sym of symbolsFor(conn, "Q")) {
      const n = 1 + (rand() < 0.4 ? 1 : 0);
      for (let i = 0; i < n; i++) events.push(stocks ? stockQuote(sym, now) : optionQuote(sym, now));
    }
    for (const sym of symbolsFor(conn, "T")) {
      if (rand() < 0.6) events.push(stocks ? stockTrade(sym, now) : optionTrade(sym, now));
    }
    if (conn.ticks % 10 === 0) for (const sym of symbolsFor(conn, "A")) events.push(aggregate(conn.cluster, "A", sym, now));
    if (conn.ticks % 10 === 5) for (const sym of symbolsFor(conn, "AM")) events.push(aggregate(conn.cluster, "AM", sym, now));
    // Interleave symbols and types the way a busy feed does, rather than grouped by channel: shuffle, then put
    // each symbol's own events back in generation order into the slots that symbol landed on, because within a
    // symbol the sequence numbers must still increase along the array.
    const shuffled = [...events];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const queues = new Map<unknown, Record<string, unknown>[]>();
    for (const e of events) {
      const q = queues.get(e.sym) ?? [];
      q.push(e);
      queues.set(e.sym, q);
    }
    return shuffled.map((e) => queues.get(e.sym)!.shift()!);
  }

  /** Events with timestamps (and sequence numbers) older than ones already sent for the same symbol. */
  function staleEvents(conn: Conn, events: Record<string, unknown>[]): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    for (const e of events) {
      const sym = String(e.sym);
      if (seen.has(sym) || (e.ev !== "Q" && e.ev !== "T")) continue;
      seen.add(sym);
      const st = symState.get(`${conn.cluster}|${sym}`);
      if (!st) continue;
      const back = 500 + Math.floor(rand() * 4_500);
      // A late print from the past: different prices, and must not overwrite the newer state on the client.
      const shift = 0.01 * (1 + Math.floor(rand() * 5));
      const prices =
        e.ev === "Q"
          ? { bp: round2(Math.max(0, Number(e.bp) - shift)), ap: round2(Math.max(0.01, Number(e.ap) - shift)) }
          : { p: round2(Math.max(0.01, Number(e.p) - shift)) };
      out.push({ ...e, ...prices, t: st.t - back, q: st.q - 1 - Math.floor(rand() * 50) });
    }
    return out;
  }

  /** Malformed material rotated through, one kind per tick, next to the valid frames. */
  function sendMalformed(conn: Conn, events: Record<string, unknown>[]): void {
    const kind = conn.ticks % 4;
    const template = events.find((e) => e.ev === "Q") ?? events[0];
    if (kind === 0) {
      if (sendRaw(conn, conn.ticks % 8 === 0 ? "this is not json" : '[{"ev":"Q","sym":')) {
        c.malformed.nonJsonFrames++;
        c.dataFramesSent++;
      }
    } else if (kind === 1) {
      if (sendRaw(conn, JSON.stringify(template ?? { ev: "status", status: "connected" }))) {
        c.malformed.nonArrayFrames++;
        c.dataFramesSent++;
      }
    } else if (template) {
      const missing: Record<string, unknown> = { ...template };
      delete missing.t;
      delete missing.bp;
      delete missing.p;
      const mistyped = { ...template, t: String(template.t), sym: 42 };
      const unknownEv = { ev: "ZZ", sym: template.sym, t: template.t };
      const bad = kind === 2 ? [missing, null, mistyped] : [unknownEv, 7, { ...template, ev: undefined }];
      // Valid events first and last, bad ones in the middle: a client must keep the good ones.
      sendData(conn, [...events.slice(0, 1), ...bad, ...events.slice(1)], events.length, bad.length);
      return;
    }
    sendData(conn, events, events.length);
  }

  // ---- scenarios driven by the tick --------------------------------------------------------------------------------

  function tick(conn: Conn): void {
    if (conn.closed || !conn.authed) return;
    if (conn.generation !== generation) {
      conn.generation = generation;
      conn.ticks = 0;
      conn.burstUntil = undefined;
    }
    conn.ticks++;
    const now = Date.now();
    const name = scenario.name;
    if (name === "silent") return;
    if (name === "burst" && conn.cluster === "options" && symbolsFor(conn, "Q").length > 0) {
      if (conn.burstUntil === undefined) {
        conn.burstUntil = now + Number(scenario.opts.burstMs ?? 1_000);
        pumpBurst(conn);
        return;
      }
      if (now < conn.burstUntil) return; // the pump is running
    }
    const events = tickEvents(conn, now);
    if (name === "malformed") {
      if (events.length > 0) sendMalformed(conn, events);
    } else if (name === "out-of-order" && events.length > 0 && conn.ticks % Math.max(1, Number(scenario.opts.outOfOrderEvery ?? 3)) === 0) {
      const stale = staleEvents(conn, events);
      c.outOfOrderSent += stale.length;
      sendData(conn, [...events, ...stale], events.length + stale.length);
    } else {
      sendData(conn, events, events.length);
    }
    if (name === "disconnect" && conn.ticks >= Math.max(1, Number(scenario.opts.framesBeforeDrop ?? 3))) {
      // Abrupt: no close frame, like a dropped TCP connection or a crashed edge.
      log(`dropping ${conn.cluster}#${conn.id}`);
      conn.closed = true;
      clearTimers(conn);
      c.drops++;
      conn.ws.terminate();
    }
  }

  /** Option quotes as fast as the client drains them, in large arrays, until burstUntil. */
  function pumpBurst(conn: Conn): void {
    const contracts = symbolsFor(conn, "Q");
    const size = Math.max(1, Number(scenario.opts.burstSize ?? 500));
    let cursor = 0;
    const gen = generation;
    const step = () => {
      if (conn.closed || gen !== generation || scenario.name !== "burst" || Date.now() >= (conn.burstUntil ?? 0)) return;
      if (conn.ws.bufferedAmount > BURST_HIGH_WATER) {
        setTimeout(step, 2);
        return;
      }
      const now = Date.now();
      const batch: Record<string, unknown>[] = [];
      for (let i = 0; i < size; i++) batch.push(optionQuote(contracts[cursor++ % contracts.length], now));
      sendData(conn, batch, batch.length);
      setImmediate(step);
    };
    step();
  }

  // ---- WebSocket protocol ------------------------------------------------------------------------------------------

  function handleAuth(conn: Conn, params: unknown): void {
    if (conn.closed) return;
    c.authAttempts++;
    if (conn.authTimer) clearTimeout(conn.authTimer);
    conn.authTimer = undefined;
    if (conn.authed && params === apiKey && scenario.name !== "auth-failure") {
      // A repeated auth on a live session changes nothing (and must not start a second stream timer).
      sendStatus(conn, "auth_success", STATUS_TEXT.auth_success);
      return;
    }
    if (scenario.name === "auth-failure" || params !== apiKey) {
      c.authFailures++;
      sendStatus(conn, "auth_failed", STATUS_TEXT.auth_failed);
      closeConn(conn, 1008, "authentication failed");
      return;
    }
    conn.authed = true;
    conn.generation = generation;
    conn.ticks = 0;
    sendStatus(conn, "auth_success", STATUS_TEXT.auth_success);
    // Newest wins: older authenticated connections of this cluster beyond the allowance are evicted.
    const others = [...conns].filter((o) => o !== conn && o.cluster === conn.cluster && o.authed && !o.closed).sort((a, b) => a.id - b.id);
    const excess = others.length + 1 - maxConnectionsPerCluster;
    for (const old of others.slice(0, Math.max(0, excess))) evict(old);
    if (scenario.name === "evict") {
      evict(conn);
      return;
    }
    conn.tickTimer = setInterval(() => tick(conn), tickMs);
  }

  function evict(conn: Conn): void {
    log(`evicting ${conn.cluster}#${conn.id}`);
    c.evictions++;
    sendStatus(conn, "max_connections", STATUS_TEXT.max_connections);
    closeConn(conn, 1008, "max_connections");
  }

  function optionQuoteContracts(conn: Conn): number {
    let n = 0;
    for (const t of conn.subs) if (t.startsWith("Q.")) n++;
    return n;
  }

  function handleSubscription(conn: Conn, action: "subscribe" | "unsubscribe", params: unknown): void {
    if (!conn.authed) {
      sendStatus(conn, "auth_required", STATUS_TEXT.auth_required);
      return;
    }
    if (typeof params !== "string") {
      sendStatus(conn, "error", "params must be a string of comma-separated topics");
      return;
    }
    for (const raw of params.split(",")) {
      const topic = raw.trim();
      if (!topic) continue;
      const dot = topic.indexOf(".");
      const ch = dot > 0 ? topic.slice(0, dot) : "";
      const sym = dot > 0 ? topic.slice(dot + 1).trim() : "";
      if (!STOCK_CHANNELS.has(ch) && !["LULD", "NOI", "FMV", "LV"].includes(ch)) {
        sendStatus(conn, "error", `invalid topic: ${topic}`);
        continue;
      }
      if (!sym) {
        sendStatus(conn, "error", `invalid topic: ${topic}`);
        continue;
      }
      const norm = `${ch}.${sym}`;
      if (action === "unsubscribe") {
        conn.subs.delete(norm);
        sendStatus(conn, "success", `unsubscribed to: ${norm}`);
        continue;
      }
      if (conn.cluster === "options" && ch === "Q") {
        if (sym === "*") {
          sendStatus(conn, "error", `wildcard not supported for option quotes: ${norm}`);
          continue;
        }
        if (!conn.subs.has(norm) && optionQuoteContracts(conn) >= maxOptionQuoteContracts) {
          sendStatus(conn, "error", `maximum of ${maxOptionQuoteContracts} option contracts per connection exceeded: ${norm}`);
          continue;
        }
      }
      conn.subs.add(norm);
      sendStatus(conn, "success", `subscribed to: ${norm}`);
    }
  }

  function onMessage(conn: Conn, data: RawData): void {
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      sendStatus(conn, "error", "invalid JSON");
      return;
    }
    const { action, params } = (msg ?? {}) as { action?: unknown; params?: unknown };
    if (action === "auth") handleAuth(conn, params);
    else if (action === "subscribe" || action === "unsubscribe") handleSubscription(conn, action, params);
    else sendStatus(conn, "error", `unknown action: ${String(action)}`);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  wss.on("connection", (ws: WebSocket, cluster: Cluster) => {
    const conn: Conn = { id: nextConnId++, cluster, ws, authed: false, subs: new Set(), ticks: 0, dataFrames: 0, generation, closed: false };
    conns.add(conn);
    c.totalConnections++;
    log(`open ${cluster}#${conn.id}`);
    ws.on("message", (data) => onMessage(conn, data));
    ws.on("close", () => {
      conn.closed = true;
      clearTimers(conn);
      conns.delete(conn);
      log(`closed ${cluster}#${conn.id}`);
    });
    ws.on("error", () => {
      // A client vanishing mid-write; the close handler cleans up.
    });
    sendStatus(conn, "connected", STATUS_TEXT.connected);
    if (authTimeoutMs > 0) {
      conn.authTimer = setTimeout(() => {
        if (conn.authed || conn.closed) return;
        sendStatus(conn, "auth_timeout", STATUS_TEXT.auth_timeout);
        closeConn(conn, 1008, "auth timeout");
      }, authTimeoutMs);
    }
  });

  // ---- HTTP ----------------------------------------------------------------------------------------------------------

  const requestId = () => randomBytes(16).toString("hex");

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "x-request-id": (body as { request_id?: string })?.request_id ?? requestId() });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 4 * 1024 * 1024) throw new Error("body too large");
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    return text ? JSON.parse(text) : {};
  }

  function setScenario(name: ScenarioName, opts: ScenarioOptions = {}): void {
    if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${JSON.stringify(name)}; one of ${SCENARIOS.join(", ")}`);
    scenario = { name, opts };
    generation++;
    restFailures.clear();
    log(`scenario ${name} ${JSON.stringify(opts)}`);
    // As if another client took the slot now: the current holders are evicted, later ones right after auth.
    if (name === "evict") for (const conn of [...conns]) if (conn.authed && !conn.closed) evict(conn);
  }

  function emit(cluster: Cluster, frame: string): number {
    let n = 0;
    for (const conn of conns) {
      if (conn.cluster === cluster && conn.authed && sendRaw(conn, frame)) {
        n++;
        c.emittedFrames++;
      }
    }
    return n;
  }

  function stats(): FakePolygonStats {
    const connections = { stocks: 0, options: 0 };
    const authedConnections = { stocks: 0, options: 0 };
    const subs = { stocks: new Set<string>(), options: new Set<string>() };
    for (const conn of conns) {
      if (conn.closed) continue;
      connections[conn.cluster]++;
      if (conn.authed) {
        authedConnections[conn.cluster]++;
        for (const t of conn.subs) subs[conn.cluster].add(t);
      }
    }
    const m = c.malformed;
    return {
      scenario: { name: scenario.name, opts: { ...scenario.opts } },
      connections,
      authedConnections,
      totalConnections: c.totalConnections,
      authAttempts: c.authAttempts,
      authFailures: c.authFailures,
      evictions: c.evictions,
      drops: c.drops,
      subscriptions: { stocks: [...subs.stocks].sort(), options: [...subs.options].sort() },
      framesSent: c.framesSent,
      statusFramesSent: c.statusFramesSent,
      dataFramesSent: c.dataFramesSent,
      emittedFrames: c.emittedFrames,
      eventsSent: c.eventsSent,
      eventsByCluster: { ...c.eventsByCluster },
      malformedSent: m.nonJsonFrames + m.nonArrayFrames + m.badEvents,
      malformed: { ...m },
      outOfOrderSent: c.outOfOrderSent,
      restRequests: c.restRequests.map((r) => ({ ...r, query: { ...r.query } })),
      restRequestCount: c.restRequestCount,
    };
  }

  function reset(opts: { closeConnections?: boolean } = {}): void {
    c = blankCounters();
    rand = prng(seed);
    restFailures.clear();
    symState.clear();
    scenario = { name: initialScenario, opts: {} };
    generation++;
    if (opts.closeConnections) for (const conn of [...conns]) closeConn(conn, 1001, "reset");
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      if (req.method === "GET" && path === "/__stats") return sendJson(res, 200, stats());
      if (req.method === "POST" && path === "/__scenario") {
        const body = (await readBody(req)) as { name?: ScenarioName } & ScenarioOptions;
        const { name, ...opts } = body;
        if (!name || !SCENARIOS.includes(name)) return sendJson(res, 400, { error: `name must be one of ${SCENARIOS.join(", ")}` });
        setScenario(name, opts);
        return sendJson(res, 200, { ok: true, scenario: { name, opts } });
      }
      if (req.method === "POST" && path === "/__emit") {
        const body = (await readBody(req)) as { cluster?: Cluster; frame?: unknown };
        if ((body.cluster !== "stocks" && body.cluster !== "options") || typeof body.frame !== "string") {
          return sendJson(res, 400, { error: 'expected { cluster: "stocks" | "options", frame: string }' });
        }
        return sendJson(res, 200, { ok: true, sent: emit(body.cluster, body.frame) });
      }
      if (req.method === "POST" && path === "/__reset") {
        const body = (await readBody(req).catch(() => ({}))) as { closeConnections?: boolean };
        reset({ closeConnections: body.closeConnections === true });
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, { error: "unknown control endpoint" });
    } catch (err) {
      return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  function handleRest(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const path = url.pathname;
    const keyFromQuery = url.searchParams.get("apiKey");
    const auth = req.headers.authorization;
    const keyFromHeader = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : null;
    const given = keyFromQuery ?? keyFromHeader;
    const authorized = given === apiKey;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) if (k !== "apiKey") query[k] = v;
    const record: RestRequestRecord = { method: req.method ?? "GET", path, query, authorized, status: 0 };
    c.restRequestCount++;
    c.restRequests.push(record);
    if (c.restRequests.length > REST_HISTORY) c.restRequests.shift();
    const reply = (status: number, body: Record<string, unknown>) => {
      record.status = status;
      sendJson(res, status, { ...body, request_id: requestId() });
    };

    if (req.method !== "GET") return reply(405, { status: "ERROR", error: "Method not allowed" });
    // The vendor distinguishes a missing key from a wrong one (protocol doc 2.2, both observed).
    if (given === null) return reply(401, { status: "ERROR", error: "API Key was not provided" });
    if (!authorized) return reply(401, { status: "ERROR", error: "Unknown API Key" });

    const failLimit = scenario.name === "rest-429" ? Number(scenario.opts.count ?? 2) : scenario.name === "rest-500" ? Number(scenario.opts.count ?? Infinity) : 0;
    const prefix = typeof scenario.opts.pathPrefix === "string" ? scenario.opts.pathPrefix : "";
    if (failLimit > 0 && path.startsWith(prefix)) {
      const n = restFailures.get(path) ?? 0;
      if (n < failLimit) {
        restFailures.set(path, n + 1);
        if (scenario.name === "rest-429") {
          return reply(429, {
            status: "ERROR",
            error: "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue.",
          });
        }
        return reply(500, { status: "ERROR", error: "Internal Server Error" });
      }
    }

    const seg = path.split("/").slice(1).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    const now = Date.now();
    const origin = `http://${req.headers.host ?? `${host}:${boundPort}`}`;

    // /v2/last/nbbo/{ticker}
    if (seg.length === 4 && seg[0] === "v2" && seg[1] === "last" && seg[2] === "nbbo") {
      const T = seg[3];
      const px = spotAt(T, now);
      const half = Math.max(0.01, round2(px * 0.00005));
      const tNs = now * 1e6 + Math.floor(rand() * 1e6);
      return reply(200, {
        status: "OK",
        results: {
          T, p: round2(px - half), s: 100 * (1 + Math.floor(rand() * 10)), x: 1 + Math.floor(rand() * 20),
          P: round2(px + half), S: 100 * (1 + Math.floor(rand() * 10)), X: 1 + Math.floor(rand() * 20),
          c: [1], i: [604], q: stamp("stocks", T, now).q, t: tNs, y: tNs - 120_000, z: 1 + (hash32(T) % 3),
        },
      });
    }

    // /v2/aggs/ticker/{t}/prev
    if (seg.length === 5 && seg[0] === "v2" && seg[1] === "aggs" && seg[2] === "ticker" && seg[4] === "prev") {
      const T = seg[3];
      let d = Date.parse(`${newYorkDate(new Date(now))}T12:00:00Z`) - DAY_MS;
      while (!isTradingDay(isoDay(d))) d -= DAY_MS;
      const date = isoDay(d);
      const [open, close] = sessionOf(date);
      const bar = { T, ...barFor(T, open, close), t: nyMidnight(date) };
      return reply(200, { ticker: T, queryCount: 1, resultsCount: 1, adjusted: true, results: [bar], status: "OK", count: 1 });
    }

    // /v2/aggs/ticker/{t}/range/{multiplier}/{timespan}/{from}/{to}
    if (seg.length === 9 && seg[0] === "v2" && seg[1] === "aggs" && seg[2] === "ticker" && seg[4] === "range") {
      type AggCursor = { off: number; limit: number; sort: string };
      const T = seg[3];
      const mult = Number(seg[5]);
      const span = seg[6];
      if (!Number.isInteger(mult) || mult < 1 || !["second", "minute", "hour", "day", "week", "month", "quarter", "year"].includes(span)) {
        return reply(400, { status: "ERROR", error: "Could not parse the multiplier or timespan." });
      }
      const toMs = (s: string, end: boolean): number =>
        /^\d+$/.test(s) ? Number(s) : nyMidnight(s) + (end ? DAY_MS - 1 : 0);
      if (!/^(\d+|\d{4}-\d{2}-\d{2})$/.test(seg[7]) || !/^(\d+|\d{4}-\d{2}-\d{2})$/.test(seg[8])) {
        return reply(400, { status: "ERROR", error: "Could not parse the time range." });
      }
      const cursor = url.searchParams.get("cursor");
      const cur: AggCursor | null = cursor
        ? decodeCursor<AggCursor>(cursor)
        : { off: 0, limit: Math.min(50_000, Math.max(1, Number(url.searchParams.get("limit") ?? 5000) || 5000)), sort: url.searchParams.get("sort") === "desc" ? "desc" : "asc" };
      if (!cur) return reply(400, { status: "ERROR", error: "Invalid cursor" });
      let bars = rangeBars(T, mult, span, toMs(seg[7], false), toMs(seg[8], true), 50_000);
      if (cur.sort === "desc") bars = bars.reverse();
      const page = bars.slice(cur.off, cur.off + cur.limit);
      const body: Record<string, unknown> = {
        ticker: T, queryCount: page.length, resultsCount: page.length, adjusted: url.searchParams.get("adjusted") !== "false", status: "OK",
        count: page.length,
      };
      if (page.length > 0) body.results = page; // the vendor omits `results` on an empty answer
      if (cur.off + cur.limit < bars.length) {
        body.next_url = `${origin}${path}?cursor=${encodeCursor({ ...cur, off: cur.off + cur.limit })}`;
      }
      return reply(200, body);
    }

    // /v3/snapshot/options/{underlying}[/{contract}]
    if ((seg.length === 4 || seg.length === 5) && seg[0] === "v3" && seg[1] === "snapshot" && seg[2] === "options") {
      const u = seg[3];
      if (seg.length === 5) {
        let parts: OccParts;
        try {
          parts = parseOcc(seg[4]);
        } catch {
          return reply(404, { status: "NOT_FOUND", message: "Ticker not found." });
        }
        return reply(200, { status: "OK", results: snapshotItem(u, parts, seg[4], now) });
      }
      const cursor = url.searchParams.get("cursor");
      let q: ChainQuery | null;
      if (cursor) {
        // The cursor carries the filters; anything else in the query is ignored, as with the vendor.
        q = decodeCursor<ChainQuery>(cursor);
        if (!q || q.u !== u) return reply(400, { status: "ERROR", error: "Invalid cursor" });
      } else {
        const f: Record<string, string> = {};
        for (const [k, v] of url.searchParams) if (/^(expiration_date|strike_price)(\.(gt|gte|lt|lte))?$|^contract_type$/.test(k)) f[k] = v;
        const rawLimit = url.searchParams.get("limit");
        const limit = rawLimit === null ? 10 : Math.trunc(Number(rawLimit));
        if (!Number.isFinite(limit) || limit < 1 || limit > 250) {
          return reply(400, { status: "ERROR", error: "Limit must be between 1 and 250." });
        }
        const sort = url.searchParams.get("sort") ?? "ticker";
        q = { u, f, sort, order: url.searchParams.get("order") === "desc" ? "desc" : "asc", limit, offset: 0 };
      }
      const { results, more } = chainFor(q, now);
      const body: Record<string, unknown> = { status: "OK", results };
      if (more) body.next_url = `${origin}${path}?cursor=${encodeCursor({ ...q, offset: q.offset + q.limit })}`;
      return reply(200, body);
    }

    // /v3/reference/dividends?ticker=...&ex_dividend_date.gte=...&order=desc&limit=...
    if (path.replace(/\/+$/, "") === "/v3/reference/dividends") {
      type DivQuery = { f: Record<string, string>; order: "asc" | "desc"; limit: number; offset: number };
      const cursor = url.searchParams.get("cursor");
      let q: DivQuery | null;
      if (cursor) {
        q = decodeCursor<DivQuery>(cursor);
        if (!q) return reply(400, { status: "ERROR", error: "Invalid cursor" });
      } else {
        const f: Record<string, string> = {};
        for (const [k, v] of url.searchParams) if (/^(ticker|dividend_type|frequency)$|^ex_dividend_date(\.(gt|gte|lt|lte))?$/.test(k)) f[k] = v;
        // This fake knows dividends per ticker only; the vendor would list every ticker's.
        if (!f.ticker) return reply(400, { status: "ERROR", error: "fake-polygon: the ticker parameter is required" });
        const rawLimit = url.searchParams.get("limit");
        const limit = rawLimit === null ? 10 : Math.trunc(Number(rawLimit));
        if (!Number.isFinite(limit) || limit < 1 || limit > 1000) return reply(400, { status: "ERROR", error: "Limit must be between 1 and 1000." });
        const sort = url.searchParams.get("sort") ?? "ex_dividend_date";
        if (sort !== "ex_dividend_date") return reply(400, { status: "ERROR", error: "fake-polygon: only sort=ex_dividend_date is supported" });
        q = { f, order: url.searchParams.get("order") === "asc" ? "asc" : "desc", limit, offset: 0 };
      }
      const f = q.f;
      const all = fakeDividends(f.ticker, newYorkDate(new Date(now))).filter((d) => {
        const e = d.ex_dividend_date;
        if (f.ex_dividend_date !== undefined && e !== f.ex_dividend_date) return false;
        if (f["ex_dividend_date.gt"] !== undefined && !(e > f["ex_dividend_date.gt"])) return false;
        if (f["ex_dividend_date.gte"] !== undefined && !(e >= f["ex_dividend_date.gte"])) return false;
        if (f["ex_dividend_date.lt"] !== undefined && !(e < f["ex_dividend_date.lt"])) return false;
        if (f["ex_dividend_date.lte"] !== undefined && !(e <= f["ex_dividend_date.lte"])) return false;
        if (f.dividend_type !== undefined && d.dividend_type !== f.dividend_type) return false;
        if (f.frequency !== undefined && d.frequency !== Number(f.frequency)) return false;
        return true;
      });
      const ordered = q.order === "asc" ? [...all].reverse() : all; // fakeDividends is newest first
      const page = ordered.slice(q.offset, q.offset + q.limit);
      const body: Record<string, unknown> = { status: "OK", results: page };
      if (q.offset + q.limit < ordered.length) body.next_url = `${origin}${path}?cursor=${encodeCursor({ ...q, offset: q.offset + q.limit })}`;
      return reply(200, body);
    }

    return reply(404, { status: "NOT_FOUND", message: "The requested resource was not found." });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    if (url.pathname.startsWith("/__")) {
      void handleControl(req, res, url.pathname);
      return;
    }
    try {
      handleRest(req, res, url);
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { status: "ERROR", request_id: requestId(), error: `fake-polygon bug: ${String(err)}` });
    }
  });

  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/+$/, "");
    const cluster = path === "/stocks" ? "stocks" : path === "/options" ? "options" : null;
    if (!cluster) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, cluster));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const boundPort = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(":") ? `[${host}]` : host;

  return {
    port: boundPort,
    url: `http://${hostForUrl}:${boundPort}`,
    wsUrl: `ws://${hostForUrl}:${boundPort}`,
    setScenario,
    stats,
    emit,
    reset,
    async close() {
      for (const conn of [...conns]) {
        conn.closed = true;
        clearTimers(conn);
        conn.ws.terminate();
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv: string[]): FakePolygonOptions {
  const out: FakePolygonOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--port":
        out.port = Number(value());
        break;
      case "--host":
        out.host = value();
        break;
      case "--key":
      case "--api-key":
        out.apiKey = value();
        break;
      case "--scenario":
        out.scenario = value() as ScenarioName;
        break;
      case "--tick-ms":
        out.tickMs = Number(value());
        break;
      case "--seed":
        out.seed = Number(value());
        break;
      case "--verbose":
      case "-v":
        out.verbose = true;
        break;
      case "--help":
      case "-h":
        console.log(
          `usage: tsx scripts/fake-polygon.ts [--port 8790] [--host 127.0.0.1] [--key demo] [--scenario ${SCENARIOS.join("|")}] [--tick-ms 100] [--seed 1] [--verbose]`,
        );
        process.exit(0);
      default:
        throw new Error(`unknown argument ${argv[i]} (try --help)`);
    }
  }
  return out;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const opts = parseArgs(process.argv.slice(2));
  const fake = await startFakePolygon({ port: 8790, ...opts });
  const key = opts.apiKey ?? "demo";
  console.log(`fake-polygon listening (scenario ${opts.scenario ?? "steady"})
  REST      ${fake.url}
  WebSocket ${fake.wsUrl}/stocks  ${fake.wsUrl}/options
  control   GET ${fake.url}/__stats  POST ${fake.url}/__scenario {"name":"..."}  POST ${fake.url}/__emit  POST ${fake.url}/__reset
  run the app against it:
    npm start -- --var POLYGON_API_KEY:${key} --var POLYGON_WS_URL:${fake.wsUrl} --var POLYGON_REST_URL:${fake.url}`);
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

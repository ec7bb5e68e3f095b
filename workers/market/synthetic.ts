/**
 * The seeded synthetic market: an underlying that follows geometric Brownian motion and an option chain marked
 * off a smooth volatility surface with realistic listings, ticks and spreads. Everything is a pure function of
 * (symbol, seed, the sequence of times): random draws come from hashes of string keys, never from a shared
 * generator, so a Durable Object can persist the small state, restart, and continue the identical path.
 */
import type { Bar, DataSource, OptionChain, OptionContract, Quote } from "../../schemas";
import { Ticker } from "../../schemas";
import { bsGreeks, bsPrice, impliedVol, normInv, toDisplayGreeks } from "../analytics";
import {
  calendarDte,
  expiryCloseUtc,
  isTradingDay,
  listedExpirations,
  newYorkDate,
  newYorkMinuteOfDay,
  thirdFriday,
  tradingDayOnOrBefore,
  yearsBetween,
} from "./calendar";
import { formatOcc } from "./polygon/occ";

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
/** Real-world drift of the synthetic underlyings (before dividends): about a money-market rate. */
const DRIFT = 0.04;

// ------------------------------------------------------------------------------------------------------------
// Seeded randomness

import { hash32 } from "../util/hash";

export { hash32 };

/** A seeded stream of uniforms in (0, 1) and standard normals: sfc32 keyed by four hashes of `key`. */
export function seededRandom(key: string): { uniform(): number; normal(): number } {
  let a = hash32(key, 1);
  let b = hash32(key, 2);
  let c = hash32(key, 3);
  let d = hash32(key, 4);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next(); // let the four words mix before the first output
  // 53 random bits, offset by half a unit so 0 and 1 never occur (normInv would return +-Infinity).
  const uniform = (): number => ((next() >>> 5) * 67108864 + (next() >>> 6) + 0.5) / 9007199254740992;
  return { uniform, normal: () => normInv(uniform()) };
}

/** One uniform in (0, 1) from a key, cheaper than a stream when a single draw is needed. */
function hashUniform(key: string, salt: number): number {
  return (hash32(key, salt) + 0.5) / 4294967296;
}

// ------------------------------------------------------------------------------------------------------------
// Symbol profiles

/** What the synthetic market needs to know about an underlying. */
export type SymbolProfile = {
  symbol: string;
  /** Typical price level, dollars. */
  spot: number;
  /** Annualised volatility of the GBM and the long-dated ATM implied vol, 0.25 = 25%. */
  vol: number;
  /** Continuous dividend yield. */
  dividendYield: number;
  /** Index-like ETF: $1 strikes, penny ticks on every option, tight spreads. */
  indexLike: boolean;
  /** Average daily share volume. */
  avgVolume: number;
  /** 0..1, 1 = the most liquid names; widens option and stock spreads as it falls. */
  liquidity: number;
};

// [spot, vol, dividend yield, avg daily volume (millions of shares), liquidity]; index-like ETFs are flagged below.
const KNOWN: Record<string, [number, number, number, number, number]> = {
  SPY: [650, 0.16, 0.012, 65, 1],
  QQQ: [580, 0.2, 0.006, 40, 1],
  IWM: [240, 0.22, 0.011, 30, 1],
  DIA: [460, 0.15, 0.016, 3, 0.8],
  AAPL: [230, 0.27, 0.0045, 50, 0.95],
  MSFT: [500, 0.24, 0.0068, 20, 0.9],
  NVDA: [180, 0.48, 0.0002, 180, 0.95],
  TSLA: [400, 0.6, 0, 90, 0.95],
  AMZN: [220, 0.32, 0, 40, 0.9],
  META: [700, 0.35, 0.003, 12, 0.85],
  GOOGL: [250, 0.3, 0.0035, 30, 0.9],
  GOOG: [250, 0.3, 0.0035, 20, 0.8],
  AMD: [160, 0.5, 0, 45, 0.9],
  F: [12, 0.35, 0.05, 60, 0.85],
  PLTR: [170, 0.6, 0, 60, 0.9],
  NFLX: [110, 0.35, 0, 30, 0.8],
  JPM: [300, 0.22, 0.02, 9, 0.8],
  BAC: [50, 0.25, 0.022, 35, 0.8],
  INTC: [24, 0.45, 0, 60, 0.8],
  COIN: [330, 0.7, 0, 10, 0.75],
  DIS: [115, 0.28, 0.009, 9, 0.75],
  KO: [70, 0.16, 0.028, 14, 0.7],
  XOM: [115, 0.24, 0.034, 15, 0.7],
  WMT: [100, 0.22, 0.009, 20, 0.75],
  BA: [220, 0.35, 0, 8, 0.75],
  UBER: [95, 0.4, 0, 20, 0.75],
  MU: [150, 0.5, 0.003, 25, 0.8],
  SOFI: [25, 0.6, 0, 50, 0.7],
  GLD: [310, 0.15, 0, 8, 0.8],
  TLT: [90, 0.14, 0.04, 35, 0.8],
  XLF: [52, 0.18, 0.014, 40, 0.75],
};
const INDEX_LIKE = new Set(["SPY", "QQQ", "IWM"]);

/** Market profile of a ticker: known names get realistic levels, other well-formed tickers a stable hash-derived one; throws on malformed tickers. */
export function symbolProfile(symbol: string): SymbolProfile {
  const sym = symbol.trim().toUpperCase();
  if (!Ticker.safeParse(sym).success) throw new Error(`synthetic market: ${JSON.stringify(symbol)} is not a US ticker like SPY or BRK.B`);
  const known = KNOWN[sym];
  if (known) {
    const [spot, vol, dividendYield, advM, liquidity] = known;
    return { symbol: sym, spot, vol, dividendYield, indexLike: INDEX_LIKE.has(sym), avgVolume: advM * 1e6, liquidity };
  }
  const u = (salt: number) => hashUniform(`profile:${sym}`, salt);
  return {
    symbol: sym,
    spot: Math.round(10 * Math.pow(40, u(1)) * 100) / 100, // log-uniform 10..400
    vol: 0.2 + 0.5 * u(2),
    dividendYield: u(3) < 0.4 ? 0 : Math.round(0.03 * u(4) * 10000) / 10000,
    indexLike: false,
    avgVolume: Math.round(3e5 * Math.pow(30, u(5))), // 0.3M..9M shares
    liquidity: 0.2 + 0.35 * u(6),
  };
}

// ------------------------------------------------------------------------------------------------------------
// The underlying

/** Persistent state of one synthetic underlying; plain JSON, stored by the SymbolRoom Durable Object. */
export type SyntheticState = {
  symbol: string;
  seed: number;
  /** Number of advance() steps taken; step k uses the k-th draw of the (seed, symbol) sequence. */
  step: number;
  /** Time of the last step, epoch ms. */
  timeMs: number;
  spot: number;
  /** Last price of the previous trading day. */
  prevClose: number;
  /** Shares traded so far in the current New York day. */
  dayVolume: number;
  /** New York date (YYYY-MM-DD) that dayVolume and prevClose refer to. */
  dayKey: string;
};

/**
 * Cumulative share of a regular session's volume traded by an instant (0 before 09:30, 1 after 16:00 New York,
 * 0 all day on non-trading days). Intraday volume is U-shaped: density 1 + 0.6 cos(2 pi x) over the session.
 */
function sessionVolumeFraction(now: Date): number {
  if (!isTradingDay(newYorkDate(now))) return 0;
  const x = Math.min(1, Math.max(0, (newYorkMinuteOfDay(now) - 570) / 390));
  return x + (0.6 * Math.sin(2 * Math.PI * x)) / (2 * Math.PI);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Starting state of an underlying at `now`: the profile's price level perturbed by the seed. */
export function initialState(symbol: string, seed: number, now: Date): SyntheticState {
  const p = symbolProfile(symbol);
  const r = seededRandom(`${seed}:${p.symbol}:init`);
  const spot = Math.max(0.5, round2(p.spot * Math.exp(0.04 * r.normal())));
  const prevClose = Math.max(0.5, round2(spot * Math.exp((-p.vol / Math.sqrt(252)) * r.normal())));
  const dayVolume = Math.round(p.avgVolume * sessionVolumeFraction(now) * (0.7 + 0.6 * r.uniform()));
  return { symbol: p.symbol, seed, step: 0, timeMs: now.getTime(), spot, prevClose, dayVolume, dayKey: newYorkDate(now) };
}

/**
 * Moves the underlying to `now` by one exact GBM step over dt = now - state.timeMs (calendar years) with the
 * profile's volatility; the draw depends only on (seed, symbol, step + 1). dt <= 0 returns the state unchanged.
 */
export function advance(state: SyntheticState, now: Date): SyntheticState {
  const dtMs = now.getTime() - state.timeMs;
  if (!(dtMs > 0)) return state;
  const p = symbolProfile(state.symbol);
  const step = state.step + 1;
  const r = seededRandom(`${state.seed}:${p.symbol}:${step}`);
  const z = r.normal();
  const dt = dtMs / YEAR_MS;
  const sigma = p.vol;
  const spot = state.spot * Math.exp((DRIFT - p.dividendYield - 0.5 * sigma * sigma) * dt + sigma * Math.sqrt(dt) * z);

  const dayKey = newYorkDate(now);
  const noise = 0.6 + 0.8 * r.uniform();
  let prevClose = state.prevClose;
  let dayVolume: number;
  if (dayKey !== state.dayKey) {
    // The last price seen on a trading day becomes the previous close; weekends and holidays keep the close
    // of the last session, so Monday's change includes the weekend's move as a gap.
    if (isTradingDay(state.dayKey)) prevClose = state.spot;
    dayVolume = Math.round(p.avgVolume * sessionVolumeFraction(now) * noise);
  } else {
    const traded = sessionVolumeFraction(now) - sessionVolumeFraction(new Date(state.timeMs));
    dayVolume = state.dayVolume + Math.max(0, Math.round(p.avgVolume * traded * noise));
  }
  return { symbol: state.symbol, seed: state.seed, step, timeMs: now.getTime(), spot, prevClose, dayVolume, dayKey };
}

/** NBBO-style quote of the underlying at the state's price: penny-wide for liquid names, wider for cheap/illiquid/volatile ones. */
export function syntheticQuote(state: SyntheticState, now: Date, source: DataSource = "synthetic"): Quote {
  const p = symbolProfile(state.symbol);
  const spot = state.spot;
  const spread = p.indexLike ? 0.01 : Math.max(0.01, spot * (0.00004 + 0.0003 * (1 - p.liquidity)) * (p.vol / 0.3));
  const bidC = Math.max(0, Math.floor((spot - spread / 2) * 100 + 1e-9));
  const askC = Math.max(bidC + 1, Math.ceil((spot + spread / 2) * 100 - 1e-9));
  const r = seededRandom(`${state.seed}:${p.symbol}:${state.step}:quote`);
  const lot = (scale: number) => 100 * (1 + Math.floor(r.uniform() * scale));
  const sizeScale = 2 + 18 * p.liquidity;
  // Printed like a quote screen: cents for prices, basis points for percentages.
  const change = Math.round((spot - state.prevClose) * 100) / 100;
  return {
    symbol: p.symbol,
    bid: bidC / 100,
    ask: askC / 100,
    last: Math.round(spot * 100) / 100,
    mid: (bidC + askC) / 200,
    bidSize: lot(sizeScale),
    askSize: lot(sizeScale),
    prevClose: state.prevClose,
    change,
    changePct: Math.round(((spot - state.prevClose) / state.prevClose) * 1e6) / 1e4,
    volume: Math.max(0, Math.round(state.dayVolume)),
    timestamp: now.toISOString(),
    source,
    stale: false,
  };
}

// ------------------------------------------------------------------------------------------------------------
// The option chain

/** Standard listing increments, used to step "one size coarser". */
const LADDER = [0.5, 1, 2.5, 5, 10, 20, 50, 100, 200, 500, 1000];
const coarser = (step: number) => LADDER[Math.min(LADDER.length - 1, LADDER.indexOf(step) + 1)];

/** Strike increments near and away from the money for one expiry. */
function strikeSteps(spot: number, p: SymbolProfile, dte: number): { fine: number; coarse: number } {
  const long = dte > 60;
  if (p.indexLike && spot >= 50) return long ? { fine: 5, coarse: 10 } : { fine: 1, coarse: 5 };
  const base = spot < 25 ? 0.5 : spot < 100 ? 1 : spot < 200 ? 2.5 : spot < 1000 ? 5 : 10;
  const fine = long ? coarser(base) : base;
  return { fine, coarse: coarser(fine) };
}

/** Listed strikes of one expiry, ascending (and the fine step used): a fine grid near the money, a coarse one out to ~0.05 delta and beyond. */
function strikeGrid(spot: number, p: SymbolProfile, dte: number, sigmaSqrtT: number): { strikes: number[]; fine: number } {
  let { fine, coarse } = strikeSteps(spot, p, dte);
  // At least ~8 fine strikes each side, so coarse-stepped names still get a usable ladder near the money.
  // The caps keep the grid finite for any price the random walk may reach (a $0.60 stock, 500% vol).
  const near = Math.min(0.4, Math.max(0.03, 0.6 * sigmaSqrtT, (8 * fine) / spot));
  // Equity skew puts the 5-delta put further out than the 5-delta call, hence the asymmetric range.
  const down = Math.min(2.3, Math.max(0.15, 3.5 * sigmaSqrtT));
  const up = Math.min(1.6, Math.max(0.15, 2.5 * sigmaSqrtT));
  // Bound the listing (a chain is re-marked every few seconds): coarser steps when the ranges would hold too many.
  while ((2 * spot * Math.sinh(near)) / fine > 45 && fine < 1000) fine = coarser(fine);
  if (coarse <= fine) coarse = coarser(fine);
  while ((spot * (Math.exp(up) - Math.exp(near) + Math.exp(-near) - Math.exp(-down))) / coarse > 55 && coarse < 1000) coarse = coarser(coarse);
  const toM = (x: number) => Math.round(x * 1000);
  const fineM = toM(fine);
  const coarseM = toM(coarse);
  const nearLo = Math.max(fineM, Math.ceil((spot * Math.exp(-near) * 1000) / fineM) * fineM);
  const nearHi = Math.floor((spot * Math.exp(near) * 1000) / fineM) * fineM;
  const lo = Math.max(coarseM, Math.ceil((spot * Math.exp(-down) * 1000) / coarseM) * coarseM);
  const hi = Math.floor((spot * Math.exp(up) * 1000) / coarseM) * coarseM;
  const out: number[] = [];
  for (let k = lo; k < nearLo; k += coarseM) out.push(k);
  for (let k = nearLo; k <= nearHi; k += fineM) out.push(k);
  for (let k = Math.ceil((nearHi + 1) / coarseM) * coarseM; k <= hi; k += coarseM) out.push(k);
  if (out.length === 0) out.push(Math.max(fineM, Math.round((spot * 1000) / fineM) * fineM));
  return { strikes: out.map((m) => m / 1000), fine };
}

/** ATM implied vol by time to expiry: index short-dated vol sits below long-dated vol, single names above; smooth in T. */
function atmVol(p: SymbolProfile, years: number): number {
  const shortRatio = p.indexLike ? 0.85 : 1.08;
  return p.vol * (1 + (shortRatio - 1) * Math.exp(-years / 0.3));
}

/**
 * The smile as a multiple of ATM vol, in standardised moneyness k = ln(K/F) / (atmVol sqrt(T)): skew (higher
 * vol for low strikes) plus mild convexity, both bounded so the wings flatten. The slopes are small enough that
 * theoretical call prices stay decreasing and put prices increasing in strike.
 */
function smileFactor(p: SymbolProfile, k: number): number {
  const skew = p.indexLike ? 0.16 : 0.08;
  const convexity = p.indexLike ? 0.06 : 0.12;
  const z = k / 1.6;
  return 1 - skew * Math.tanh(z) + convexity * (1 - 1 / Math.cosh(z));
}

type Side = { theo: number; tickC: number; bidC: number; askC: number };

/** Quote one option: outward-rounded ticks around theo with a half-spread of half a tick plus a share of the price. */
function quoteSide(theo: number, k: number, p: SymbolProfile, spot: number): Side {
  const tickC = p.indexLike || theo < 3 ? 1 : 5;
  const baseRel = p.indexLike ? 0.0015 : 0.004 + 0.05 * (1 - p.liquidity) * (1 - p.liquidity);
  const rel = baseRel * Math.min(1 + 0.5 * Math.abs(k), 3);
  const cap = Math.max(0.05, spot * (p.indexLike ? 0.0008 : 0.002 + 0.004 * (1 - p.liquidity)));
  const h = Math.min(0.005 + rel * theo, cap);
  // h >= half a cent keeps bid strictly below and ask strictly above theo even after float rounding.
  const bidC = Math.max(0, Math.floor(((theo - h) * 100) / tickC) * tickC);
  const askC = Math.max(tickC, Math.ceil(((theo + h) * 100) / tickC) * tickC);
  return { theo, tickC, bidC, askC };
}

/** Raises asks (never touches bids) until mids are monotone; all other invariants survive a wider ask. */
function enforceMonotoneMids(sides: Side[], decreasing: boolean): void {
  const n = sides.length;
  const raise = (s: Side, minSum: number) => {
    if (s.bidC + s.askC < minSum) s.askC = Math.ceil((minSum - s.bidC) / s.tickC) * s.tickC;
  };
  if (decreasing) for (let i = n - 2; i >= 0; i--) raise(sides[i], sides[i + 1].bidC + sides[i + 1].askC);
  else for (let i = 1; i < n; i++) raise(sides[i], sides[i - 1].bidC + sides[i - 1].askC);
}

/** Whether an expiration date is the (holiday-adjusted) monthly third-Friday expiry of its month. */
function isMonthly(expiration: string): boolean {
  const y = Number(expiration.slice(0, 4));
  const m = Number(expiration.slice(5, 7));
  return tradingDayOnOrBefore(thirdFriday(y, m)) === expiration;
}

function finiteGreeks(g: ReturnType<typeof toDisplayGreeks>): boolean {
  return Number.isFinite(g.delta) && Number.isFinite(g.gamma) && Number.isFinite(g.vega) && Number.isFinite(g.theta) && Number.isFinite(g.rho);
}

/**
 * The full option chain at `now`: listed expirations, strikes, a skewed term-structured vol surface, bid/ask
 * around European BSM theoretical values (rate from opts, dividend yield from the profile), OI and volume.
 * Guarantees per expiry: bid <= theo <= ask, call mids non-increasing and put mids non-decreasing in strike, so
 * put-call parity holds inside the quoted spreads.
 */
export function syntheticChain(state: SyntheticState, now: Date, opts: { rate: number }): OptionChain {
  const p = symbolProfile(state.symbol);
  const spot = state.spot;
  const rate = opts.rate;
  const q = p.dividendYield;
  const asOf = now.toISOString();
  const dayKey = newYorkDate(now);
  const traded = sessionVolumeFraction(now);
  const expirations = listedExpirations(now);
  const contracts: OptionContract[] = [];

  for (const expiration of expirations) {
    const years = yearsBetween(now, expiryCloseUtc(expiration));
    if (!(years > 0)) continue;
    const dte = calendarDte(now, expiration);
    const monthly = isMonthly(expiration);
    const forward = spot * Math.exp((rate - q) * years);
    const atm = atmVol(p, years);
    const sqrtT = Math.sqrt(years);
    const { strikes, fine } = strikeGrid(spot, p, dte, atm * sqrtT);

    const calls: Side[] = [];
    const puts: Side[] = [];
    const ks: number[] = [];
    for (const strike of strikes) {
      const k = Math.log(strike / forward) / (atm * sqrtT);
      const vol = atm * smileFactor(p, k);
      const base = { spot, strike, years, rate, dividendYield: q, vol };
      calls.push(quoteSide(bsPrice({ ...base, kind: "call" }), k, p, spot));
      puts.push(quoteSide(bsPrice({ ...base, kind: "put" }), k, p, spot));
      ks.push(k);
    }
    enforceMonotoneMids(calls, true);
    enforceMonotoneMids(puts, false);

    // Open interest concentrates at the money, on round strikes and in monthlies; volume is a day's turnover of it.
    const oiPeak = 2e-3 * p.avgVolume * (monthly ? 1 : 0.4) * (years > 0.5 ? 0.5 : 1);
    const turnover = years < 0.1 ? 0.25 : years < 0.5 ? 0.08 : 0.03;
    for (let i = 0; i < strikes.length; i++) {
      const strike = strikes[i];
      const k = ks[i];
      const roundStrike = Math.abs(strike / (fine * 5) - Math.round(strike / (fine * 5))) < 1e-9 ? 1.5 : 1;
      for (const [kind, side] of [["call", calls[i]], ["put", puts[i]]] as const) {
        const key = `${state.seed}:${p.symbol}:${expiration}:${strike}:${kind}`;
        // Calls' interest sits a little above the money, puts' below.
        const shift = kind === "call" ? 0.3 : -0.3;
        const shape = Math.exp(-0.5 * ((k - shift) / 1.3) ** 2);
        const oiNoise = Math.exp(0.35 * normInv(hashUniform(key, 11)));
        const openInterest = Math.round(oiPeak * shape * roundStrike * oiNoise);
        const volNoise = 0.5 + hashUniform(`${key}:${dayKey}`, 12);
        const volume = Math.round(openInterest * turnover * traded * volNoise);
        const bid = side.bidC / 100;
        const ask = side.askC / 100;
        const mid = (side.bidC + side.askC) / 200;
        let last: number | null = null;
        if (volume > 0) {
          const ticks = Math.round((hashUniform(`${key}:${dayKey}`, 13) * (side.askC - side.bidC)) / side.tickC);
          last = Math.max(side.tickC, side.bidC + ticks * side.tickC) / 100;
        }
        const iv = impliedVol({ kind, spot, strike, years, rate, dividendYield: q, price: mid, tick: side.tickC / 100 });
        let greeks: OptionContract["greeks"] = null;
        if (iv !== null) {
          const g = toDisplayGreeks(bsGreeks({ kind, spot, strike, years, rate, dividendYield: q, vol: iv }));
          greeks = finiteGreeks(g) ? g : null;
        }
        contracts.push({
          ticker: formatOcc({ underlying: p.symbol, expiration, type: kind, strike }),
          underlying: p.symbol,
          type: kind,
          strike,
          expiration,
          dte,
          bid,
          ask,
          mid,
          // Displayed size grows with the open interest a market maker has to defend.
          bidSize: Math.max(1, Math.round(5 + openInterest / 100)),
          askSize: Math.max(1, Math.round(5 + openInterest / 120)),
          last,
          volume,
          openInterest,
          iv,
          greeks,
          multiplier: 100,
          // Listed US equity options are American. The synthetic marks are European BSM: for calls on
          // low-dividend names the early-exercise premium is negligible; issue 4 adds American pricing.
          exerciseStyle: "american",
          updatedAt: asOf,
        });
      }
    }
  }

  const listed = [...new Set(contracts.map((c) => c.expiration))];
  return {
    underlying: p.symbol,
    underlyingPrice: spot,
    rate,
    dividendYield: q,
    expirations: listed,
    contracts,
    asOf,
    source: "synthetic",
    stale: false,
  };
}

// ------------------------------------------------------------------------------------------------------------
// Daily history

/**
 * Deterministic daily OHLCV bars of the `sessions` trading days ending at the last trading day on or before
 * endDate, whose close is endClose; earlier closes are generated backwards by GBM at the profile vol over the
 * calendar time between sessions. Prices are rounded to cents except the final close, which is endClose exactly.
 */
export function syntheticDailyBars(symbol: string, seed: number, endDate: string, endClose: number, sessions: number): Bar[] {
  const p = symbolProfile(symbol);
  if (!(endClose > 0) || !Number.isFinite(endClose)) throw new RangeError(`syntheticDailyBars: endClose must be positive, got ${endClose}`);
  const n = Math.max(0, Math.floor(sessions));
  const days: string[] = [];
  let ms = Date.parse(`${tradingDayOnOrBefore(endDate)}T00:00:00Z`);
  while (days.length < n) {
    const d = new Date(ms).toISOString().slice(0, 10);
    if (isTradingDay(d)) days.push(d);
    ms -= DAY_MS;
  }
  days.reverse();

  const sigma = p.vol;
  const closes = new Array<number>(n);
  if (n > 0) closes[n - 1] = endClose;
  for (let i = n - 1; i > 0; i--) {
    const dt = (Date.parse(days[i]) - Date.parse(days[i - 1])) / YEAR_MS;
    const z = seededRandom(`${seed}:${p.symbol}:bar:${days[i]}`).normal();
    // close[i] = close[i-1] * exp(mu dt + sigma sqrt(dt) z), inverted.
    closes[i - 1] = closes[i] / Math.exp((DRIFT - p.dividendYield - 0.5 * sigma * sigma) * dt + sigma * Math.sqrt(dt) * z);
  }

  const dayVol = sigma / Math.sqrt(252);
  const bars: Bar[] = [];
  for (let i = 0; i < n; i++) {
    const r = seededRandom(`${seed}:${p.symbol}:ohlc:${days[i]}`);
    const close = i === n - 1 ? endClose : Math.max(0.01, round2(closes[i]));
    const prev = i > 0 ? closes[i - 1] : closes[i] * Math.exp(-dayVol * r.normal());
    // The overnight gap is a small share of the day's move; the range extends beyond open and close.
    const open = Math.max(0.01, round2(prev * Math.exp(0.3 * dayVol * r.normal())));
    const high = Math.max(open, close, round2(Math.max(open, close) * Math.exp(0.5 * dayVol * Math.abs(r.normal()))));
    const low = Math.max(0.01, Math.min(open, close, round2(Math.min(open, close) * Math.exp(-0.5 * dayVol * Math.abs(r.normal())))));
    const volume = Math.round(p.avgVolume * Math.exp(0.3 * r.normal() - 0.045));
    bars.push({ date: days[i], open, high, low, close, volume });
  }
  return bars;
}

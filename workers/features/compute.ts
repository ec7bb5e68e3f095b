/**
 * Feature computations (pure): ATM implied vol and liquidity aggregates from an option chain, the nightly
 * realized-vol row from bars, and the online feature document from the latest offline rows.
 */
import type { Bar, OnlineFeatures, OptionChain } from "../../schemas";
import { atrSeries, dmiSeries, last, sma } from "../signals/indicators";
import { barColumns, trendScore } from "../signals/bundle";
import { closeToCloseVolSeries, parkinsonVolSeries, yangZhangVolSeries } from "../signals/volatility";

export const FEATURES_VERSION = "features/1";

/** Constant maturity of the ATM IV history, calendar days. */
export const ATM_IV_DAYS = 30;

/**
 * 30-day ATM implied vol (fraction per year): per expiry, the mean call/put IV at the strike nearest the
 * spot; between the expiries bracketing 30 days, interpolated linearly in total variance (σ²·t); outside
 * them, the nearest expiry's. Null when no expiry has an ATM IV.
 */
export function atmIvFromChain(chain: OptionChain, targetDays = ATM_IV_DAYS): number | null {
  const spot = chain.underlyingPrice;
  const perExpiry = new Map<number, { dist: number; ivs: number[] }>();
  for (const c of chain.contracts) {
    if (c.iv === null || !(c.dte > 0)) continue;
    const dist = Math.abs(c.strike - spot);
    const cur = perExpiry.get(c.dte);
    if (!cur || dist < cur.dist - 1e-9) perExpiry.set(c.dte, { dist, ivs: [c.iv] });
    else if (Math.abs(dist - cur.dist) <= 1e-9) cur.ivs.push(c.iv);
  }
  const points = [...perExpiry].map(([dte, v]) => ({ dte, iv: v.ivs.reduce((a, b) => a + b, 0) / v.ivs.length })).sort((a, b) => a.dte - b.dte);
  if (points.length === 0) return null;
  const below = points.filter((p) => p.dte <= targetDays).at(-1);
  const above = points.find((p) => p.dte >= targetDays);
  if (!below) return above!.iv;
  if (!above) return below.iv;
  if (above.dte === below.dte) return below.iv;
  const w = (targetDays - below.dte) / (above.dte - below.dte);
  const variance = below.iv ** 2 * below.dte + w * (above.iv ** 2 * above.dte - below.iv ** 2 * below.dte);
  return Math.sqrt(variance / targetDays);
}

export type LiquidityAggregates = {
  contracts: number;
  quotedShare: number;
  medianSpreadPct: number | null;
  atmSpreadPct: number | null;
  totalOpenInterest: number;
  totalVolume: number;
};

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Liquidity of an underlying's options: share with a two-sided quote, median relative spread, OI, volume. */
export function liquidityFromChain(chain: OptionChain): LiquidityAggregates {
  const spreads: number[] = [];
  const atm: number[] = [];
  let quoted = 0, oi = 0, vol = 0;
  for (const c of chain.contracts) {
    oi += c.openInterest;
    vol += c.volume;
    if (!(c.bid > 0 && c.ask > c.bid)) continue;
    quoted++;
    const pct = (c.ask - c.bid) / ((c.ask + c.bid) / 2);
    spreads.push(pct);
    // Near the money and 14-60 days out: where the presets trade.
    if (c.dte >= 14 && c.dte <= 60 && Math.abs(c.strike / chain.underlyingPrice - 1) <= 0.03) atm.push(pct);
  }
  const n = chain.contracts.length;
  return { contracts: n, quotedShare: n ? quoted / n : 0, medianSpreadPct: median(spreads), atmSpreadPct: median(atm), totalOpenInterest: oi, totalVolume: vol };
}

/** The nightly realized-vol row of the last bar: close-to-close 20/60, Parkinson 20, Yang-Zhang 20, trend. */
export function realizedVolRow(bars: readonly Bar[]) {
  const n = bars.length;
  const { open: o, high: h, low: l, close: c } = barColumns(bars);
  return {
    date: n ? bars[n - 1].date : null,
    cc20: last(closeToCloseVolSeries(c, 20)),
    cc60: last(closeToCloseVolSeries(c, 60)),
    parkinson20: last(parkinsonVolSeries(h, l, 20)),
    yangZhang20: last(yangZhangVolSeries(o, h, l, c, 20)),
    trendScore: trendScore(n ? c[n - 1] : null, sma(c, 50), last(atrSeries(h, l, c, 14)), last(dmiSeries(h, l, c, 14).adx)),
  };
}

type IvRow = { date: string; iv: number; ivRank: number | null; ivPercentile: number | null };
type RvRow = { date: string; cc20: number | null; cc60: number | null; trendScore: number | null };
type LiqRow = LiquidityAggregates & { asOf: string };

/** The online feature document of a symbol from its latest offline rows (any of which may be missing). */
export function onlineFeatures(symbol: string, computedAt: string, iv: IvRow | undefined, rv: RvRow | undefined, liq: LiqRow | undefined): OnlineFeatures {
  const missing = [!iv && "atm_iv_history", !rv && "realized_vol", !liq && "liquidity_by_underlying"].filter((x): x is string => !!x);
  return {
    symbol,
    computedAt,
    version: FEATURES_VERSION,
    source: "computed",
    fallback: missing.length > 0,
    missing,
    ivDate: iv?.date ?? null,
    atmIv: iv?.iv ?? null,
    ivRank: iv?.ivRank ?? null,
    ivPercentile: iv?.ivPercentile ?? null,
    rvDate: rv?.date ?? null,
    rv20: rv?.cc20 ?? null,
    rv60: rv?.cc60 ?? null,
    ivRv: iv && rv?.cc20 ? iv.iv / rv.cc20 : null,
    trendScore: rv?.trendScore ?? null,
    liquidity: liq
      ? {
          asOf: liq.asOf,
          contracts: liq.contracts,
          quotedShare: liq.quotedShare,
          medianSpreadPct: liq.medianSpreadPct,
          atmSpreadPct: liq.atmSpreadPct,
          totalOpenInterest: liq.totalOpenInterest,
          totalVolume: liq.totalVolume,
        }
      : null,
  };
}

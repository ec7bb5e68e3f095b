/**
 * Labelled outcomes for the GBDT scorer from a backtest over a daily history (pure: the bars come in).
 *
 * For past sessions, the chain is re-marked at that session's close (the synthetic market's own chain model),
 * the signals are computed from the bars known on that day, the candidates are picked as the rules pick them
 * (preset window, risk filters, top by rule score), and each is labelled 1 when buying it at the ask would have
 * paid off at expiry: intrinsic value at the expiration session's close above the premium paid.
 */
import type { Bar, OptionType } from "../../schemas";
import { expiryCloseUtc, yearsBetween } from "../market/calendar";
import { symbolProfile, syntheticChain, type SyntheticState } from "../market/synthetic";
import { buildSignals } from "../signals/bundle";
import { featureRow, marketContext } from "./model-features";
import { PRESETS } from "./presets";
import { screen } from "./rules";

export type LabelledRow = {
  symbol: string;
  date: string;
  ticker: string;
  preset: string;
  ruleScore: number;
  features: number[];
  /** 1 when the option's value at expiry exceeded the ask paid. */
  label: 0 | 1;
  /** Profit per dollar of premium at expiry (-1 = total loss). */
  returnOnPremium: number;
};

export type BacktestOptions = {
  seed: number;
  rate: number;
  /** Sessions between two sample dates (5 = weekly). */
  every: number;
  /** Candidates kept per (date, preset, direction): the rules' top N. */
  topN: number;
  /** Sessions of history needed before the first sample (signals need 50). */
  warmup: number;
};

export const DEFAULT_BACKTEST: BacktestOptions = { seed: 20261130, rate: 0.04, every: 5, topN: 5, warmup: 60 };

/** Intrinsic value of an option at an underlying price. */
function intrinsic(type: OptionType, strike: number, s: number): number {
  return type === "call" ? Math.max(0, s - strike) : Math.max(0, strike - s);
}

/** Rows for one symbol from its bars (oldest first); only candidates whose expiry falls inside the history. */
export function backtestSymbol(symbol: string, bars: readonly Bar[], o: BacktestOptions = DEFAULT_BACKTEST): LabelledRow[] {
  const closeOn = new Map(bars.map((b) => [b.date, b.close]));
  const lastDate = bars.at(-1)?.date ?? "";
  const rows: LabelledRow[] = [];
  const profile = symbolProfile(symbol);
  for (let i = o.warmup; i < bars.length; i += o.every) {
    const bar = bars[i];
    // Mid-afternoon in New York (19:30 UTC): the session has traded, the chain carries the day's volume.
    const now = new Date(`${bar.date}T19:30:00.000Z`);
    const state: SyntheticState = { symbol: profile.symbol, seed: o.seed, step: 0, timeMs: now.getTime(), spot: bar.close, prevClose: bars[i - 1].close, dayVolume: 0, dayKey: bar.date };
    const chain = syntheticChain(state, now, { rate: o.rate });
    const signals = buildSignals(symbol, bars.slice(0, i + 1), "synthetic", now.toISOString());
    const ctx = marketContext(bar.close, signals);
    for (const preset of Object.values(PRESETS)) {
      for (const direction of ["call", "put"] as const) {
        const { passed } = screen(chain.contracts, direction, preset, signals.technical.realizedVol20, now.getTime());
        for (const p of passed.slice(0, o.topN)) {
          const c = p.contract;
          if (c.expiration > lastDate) continue;
          const settle = closeOn.get(c.expiration);
          if (settle === undefined) continue; // expiry on a day without a bar (should not happen: expiries are trading days)
          const value = intrinsic(c.type, c.strike, settle);
          rows.push({
            symbol,
            date: bar.date,
            ticker: c.ticker,
            preset: preset.name,
            ruleScore: p.candidate.score,
            features: Array.from(featureRow(c, ctx, yearsBetween(now, expiryCloseUtc(c.expiration)))),
            label: value > c.ask ? 1 : 0,
            returnOnPremium: value / c.ask - 1,
          });
        }
      }
    }
  }
  return rows;
}

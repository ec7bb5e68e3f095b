/**
 * Feature jobs on Cron Triggers. Every run is recorded in job_runs and is idempotent for its scheduled time.
 *
 * Nightly (02:30 UTC, after the New York close): for every watched symbol, the session's 30-day ATM IV is
 * appended to atm_iv_history (with IV rank/percentile over 252 sessions; the first value of a session wins),
 * the realized-vol row of the latest bar is upserted, the liquidity table is rebuilt from the chains, and
 * feature rows older than a week are pruned.
 *
 * Hourly: the online features of every watched symbol, computed ONLY from the latest offline rows, written
 * to feature_rows (the offline copy, keyed by the scheduled time) and to KV `features:{symbol}` in the same
 * run, so the online value always equals the latest offline row. (The signals bundle has its own short KV
 * cache; warming it hourly was pointless with a 5-minute TTL.)
 */
import { eq, lt } from "drizzle-orm";
import type { Bar } from "../../schemas";
import { db } from "../db/client";
import { jobRuns } from "../db/schema";
import { newYorkDate, tradingDayOnOrBefore } from "../market/calendar";
import { syntheticDailyBars } from "../market/synthetic";
import { createServices } from "../services";
import { atmIvHistory, featureRows, liquidityByUnderlying, readBars, readIvHistory, realizedVol, upsert } from "../signals/repository";
import { hourlyFeatures, watchedSymbols } from "./hourly";
import { ivPercentile, ivRank } from "../signals/volatility";
import { atmIvFromChain, liquidityFromChain, realizedVolRow } from "./compute";

export const HOURLY = "0 * * * *";
export const NIGHTLY = "30 2 * * *";

export { featuresKey } from "./hourly";

/** Feature rows are kept this long (the offline history of what was served online). */
const FEATURE_ROWS_KEEP_DAYS = 7;
/** Bars read per symbol: a year of sessions for the 252-session regimes, plus margin. */
const BARS = 300;

/** Cron entry: runs the job of `cron` at `at` (the controller's scheduled time) and records the run. */
export async function runScheduled(cron: string, env: Env, at: Date): Promise<void> {
  const d = db(env.DB);
  const job = cron === NIGHTLY ? "nightly-features" : "hourly-features";
  const [run] = await d.insert(jobRuns).values({ job, cron, startedAt: at.toISOString(), status: "running" }).returning({ id: jobRuns.id });
  try {
    const detail = job === "hourly-features" ? await hourlyFeatures(env, at) : await nightlyFeatures(env, at);
    await d.update(jobRuns).set({ status: "ok", finishedAt: new Date().toISOString(), detail }).where(eq(jobRuns.id, run.id));
  } catch (e) {
    await d.update(jobRuns).set({ status: "error", finishedAt: new Date().toISOString(), detail: String(e) }).where(eq(jobRuns.id, run.id));
    throw e;
  }
}

/** Nightly: ATM IV and RV history, liquidity rebuilt, old feature rows pruned. Returns the run's summary. */
export async function nightlyFeatures(env: Env, at: Date): Promise<string> {
  const d = db(env.DB);
  const services = createServices(env);
  const session = tradingDayOnOrBefore(newYorkDate(at));
  const symbols = await watchedSymbols(d);
  const ivRows: (typeof atmIvHistory.$inferInsert)[] = [];
  const rvRows: (typeof realizedVol.$inferInsert)[] = [];
  const liqRows: (typeof liquidityByUnderlying.$inferInsert)[] = [];
  const failures: string[] = [];
  // A few symbols at a time: each needs its room's chain and two D1 reads.
  for (let i = 0; i < symbols.length; i += 8) {
    await Promise.all(
      symbols.slice(i, i + 8).map(async (symbol) => {
        try {
          const snap = await services.market.snapshot(symbol);
          const chainSource = snap.chain.source;
          const stored = await readBars(d, symbol, BARS);
          let bars: Bar[] = stored;
          let barsSource = stored.every((b) => b.source.startsWith("synthetic")) ? "synthetic" : "database";
          if (bars.length < 61) {
            bars = syntheticDailyBars(symbol, services.config.marketSeed, session, snap.quote.prevClose, BARS);
            barsSource = "synthetic";
          }
          const rv = realizedVolRow(bars);
          if (rv.date) rvRows.push({ symbol, date: rv.date, cc20: rv.cc20, cc60: rv.cc60, parkinson20: rv.parkinson20, yangZhang20: rv.yangZhang20, trendScore: rv.trendScore, source: barsSource });
          const atm = atmIvFromChain(snap.chain);
          if (atm !== null) {
            const history = (await readIvHistory(d, symbol, session, 251)).map((r) => r.iv);
            history.push(atm);
            ivRows.push({ symbol, date: session, iv: atm, ivRank: ivRank(history), ivPercentile: ivPercentile(history), source: chainSource });
          }
          liqRows.push({ symbol, asOf: snap.chain.asOf, source: chainSource, ...liquidityFromChain(snap.chain) });
        } catch (e) {
          failures.push(`${symbol}: ${(e as Error).message}`);
        }
      }),
    );
  }
  const ivAdded = await upsert(d, atmIvHistory, [atmIvHistory.symbol, atmIvHistory.date], ivRows, "ignore");
  const rvChanged = await upsert(d, realizedVol, [realizedVol.symbol, realizedVol.date], rvRows);
  // Rebuilt: the delete commits with the first batch of inserts (all of them up to ~500 symbols), so readers
  // never see the table empty.
  const cutoff = new Date(at.getTime() - FEATURE_ROWS_KEEP_DAYS * 86_400_000).toISOString();
  await upsert(d, liquidityByUnderlying, [liquidityByUnderlying.symbol], liqRows, "update", [
    d.delete(liquidityByUnderlying),
    d.delete(featureRows).where(lt(featureRows.computedAt, cutoff)),
  ]);
  return `session ${session}: ${symbols.length} symbols, ${ivAdded} IV rows added, ${rvChanged} RV rows changed, liquidity rebuilt for ${liqRows.length}${failures.length ? `; failed: ${failures.slice(0, 5).join("; ")}` : ""}`;
}

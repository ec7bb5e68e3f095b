import { eq } from "drizzle-orm";
import { createServices } from "../services";
import { db } from "../db/client";
import { jobRuns, watchlistItems } from "../db/schema";

export const HOURLY = "0 * * * *";
export const NIGHTLY = "30 2 * * *";

/**
 * Cron entry. Hourly: refresh the signals of every watched symbol so the first request of the hour is warm.
 * Nightly: the offline feature tables (the signals issue fills this in). Every run is recorded in job_runs.
 */
export async function runScheduled(cron: string, env: Env, at: Date): Promise<void> {
  const d = db(env.DB);
  const job = cron === NIGHTLY ? "nightly-features" : "hourly-signals";
  const [run] = await d.insert(jobRuns).values({ job, cron, startedAt: at.toISOString(), status: "running" }).returning({ id: jobRuns.id });
  try {
    let detail = "";
    if (job === "hourly-signals") {
      const watched = await d.selectDistinct({ symbol: watchlistItems.symbol }).from(watchlistItems).orderBy(watchlistItems.symbol).limit(200);
      const services = createServices(env);
      const results = await Promise.allSettled(watched.map((w) => services.signals(w.symbol)));
      detail = `refreshed ${results.filter((r) => r.status === "fulfilled").length}/${watched.length} watched symbols`;
    } else {
      detail = "no offline feature tables yet";
    }
    await d.update(jobRuns).set({ status: "ok", finishedAt: new Date().toISOString(), detail }).where(eq(jobRuns.id, run.id));
  } catch (e) {
    await d.update(jobRuns).set({ status: "error", finishedAt: new Date().toISOString(), detail: String(e) }).where(eq(jobRuns.id, run.id));
    throw e;
  }
}


/**
 * D1 access of the signals and the feature store (drizzle, bound parameters only). Bulk upserts report how
 * many rows they really inserted or changed: an upsert rewrites a row only when a value differs, so importing
 * the same file twice changes nothing and says so.
 */
import { and, asc, desc, eq, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { BarRow, CongressTradeRow, ImportKind, MacroEventRow, SentimentRow } from "../../schemas";
import type { Db } from "../db/client";
import { atmIvHistory, congressTrades, dailyBars, featureRows, liquidityByUnderlying, macroEvents, realizedVol, sentimentObservations } from "../db/schema";

/** D1 binds at most 100 parameters per statement. */
const MAX_PARAMS = 100;
/** Statements per D1 batch (one round trip, one transaction). */
const BATCH = 50;


/**
 * INSERT ... ON CONFLICT(keys) DO UPDATE SET every other column WHERE some value differs, chunked to D1's
 * parameter limit and sent in batches. Returns the rows inserted or changed. Column names come from the
 * drizzle schema, never from input.
 */
export async function upsert<T extends Record<string, unknown>>(
  d: Db,
  table: SQLiteTable,
  keys: SQLiteColumn[],
  rows: readonly T[],
  mode: "update" | "ignore" = "update",
  /** Statements to run first, in the same transaction as the first rows (e.g. a DELETE for a rebuild). */
  first: unknown[] = [],
): Promise<number> {
  if (rows.length === 0 && first.length === 0) return 0;
  if (rows.length === 0) {
    await d.batch(first as [never]);
    return 0;
  }
  const fields = Object.keys(rows[0]);
  const columns = fields.map((f) => (table as unknown as Record<string, SQLiteColumn>)[f]);
  const keyNames = new Set(keys.map((k) => k.name));
  const set: Record<string, SQL> = {};
  const differs: SQL[] = [];
  fields.forEach((f, i) => {
    const col = columns[i];
    if (keyNames.has(col.name)) return;
    set[f] = sql.raw(`excluded."${col.name}"`);
    differs.push(sql`${col} IS NOT ${sql.raw(`excluded."${col.name}"`)}`);
  });
  const per = Math.max(1, Math.floor(MAX_PARAMS / fields.length));
  const statements: unknown[] = [...first];
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per) as never[];
    const insert = d.insert(table).values(chunk);
    statements.push(
      mode === "ignore" || differs.length === 0
        ? insert.onConflictDoNothing()
        : insert.onConflictDoUpdate({ target: keys, set, setWhere: sql.join(differs, sql` OR `) }),
    );
  }
  let changed = 0;
  for (let i = 0; i < statements.length; i += BATCH) {
    const results = (await d.batch(statements.slice(i, i + BATCH) as unknown as [never])) as unknown as { meta?: { changes?: number } }[];
    results.forEach((r, j) => {
      if (i + j >= first.length) changed += r?.meta?.changes ?? 0;
    });
  }
  return changed;
}

/** Writes validated import rows of a kind; returns the rows inserted or changed. */
export function saveImport(d: Db, kind: ImportKind, rows: readonly unknown[]): Promise<number> {
  switch (kind) {
    case "bars":
      return upsert(d, dailyBars, [dailyBars.symbol, dailyBars.date], rows as BarRow[]);
    case "sentiment":
      return upsert(d, sentimentObservations, [sentimentObservations.symbol, sentimentObservations.source, sentimentObservations.observedAt], rows as SentimentRow[]);
    case "congress":
      return upsert(d, congressTrades, [congressTrades.id], rows as CongressTradeRow[]);
    case "macro":
      return upsert(d, macroEvents, [macroEvents.id], rows as MacroEventRow[]);
  }
}

/** Everything the signals bundle of one symbol reads, in one D1 round trip. */
export async function readSignalInputs(d: Db, symbol: string, now: Date, horizonDays: number) {
  const today = now.toISOString();
  const since = new Date(now.getTime() - 15 * 86_400_000).toISOString();
  const until = new Date(now.getTime() + (horizonDays + 1) * 86_400_000).toISOString();
  const [bars, barsAny, sentiment, sentimentAny, trades, tradesAny, events, eventsAny] = await d.batch([
    d.select().from(dailyBars).where(eq(dailyBars.symbol, symbol)).orderBy(desc(dailyBars.date)).limit(300),
    d.select({ one: sql<number>`1` }).from(dailyBars).limit(1),
    d
      .select()
      .from(sentimentObservations)
      .where(and(eq(sentimentObservations.symbol, symbol), gte(sentimentObservations.observedAt, since), lte(sentimentObservations.observedAt, today))),
    d.select({ one: sql<number>`1` }).from(sentimentObservations).limit(1),
    d.select().from(congressTrades).where(eq(congressTrades.ticker, symbol)).orderBy(desc(congressTrades.transactionDate)).limit(500),
    d.select({ one: sql<number>`1` }).from(congressTrades).limit(1),
    d
      .select()
      .from(macroEvents)
      .where(and(gte(macroEvents.time, today), lte(macroEvents.time, until), eq(macroEvents.importance, "high")))
      .orderBy(asc(macroEvents.time))
      .limit(500),
    d.select({ one: sql<number>`1` }).from(macroEvents).limit(1),
  ]);
  return {
    bars: bars.reverse(),
    barsTableEmpty: barsAny.length === 0,
    sentiment,
    sentimentTableEmpty: sentimentAny.length === 0,
    trades,
    congressTableEmpty: tradesAny.length === 0,
    events,
    macroTableEmpty: eventsAny.length === 0,
  };
}

/** The last `limit` daily bars of a symbol, oldest first. */
export async function readBars(d: Db, symbol: string, limit: number) {
  const rows = await d.select().from(dailyBars).where(eq(dailyBars.symbol, symbol)).orderBy(desc(dailyBars.date)).limit(limit);
  return rows.reverse();
}

/** The last `limit` ATM IVs of a symbol before `date` (exclusive), oldest first. */
export async function readIvHistory(d: Db, symbol: string, beforeDate: string, limit: number) {
  const rows = await d
    .select({ date: atmIvHistory.date, iv: atmIvHistory.iv })
    .from(atmIvHistory)
    .where(and(eq(atmIvHistory.symbol, symbol), sql`${atmIvHistory.date} < ${beforeDate}`))
    .orderBy(desc(atmIvHistory.date))
    .limit(limit);
  return rows.reverse();
}

/** Latest ATM IV row per symbol, for up to 90 symbols at a time. */
function latestIv(d: Db, symbols: string[]) {
  const m = d
    .select({ symbol: atmIvHistory.symbol, date: sql<string>`max(${atmIvHistory.date})`.as("latest_date") })
    .from(atmIvHistory)
    .where(inArray(atmIvHistory.symbol, symbols))
    .groupBy(atmIvHistory.symbol)
    .as("latest");
  return d.select({ row: atmIvHistory }).from(atmIvHistory).innerJoin(m, and(eq(atmIvHistory.symbol, m.symbol), eq(atmIvHistory.date, m.date)));
}

/** Latest realized-vol row per symbol, for up to 90 symbols at a time. */
function latestRv(d: Db, symbols: string[]) {
  const m = d
    .select({ symbol: realizedVol.symbol, date: sql<string>`max(${realizedVol.date})`.as("latest_date") })
    .from(realizedVol)
    .where(inArray(realizedVol.symbol, symbols))
    .groupBy(realizedVol.symbol)
    .as("latest");
  return d.select({ row: realizedVol }).from(realizedVol).innerJoin(m, and(eq(realizedVol.symbol, m.symbol), eq(realizedVol.date, m.date)));
}

/** What the hourly job needs for a set of symbols: the latest IV and RV rows and the liquidity rows. */
export async function readLatestOffline(d: Db, symbols: string[]) {
  const iv = new Map<string, typeof atmIvHistory.$inferSelect>();
  const rv = new Map<string, typeof realizedVol.$inferSelect>();
  const liq = new Map<string, typeof liquidityByUnderlying.$inferSelect>();
  // 90 symbols per IN list keeps every statement under D1's 100 parameters.
  for (let i = 0; i < symbols.length; i += 90) {
    const chunk = symbols.slice(i, i + 90);
    const [ivRows, rvRows, liqRows] = await d.batch([
      latestIv(d, chunk),
      latestRv(d, chunk),
      d.select().from(liquidityByUnderlying).where(inArray(liquidityByUnderlying.symbol, chunk)),
    ]);
    for (const { row } of ivRows) iv.set(row.symbol, row);
    for (const { row } of rvRows) rv.set(row.symbol, row);
    for (const r of liqRows) liq.set(r.symbol, r);
  }
  return { iv, rv, liq };
}

/** The latest stored feature row of a symbol, or undefined. */
export async function readLatestFeatureRow(d: Db, symbol: string) {
  const [row] = await d.select().from(featureRows).where(eq(featureRows.symbol, symbol)).orderBy(desc(featureRows.computedAt)).limit(1);
  return row;
}

export { atmIvHistory, featureRows, liquidityByUnderlying, realizedVol };

/**
 * The signals edge (I/O): reads the D1 rows, builds the bundle with the pure modules, caches it in KV, and
 * runs imports. Built once per request by createServices.
 */
import { ImportResult, SignalsBundle, type Bar, type DataSource, type ImportKind, type Quote } from "../../schemas";
import type { AppConfig } from "../config";
import type { Db } from "../db/client";
import { lastCompletedSession } from "../market/calendar";
import { syntheticDailyBars } from "../market/synthetic";
import { buildSignalsBundle, type DteWindow } from "./bundle";
import { parseImport } from "./importers";
import { readSignalInputs, saveImport } from "./repository";

/** Bumped by every import so cached bundles built from older data are never served again. */
export const SIGNALS_GENERATION_KEY = "signals:generation";

export function createSignalsService(env: Env, config: AppConfig, database: Db, quote: (symbol: string) => Promise<Quote>, windows: readonly DteWindow[]) {
  const horizon = windows.reduce((m, w) => Math.max(m, w.maxDte), 0);

  async function signals(symbol: string): Promise<SignalsBundle> {
    const generation = (await env.CACHE.get(SIGNALS_GENERATION_KEY).catch(() => null)) ?? "0";
    const key = `signals:${generation}:${symbol}`;
    const hit = SignalsBundle.safeParse(await env.CACHE.get(key, "json").catch(() => null));
    if (hit.success) return hit.data;

    const now = new Date();
    const x = await readSignalInputs(database, symbol, now, horizon);
    let bars: Bar[] = x.bars;
    let source: DataSource = x.bars.length && x.bars.every((b) => b.source.startsWith("synthetic")) ? "synthetic" : "database";
    let fallback = false;
    let asOf = now.toISOString();
    if (bars.length < 2) {
      // No bars for this symbol: the synthetic history that ends at the room's previous close, flagged.
      const q = await quote(symbol);
      const lastSession = lastCompletedSession(new Date(q.timestamp));
      bars = syntheticDailyBars(symbol, config.marketSeed, lastSession, q.prevClose, 260);
      source = "synthetic";
      fallback = true;
      asOf = q.timestamp;
    }
    const bundle = buildSignalsBundle({
      symbol,
      asOf,
      bars: { rows: bars, source, fallback },
      sentiment: { rows: x.sentiment, tableEmpty: x.sentimentTableEmpty },
      congress: { rows: x.trades, tableEmpty: x.congressTableEmpty },
      macro: { rows: x.events, tableEmpty: x.macroTableEmpty },
      windows,
    });
    await env.CACHE.put(key, JSON.stringify(bundle), { expirationTtl: config.signalsCacheTtlS }).catch(() => undefined);
    return bundle;
  }

  /** Parses, validates and upserts a file of `kind`; cached bundles are invalidated when anything changed. */
  async function importFile(kind: ImportKind, text: string, opts: { symbol?: string } = {}): Promise<ImportResult> {
    const parsed = parseImport(kind, text, opts);
    const changed = await saveImport(database, kind, parsed.rows);
    if (changed > 0) await env.CACHE.put(SIGNALS_GENERATION_KEY, String(Date.now()));
    return ImportResult.parse({
      kind,
      format: parsed.format,
      received: parsed.received,
      accepted: parsed.rows.length,
      rejected: parsed.rejected.slice(0, 1000),
      rejectedCount: parsed.rejected.length,
      changed,
      unchanged: parsed.rows.length - changed,
    });
  }

  return { signals, importFile };
}

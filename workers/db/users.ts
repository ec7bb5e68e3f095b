import { asc, eq } from "drizzle-orm";
import type { Profile, ProfileUpdate, Watchlist } from "../../schemas";
import { PresetChoice } from "../../schemas";
import type { Db } from "./client";
import { profiles, watchlistItems } from "./schema";

/** What a user who never saved a profile starts with. */
export const DEFAULT_PROFILE = { capital: 10_000, defaultPreset: "balanced" as const, outlook: "auto" as const };
const NEVER = "1970-01-01T00:00:00.000Z";

export async function getProfile(d: Db, userId: string): Promise<Profile> {
  const row = await d.select().from(profiles).where(eq(profiles.userId, userId)).get();
  if (!row) return { userId, ...DEFAULT_PROFILE, updatedAt: NEVER };
  const preset = PresetChoice.safeParse(JSON.parse(row.defaultPreset));
  return { userId, capital: row.capital, defaultPreset: preset.success ? preset.data : DEFAULT_PROFILE.defaultPreset, outlook: row.outlook, updatedAt: row.updatedAt };
}

export async function putProfile(d: Db, userId: string, p: ProfileUpdate, now: string): Promise<Profile> {
  const values = { userId, capital: p.capital, defaultPreset: JSON.stringify(p.defaultPreset), outlook: p.outlook, updatedAt: now };
  await d.insert(profiles).values(values).onConflictDoUpdate({ target: profiles.userId, set: { capital: values.capital, defaultPreset: values.defaultPreset, outlook: values.outlook, updatedAt: now } });
  return { userId, ...p, updatedAt: now };
}

export async function getWatchlist(d: Db, userId: string): Promise<Watchlist> {
  const rows = await d.select().from(watchlistItems).where(eq(watchlistItems.userId, userId)).orderBy(asc(watchlistItems.position));
  const updatedAt = rows.reduce((m, r) => (r.addedAt > m ? r.addedAt : m), NEVER);
  return { userId, symbols: rows.map((r) => r.symbol), updatedAt };
}

/** Replaces the list in one D1 batch (no interactive transactions on D1): delete, then insert in order. */
export async function putWatchlist(d: Db, userId: string, symbols: string[], now: string): Promise<Watchlist> {
  const del = d.delete(watchlistItems).where(eq(watchlistItems.userId, userId));
  const inserts = symbols.map((symbol, position) => d.insert(watchlistItems).values({ userId, symbol, position, addedAt: now }));
  await d.batch([del, ...inserts]);
  return { userId, symbols, updatedAt: now };
}

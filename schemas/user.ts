import { z } from "zod";
import { Ticker, Timestamp } from "./common";
import { Outlook, PresetChoice } from "./recommendation";

export const Profile = z.object({
  userId: z.string(),
  capital: z.number().positive().max(1e9),
  defaultPreset: PresetChoice,
  outlook: Outlook,
  updatedAt: Timestamp,
});
export type Profile = z.infer<typeof Profile>;

export const WATCHLIST_MAX = 50;
export const Watchlist = z.object({
  userId: z.string(),
  symbols: z.array(Ticker).max(WATCHLIST_MAX),
  updatedAt: Timestamp,
});
export type Watchlist = z.infer<typeof Watchlist>;

/** PUT /api/profile. */
export const ProfileUpdate = z
  .object({ capital: z.number().positive("capital must be positive").max(1e9), defaultPreset: PresetChoice, outlook: Outlook })
  .strict();
export type ProfileUpdate = z.infer<typeof ProfileUpdate>;

/** PUT /api/watchlist: the whole ordered list (add, remove and reorder are one idempotent write). */
export const WatchlistUpdate = z
  .object({ symbols: z.array(Ticker).max(WATCHLIST_MAX, `at most ${WATCHLIST_MAX} symbols`) })
  .strict()
  .refine((w) => new Set(w.symbols).size === w.symbols.length, { message: "symbols must not repeat", path: ["symbols"] });
export type WatchlistUpdate = z.infer<typeof WatchlistUpdate>;

/** POST /api/dev/token (local development issuer only). */
export const DevTokenRequest = z
  .object({
    sub: z.string().min(1).max(128).regex(/^[\w.@:|-]+$/, "letters, digits and . @ : | - _"),
    roles: z.array(z.string().regex(/^[a-z][a-z0-9:_-]{0,31}$/)).max(10).default([]),
  })
  .strict();
export const DevToken = z.object({ token: z.string(), tokenType: z.literal("Bearer"), expiresAt: Timestamp });
export type DevToken = z.infer<typeof DevToken>;

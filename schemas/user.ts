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

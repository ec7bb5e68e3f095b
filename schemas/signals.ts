import { z } from "zod";
import { Provenance, Ticker } from "./common";

const Part = Provenance.extend({
  fallback: z.boolean().describe("true when the part is synthetic because its source had no data"),
});

export const Trend = z.enum(["up", "down", "sideways"]);

export const SignalsBundle = z.object({
  symbol: Ticker,
  technical: Part.extend({
    trend: Trend,
    sma20: z.number().nullable(),
    sma50: z.number().nullable(),
    rsi14: z.number().min(0).max(100).nullable().describe("Wilder RSI over 14 sessions"),
    realizedVol20: z.number().nonnegative().nullable().describe("close-to-close, annualised (252), 0.2 = 20%"),
    momentum20: z.number().nullable().describe("20-session return, 0.05 = +5%"),
  }),
  sentiment: Part.extend({
    level: z.number().min(-1).max(1).nullable(),
    change: z.number().nullable(),
    count: z.number().int().nonnegative(),
    sources: z.array(z.string()),
  }),
  congress: Part.extend({
    netActivity90d: z.number().int().describe("purchases minus sales over 90 days"),
    mostRecent: z
      .object({
        filer: z.string(),
        type: z.string(),
        transactionDate: z.string(),
        disclosureDate: z.string().nullable(),
        disclosureLagDays: z.number().int().nullable(),
      })
      .nullable(),
  }),
  macro: Part.extend({
    events: z.array(
      z.object({ time: z.string(), country: z.string(), event: z.string(), importance: z.enum(["low", "medium", "high"]) }),
    ),
  }),
  outlook: z.enum(["bullish", "bearish", "neutral"]).describe("direction the signals lean to"),
});
export type SignalsBundle = z.infer<typeof SignalsBundle>;

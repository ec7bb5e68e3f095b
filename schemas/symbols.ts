import { z } from "zod";

/** GET /api/symbols?q=: what a person may have meant, for the app's autocomplete. */
export const SymbolSearchQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(1, "type at least one character")
      .max(40, "at most 40 characters")
      .regex(/^[A-Za-z0-9 .&'-]+$/, "letters, digits, spaces and . & ' - only"),
    limit: z.coerce.number().int().min(1).max(20).default(8),
  })
  .strict();
export type SymbolSearchQuery = z.infer<typeof SymbolSearchQuery>;

export const SymbolMatch = z.object({
  symbol: z.string(),
  name: z.string(),
  kind: z.enum(["stock", "etf", "index"]),
  exchange: z.string(),
});
export type SymbolMatch = z.infer<typeof SymbolMatch>;

export const SymbolSearchResult = z.object({ query: z.string(), matches: z.array(SymbolMatch) });
export type SymbolSearchResult = z.infer<typeof SymbolSearchResult>;

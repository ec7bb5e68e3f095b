import { z } from "zod";

/** A US equity/ETF ticker as listed: 1-5 letters, optional share-class suffix (BRK.B). Upper case. */
export const Ticker = z
  .string()
  .regex(/^[A-Z]{1,5}(\.[A-Z]{1,2})?$/, "expected a US ticker like SPY or BRK.B")
  .describe("US equity or ETF ticker, upper case");
export type Ticker = z.infer<typeof Ticker>;

/** ISO-8601 timestamp in UTC with milliseconds (Date#toISOString). */
export const Timestamp = z.iso.datetime().describe("ISO-8601 UTC timestamp");

/** ISO calendar date (YYYY-MM-DD). */
export const IsoDate = z.iso.date().describe("calendar date YYYY-MM-DD");

/** Where a number came from: the live feed, the synthetic market, or our own computation. */
export const DataSource = z.enum(["polygon", "synthetic", "computed", "database", "template", "llm"]);
export type DataSource = z.infer<typeof DataSource>;

/** Every number shown to a user carries this: where it came from, as of when, produced by what. */
export const Provenance = z.object({
  source: DataSource,
  asOf: Timestamp,
  version: z.string().describe("model or module version that produced the value"),
});
export type Provenance = z.infer<typeof Provenance>;

/** The one error body every client error uses. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe("stable machine-readable code, e.g. validation_failed"),
    message: z.string(),
    details: z
      .array(
        z.object({
          field: z.string().describe("dotted path of the offending field, e.g. body.capital or query.minDelta"),
          message: z.string(),
        }),
      )
      .optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

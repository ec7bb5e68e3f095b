/**
 * Polygon (Massive) WebSocket frames as they arrive (see shared/polygon-protocol.md §1), and the normalised feed
 * batches MarketFeed pushes to SymbolRooms. Vendor keys are kept verbatim; timestamps are Unix milliseconds.
 */
import { z } from "zod";

const int = z.number().int();
const num = z.number().finite();

export const PolygonStatus = z.looseObject({ ev: z.literal("status"), status: z.string(), message: z.string().optional() });
export type PolygonStatus = z.infer<typeof PolygonStatus>;

/** Trade (stocks and options share the keys they both have; stock-only keys are optional). */
export const PolygonTrade = z.looseObject({
  ev: z.literal("T"),
  sym: z.string().min(1),
  x: z.union([int, z.string()]).optional(),
  i: z.string().optional(),
  z: int.optional(),
  p: num.nonnegative(),
  s: num.nonnegative(),
  c: z.array(int).optional(),
  t: int.positive(),
  q: int.optional(),
  trfi: int.optional(),
  trft: int.optional(),
});
export type PolygonTrade = z.infer<typeof PolygonTrade>;

/** NBBO quote. Stock sizes are shares (since 2025-11-03); option sizes are contracts. */
export const PolygonQuote = z.looseObject({
  ev: z.literal("Q"),
  sym: z.string().min(1),
  bx: int.optional(),
  ax: int.optional(),
  bp: num.nonnegative(),
  ap: num.nonnegative(),
  bs: num.nonnegative(),
  as: num.nonnegative(),
  c: int.optional(),
  i: z.array(int).optional(),
  t: int.positive(),
  q: int.optional(),
  z: int.optional(),
});
export type PolygonQuote = z.infer<typeof PolygonQuote>;

/** Per-second (A) or per-minute (AM) aggregate; `s`/`e` are the window bounds in ms. */
export const PolygonAggregate = z.looseObject({
  ev: z.enum(["A", "AM"]),
  sym: z.string().min(1),
  v: num.nonnegative(),
  av: num.nonnegative().optional(),
  op: num.optional(),
  vw: num.optional(),
  o: num.positive(),
  h: num.positive(),
  l: num.positive(),
  c: num.positive(),
  a: num.optional(),
  z: num.optional(),
  s: int.positive(),
  e: int.positive(),
  otc: z.boolean().optional(),
});
export type PolygonAggregate = z.infer<typeof PolygonAggregate>;

export const PolygonEvent = z.discriminatedUnion("ev", [PolygonTrade, PolygonQuote, PolygonAggregate]);
export type PolygonEvent = z.infer<typeof PolygonEvent>;

/** What the client sends: `params` is always one comma-separated string. */
export const PolygonAction = z.object({ action: z.enum(["auth", "subscribe", "unsubscribe"]), params: z.string() });
export type PolygonAction = z.infer<typeof PolygonAction>;

// ----------------------------------------------------------------------------------------------------------------
// Normalised feed, MarketFeed -> SymbolRoom over RPC.

export const FeedQuote = z.object({ sym: z.string(), bid: num, ask: num, bidSize: num, askSize: num, t: int });
export type FeedQuote = z.infer<typeof FeedQuote>;
export const FeedTrade = z.object({ sym: z.string(), price: num, size: num, t: int });
export type FeedTrade = z.infer<typeof FeedTrade>;
export const FeedBar = z.object({ sym: z.string(), o: num, h: num, l: num, c: num, v: num, av: num.optional(), s: int, e: int, minute: z.boolean() });
export type FeedBar = z.infer<typeof FeedBar>;

export const FeedBatch = z.object({
  /** The room's symbol (the underlying), not the option root. */
  underlying: z.string(),
  cluster: z.enum(["stocks", "options"]),
  quotes: z.array(FeedQuote),
  trades: z.array(FeedTrade),
  bars: z.array(FeedBar),
  /** When MarketFeed sent the batch (ms), for tick-to-browser latency. */
  sentAt: int,
});
export type FeedBatch = z.infer<typeof FeedBatch>;

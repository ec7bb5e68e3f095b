import { z } from "zod";
import { Timestamp } from "./common";

/** One raw upstream frame on the MARKET_EVENTS queue, archived verbatim to R2 by the consumer. */
export const MarketEventMessage = z.object({
  cluster: z.enum(["stocks", "options", "synthetic"]),
  receivedAt: Timestamp,
  frame: z.string().max(256 * 1024).describe("the WebSocket text frame exactly as received"),
});
export type MarketEventMessage = z.infer<typeof MarketEventMessage>;

import { z } from "zod";
import { ErrorBody, Timestamp } from "./common";
import { OptionChain, OptionContract, Quote } from "./market";

/** Messages SymbolRoom sends to a browser on /ws/symbols/:symbol. */
export const ServerMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("snapshot"), quote: Quote, chain: OptionChain }),
  z.object({ type: z.literal("quote"), quote: Quote }),
  z.object({ type: z.literal("chain"), contracts: z.array(OptionContract), asOf: Timestamp }),
  z.object({
    type: z.literal("status"),
    source: z.enum(["polygon", "synthetic"]),
    stale: z.boolean(),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal("pong"), at: Timestamp.optional().describe("absent when the runtime auto-responds while the room hibernates") }),
  z.object({ type: z.literal("error"), error: ErrorBody.shape.error }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** Messages a browser may send. */
export const ClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping") }),
  z.object({
    type: z.literal("filter"),
    minDte: z.number().int().min(0).optional(),
    maxDte: z.number().int().min(0).optional(),
  }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

import { z } from "zod";
import { ErrorBody, Provenance, Ticker, Timestamp } from "./common";
import { OptionContract, OptionType, Quote } from "./market";
import { SignalsBundle } from "./signals";

export const PresetName = z.enum(["conservative", "balanced", "aggressive"]);
export type PresetName = z.infer<typeof PresetName>;

/** A custom preset: the absolute delta to aim for and the window of days to expiry. */
export const CustomPreset = z
  .object({
    targetDelta: z.number().gt(0).lt(1).describe("absolute delta, 0.30 = a 30-delta option"),
    minDte: z.number().int().min(0).max(1100),
    maxDte: z.number().int().min(1).max(1100),
  })
  .strict()
  .refine((p) => p.minDte <= p.maxDte, { message: "minDte must not exceed maxDte", path: ["minDte"] });
export type CustomPreset = z.infer<typeof CustomPreset>;

export const PresetChoice = z.union([PresetName, CustomPreset]);
export type PresetChoice = z.infer<typeof PresetChoice>;

export const Outlook = z.enum(["auto", "bullish", "bearish"]);
export type Outlook = z.infer<typeof Outlook>;

export const RecommendationRequest = z
  .object({
    symbol: Ticker,
    preset: PresetChoice,
    capital: z
      .number()
      .positive("capital must be positive")
      .max(1e9, "capital above $1,000,000,000 is not accepted")
      .describe("account capital in US dollars"),
    outlook: Outlook.default("auto"),
  })
  .strict();
export type RecommendationRequest = z.infer<typeof RecommendationRequest>;

/** The preset after resolution: what the engine actually used. */
export const ResolvedPreset = z.object({
  name: z.union([PresetName, z.literal("custom")]),
  targetDelta: z.number(),
  deltaBand: z.number().describe("accepted |delta - target|"),
  minDte: z.number().int(),
  maxDte: z.number().int(),
  maxRiskFraction: z.number().describe("largest share of capital put at risk, 0.05 = 5%"),
});
export type ResolvedPreset = z.infer<typeof ResolvedPreset>;

const LayerMeta = Provenance.extend({ ms: z.number().nonnegative().describe("time spent producing the layer") });

export const ScoreComponent = z.object({
  name: z.string(),
  weight: z.number(),
  value: z.number().min(0).max(1),
  contribution: z.number(),
  explanation: z.string(),
});
export type ScoreComponent = z.infer<typeof ScoreComponent>;

export const Candidate = z.object({
  ticker: z.string(),
  type: OptionType,
  strike: z.number(),
  expiration: z.string(),
  dte: z.number().int(),
  delta: z.number(),
  iv: z.number(),
  bid: z.number(),
  ask: z.number(),
  spreadPct: z.number().describe("(ask - bid) / mid, 0.05 = 5%"),
  openInterest: z.number().int(),
  volume: z.number().int(),
  score: z.number(),
});
export type Candidate = z.infer<typeof Candidate>;

export const Sizing = z.object({
  contracts: z.number().int().nonnegative(),
  pricePerContract: z.number().describe("ask x multiplier: the realistic fill for a buyer"),
  premium: z.number().describe("total debit in dollars"),
  maxLoss: z.number().describe("dollars; a long option loses at most its premium"),
  maxRiskFraction: z.number(),
  capitalAtRiskPct: z.number().describe("premium / capital, percent"),
  breakeven: z.number().describe("underlying price at expiry where the position breaks even"),
  probabilityOfProfit: z.number().min(0).max(1).describe("risk-neutral P(underlying beyond breakeven at expiry)"),
  expectedMove: z.number().describe("one-sigma move of the underlying to expiry, dollars, from IV"),
  note: z.string().nullable(),
});
export type Sizing = z.infer<typeof Sizing>;

export const Layer = z.discriminatedUnion("kind", [
  LayerMeta.extend({ kind: z.literal("market"), quote: Quote, expirations: z.number().int(), contracts: z.number().int() }),
  LayerMeta.extend({
    kind: z.literal("analytics"),
    atmIv: z.number().nullable(),
    expectedMove: z.number().nullable().describe("one-sigma dollars to the nearest expiry in the preset window"),
    contractsWithIv: z.number().int(),
    contractsWithoutIv: z.number().int(),
  }),
  LayerMeta.extend({ kind: z.literal("signals"), signals: SignalsBundle }),
  LayerMeta.extend({
    kind: z.literal("candidates"),
    direction: OptionType,
    considered: z.number().int(),
    passed: z.number().int(),
    rejected: z.record(z.string(), z.number().int()).describe("reason -> count"),
    top: z.array(Candidate).max(10),
  }),
  LayerMeta.extend({
    kind: z.literal("score"),
    method: z.string(),
    total: z.number(),
    components: z.array(ScoreComponent),
  }),
  LayerMeta.extend({ kind: z.literal("sizing"), sizing: Sizing }),
  LayerMeta.extend({
    kind: z.literal("rationale"),
    summary: z.string(),
    points: z.array(z.string()),
    risks: z.array(z.string()),
    disclaimer: z.string(),
  }),
]);
export type Layer = z.infer<typeof Layer>;
export type LayerKind = Layer["kind"];

export const Recommendation = z.object({
  id: z.string(),
  createdAt: Timestamp,
  request: RecommendationRequest,
  preset: ResolvedPreset,
  direction: OptionType,
  contract: OptionContract.nullable().describe("the pick; null when no contract passed the filters"),
  sizing: Sizing.nullable(),
  alternatives: z.array(Candidate),
  noPickReason: z.string().nullable(),
  degraded: z.array(z.string()).describe("dependencies that failed and were replaced by fallbacks"),
  layers: z.array(Layer),
  disclaimer: z.string(),
});
export type Recommendation = z.infer<typeof Recommendation>;

/** One event of the streamed answer (SSE `event:` = type, or one NDJSON line). */
export const RecommendationEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("layer"), layer: Layer }),
  z.object({ type: z.literal("done"), recommendation: Recommendation }),
  z.object({ type: z.literal("error"), error: ErrorBody.shape.error }),
]);
export type RecommendationEvent = z.infer<typeof RecommendationEvent>;


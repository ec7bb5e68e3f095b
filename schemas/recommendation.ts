import { z } from "zod";
import { ErrorBody, Provenance, Ticker, Timestamp } from "./common";
import { OptionContract, OptionType, Quote } from "./market";
import { OnlineFeatures, SignalsBundle } from "./signals";

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
    kellyFraction: z
      .number()
      .gt(0, "kellyFraction must be positive")
      .max(1, "kellyFraction above 1 (full Kelly) is not accepted")
      .optional()
      .describe("opt-in: cap the size at this fraction of the Kelly bet (0.25 = quarter Kelly); the risk budget still applies"),
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

const LayerMeta = Provenance.extend({
  ms: z.number().nonnegative().describe("time spent producing the layer"),
  flags: z
    .array(z.string())
    .default([])
    .describe("visible degradations of this layer: a dependency that failed, timed out or fell back (empty when none)"),
});

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
  score: z.number().describe("the ranking score: hybrid of rule and ML when a model is active, else the rule score"),
  ruleScore: z.number().optional(),
  mlScore: z.number().nullable().optional().describe("model probability that buying at the ask pays off at expiry"),
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
  note: z.string().nullable().describe("why the size is what it is when a cap bound it or it is zero"),
  budgetContracts: z.number().int().nonnegative().optional().describe("contracts the risk budget alone buys"),
  liquidityCap: z.number().int().nonnegative().optional().describe("at most this many contracts: the displayed ask size, or 10% of open interest if larger"),
  kelly: z
    .object({
      fraction: z.number().describe("the requested fraction of Kelly"),
      winProbability: z.number().min(0).max(1).describe("probability of a profit at expiry used for the edge"),
      probabilitySource: z.enum(["model", "risk-neutral"]),
      payoffRatio: z.number().nonnegative().describe("expected gain when profitable / premium"),
      fullKelly: z.number().describe("Kelly share of capital, <= 0 = no edge"),
      capContracts: z.number().int().nonnegative(),
      binding: z.boolean().describe("true when the Kelly cap, not the risk budget, set the size"),
    })
    .nullable()
    .optional(),
  warnings: z.array(z.string()).optional().describe("e.g. no bid: the position may not be sellable before expiry"),
});
export type Sizing = z.infer<typeof Sizing>;

// ------------------------------------------------------------------------------------------------------------
// AI orchestrator: the context bundle an LLM sees, and the rationale it must answer with.

export const RationaleLayerKind = z.enum(["market", "analytics", "signals", "candidates", "score", "sizing"]);

/** One number or word from the layers, with an id the rationale cites (e.g. `fact:sizing.breakeven`). */
export const ContextFact = z.object({
  id: z.string().regex(/^fact:[a-z0-9_.]+$/),
  layer: RationaleLayerKind,
  label: z.string(),
  value: z.union([z.number(), z.string()]),
});
export type ContextFact = z.infer<typeof ContextFact>;

export const ContextPassage = z.object({
  id: z.string().regex(/^kb:[a-z0-9-]+$/),
  kind: z.enum(["strategy", "risk", "glossary"]),
  title: z.string(),
  body: z.string(),
});
export type ContextPassage = z.infer<typeof ContextPassage>;

/** Everything the rationale may say: facts from the layers and retrieved passages. Nothing else is allowed. */
export const ContextBundle = z.object({
  symbol: z.string(),
  facts: z.array(ContextFact),
  passages: z.array(ContextPassage),
  tickers: z.array(z.string()).describe("tickers the text may name"),
  dates: z.array(z.string()).describe("dates the text may name"),
  disclaimer: z.string(),
});
export type ContextBundle = z.infer<typeof ContextBundle>;

export const RationaleSection = z.object({
  layer: RationaleLayerKind,
  text: z.string().min(1).max(1200),
  citations: z.array(z.string().regex(/^(fact|kb):[a-z0-9_.-]+$/)).min(1).describe("ids of facts or passages of the bundle"),
});
export type RationaleSection = z.infer<typeof RationaleSection>;

/** What a rationale provider (template or LLM) must return; the guard rails validate it before anyone sees it. */
export const RationaleDoc = z
  .object({
    summary: z.string().min(1).max(600),
    sections: z.array(RationaleSection).min(1).max(8),
    risks: z.array(z.string().min(1).max(600)).min(1).max(8),
    disclaimer: z.string(),
  })
  .strict();
export type RationaleDoc = z.infer<typeof RationaleDoc>;

export const Layer = z.discriminatedUnion("kind", [
  LayerMeta.extend({ kind: z.literal("market"), quote: Quote, expirations: z.number().int(), contracts: z.number().int() }),
  LayerMeta.extend({
    kind: z.literal("analytics"),
    atmIv: z.number().nullable(),
    expectedMove: z.number().nullable().describe("one-sigma dollars to the nearest expiry in the preset window"),
    contractsWithIv: z.number().int(),
    contractsWithoutIv: z.number().int(),
  }),
  LayerMeta.extend({
    kind: z.literal("signals"),
    signals: SignalsBundle,
    features: OnlineFeatures.nullable().optional().describe("the symbol's online features (KV), null when none were available"),
  }),
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
    total: z.number().describe("the pick's score: weights.rule x rule + weights.ml x ml (rule alone without a model)"),
    components: z.array(ScoreComponent).describe("the rule score's named components; they add up to ruleScore"),
    ruleScore: z.number().optional(),
    mlScore: z.number().nullable().optional(),
    weights: z.object({ rule: z.number(), ml: z.number() }).optional(),
    model: z.object({ name: z.string(), version: z.string() }).nullable().optional(),
    contributions: z
      .object({
        bias: z.number().describe("the model's expected raw score (log-odds)"),
        raw: z.number().describe("the pick's raw score (log-odds): bias + the sum of the contributions"),
        features: z.array(z.object({ feature: z.string(), value: z.number().nullable(), contribution: z.number() })),
      })
      .nullable()
      .optional()
      .describe("TreeSHAP: what each feature added to the model's log-odds for the pick"),
  }),
  LayerMeta.extend({ kind: z.literal("sizing"), sizing: Sizing }),
  LayerMeta.extend({
    kind: z.literal("rationale"),
    summary: z.string(),
    points: z.array(z.string()),
    risks: z.array(z.string()),
    disclaimer: z.string(),
    sections: z.array(RationaleSection).optional(),
    provider: z.string().optional().describe("who wrote the text: template, openai:<model>, workers-ai:<model>"),
    fallback: z.boolean().optional().describe("true when an LLM was asked but its text was rejected or failed, so the template wrote it"),
    rejected: z.array(z.string()).optional().describe("guard-rail violations of the rejected LLM text"),
    passages: z.array(z.object({ id: z.string(), title: z.string() })).optional().describe("knowledge-base passages in the context bundle"),
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
  model: z.object({ name: z.string(), version: z.string() }).nullable().optional().describe("the scoring model that ranked the candidates"),
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

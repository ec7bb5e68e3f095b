import type {
  ChainFilter,
  ContextPassage,
  Layer,
  MarketSnapshot,
  MarketSummary,
  OnlineFeatures,
  OptionType,
  Recommendation,
  RecommendationRequest,
  SignalsBundle,
} from "../../schemas";
import { expectedMoveFromIv } from "../analytics";
import { expiryCloseUtc, yearsBetween } from "../market/calendar";
import { ApiError } from "../gateway/errors";
import { buildContextBundle } from "../orchestrator/context";
import { DISCLAIMER } from "../orchestrator/guardrails";
import { retrievalQuery } from "../orchestrator/knowledge";
import { templateProvider, type RationaleProvider } from "../orchestrator/providers";
import { RATIONALE_VERSION, writeRationale } from "../orchestrator/rationale";
import { SIGNALS_VERSION } from "../signals/bundle";
import { marketContext, MODEL_FEATURES_VERSION } from "./model-features";
import { resolvePreset } from "./presets";
import { RULES_VERSION, screen } from "./rules";
import { explainPick, hybridRank, RULE_ONLY, type ActiveScorer } from "./scoring";
import { SIZING_VERSION, sizePosition } from "./sizing";
import { voteLabel } from "../signals/outlook-rule";

export const ANALYTICS_VERSION = "bsm/1";

/** What the pipeline needs from the outside world; services and tests pass their own. */
export type PipelineDeps = {
  snapshot(symbol: string, filter: ChainFilter): Promise<MarketSnapshot>;
  /** Quote and window size without the contracts: lets the market layer go out before the chain arrives. */
  summary?(symbol: string, filter: ChainFilter): Promise<MarketSummary>;
  signals(symbol: string): Promise<SignalsBundle>;
  /** Online features (KV); null when the symbol has none yet. */
  features?(symbol: string): Promise<OnlineFeatures | null>;
  /** The active scoring model; null when none is registered. */
  model?(): Promise<ActiveScorer | null>;
  /** Knowledge-base passages for an FTS5 query. */
  knowledge?(query: string): Promise<ContextPassage[]>;
  rationale?: { provider: RationaleProvider; flags?: string[] };
  now(): Date;
  newId(): string;
  timeouts?: Partial<Record<"snapshotMs" | "signalsMs" | "featuresMs" | "modelMs" | "knowledgeMs" | "llmMs", number>>;
};

export type EmitLayer = (layer: Layer) => void | Promise<void>;

export const DEFAULT_TIMEOUTS = { snapshotMs: 5000, signalsMs: 2000, featuresMs: 500, modelMs: 1500, knowledgeMs: 500, llmMs: 8000 } as const;

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Neutral signals used when the signals service fails: visible as `degraded` and `fallback`. */
function neutralSignals(symbol: string, asOf: string): SignalsBundle {
  const part = { source: "synthetic" as const, asOf, version: SIGNALS_VERSION, fallback: true };
  return {
    symbol,
    technical: { ...part, trend: "sideways", sma20: null, sma50: null, rsi14: null, realizedVol20: null, momentum20: null },
    sentiment: { ...part, level: null, change: null, count: 0, sources: [] },
    congress: { ...part, netActivity90d: 0, mostRecent: null },
    macro: { ...part, events: [] },
    outlook: "neutral",
  } as SignalsBundle;
}

/** Calls or puts, and the reason in words for the rationale. */
function chooseDirection(req: RecommendationRequest, signals: SignalsBundle): { direction: OptionType; reason: string } {
  if (req.outlook === "bullish") return { direction: "call", reason: "you asked for a bullish position" };
  if (req.outlook === "bearish") return { direction: "put", reason: "you asked for a bearish position" };
  const t = signals.technical;
  // The votes behind the outlook when the bundle has them (bundles cached before them carry the trend only).
  const detail = signals.outlookVotes?.length
    ? signals.outlookVotes.map((v) => `${voteLabel(v)}: ${v.reason}`).join("; ")
    : `trend ${t.trend}${t.rsi14 !== null ? `, RSI ${t.rsi14.toFixed(0)}` : ""}`;
  if (signals.outlook === "bullish") return { direction: "call", reason: `the signals lean bullish (${detail})` };
  if (signals.outlook === "bearish") return { direction: "put", reason: `the signals lean bearish (${detail})` };
  // No directional edge: lean with the last month's momentum, calls when there is none either.
  const m = t.momentum20 ?? 0;
  return {
    direction: m >= 0 ? "call" : "put",
    reason: `the signals are neutral (${detail}), so the 20-session momentum of ${(m * 100).toFixed(1)}% decides`,
  };
}

/** Settles an optional dependency: its value, or null plus a degradation note when it failed or timed out. */
async function optional<T>(p: Promise<T> | undefined, ms: number, what: string): Promise<{ value: T | null; error: string | null }> {
  if (!p) return { value: null, error: null };
  try {
    return { value: await withTimeout(p, ms, what), error: null };
  } catch (e) {
    return { value: null, error: e instanceof TimeoutError ? (e as Error).message : `${what} failed: ${(e as Error).message}` };
  }
}

/**
 * From a validated request to one recommendation. The market snapshot, signals, online features and the active
 * model are fetched in parallel, each with its own timeout; each layer is emitted as soon as it is computed (the
 * market layer does not wait for the signals). A missing snapshot fails the request (503: nothing to recommend
 * from); every other dependency degrades it instead, flagged in its layer and listed in `degraded`.
 */
export async function runRecommendation(req: RecommendationRequest, deps: PipelineDeps, emit: EmitLayer): Promise<Recommendation> {
  const started = deps.now();
  const t = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const preset = resolvePreset(req.preset);
  const degraded: string[] = [];
  const layers: Layer[] = [];
  const push = async (layer: Layer) => {
    layers.push(layer);
    await emit(layer);
  };
  const clock = () => deps.now().getTime();
  const t0 = started.getTime();

  const window = { minDte: preset.minDte, maxDte: preset.maxDte };
  // The first layer needs only the quote and the window's size: a small answer, asked first, not the chain's copy.
  const summaryP = deps.summary ? withTimeout(deps.summary(req.symbol, window), t.snapshotMs, "market summary").catch(() => null) : Promise.resolve(null);
  const snapshotP = withTimeout(deps.snapshot(req.symbol, window), t.snapshotMs, "market snapshot");
  const signalsP = optional(deps.signals(req.symbol), t.signalsMs, "signals");
  const featuresP = optional(deps.features?.(req.symbol), t.featuresMs, "online features");
  const modelP = optional(deps.model?.(), t.modelMs, "model registry");
  // Rejections are observed by the awaits below; this keeps an early snapshot failure from leaving them unhandled.
  snapshotP.catch(() => undefined);

  const marketLayer = (m: MarketSummary): Layer => ({
    kind: "market",
    source: m.quote.source,
    asOf: m.quote.timestamp,
    version: m.chainSource === "synthetic" ? "synthetic-market/1" : "polygon/1",
    ms: clock() - t0,
    flags: [...(m.quote.stale ? ["quote is stale"] : []), ...(m.chainStale ? ["chain is stale"] : []), ...(m.quote.source === "synthetic" ? ["synthetic market data"] : [])],
    quote: m.quote,
    expirations: m.expirations,
    contracts: m.contracts,
  });
  const summary = await summaryP;
  if (summary) await push(marketLayer(summary));

  let snap: MarketSnapshot;
  try {
    snap = await snapshotP;
  } catch (e) {
    throw new ApiError(503, "upstream_unavailable", `market data unavailable: ${(e as Error).message}`);
  }
  const { quote, chain } = snap;
  if (!summary) {
    await push(marketLayer({ quote, expirations: chain.expirations.length, contracts: chain.contracts.length, chainSource: chain.source, chainStale: chain.stale }));
  }

  // Analytics: ATM IV and expected move at the first expiry of the window, from the chain's own IVs.
  const t1 = clock();
  let withIv = 0;
  let firstExpiry: string | null = null;
  for (const c of chain.contracts) {
    if (c.iv !== null) withIv++;
    if (firstExpiry === null || c.expiration < firstExpiry) firstExpiry = c.expiration;
  }
  let atmIv: number | null = null;
  let expectedMove: number | null = null;
  if (firstExpiry) {
    let best = Number.POSITIVE_INFINITY;
    let sum = 0;
    let n = 0;
    for (const c of chain.contracts) {
      if (c.expiration !== firstExpiry || c.iv === null) continue;
      const d = Math.abs(c.strike - chain.underlyingPrice);
      if (d < best - 1e-12) {
        best = d;
        sum = c.iv;
        n = 1;
      } else if (Math.abs(d - best) <= 1e-12) {
        sum += c.iv;
        n++;
      }
    }
    if (n) {
      atmIv = sum / n;
      expectedMove = expectedMoveFromIv(chain.underlyingPrice, atmIv, yearsBetween(deps.now(), expiryCloseUtc(firstExpiry)));
    }
  }
  await push({
    kind: "analytics",
    source: "computed",
    asOf: chain.asOf,
    version: ANALYTICS_VERSION,
    ms: clock() - t1,
    flags: atmIv === null ? ["no at-the-money implied volatility in the window"] : [],
    atmIv,
    expectedMove,
    contractsWithIv: withIv,
    contractsWithoutIv: chain.contracts.length - withIv,
  });

  const [sig, feat] = await Promise.all([signalsP, featuresP]);
  const signalFlags: string[] = [];
  if (sig.error) {
    degraded.push(sig.error);
    signalFlags.push(`${sig.error}: neutral signals used`);
  }
  if (feat.error) {
    degraded.push(feat.error);
    signalFlags.push(feat.error);
  } else if (deps.features && !feat.value) signalFlags.push(`no online features for ${req.symbol} yet`);
  const signals = sig.value ?? neutralSignals(req.symbol, deps.now().toISOString());
  await push({ kind: "signals", source: signals.technical.source, asOf: signals.technical.asOf, version: SIGNALS_VERSION, ms: clock() - t0, flags: signalFlags, signals, features: feat.value });

  const t2 = clock();
  const { direction, reason: directionReason } = chooseDirection(req, signals);
  const screened = screen(chain.contracts, direction, preset, signals.technical.realizedVol20, Date.parse(chain.asOf));
  const mdl = await modelP;
  const scoreFlags: string[] = [];
  if (mdl.error) {
    degraded.push(mdl.error);
    scoreFlags.push(`${mdl.error}: rule score only`);
  } else if (deps.model && !mdl.value) scoreFlags.push("no active model in the registry: rule score only");
  const scorer = mdl.value;
  const ranked = hybridRank(screened.passed, scorer, marketContext(chain.underlyingPrice, signals), deps.now());
  const top = ranked.slice(0, 10).map((p) => p.candidate);
  await push({
    kind: "candidates",
    source: "computed",
    asOf: chain.asOf,
    version: RULES_VERSION,
    ms: clock() - t2,
    flags: [],
    direction,
    considered: screened.considered,
    passed: screened.passed.length,
    rejected: screened.rejected,
    top,
  });

  const best = ranked[0];
  const asOf = deps.now().toISOString();
  let sizing: Recommendation["sizing"] = null;
  let noPickReason: string | null = null;
  const weights = scorer?.weights ?? RULE_ONLY;
  // Retrieval starts as soon as the pick is known, in parallel with sizing.
  const passagesP = best && deps.knowledge ? optional(deps.knowledge(retrievalQuery({ type: direction, kelly: req.kellyFraction !== undefined, noBid: best.contract.bid <= 0, degraded: degraded.length > 0 })), t.knowledgeMs, "knowledge base") : undefined;
  passagesP?.catch(() => undefined);
  if (best) {
    const t3 = clock();
    const explained = scorer && best.row ? explainPick(scorer, best.row) : null;
    await push({
      kind: "score",
      source: "computed",
      asOf,
      version: scorer ? `${RULES_VERSION}+${scorer.name}/${scorer.version}` : RULES_VERSION,
      ms: clock() - t3,
      flags: scoreFlags,
      method: scorer
        ? `hybrid: ${weights.rule} x rule score (named components below) + ${weights.ml} x GBDT probability of profit at expiry (${scorer.name} ${scorer.version}, ${MODEL_FEATURES_VERSION})`
        : "rule score: weighted components in [0, 1]",
      total: best.candidate.score,
      components: best.components,
      ruleScore: best.candidate.ruleScore,
      mlScore: best.candidate.mlScore ?? null,
      weights: { ...weights },
      model: scorer ? { name: scorer.name, version: scorer.version } : null,
      contributions: explained,
    });

    const t4 = clock();
    const years = yearsBetween(deps.now(), expiryCloseUtc(best.contract.expiration));
    sizing = sizePosition({
      contract: best.contract,
      capital: req.capital,
      maxRiskFraction: preset.maxRiskFraction,
      spot: chain.underlyingPrice,
      rate: chain.rate,
      dividendYield: chain.dividendYield,
      years,
      kellyFraction: req.kellyFraction,
      modelProbability: best.candidate.mlScore ?? null,
    });
    await push({ kind: "sizing", source: "computed", asOf, version: SIZING_VERSION, ms: clock() - t4, flags: [], sizing });

    const t5 = clock();
    const passages = passagesP ? await passagesP : { value: null, error: null };
    const rationaleFlags = [...(deps.rationale?.flags ?? [])];
    if (passages.error) {
      degraded.push(passages.error);
      rationaleFlags.push(`${passages.error}: no passages cited`);
    }
    const bundle = buildContextBundle({
      symbol: req.symbol,
      capital: req.capital,
      spot: chain.underlyingPrice,
      marketSource: quote.source,
      marketAsOf: quote.timestamp,
      atmIv,
      expectedMove,
      signals,
      direction,
      directionReason,
      considered: screened.considered,
      passed: screened.passed.length,
      preset,
      contract: best.contract,
      score: {
        total: best.candidate.score,
        rule: best.candidate.ruleScore ?? best.candidate.score,
        ml: best.candidate.mlScore ?? null,
        weights,
        model: scorer ? `${scorer.name} ${scorer.version}` : null,
        components: best.components,
        topContributions: explained?.features.slice(0, 1) ?? [],
      },
      sizing,
      alternatives: top.slice(1, 6),
      degraded,
      passages: passages.value ?? [],
    });
    const written = await writeRationale(bundle, deps.rationale?.provider ?? templateProvider, t.llmMs);
    await push({
      kind: "rationale",
      source: written.source,
      asOf: deps.now().toISOString(),
      version: written.source === "llm" ? `${RATIONALE_VERSION}+${written.provider}` : RATIONALE_VERSION,
      ms: clock() - t5,
      flags: [...rationaleFlags, ...written.flags],
      summary: written.doc.summary,
      points: written.doc.sections.map((s) => s.text),
      risks: written.doc.risks,
      disclaimer: written.doc.disclaimer,
      sections: written.doc.sections,
      provider: written.provider,
      fallback: written.fallback,
      rejected: written.rejected,
      passages: bundle.passages.map((p) => ({ id: p.id, title: p.title })),
    });
  } else {
    const reasons = Object.entries(screened.rejected)
      .sort((a, b) => b[1] - a[1])
      .map(([r, n]) => `${r.replaceAll("_", " ")}: ${n}`)
      .join(", ");
    noPickReason = `No ${direction} of ${req.symbol} passed the ${preset.name} filters (${reasons || "no contracts in the window"}).`;
    await push({
      kind: "rationale",
      source: "template",
      asOf,
      version: RATIONALE_VERSION,
      ms: 0,
      flags: [],
      summary: noPickReason,
      points: [`Try a wider DTE window or another preset; the chain had ${chain.contracts.length} contracts in ${preset.minDte}-${preset.maxDte} days.`],
      risks: [],
      disclaimer: DISCLAIMER,
      provider: "template",
      fallback: false,
      rejected: [],
    });
  }

  return {
    id: deps.newId(),
    createdAt: started.toISOString(),
    request: req,
    preset,
    direction,
    contract: best?.contract ?? null,
    sizing,
    alternatives: top.slice(1, 6),
    noPickReason,
    degraded,
    model: scorer ? { name: scorer.name, version: scorer.version } : null,
    layers,
    disclaimer: DISCLAIMER,
  };
}

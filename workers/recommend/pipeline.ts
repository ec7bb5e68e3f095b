import type {
  ChainFilter,
  Layer,
  MarketSnapshot,
  OptionType,
  Recommendation,
  RecommendationRequest,
  SignalsBundle,
} from "../../schemas";
import { expiryCloseUtc, yearsBetween } from "../market/calendar";
import { RATIONALE_VERSION, templateRationale } from "../orchestrator/rationale";
import { DISCLAIMER } from "../orchestrator/guardrails";
import { SIGNALS_VERSION } from "../signals/bundle";
import { resolvePreset } from "./presets";
import { RULES_VERSION, screen } from "./rules";
import { SIZING_VERSION, sizePosition } from "./sizing";
import { ApiError } from "../gateway/errors";

export const ANALYTICS_VERSION = "bsm/1";

/** What the pipeline needs from the outside world; routes and tests pass their own. */
export type PipelineDeps = {
  snapshot(symbol: string, filter: ChainFilter): Promise<MarketSnapshot>;
  signals(symbol: string): Promise<SignalsBundle>;
  now(): Date;
  newId(): string;
  timeouts?: { snapshotMs?: number; signalsMs?: number };
};

export type EmitLayer = (layer: Layer) => void | Promise<void>;

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
  };
}

/** Calls or puts, and the reason in words for the rationale. */
function chooseDirection(req: RecommendationRequest, signals: SignalsBundle): { direction: OptionType; reason: string } {
  if (req.outlook === "bullish") return { direction: "call", reason: "you asked for a bullish position" };
  if (req.outlook === "bearish") return { direction: "put", reason: "you asked for a bearish position" };
  const t = signals.technical;
  const detail = `trend ${t.trend}${t.rsi14 !== null ? `, RSI ${t.rsi14.toFixed(0)}` : ""}`;
  if (signals.outlook === "bullish") return { direction: "call", reason: `the signals lean bullish (${detail})` };
  if (signals.outlook === "bearish") return { direction: "put", reason: `the signals lean bearish (${detail})` };
  // No directional edge: lean with the last month's momentum, calls when there is none either.
  const m = t.momentum20 ?? 0;
  return {
    direction: m >= 0 ? "call" : "put",
    reason: `the signals are neutral (${detail}), so the 20-session momentum of ${(m * 100).toFixed(1)}% decides`,
  };
}

/**
 * From a validated request to one recommendation. Market snapshot and signals are fetched in parallel, each
 * with its own timeout; each layer is emitted as soon as it is computed. A missing snapshot fails the request
 * (503: nothing to recommend from); missing signals degrade it (flagged) instead.
 */
export async function runRecommendation(req: RecommendationRequest, deps: PipelineDeps, emit: EmitLayer): Promise<Recommendation> {
  const started = deps.now();
  const preset = resolvePreset(req.preset);
  const degraded: string[] = [];
  const layers: Layer[] = [];
  const push = async (layer: Layer) => {
    layers.push(layer);
    await emit(layer);
  };
  const since = (t0: number) => Math.max(0, deps.now().getTime() - t0);

  const t0 = started.getTime();
  const snapshotP = withTimeout(
    deps.snapshot(req.symbol, { minDte: preset.minDte, maxDte: preset.maxDte }),
    deps.timeouts?.snapshotMs ?? 5000,
    "market snapshot",
  );
  const signalsP = withTimeout(deps.signals(req.symbol), deps.timeouts?.signalsMs ?? 2000, "signals").catch((e: unknown) => {
    degraded.push(`signals (${(e as Error).message})`);
    return neutralSignals(req.symbol, deps.now().toISOString());
  });

  let snap: MarketSnapshot;
  try {
    snap = await snapshotP;
  } catch (e) {
    throw new ApiError(503, "upstream_unavailable", `market data unavailable: ${(e as Error).message}`);
  }
  const { quote, chain } = snap;
  const version = chain.source === "synthetic" ? "synthetic-market/1" : "polygon/1";
  await push({ kind: "market", source: quote.source, asOf: quote.timestamp, version, ms: since(t0), quote, expirations: chain.expirations.length, contracts: chain.contracts.length });

  // Analytics: ATM IV and expected move at the first expiry of the window, from the chain's own IVs.
  const t1 = deps.now().getTime();
  const withIv = chain.contracts.filter((c) => c.iv !== null);
  const firstExpiry = [...new Set(chain.contracts.map((c) => c.expiration))].sort()[0];
  let atmIv: number | null = null;
  let expectedMove: number | null = null;
  if (firstExpiry) {
    const near = withIv
      .filter((c) => c.expiration === firstExpiry)
      .sort((a, b) => Math.abs(a.strike - chain.underlyingPrice) - Math.abs(b.strike - chain.underlyingPrice));
    const atmStrike = near[0]?.strike;
    const atm = near.filter((c) => c.strike === atmStrike);
    if (atm.length) {
      atmIv = atm.reduce((s, c) => s + c.iv!, 0) / atm.length;
      expectedMove = chain.underlyingPrice * atmIv * Math.sqrt(yearsBetween(deps.now(), expiryCloseUtc(firstExpiry)));
    }
  }
  await push({
    kind: "analytics",
    source: "computed",
    asOf: chain.asOf,
    version: ANALYTICS_VERSION,
    ms: since(t1),
    atmIv,
    expectedMove,
    contractsWithIv: withIv.length,
    contractsWithoutIv: chain.contracts.length - withIv.length,
  });

  const signals = await signalsP;
  await push({ kind: "signals", source: signals.technical.source, asOf: signals.technical.asOf, version: SIGNALS_VERSION, ms: since(t0), signals });

  const t2 = deps.now().getTime();
  const { direction, reason: directionReason } = chooseDirection(req, signals);
  const screened = screen(chain.contracts, direction, preset, signals.technical.realizedVol20, Date.parse(chain.asOf));
  const top = screened.passed.slice(0, 10).map((p) => p.candidate);
  await push({
    kind: "candidates",
    source: "computed",
    asOf: chain.asOf,
    version: RULES_VERSION,
    ms: since(t2),
    direction,
    considered: screened.considered,
    passed: screened.passed.length,
    rejected: screened.rejected,
    top,
  });

  const best = screened.passed[0];
  const asOf = deps.now().toISOString();
  let sizing: Recommendation["sizing"] = null;
  let noPickReason: string | null = null;
  if (best) {
    await push({
      kind: "score",
      source: "computed",
      asOf,
      version: RULES_VERSION,
      ms: 0,
      method: "rule score: weighted components in [0, 1] (the GBDT scorer joins with the model registry)",
      total: best.candidate.score,
      components: best.components,
    });
    const years = yearsBetween(deps.now(), expiryCloseUtc(best.contract.expiration));
    sizing = sizePosition({
      contract: best.contract,
      capital: req.capital,
      maxRiskFraction: preset.maxRiskFraction,
      spot: chain.underlyingPrice,
      rate: chain.rate,
      dividendYield: chain.dividendYield,
      years,
    });
    await push({ kind: "sizing", source: "computed", asOf, version: SIZING_VERSION, ms: 0, sizing });
    const text = templateRationale({
      symbol: req.symbol,
      spot: chain.underlyingPrice,
      preset,
      contract: best.contract,
      sizing,
      components: best.components,
      directionReason,
      alternatives: top.slice(1),
      degraded,
    });
    await push({ kind: "rationale", source: "template", asOf, version: RATIONALE_VERSION, ms: 0, ...text });
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
      summary: noPickReason,
      points: [`Try a wider DTE window or another preset; the chain had ${chain.contracts.length} contracts in ${preset.minDte}-${preset.maxDte} days.`],
      risks: [],
      disclaimer: DISCLAIMER,
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
    layers,
    disclaimer: DISCLAIMER,
  };
}

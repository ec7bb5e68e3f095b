import { describe, expect, it } from "vitest";
import { Layer, Recommendation, type MarketSnapshot, type OptionContract, type RecommendationRequest, type SignalsBundle } from "../schemas";
import { initialState, syntheticChain, syntheticDailyBars, syntheticQuote } from "../workers/market/synthetic";
import { filterContracts } from "../workers/market/chain-query";
import { buildSignals } from "../workers/signals/bundle";
import { compileModel, predictRaw } from "../workers/recommend/gbdt";
import { MODEL_FEATURES } from "../workers/recommend/model-features";
import { runRecommendation, type PipelineDeps } from "../workers/recommend/pipeline";
import { sizePosition, type SizingInput } from "../workers/recommend/sizing";
import { checkRationale } from "../workers/orchestrator/guardrails";
import { openAiProvider, type RationaleProvider } from "../workers/orchestrator/providers";
import { templateDoc } from "../workers/orchestrator/rationale";
import { fakeOpenAi, type Scenario } from "./fake-openai";
import shipped from "../models/options-gbdt/v1.json";

const NOW = new Date("2026-11-30T15:00:00.000Z");
const SEED = 20261130;

function market(symbol = "SPY"): MarketSnapshot {
  const state = initialState(symbol, SEED, NOW);
  return { quote: syntheticQuote(state, NOW), chain: syntheticChain(state, NOW, { rate: 0.04 }) };
}
const SNAP = market();
function signalsOf(symbol = "SPY"): SignalsBundle {
  return buildSignals(symbol, syntheticDailyBars(symbol, SEED, "2026-11-27", SNAP.quote.prevClose, 120), "synthetic", NOW.toISOString());
}
const scorer = { name: "options-gbdt", version: "v1", model: compileModel(shipped), weights: { rule: 0.6, ml: 0.4 } };

function deps(over: Partial<PipelineDeps> = {}): PipelineDeps {
  return {
    snapshot: async (_s, f) => ({ quote: SNAP.quote, chain: { ...SNAP.chain, contracts: filterContracts(SNAP.chain.contracts, f) } }),
    signals: async () => signalsOf(),
    features: async () => null,
    model: async () => scorer,
    knowledge: async () => [{ id: "kb:kb-sizing", kind: "strategy", title: "Position sizing with a risk budget", body: "Sizing starts from the most you accept to lose." }],
    now: () => NOW,
    newId: () => "rec_00000000-0000-4000-8000-000000000000",
    ...over,
  };
}
const REQ: RecommendationRequest = { symbol: "SPY", preset: "balanced", capital: 100_000, outlook: "auto" };

async function run(d: PipelineDeps, req = REQ) {
  const seen: Layer[] = [];
  const rec = await runRecommendation(req, d, (l) => {
    seen.push(l);
  });
  return { rec: Recommendation.parse(rec), seen };
}
const rationaleOf = (rec: Recommendation) => rec.layers.find((l) => l.kind === "rationale") as Extract<Layer, { kind: "rationale" }>;
const byKind = <K extends Layer["kind"]>(rec: Recommendation, k: K) => rec.layers.find((l) => l.kind === k) as Extract<Layer, { kind: K }>;

describe("pipeline: layers, hybrid score, provenance", () => {
  it("emits the seven layers in order, each with provenance, and blends the shipped GBDT into the score", async () => {
    const { rec, seen } = await run(deps());
    expect(seen.map((l) => l.kind)).toEqual(["market", "analytics", "signals", "candidates", "score", "sizing", "rationale"]);
    expect(rec.layers).toEqual(seen.map((l) => Layer.parse(l)));
    for (const l of rec.layers) {
      expect(l.asOf).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(l.version).toBeTruthy();
      expect(l.ms).toBeGreaterThanOrEqual(0);
    }
    const score = byKind(rec, "score");
    expect(score.model).toEqual({ name: "options-gbdt", version: "v1" });
    expect(score.weights).toEqual({ rule: 0.6, ml: 0.4 });
    expect(score.total).toBeCloseTo(0.6 * score.ruleScore! + 0.4 * score.mlScore!, 12);
    expect(score.components.reduce((a, c) => a + c.contribution, 0)).toBeCloseTo(score.ruleScore!, 12);
    // TreeSHAP: bias + contributions = the model's raw score, whose sigmoid is the ML score shown.
    const k = score.contributions!;
    expect(k.features.map((f) => f.feature).sort()).toEqual([...MODEL_FEATURES].sort());
    expect(k.bias + k.features.reduce((a, f) => a + f.contribution, 0)).toBeCloseTo(k.raw, 10);
    expect(1 / (1 + Math.exp(-k.raw))).toBeCloseTo(score.mlScore!, 12);
    // The candidates are ranked by the hybrid score; the pick is the first.
    const top = byKind(rec, "candidates").top;
    for (let i = 1; i < top.length; i++) expect(top[i - 1].score).toBeGreaterThanOrEqual(top[i].score);
    expect(rec.contract!.ticker).toBe(top[0].ticker);
    expect(rec.model).toEqual({ name: "options-gbdt", version: "v1" });
    expect(rec.degraded).toEqual([]);
  });

  it("writes a template rationale that itself passes every guard rail, citing the retrieved passage", async () => {
    let bundle: Parameters<RationaleProvider["generate"]>[0] | null = null;
    // A provider that answers with the template's own text: accepted means the template obeys the rules it enforces.
    const echo: RationaleProvider = { name: "openai", model: "echo", generate: async (b) => ((bundle = b), JSON.stringify(templateDoc(b))) };
    const { rec } = await run(deps({ rationale: { provider: echo } }));
    const r = rationaleOf(rec);
    expect(r.source).toBe("llm");
    expect(r.fallback).toBe(false);
    expect(checkRationale(JSON.stringify(templateDoc(bundle!)), bundle!)).toMatchObject({ ok: true });
    expect(r.passages).toEqual([{ id: "kb:kb-sizing", title: "Position sizing with a risk budget" }]);
    expect(r.sections!.some((s) => s.citations.includes("kb:kb-sizing"))).toBe(true);
    expect(r.disclaimer).toMatch(/not investment advice/);
  });

  it("streams incrementally: the market layer is out while the signals are still pending", async () => {
    let release!: (s: SignalsBundle) => void;
    const pending = new Promise<SignalsBundle>((r) => (release = r));
    const seen: string[] = [];
    const done = runRecommendation(REQ, deps({ signals: () => pending }), (l) => {
      seen.push(l.kind);
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(["market", "analytics"]);
    release(signalsOf());
    await done;
    expect(seen).toHaveLength(7);
  });
});

describe("pipeline: the first layer does not wait for the chain", () => {
  it("emits the market layer from the room's summary while the chain snapshot is still on its way", async () => {
    let release!: (s: MarketSnapshot) => void;
    const chainPending = new Promise<MarketSnapshot>((r) => (release = r));
    const seen: string[] = [];
    const summary = { quote: SNAP.quote, expirations: SNAP.chain.expirations.length, contracts: 1234, chainSource: "synthetic" as const, chainStale: false };
    const done = runRecommendation(REQ, deps({ summary: async () => summary, snapshot: () => chainPending }), (l) => {
      seen.push(l.kind);
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(["market"]);
    release({ quote: SNAP.quote, chain: { ...SNAP.chain, contracts: filterContracts(SNAP.chain.contracts, { minDte: 21, maxDte: 60 }) } });
    const rec = Recommendation.parse(await done);
    expect(rec.layers.map((l) => l.kind)).toEqual(["market", "analytics", "signals", "candidates", "score", "sizing", "rationale"]);
    expect(byKind(rec, "market").contracts).toBe(1234);
  });

  it("falls back to the snapshot for the market layer when the summary fails", async () => {
    const { rec } = await run(deps({ summary: async () => Promise.reject(new Error("old room")) }));
    expect(byKind(rec, "market").contracts).toBeGreaterThan(0);
    expect(rec.layers).toHaveLength(7);
  });
});

describe("pipeline: degraded answers", () => {
  it("fails with 503 only when the market snapshot is missing", async () => {
    await expect(run(deps({ snapshot: async () => Promise.reject(new Error("room unreachable")) }))).rejects.toMatchObject({ status: 503, code: "upstream_unavailable" });
  });

  it("signals that throw or time out: neutral fallback, flagged in the layer and listed in degraded", async () => {
    const a = await run(deps({ signals: async () => Promise.reject(new Error("KV down")) }));
    expect(a.rec.degraded).toEqual(["signals failed: KV down"]);
    expect(byKind(a.rec, "signals").flags[0]).toMatch(/signals failed: KV down: neutral signals used/);
    expect(byKind(a.rec, "signals").signals.technical.fallback).toBe(true);
    expect(a.rec.contract).not.toBeNull();
    expect(rationaleOf(a.rec).risks.join(" ")).toMatch(/Computed without: signals failed/);

    const b = await run(deps({ signals: () => new Promise(() => {}), timeouts: { signalsMs: 30 } }));
    expect(b.rec.degraded).toEqual(["signals timed out after 30 ms"]);
    expect(b.rec.layers.map((l) => l.kind)).toHaveLength(7);
  });

  it("model registry failure or timeout: rule score only, flagged; no model: flagged, not degraded", async () => {
    const a = await run(deps({ model: async () => Promise.reject(new Error("R2 object missing")) }));
    const s = byKind(a.rec, "score");
    expect(s.model).toBeNull();
    expect(s.weights).toEqual({ rule: 1, ml: 0 });
    expect(s.total).toBeCloseTo(s.components.reduce((x, c) => x + c.contribution, 0), 12);
    expect(s.flags).toEqual(["model registry failed: R2 object missing: rule score only"]);
    expect(a.rec.degraded).toEqual(["model registry failed: R2 object missing"]);

    const b = await run(deps({ model: () => new Promise(() => {}), timeouts: { modelMs: 20 } }));
    expect(b.rec.degraded).toEqual(["model registry timed out after 20 ms"]);

    const c = await run(deps({ model: async () => null }));
    expect(byKind(c.rec, "score").flags).toEqual(["no active model in the registry: rule score only"]);
    expect(c.rec.degraded).toEqual([]);
  });

  it("online features and knowledge base failures degrade their layers only", async () => {
    const { rec } = await run(deps({ features: async () => Promise.reject(new Error("KV timeout")), knowledge: async () => Promise.reject(new Error("no such table: knowledge_fts")) }));
    expect(rec.degraded).toEqual(["online features failed: KV timeout", "knowledge base failed: no such table: knowledge_fts"]);
    expect(byKind(rec, "signals").flags).toContain("online features failed: KV timeout");
    expect(rationaleOf(rec).flags[0]).toMatch(/knowledge base failed/);
    expect(rationaleOf(rec).passages).toEqual([]);
  });
});

describe("guard rails against a fake OpenAI-compatible server", () => {
  const base = { baseUrl: "https://llm.test/v1", apiKey: "sk-test", model: "gpt-fake" };
  const withLlm = (scenario: Scenario, extra: Partial<PipelineDeps> = {}) => {
    const server = fakeOpenAi(scenario, { delayMs: 2000 });
    return { server, deps: deps({ rationale: { provider: openAiProvider({ ...base, fetch: server.fetch }) }, ...extra }) };
  };

  it("accepts a faithful answer (also inside a Markdown fence), sent with the bundle at temperature 0", async () => {
    for (const scenario of ["faithful", "fenced-json"] as const) {
      const { server, deps: d } = withLlm(scenario);
      const { rec } = await run(d);
      const r = rationaleOf(rec);
      expect(r.source, scenario).toBe("llm");
      expect(r.provider).toBe("openai:gpt-fake");
      expect(r.fallback).toBe(false);
      expect(r.summary).toContain(rec.contract!.ticker);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0].temperature).toBe(0);
      expect(server.requests[0].response_format).toEqual({ type: "json_object" });
      expect(JSON.parse(server.requests[0].messages[1].content).facts.length).toBeGreaterThan(30);
    }
  });

  const rejected: Array<[Scenario, RegExp]> = [
    ["invented-number", /number not in the bundle: 987\.65/],
    ["unknown-ticker", /ticker not in the bundle: XYZQ/],
    ["banned-claim", /banned claim: guarantee/],
    ["invalid-json", /invalid JSON/],
    ["schema-violation", /schema: sections/],
    ["no-disclaimer", /missing or altered disclaimer/],
    ["bad-citation", /citation not in the bundle: fact:market.moon_phase/],
  ];
  for (const [scenario, violation] of rejected) {
    it(`rejects ${scenario} and falls back to the template, flagged, every number unchanged`, async () => {
      const template = (await run(deps())).rec;
      const { rec } = await run(withLlm(scenario).deps);
      const r = rationaleOf(rec);
      expect(r.source).toBe("template");
      expect(r.fallback).toBe(true);
      expect(r.rejected!.join("\n")).toMatch(violation);
      expect(r.flags.join(" ")).toMatch(/rejected by the guard rails/);
      expect(r.summary).toBe(rationaleOf(template).summary);
      // The LLM never changes a number: every other layer is identical to the template-only run.
      for (const k of ["market", "analytics", "signals", "candidates", "score", "sizing"] as const) expect(byKind(rec, k)).toEqual(byKind(template, k));
    });
  }

  it("times out a slow server (aborting the request) and an HTTP 500, falling back with the reason", async () => {
    const slow = await run(withLlm("slow", { timeouts: { llmMs: 50 } }).deps);
    expect(rationaleOf(slow.rec).flags.join(" ")).toMatch(/llm openai:gpt-fake failed \(timed out after 50 ms\)/);
    expect(rationaleOf(slow.rec).fallback).toBe(true);
    const err = await run(withLlm("http-500").deps);
    expect(rationaleOf(err.rec).flags.join(" ")).toMatch(/HTTP 500/);
    const badKey = fakeOpenAi("faithful", { apiKey: "other" });
    const unauth = await run(deps({ rationale: { provider: openAiProvider({ ...base, fetch: badKey.fetch }) } }));
    expect(rationaleOf(unauth.rec).flags.join(" ")).toMatch(/HTTP 401/);
    expect(rationaleOf(unauth.rec).flags.join(" ")).not.toContain("sk-test");
  });
});

describe("sizing edge cases", () => {
  const contract = SNAP.chain.contracts.find((c) => c.type === "call" && c.dte > 25 && c.iv !== null && Math.abs(c.greeks!.delta - 0.5) < 0.05)!;
  const input = (over: Partial<SizingInput> = {}, c: Partial<OptionContract> = {}): SizingInput => ({
    contract: { ...contract, ...c },
    capital: 50_000,
    maxRiskFraction: 0.05,
    spot: SNAP.chain.underlyingPrice,
    rate: 0.04,
    dividendYield: SNAP.chain.dividendYield,
    years: contract.dte / 365,
    ...over,
  });

  it("prices at the ask with the multiplier and fills the budget without exceeding it", () => {
    const s = sizePosition(input());
    expect(s.pricePerContract).toBeCloseTo(contract.ask * 100, 9);
    expect(s.contracts).toBe(Math.floor(2500 / s.pricePerContract));
    expect(s.premium).toBeLessThanOrEqual(2500);
    expect(s.premium + s.pricePerContract).toBeGreaterThan(2500);
    expect(s.breakeven).toBeCloseTo(contract.strike + contract.ask, 9);
    expect(s.maxLoss).toBe(s.premium);
  });

  it("tiny capital: zero contracts and says why", () => {
    const s = sizePosition(input({ capital: 50 }));
    expect(s.contracts).toBe(0);
    expect(s.premium).toBe(0);
    expect(s.note).toMatch(/more than the 5% risk budget of \$2\.50/);
  });

  it("huge capital: never more than the capital, capped by the displayed liquidity and said so", () => {
    const s = sizePosition(input({ capital: 1e9, maxRiskFraction: 1 }, { askSize: 40, openInterest: 1000 }));
    expect(s.contracts).toBe(100); // max(ask size 40, 10% of 1,000 open interest)
    expect(s.premium).toBeLessThanOrEqual(1e9);
    expect(s.budgetContracts).toBeGreaterThan(100);
    expect(s.note).toMatch(/Capped at 100 contracts by liquidity/);
  });

  it("zero bid: still priced at the ask, with a warning that it may not be sellable; zero ask: nothing to buy", () => {
    const s = sizePosition(input({}, { bid: 0 }));
    expect(s.contracts).toBeGreaterThan(0);
    expect(s.pricePerContract).toBeCloseTo(contract.ask * 100, 9);
    expect(s.warnings!.join(" ")).toMatch(/No bid/);
    const z = sizePosition(input({}, { ask: 0, bid: 0 }));
    expect(z.contracts).toBe(0);
    expect(z.note).toMatch(/No ask/);
  });

  it("fractional Kelly is an opt-in cap: with no edge at the ask it allows nothing; with a model edge it can bind", () => {
    expect(sizePosition(input()).kelly).toBeNull();
    const none = sizePosition(input({ kellyFraction: 0.25, modelProbability: 0.05 }));
    expect(none.kelly!.fullKelly).toBeLessThan(0);
    expect(none.contracts).toBe(0);
    expect(none.note).toMatch(/no edge/);
    const edge = sizePosition(input({ kellyFraction: 0.01, modelProbability: 0.7, capital: 5e6 }));
    // Kelly f* = p - (1 - p) / b, from the reported payoff ratio.
    const k = edge.kelly!;
    expect(k.fullKelly).toBeCloseTo(0.7 - 0.3 / k.payoffRatio, 12);
    expect(k.capContracts).toBe(Math.floor((0.01 * k.fullKelly * 5e6) / edge.pricePerContract + 1e-9));
    expect(edge.contracts).toBe(Math.min(k.capContracts, edge.budgetContracts!, edge.liquidityCap!));
  });
});

describe("the shipped model (models/options-gbdt/v1.json)", () => {
  it("evaluates to the raw scores the trainer assigned while growing the trees", () => {
    const m = compileModel(shipped);
    expect(m.featureNames).toEqual([...MODEL_FEATURES]);
    const samples = (shipped as unknown as { training: { samples: Array<{ features: Array<number | null>; raw: number }> } }).training.samples;
    expect(samples.length).toBeGreaterThanOrEqual(20);
    for (const s of samples) expect(predictRaw(m, s.features)[0]).toBeCloseTo(s.raw, 9);
  });
});

/**
 * The context bundle (pure): the facts of the layers a rationale may use, each with an id to cite, plus the
 * knowledge-base passages retrieved for the pick. Derived figures the text needs (the daily theta cost of the
 * position, the cost of exiting at the bid) are computed here, by code, so no writer ever has to do arithmetic.
 */
import type { Candidate, ContextBundle, ContextFact, ContextPassage, OptionContract, ResolvedPreset, ScoreComponent, SignalsBundle, Sizing } from "../../schemas";
import { DISCLAIMER } from "./guardrails";

export type BundleInput = {
  symbol: string;
  capital: number;
  spot: number;
  marketSource: string;
  marketAsOf: string;
  atmIv: number | null;
  expectedMove: number | null;
  signals: SignalsBundle;
  direction: "call" | "put";
  directionReason: string;
  considered: number;
  passed: number;
  preset: ResolvedPreset;
  contract: OptionContract;
  score: { total: number; rule: number; ml: number | null; weights: { rule: number; ml: number }; model: string | null; components: ScoreComponent[]; topContributions: Array<{ feature: string; contribution: number }> };
  sizing: Sizing;
  alternatives: Candidate[];
  degraded: string[];
  passages: ContextPassage[];
};

const r2 = (x: number) => Math.round(x * 100) / 100;

export function buildContextBundle(i: BundleInput): ContextBundle {
  const facts: ContextFact[] = [];
  const fact = (layer: ContextFact["layer"], key: string, label: string, value: number | string | null | undefined) => {
    if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value))) return;
    facts.push({ id: `fact:${layer}.${key}`, layer, label, value });
  };
  const c = i.contract;
  const s = i.sizing;
  const t = i.signals.technical;
  const held = Math.max(s.contracts, 1);

  fact("market", "symbol", "underlying", i.symbol);
  fact("market", "spot", "underlying price, dollars", i.spot);
  fact("market", "source", "market data source", i.marketSource);
  fact("market", "as_of", "market data time", i.marketAsOf);
  fact("analytics", "atm_iv", "at-the-money implied volatility (0.25 = 25%)", i.atmIv);
  fact("analytics", "expected_move", "one-sigma move to the nearest expiry in the window, dollars", i.expectedMove);
  fact("signals", "outlook", "direction the signals lean to", i.signals.outlook);
  fact("signals", "trend", "trend from the moving averages", t.trend);
  fact("signals", "rsi14", "RSI over 14 sessions", t.rsi14);
  fact("signals", "rsi_period", "RSI period, sessions", 14);
  fact("signals", "realized_vol20", "20-session realized volatility (0.25 = 25%)", t.realizedVol20);
  fact("signals", "momentum20", "20-session return (0.05 = +5%)", t.momentum20);
  fact("signals", "momentum_period", "momentum window, sessions", 20);
  fact("candidates", "direction", "calls or puts", i.direction);
  fact("candidates", "direction_reason", "why this direction", i.directionReason);
  fact("candidates", "considered", "contracts considered", i.considered);
  fact("candidates", "passed", "contracts that passed the filters", i.passed);
  fact("candidates", "preset", "risk preset", i.preset.name);
  fact("candidates", "target_delta", "preset target |delta|", i.preset.targetDelta);
  fact("candidates", "min_dte", "preset shortest days to expiry", i.preset.minDte);
  fact("candidates", "max_dte", "preset longest days to expiry", i.preset.maxDte);
  fact("candidates", "ticker", "the pick (OCC symbol)", c.ticker);
  fact("candidates", "type", "call or put", c.type);
  fact("candidates", "strike", "strike, dollars", c.strike);
  fact("candidates", "expiration", "expiration date", c.expiration);
  fact("candidates", "dte", "calendar days to expiry", c.dte);
  fact("candidates", "delta", "delta per $1 of the underlying", c.greeks?.delta);
  fact("candidates", "iv", "implied volatility of the pick (0.25 = 25%)", c.iv);
  fact("candidates", "bid", "bid per share, dollars", c.bid);
  fact("candidates", "ask", "ask per share, dollars", c.ask);
  fact("candidates", "open_interest", "open interest, contracts", c.openInterest);
  if (i.alternatives[0]) {
    fact("candidates", "runner_up", "runner-up contract", i.alternatives[0].ticker);
    fact("candidates", "runner_up_score", "runner-up score", i.alternatives[0].score);
  }
  fact("score", "total", "final score of the pick", i.score.total);
  fact("score", "rule", "rule score of the pick (0..1)", i.score.rule);
  fact("score", "ml", "model probability that buying at the ask pays off at expiry", i.score.ml);
  fact("score", "weight_rule", "weight of the rule score", i.score.weights.rule);
  fact("score", "weight_ml", "weight of the model score", i.score.weights.ml);
  fact("score", "model", "scoring model and version", i.score.model ?? "none (rule score only)");
  for (const comp of i.score.components) {
    fact("score", `component.${comp.name.toLowerCase()}`, `rule component ${comp.name} (0..1)`, comp.value);
    fact("score", `component.${comp.name.toLowerCase()}.why`, `why ${comp.name} scored so`, comp.explanation);
  }
  i.score.topContributions.forEach((k, n) => {
    fact("score", `driver${n + 1}`, "model feature that moved the probability most", k.feature);
    fact("score", `driver${n + 1}.direction`, "whether that feature raised or lowered it", k.contribution >= 0 ? "raised" : "lowered");
  });
  fact("sizing", "contracts", "contracts to buy", s.contracts);
  fact("sizing", "price_per_contract", "cost of one contract at the ask, dollars", s.pricePerContract);
  fact("sizing", "premium", "total premium, dollars", s.premium);
  fact("sizing", "max_loss", "maximum loss, dollars", s.maxLoss);
  fact("sizing", "capital", "capital, dollars", i.capital);
  fact("sizing", "capital_at_risk_pct", "premium as a percent of capital", s.capitalAtRiskPct);
  fact("sizing", "max_risk_fraction", "risk budget as a share of capital", s.maxRiskFraction);
  fact("sizing", "breakeven", "underlying price at expiry to break even, dollars", s.breakeven);
  fact("sizing", "probability_of_profit", "risk-neutral probability of profit (0.4 = 40%)", s.probabilityOfProfit);
  fact("sizing", "expected_move", "one-sigma move to the pick's expiry, dollars", s.expectedMove);
  fact("sizing", "multiplier", "shares per contract", c.multiplier);
  fact("sizing", "theta_cost_per_day", "time decay of the position per calendar day at today's price, dollars", c.greeks ? r2(Math.abs(c.greeks.theta) * c.multiplier * held) : null);
  fact("sizing", "exit_spread_cost", "given up by selling back at the bid at once, dollars", r2((c.ask - c.bid) * c.multiplier * held));
  fact("sizing", "note", "why the size is what it is", s.note);
  if (s.kelly) {
    fact("sizing", "kelly_fraction", "requested fraction of Kelly", s.kelly.fraction);
    fact("sizing", "kelly_full", "full Kelly share of capital", s.kelly.fullKelly);
    fact("sizing", "kelly_cap", "contracts allowed by the Kelly cap", s.kelly.capContracts);
  }
  for (const w of s.warnings ?? []) fact("sizing", `warning${facts.filter((f) => f.id.startsWith("fact:sizing.warning")).length + 1}`, "sizing warning", w);
  if (i.degraded.length) fact("market", "degraded", "dependencies replaced by fallbacks", i.degraded.join("; "));

  return {
    symbol: i.symbol,
    facts,
    passages: i.passages,
    tickers: [i.symbol, c.ticker, ...i.alternatives.map((a) => a.ticker)],
    dates: [c.expiration, i.marketAsOf, ...i.alternatives.map((a) => a.expiration)],
    disclaimer: DISCLAIMER,
  };
}

/** Looks a fact up by id (without the `fact:` prefix); the template reads the bundle only through this. */
export function factOf(b: ContextBundle, key: string): number | string | undefined {
  return b.facts.find((f) => f.id === `fact:${key}`)?.value;
}

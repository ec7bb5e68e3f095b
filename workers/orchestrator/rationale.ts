import type { Candidate, OptionContract, ResolvedPreset, ScoreComponent, Sizing } from "../../schemas";
import { applyGuardrails, DISCLAIMER } from "./guardrails";

export const RATIONALE_VERSION = "template/1";

export type RationaleInput = {
  symbol: string;
  spot: number;
  preset: ResolvedPreset;
  contract: OptionContract;
  sizing: Sizing;
  components: ScoreComponent[];
  directionReason: string;
  alternatives: Candidate[];
  degraded: string[];
};

const usd = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The rationale written from the numbers alone (no LLM): every figure in it is one of the inputs, so it can be
 * checked against the other layers. An LLM provider replaces this later behind the same guard rails.
 */
export function templateRationale(i: RationaleInput): { summary: string; points: string[]; risks: string[]; disclaimer: string } {
  const c = i.contract;
  const s = i.sizing;
  const g = c.greeks!;
  const side = c.type === "call" ? "call" : "put";
  const summary =
    s.contracts > 0
      ? `Buy ${s.contracts} ${i.symbol} ${c.expiration} ${c.strike} ${side}${s.contracts > 1 ? "s" : ""} at the ${usd(c.ask)} ask, ${usd(s.premium)} in total (${s.capitalAtRiskPct.toFixed(2)}% of capital).`
      : `The best ${i.symbol} ${side} for this preset is the ${c.expiration} ${c.strike} ${side} at ${usd(c.ask)}, but one contract exceeds the risk budget.`;
  const top = [...i.components].sort((a, b) => b.contribution - a.contribution).slice(0, 2);
  const points = [
    `Direction: ${side}s, because ${i.directionReason}.`,
    `Delta ${g.delta.toFixed(2)} against a ${i.preset.name} target of ${i.preset.targetDelta.toFixed(2)}; ${c.dte} days to expiry inside the ${i.preset.minDte}-${i.preset.maxDte} day window.`,
    `Implied volatility ${pct(c.iv!)}; the market prices a one-sigma move of ${usd(s.expectedMove)} by expiry.`,
    `Breakeven at expiry ${usd(s.breakeven)} with the underlying at ${usd(i.spot)}; risk-neutral probability of profit ${pct(s.probabilityOfProfit)}.`,
    `Strongest score components: ${top.map((t) => `${t.name} (${t.explanation})`).join("; ")}.`,
    ...(i.alternatives.length ? [`Runner-up: ${i.alternatives[0].ticker} (score ${i.alternatives[0].score.toFixed(3)}).`] : []),
  ];
  const risks = [
    `The most you can lose is the premium: ${usd(s.maxLoss)}.`,
    `Time decay costs about ${usd(Math.abs(g.theta) * c.multiplier * Math.max(s.contracts, 1))} per calendar day at today's price.`,
    `Spread: bid ${usd(c.bid)} / ask ${usd(c.ask)}; exiting at the bid gives up ${usd((c.ask - c.bid) * c.multiplier * Math.max(s.contracts, 1))} immediately.`,
    ...(i.degraded.length ? [`Computed without: ${i.degraded.join(", ")} (unavailable; fallbacks used).`] : []),
  ];
  const guard = (t: string) => applyGuardrails(t).text;
  return { summary: guard(summary), points: points.map(guard), risks: risks.map(guard), disclaimer: DISCLAIMER };
}

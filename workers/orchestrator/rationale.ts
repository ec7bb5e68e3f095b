/**
 * The rationale: who writes it and how its text is checked. The template writes from the bundle alone
 * (deterministic, offline; every figure it prints is a fact of the bundle, formatted). An LLM provider may write
 * instead; its answer goes through the guard rails, and any violation, error or timeout puts the template's
 * text in its place with the reason in the layer. Numbers in the other layers are never touched by either.
 */
import type { ContextBundle, RationaleDoc, RationaleSection } from "../../schemas";
import { factOf } from "./context";
import { checkRationale } from "./guardrails";
import type { RationaleProvider } from "./providers";

export const RATIONALE_VERSION = "rationale/2";

const usd = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The template's rationale, written from the bundle's facts only. */
export function templateDoc(b: ContextBundle): RationaleDoc {
  const n = (k: string) => factOf(b, k) as number | undefined;
  const str = (k: string) => factOf(b, k) as string | undefined;
  const has = (k: string) => factOf(b, k) !== undefined;
  const cite = (...keys: string[]) => keys.filter(has).map((k) => `fact:${k}`);
  const side = str("candidates.type")!;
  const contracts = n("sizing.contracts")!;
  const plural = contracts === 1 ? "" : "s";

  const summary =
    contracts > 0
      ? `Buy ${contracts} ${b.symbol} ${str("candidates.expiration")} ${n("candidates.strike")} ${side}${plural} at the ${usd(n("candidates.ask")!)} ask, ${usd(n("sizing.premium")!)} in total (${n("sizing.capital_at_risk_pct")!.toFixed(2)}% of capital).`
      : `The best ${b.symbol} ${side} for this preset is the ${str("candidates.expiration")} ${n("candidates.strike")} ${side} at ${usd(n("candidates.ask")!)}, but one contract exceeds what the sizing allows.`;

  const sections: RationaleSection[] = [];
  sections.push({
    layer: "market",
    text: `${b.symbol} at ${usd(n("market.spot")!)} (${str("market.source")} data).`,
    citations: cite("market.spot", "market.source"),
  });
  sections.push({
    layer: "analytics",
    text: has("analytics.atm_iv")
      ? `At-the-money implied volatility ${pct(n("analytics.atm_iv")!)}${has("analytics.expected_move") ? `; the options price a one-sigma move of ${usd(n("analytics.expected_move")!)} to the nearest expiry in the window` : ""}.`
      : "Implied volatility could not be identified at the money.",
    citations: has("analytics.atm_iv") ? cite("analytics.atm_iv", "analytics.expected_move") : cite("market.spot"),
  });
  const sig = [`trend ${str("signals.trend")}`];
  if (has("signals.rsi14")) sig.push(`RSI(14) ${n("signals.rsi14")!.toFixed(0)}`);
  if (has("signals.realized_vol20")) sig.push(`20-session realized volatility ${pct(n("signals.realized_vol20")!)}`);
  if (has("signals.momentum20")) sig.push(`20-session return ${pct(n("signals.momentum20")!)}`);
  sections.push({ layer: "signals", text: `Signals lean ${str("signals.outlook")}: ${sig.join(", ")}.`, citations: cite("signals.outlook", "signals.trend", "signals.rsi14", "signals.realized_vol20", "signals.momentum20") });
  sections.push({
    layer: "candidates",
    text:
      `${side[0].toUpperCase()}${side.slice(1)}s, because ${str("candidates.direction_reason")}. ${n("candidates.passed")} of ${n("candidates.considered")} contracts passed the ${str("candidates.preset")} filters ` +
      `(|delta| near ${n("candidates.target_delta")!.toFixed(2)}, ${n("candidates.min_dte")}-${n("candidates.max_dte")} days). The pick has delta ${n("candidates.delta")!.toFixed(2)}, implied volatility ${pct(n("candidates.iv")!)} and ${n("candidates.dte")} days to expiry.` +
      (has("candidates.runner_up") ? ` Runner-up: ${str("candidates.runner_up")} (score ${n("candidates.runner_up_score")!.toFixed(3)}).` : ""),
    citations: cite("candidates.direction_reason", "candidates.passed", "candidates.considered", "candidates.delta", "candidates.iv", "candidates.dte", "candidates.runner_up"),
  });
  const comps = b.facts
    .filter((f) => /^fact:score\.component\.[a-z]+$/.test(f.id))
    .sort((x, y) => (y.value as number) - (x.value as number))
    .slice(0, 2)
    .map((f) => `${f.id.split(".").pop()} (${str(`${f.id.slice(5)}.why`)})`);
  const ml = n("score.ml");
  sections.push({
    layer: "score",
    text:
      (ml === undefined
        ? `Score ${n("score.total")!.toFixed(3)} from the rules alone (${str("score.model")}).`
        : `Score ${n("score.total")!.toFixed(3)}: rule score ${n("score.rule")!.toFixed(3)} weighted ${n("score.weight_rule")!.toFixed(2)} and model probability ${ml.toFixed(3)} weighted ${n("score.weight_ml")!.toFixed(2)} (${str("score.model")}).`) +
      (comps.length ? ` Strongest rule components: ${comps.join("; ")}.` : "") +
      (has("score.driver1") ? ` The model's probability was ${str("score.driver1.direction")} most by ${str("score.driver1")}.` : ""),
    citations: cite("score.total", "score.rule", "score.ml", "score.model", "score.driver1"),
  });
  sections.push({
    layer: "sizing",
    text:
      `${contracts} contract${plural} at ${usd(n("sizing.price_per_contract")!)} each (the ask times ${n("sizing.multiplier")} shares): ${usd(n("sizing.premium")!)} of ${usd(n("sizing.capital")!)}, within a ${pct(n("sizing.max_risk_fraction")!)} risk budget. ` +
      `Breakeven at expiry ${usd(n("sizing.breakeven")!)}; risk-neutral probability of profit ${pct(n("sizing.probability_of_profit")!)}; one-sigma move to expiry ${usd(n("sizing.expected_move")!)}.` +
      (has("sizing.note") ? ` ${str("sizing.note")}` : ""),
    citations: cite("sizing.contracts", "sizing.price_per_contract", "sizing.premium", "sizing.breakeven", "sizing.probability_of_profit", "sizing.note"),
  });
  for (const s of sections) {
    const kb = b.passages.find((p) => (s.layer === "sizing" && p.id === "kb:kb-sizing") || (s.layer === "score" && p.id === "kb:kb-ml-score"));
    if (kb) s.citations.push(kb.id);
  }

  const risks = [`The most you can lose is the premium: ${usd(n("sizing.max_loss")!)}.`];
  if (has("sizing.theta_cost_per_day")) risks.push(`Time decay costs about ${usd(n("sizing.theta_cost_per_day")!)} per calendar day at today's price.`);
  risks.push(`Spread: bid ${usd(n("candidates.bid")!)} / ask ${usd(n("candidates.ask")!)}; selling back at the bid at once gives up ${usd(n("sizing.exit_spread_cost")!)}.`);
  for (const f of b.facts.filter((f) => f.id.startsWith("fact:sizing.warning"))) risks.push(String(f.value));
  if (has("market.degraded")) risks.push(`Computed without: ${str("market.degraded")} (fallbacks used).`);
  for (const p of b.passages.filter((p) => p.kind === "risk").slice(0, 2)) risks.push(`${p.title}: ${p.body}`);
  return { summary, sections, risks, disclaimer: b.disclaimer };
}

export type RationaleResult = {
  doc: RationaleDoc;
  source: "template" | "llm";
  provider: string;
  /** An LLM was asked and its answer was not used. */
  fallback: boolean;
  rejected: string[];
  flags: string[];
};

/**
 * Asks the provider within `timeoutMs` and checks its answer; the template's text replaces a rejected, failed or
 * late answer, and `flags` says which. The template provider skips the round trip (its text is the fallback).
 */
export async function writeRationale(b: ContextBundle, provider: RationaleProvider, timeoutMs: number): Promise<RationaleResult> {
  const template = templateDoc(b);
  if (provider.name === "template") return { doc: template, source: "template", provider: "template", fallback: false, rejected: [], flags: [] };
  const ctrl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const label = `${provider.name}:${provider.model}`;
  try {
    const raw = await Promise.race([
      provider.generate(b, ctrl.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          ctrl.abort();
          reject(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
    const checked = checkRationale(raw, b);
    if (checked.ok) return { doc: checked.doc, source: "llm", provider: label, fallback: false, rejected: [], flags: [] };
    return { doc: template, source: "template", provider: label, fallback: true, rejected: checked.violations, flags: [`llm text rejected by the guard rails (${checked.violations.length} violation${checked.violations.length === 1 ? "" : "s"}): template used`] };
  } catch (e) {
    return { doc: template, source: "template", provider: label, fallback: true, rejected: [], flags: [`llm ${label} failed (${(e as Error).message}): template used`] };
  } finally {
    clearTimeout(timer);
  }
}

import type { PresetChoice, ResolvedPreset } from "../../schemas";

/**
 * The named risk presets a long option buyer picks from. Conservative buys time and intrinsic value (high delta,
 * months out); aggressive buys cheap convexity (low delta, weeks out). maxRiskFraction caps the premium paid as a
 * share of capital.
 */
export const PRESETS: Record<Exclude<ResolvedPreset["name"], "custom">, ResolvedPreset> = {
  conservative: { name: "conservative", targetDelta: 0.7, deltaBand: 0.1, minDte: 45, maxDte: 120, maxRiskFraction: 0.03 },
  balanced: { name: "balanced", targetDelta: 0.5, deltaBand: 0.1, minDte: 21, maxDte: 60, maxRiskFraction: 0.05 },
  aggressive: { name: "aggressive", targetDelta: 0.3, deltaBand: 0.1, minDte: 7, maxDte: 30, maxRiskFraction: 0.1 },
};

/** A custom preset takes the balanced risk budget and a delta band of 0.10 (narrower near the ends of 0..1). */
export function resolvePreset(choice: PresetChoice): ResolvedPreset {
  if (typeof choice === "string") return PRESETS[choice];
  const band = Math.min(0.1, choice.targetDelta * 0.5, (1 - choice.targetDelta) * 0.5);
  return {
    name: "custom",
    targetDelta: choice.targetDelta,
    deltaBand: band,
    minDte: choice.minDte,
    maxDte: choice.maxDte,
    maxRiskFraction: PRESETS.balanced.maxRiskFraction,
  };
}

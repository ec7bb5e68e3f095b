import type { PresetChoice } from "../../schemas";

/**
 * The risk slider's stops. The numbers mirror workers/recommend/presets.ts (the engine's source of truth; the app
 * does not import server modules); test/app.test.ts fails if the two drift apart.
 */
export const PRESET_STOPS = [
  { name: "conservative", label: "Conservative", targetDelta: 0.7, minDte: 45, maxDte: 120 },
  { name: "balanced", label: "Balanced", targetDelta: 0.5, minDte: 21, maxDte: 60 },
  { name: "aggressive", label: "Aggressive", targetDelta: 0.3, minDte: 7, maxDte: 30 },
  { name: "custom", label: "Custom", targetDelta: null, minDte: null, maxDte: null },
] as const;

export type PresetStopName = (typeof PRESET_STOPS)[number]["name"];

export type PresetDraft = { name: PresetStopName; targetDelta: string; minDte: string; maxDte: string };

export function draftFromChoice(choice: PresetChoice): PresetDraft {
  if (typeof choice === "string") {
    const stop = PRESET_STOPS.find((p) => p.name === choice)!;
    return { name: choice, targetDelta: String(stop.targetDelta), minDte: String(stop.minDte), maxDte: String(stop.maxDte) };
  }
  return { name: "custom", targetDelta: String(choice.targetDelta), minDte: String(choice.minDte), maxDte: String(choice.maxDte) };
}

/** The form's preset field: a stop index ("0".."3", what the slider posts) or a preset name. */
export function presetNameFrom(raw: string): PresetStopName | null {
  if (/^[0-3]$/.test(raw)) return PRESET_STOPS[Number(raw)].name;
  return PRESET_STOPS.some((p) => p.name === raw) ? (raw as PresetStopName) : null;
}

/** Draft to the request's preset: a name, or the custom numbers (validated by the caller). */
export function choiceFromDraft(d: PresetDraft): PresetChoice {
  if (d.name !== "custom") return d.name;
  return { targetDelta: Number(d.targetDelta), minDte: Number(d.minDte), maxDte: Number(d.maxDte) };
}

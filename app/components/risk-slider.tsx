/** Step 2: the risk preset on a slider (Conservative → Aggressive, then Custom) with its delta and DTE targets. */
import { PRESET_STOPS, type PresetDraft } from "../lib/presets";
import { Info } from "./panels";

export function RiskSlider({ draft, onChange, errors }: { draft: PresetDraft; onChange: (d: PresetDraft) => void; errors: Record<string, string> }) {
  const index = PRESET_STOPS.findIndex((p) => p.name === draft.name);
  const stop = PRESET_STOPS[index];
  const text = `${stop.label}: target delta ${Number(draft.targetDelta).toFixed(2)}, ${draft.minDte} to ${draft.maxDte} days to expiry`;
  const setStop = (i: number) => {
    const s = PRESET_STOPS[i];
    if (s.name === "custom") onChange({ ...draft, name: "custom" });
    else onChange({ name: s.name, targetDelta: String(s.targetDelta), minDte: String(s.minDte), maxDte: String(s.maxDte) });
  };
  const custom = (field: "targetDelta" | "minDte" | "maxDte", value: string) => onChange({ ...draft, name: "custom", [field]: value });
  return (
    <fieldset className="risk">
      <legend>
        2. Risk{" "}
        <Info>Delta ≈ the option's sensitivity to a $1 move of the underlying (and roughly its probability of finishing in the money); DTE = calendar days to expiry. Higher delta and more time cost more and decay slower.</Info>
      </legend>
      <label htmlFor="risk-slider">Risk preset</label>
      <input
        id="risk-slider"
        type="range"
        name="preset"
        min={0}
        max={3}
        step={1}
        value={index}
        list="risk-stops"
        aria-valuetext={text}
        onChange={(e) => setStop(Number(e.target.value))}
      />
      <datalist id="risk-stops">
        {PRESET_STOPS.map((p, i) => (
          <option key={p.name} value={i} label={p.label} />
        ))}
      </datalist>
      <div className="stops" aria-hidden="true">
        {PRESET_STOPS.map((p, i) => (
          <span key={p.name} className={i === index ? "on" : undefined} onClick={() => setStop(i)}>
            {p.label}
          </span>
        ))}
      </div>
      <p className="target" data-testid="preset-target">
        <strong>{stop.label}</strong>: Δ {Number(draft.targetDelta).toFixed(2)} · {draft.minDte}–{draft.maxDte} days
      </p>
      <div className="custom">
        <label>
          Target Δ
          <input name="targetDelta" inputMode="decimal" value={draft.targetDelta} onChange={(e) => custom("targetDelta", e.target.value)} aria-invalid={!!errors.targetDelta} aria-describedby={errors.targetDelta ? "err-targetDelta" : undefined} />
          {errors.targetDelta && <span id="err-targetDelta" className="field-error">{errors.targetDelta}</span>}
        </label>
        <label>
          Min days
          <input name="minDte" inputMode="numeric" value={draft.minDte} onChange={(e) => custom("minDte", e.target.value)} aria-invalid={!!errors.minDte} aria-describedby={errors.minDte ? "err-minDte" : undefined} />
          {errors.minDte && <span id="err-minDte" className="field-error">{errors.minDte}</span>}
        </label>
        <label>
          Max days
          <input name="maxDte" inputMode="numeric" value={draft.maxDte} onChange={(e) => custom("maxDte", e.target.value)} aria-invalid={!!errors.maxDte} aria-describedby={errors.maxDte ? "err-maxDte" : undefined} />
          {errors.maxDte && <span id="err-maxDte" className="field-error">{errors.maxDte}</span>}
        </label>
      </div>
    </fieldset>
  );
}

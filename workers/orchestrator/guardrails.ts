/**
 * Guard rails for any rationale shown to a user (pure). An LLM may only rephrase what the context bundle says:
 * its answer must parse as JSON, validate against RationaleDoc, cite only ids of the bundle, name only numbers,
 * dates and tickers the bundle holds, make no banned claim (promises of profit, claims of safety), and carry the
 * disclaimer. Anything else rejects the whole text: the template then writes the rationale and the layer says so.
 */
import { RationaleDoc, type ContextBundle } from "../../schemas";

export const DISCLAIMER =
  "Educational information, not investment advice or a solicitation to trade. Options are risky: a long option can lose its entire premium. Figures are estimates from market data that may be delayed or synthetic.";

/** Claims no rationale may make, whoever wrote it. */
export const BANNED_CLAIMS: Array<[RegExp, string]> = [
  [/\bguarantee(d|s)?\b/i, "guarantee"],
  [/\brisk[- ]?free\b|\bno risk\b|\bwithout risk\b|\briskless\b/i, "risk-free"],
  [/\b(can(?:no|['’])t|cannot|won['’]?t|will not|never) lose\b/i, "cannot lose"],
  [/\bsure (thing|bet|profit|win)\b|\bcan['’]?t miss\b/i, "sure thing"],
  [/\bfree money\b/i, "free money"],
  [/\b(certain|assured|definite) (profit|gain|return|win)s?\b|\bwill (definitely|certainly) (rise|fall|profit|gain|go up|go down)\b/i, "certain profit"],
];

/** Upper-case words that are finance jargon, not tickers. */
const JARGON = new Set(
  "A I AI API ATM ATR DTE EMA ETF GBDT IV ITM LLM ML NBBO NYSE NASDAQ OCC OI OTM POP PNL RSI RV SEC SHAP SMA US USA USD UTC ET NY OK FYI NOTE RISK RISKS".split(" "),
);

export function findBannedClaims(text: string): string[] {
  return BANNED_CLAIMS.filter(([re]) => re.test(text)).map(([, name]) => name);
}

/** All numbers in a text, unsigned, with their number of decimals (thousands separators removed). */
function numbersIn(text: string): Array<{ value: number; decimals: number; raw: string }> {
  const out: Array<{ value: number; decimals: number; raw: string }> = [];
  for (const m of text.matchAll(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+/g)) {
    const raw = m[0].replaceAll(",", "");
    const dot = raw.indexOf(".");
    out.push({ value: Number(raw), decimals: dot < 0 ? 0 : raw.length - dot - 1, raw: m[0] });
  }
  return out;
}

const OCC_RE = /\bO:[A-Z]{1,6}\d?\d{6}[CP]\d{8}\b/g;
const DATE_RE = /\b\d{4}-\d{2}-\d{2}(?:T[0-9:.]+Z)?\b/g;

/** The numbers a text about this bundle may contain: every numeric fact (as is, x100 for percentages), and every number written in a fact string or passage. */
export function allowedNumbers(bundle: ContextBundle): number[] {
  const set = new Set<number>();
  const add = (v: number) => {
    if (!Number.isFinite(v)) return;
    set.add(Math.abs(v));
    set.add(Math.abs(v * 100));
  };
  const addText = (t: string) => {
    for (const n of numbersIn(t.replace(OCC_RE, " ").replace(DATE_RE, " "))) set.add(n.value);
  };
  for (const f of bundle.facts) typeof f.value === "number" ? add(f.value) : addText(f.value);
  for (const p of bundle.passages) addText(`${p.title} ${p.body}`);
  return [...set];
}

/** Numbers in `text` that are no rounding of any allowed number (a rounding to the decimals the text shows). */
export function inventedNumbers(text: string, allowed: readonly number[]): string[] {
  const bad: string[] = [];
  const stripped = text.replace(OCC_RE, " ").replace(DATE_RE, " ");
  for (const n of numbersIn(stripped)) {
    const tol = 0.5 * 10 ** -n.decimals + 1e-9;
    if (!allowed.some((a) => Math.abs(a - n.value) <= tol)) bad.push(n.raw);
  }
  return bad;
}

/** Tickers (OCC symbols and bare upper-case words that are not jargon) that the bundle does not name. */
export function unknownTickers(text: string, bundle: ContextBundle): string[] {
  const known = new Set(bundle.tickers);
  const bad = new Set<string>();
  for (const m of text.matchAll(OCC_RE)) if (!known.has(m[0])) bad.add(m[0]);
  const rest = text.replace(OCC_RE, " ");
  for (const m of rest.matchAll(/(?<![A-Za-z0-9:.$])[A-Z]{1,5}(?:\.[A-Z]{1,2})?(?![A-Za-z0-9])/g)) {
    const w = m[0];
    if (!known.has(w) && !JARGON.has(w)) bad.add(w);
  }
  return [...bad];
}

/** Dates the bundle does not hold. */
export function unknownDates(text: string, bundle: ContextBundle): string[] {
  const known = new Set(bundle.dates.map((d) => d.slice(0, 10)));
  return [...text.matchAll(DATE_RE)].map((m) => m[0]).filter((d) => !known.has(d.slice(0, 10)));
}

export type GuardResult = { ok: true; doc: RationaleDoc } | { ok: false; violations: string[] };

/** Checks one provider answer (raw text) against the bundle. Violations are short, stable, human-readable. */
export function checkRationale(raw: string, bundle: ContextBundle): GuardResult {
  let json: unknown;
  try {
    // Chat models like to wrap JSON in a Markdown fence; that much is tolerated, nothing else.
    json = JSON.parse(raw.trim().replace(/^```(?:json)?\s*|\s*```$/g, ""));
  } catch {
    return { ok: false, violations: ["invalid JSON"] };
  }
  const parsed = RationaleDoc.safeParse(json);
  if (!parsed.success) {
    return { ok: false, violations: parsed.error.issues.slice(0, 5).map((i) => `schema: ${i.path.join(".") || "(root)"} ${i.message}`) };
  }
  const doc = parsed.data;
  const violations: string[] = [];
  if (doc.disclaimer.trim() !== bundle.disclaimer) violations.push("missing or altered disclaimer");
  const ids = new Set([...bundle.facts.map((f) => f.id), ...bundle.passages.map((p) => p.id)]);
  for (const s of doc.sections) for (const c of s.citations) if (!ids.has(c)) violations.push(`citation not in the bundle: ${c}`);
  const allowed = allowedNumbers(bundle);
  const texts = [doc.summary, ...doc.sections.map((s) => s.text), ...doc.risks];
  for (const t of texts) {
    for (const claim of findBannedClaims(t)) violations.push(`banned claim: ${claim}`);
    for (const n of inventedNumbers(t, allowed)) violations.push(`number not in the bundle: ${n}`);
    for (const k of unknownTickers(t, bundle)) violations.push(`ticker not in the bundle: ${k}`);
    for (const d of unknownDates(t, bundle)) violations.push(`date not in the bundle: ${d}`);
  }
  const unique = [...new Set(violations)];
  return unique.length ? { ok: false, violations: unique } : { ok: true, doc };
}

/**
 * Compliance guard rails for any text shown as a rationale (pure). Promises of profit and claims of safety are
 * never shown; every rationale carries the disclaimer.
 */
export const DISCLAIMER =
  "Educational information, not investment advice or a solicitation to trade. Options are risky: a long option can lose its entire premium. Figures are estimates from market data that may be delayed or synthetic.";

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bguarantee(d|s)?\b/gi, "expected"],
  [/\brisk[- ]free\b/gi, "lower-risk"],
  [/\b(can(?:no|')t|cannot|won'?t) lose\b/gi, "may lose less"],
  [/\bsure thing\b/gi, "possible outcome"],
  [/\bfree money\b/gi, "a trade with risk"],
];

/** Rewrites forbidden phrases and reports which rules fired. */
export function applyGuardrails(text: string): { text: string; violations: string[] } {
  const violations: string[] = [];
  let out = text;
  for (const [pattern, replacement] of FORBIDDEN) {
    if (pattern.test(out)) violations.push(pattern.source);
    pattern.lastIndex = 0;
    out = out.replace(pattern, replacement);
  }
  return { text: out, violations };
}

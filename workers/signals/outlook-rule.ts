/**
 * The rule behind the signals' outlook (outlookOf in bundle.ts): each part votes with its weight, and the sum
 * decides. Kept apart from bundle.ts so the page that explains the votes can import it without the indicators.
 */
export const VOTE_WEIGHTS = { technical: 1, sentiment: 0.5, congress: 0.25 } as const;
/** Bullish at a vote sum of +OUTLOOK_THRESHOLD or more, bearish at -OUTLOOK_THRESHOLD or less. */
export const OUTLOOK_THRESHOLD = 0.75;

/** The rule in words, for explanations. */
export const OUTLOOK_RULE = `technical ${VOTE_WEIGHTS.technical}, sentiment ${VOTE_WEIGHTS.sentiment}, congress ${VOTE_WEIGHTS.congress}; bullish at +${OUTLOOK_THRESHOLD}, bearish at -${OUTLOOK_THRESHOLD}`;

/** "sentiment +0.5", "technical -1", "technical 0". */
export function voteLabel(v: { source: string; vote: number }): string {
  return `${v.source} ${v.vote > 0 ? "+" : ""}${v.vote}`;
}

/**
 * Sentiment observations as CSV or JSON (pure). Our documented format, since there is no common public one:
 * CSV header `symbol,observed_at,source,score,mentions` (mentions optional; `time`/`timestamp` accepted for
 * observed_at, `sentiment` for score), or JSON: an array of {symbol, observedAt, source, score, mentions?}
 * (or `{ "observations": [...] }`). Score -1 (bearish) .. +1 (bullish); times ISO-8601 (normalised to UTC).
 */
import { SentimentRow } from "../../../schemas";
import { accept, parseNumber, reject, type Parsed } from "./common";
import { headerIndex, parseCsv } from "./csv";

function isoTime(raw: unknown): string | undefined {
  if (typeof raw !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(raw.trim())) return undefined;
  const s = raw.trim();
  // A bare date is that day's midnight UTC; anything else must carry a zone to be unambiguous.
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return undefined;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function candidate(o: Record<string, unknown>) {
  const mentions = o.mentions === undefined || o.mentions === null || o.mentions === "" ? null : parseNumber(o.mentions);
  return {
    symbol: typeof o.symbol === "string" ? o.symbol.trim().toUpperCase() : o.symbol,
    source: typeof o.source === "string" ? o.source.trim() : o.source,
    observedAt: isoTime(o.observedAt ?? o.observed_at ?? o.time ?? o.timestamp) ?? o.observedAt ?? o.observed_at ?? o.time ?? o.timestamp,
    score: parseNumber(o.score ?? o.sentiment) ?? o.score ?? o.sentiment,
    mentions: mentions ?? (o.mentions === undefined || o.mentions === "" ? null : o.mentions),
  };
}

export function parseSentiment(text: string): Parsed<SentimentRow> {
  const trimmed = text.trimStart();
  const rows: SentimentRow[] = [];
  const rejected: Parsed<SentimentRow>["rejected"] = [];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      reject(rejected, { line: null, record: 1 }, null, `not valid JSON: ${(e as Error).message}`);
      return { format: "sentiment-json", received: 0, rows, rejected };
    }
    const list = Array.isArray(data) ? data : (data as { observations?: unknown }).observations;
    if (!Array.isArray(list)) {
      reject(rejected, { line: null, record: 1 }, null, "expected an array of observations");
      return { format: "sentiment-json", received: 0, rows, rejected };
    }
    list.forEach((o, i) => {
      const where = { line: null, record: i + 1 };
      if (!o || typeof o !== "object") reject(rejected, where, null, "not an object");
      else accept(SentimentRow, candidate(o as Record<string, unknown>), where, rows, rejected);
    });
    return { format: "sentiment-json", received: list.length, rows, rejected };
  }
  const records = parseCsv(text);
  if (records.length === 0) return { format: "sentiment-csv", received: 0, rows, rejected };
  const idx = headerIndex(records[0].cells);
  for (let r = 1; r < records.length; r++) {
    const o: Record<string, unknown> = {};
    for (const [k, i] of idx) o[k] = records[r].cells[i];
    accept(SentimentRow, candidate(o), { line: records[r].line, record: r }, rows, rejected);
  }
  return { format: "sentiment-csv", received: records.length - 1, rows, rejected };
}

/**
 * The Polygon WebSocket protocol (pure): frame parsing, client actions and topic strings.
 * Every server frame is a JSON array that may mix statuses and events of several types (protocol §1.4).
 */
import { PolygonEvent, PolygonStatus, type PolygonAction } from "../../../schemas/polygon-ws";

export type ParsedFrame = { statuses: PolygonStatus[]; events: PolygonEvent[]; malformed: number };

/** Parses one text frame. A frame that is not a JSON array counts as one malformed item; bad elements are skipped. */
export function parseFrame(text: string): ParsedFrame {
  const out: ParsedFrame = { statuses: [], events: [], malformed: 0 };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    out.malformed = 1;
    return out;
  }
  if (!Array.isArray(raw)) {
    out.malformed = 1;
    return out;
  }
  for (const item of raw) {
    const ev = (item as { ev?: unknown } | null)?.ev;
    if (ev === "status") {
      const s = PolygonStatus.safeParse(item);
      if (s.success) out.statuses.push(s.data);
      else out.malformed++;
      continue;
    }
    const e = PolygonEvent.safeParse(item);
    if (e.success) out.events.push(e.data);
    else out.malformed++;
  }
  return out;
}

export const authAction = (apiKey: string): PolygonAction => ({ action: "auth", params: apiKey });

/**
 * Subscribe/unsubscribe actions for `topics`, split so no message exceeds `maxChars` (the vendor accepts ~1 MB;
 * we stay far below).
 */
export function topicActions(action: "subscribe" | "unsubscribe", topics: readonly string[], maxChars = 64_000): PolygonAction[] {
  const out: PolygonAction[] = [];
  let current: string[] = [];
  let length = 0;
  for (const t of topics) {
    if (current.length && length + t.length + 1 > maxChars) {
      out.push({ action, params: current.join(",") });
      current = [];
      length = 0;
    }
    current.push(t);
    length += t.length + 1;
  }
  if (current.length) out.push({ action, params: current.join(",") });
  return out;
}

/** Splits `Q.O:SPY251219C00650000` at the FIRST dot: channel `Q`, ticker `O:SPY251219C00650000`. */
export function splitTopic(topic: string): { channel: string; ticker: string } | null {
  const dot = topic.indexOf(".");
  if (dot <= 0 || dot === topic.length - 1) return null;
  return { channel: topic.slice(0, dot).trim(), ticker: topic.slice(dot + 1).trim() };
}

/** The topic a `success` status acknowledges: "subscribed to: T.MSFT" -> { subscribed: true, topic: "T.MSFT" }. */
export function parseAck(message: string | undefined): { subscribed: boolean; topic: string } | null {
  const m = /^(subscribed|unsubscribed) to:\s*(\S+)$/.exec(message?.trim() ?? "");
  return m ? { subscribed: m[1] === "subscribed", topic: m[2] } : null;
}

export type Cluster = "stocks" | "options";

/** The topics a room needs from the stocks cluster for its underlying. */
export const stockTopics = (symbol: string) => [`Q.${symbol}`, `T.${symbol}`, `AM.${symbol}`];
/** The topics for one option contract (quotes are capped at 1,000 contracts per connection). */
export const optionTopics = (ticker: string) => [`Q.${ticker}`, `T.${ticker}`];

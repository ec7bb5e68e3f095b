import type { RecommendationEvent, RecommendationRequest } from "../../schemas";
import { problemFrom } from "./api";

/**
 * POST /api/recommendations as a text/event-stream: calls `onEvent` for every `layer`, `done` or `error` event
 * as it arrives. Throws an ApiProblem when the request itself is refused (401, 422, 429, ...).
 */
export async function streamRecommendation(req: RecommendationRequest, onEvent: (ev: RecommendationEvent) => void, signal?: AbortSignal): Promise<void> {
  const res = await fetch("/api/recommendations", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    credentials: "same-origin",
    body: JSON.stringify(req),
    signal,
  });
  if (!res.ok || !res.body) throw await problemFrom(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n");
      if (data) onEvent(JSON.parse(data) as RecommendationEvent);
    }
  }
}

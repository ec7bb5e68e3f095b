import { Hono } from "hono";
import { RecommendationRequest, type RecommendationEvent } from "../../schemas";
import type { AppEnv } from "../app-types";
import { ApiError } from "../gateway/errors";
import { parseJsonBody } from "../gateway/validate";

/** Symbols are case-insensitive on the way in; the contract stores them upper case. */
function normaliseSymbol(raw: unknown): unknown {
  if (raw && typeof raw === "object" && !Array.isArray(raw) && typeof (raw as { symbol?: unknown }).symbol === "string") {
    return { ...raw, symbol: (raw as { symbol: string }).symbol.trim().toUpperCase() };
  }
  return raw;
}

type StreamFormat = "sse" | "ndjson";

function encodeEvent(format: StreamFormat, ev: RecommendationEvent, seq: number): string {
  const json = JSON.stringify(ev);
  return format === "sse" ? `id: ${seq}\nevent: ${ev.type}\ndata: ${json}\n\n` : `${json}\n`;
}

function errorOf(e: unknown): RecommendationEvent & { type: "error" } {
  if (e instanceof ApiError) return { type: "error", error: e.toBody().error };
  console.error(JSON.stringify({ level: "error", message: "recommendation stream failed", error: String(e) }));
  return { type: "error", error: { code: "internal", message: "internal error" } };
}

/**
 * POST /api/recommendations: one JSON document, or the layers as they complete when the client asks for
 * `text/event-stream` (SSE) or `application/x-ndjson`. GET /api/recommendations/:id: a stored one.
 */
export const recommendations = new Hono<AppEnv>()
  .post("/", async (c) => {
    const req = await parseJsonBody(c, RecommendationRequest, normaliseSymbol);
    const services = c.get("services");
    const accept = c.req.header("accept") ?? "";
    const format: StreamFormat | null = accept.includes("text/event-stream") ? "sse" : accept.includes("application/x-ndjson") ? "ndjson" : null;
    if (!format) return c.json(await services.recommend(req), 200);

    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    let seq = 0;
    const send = (ev: RecommendationEvent) => writer.write(encoder.encode(encodeEvent(format, ev, ++seq)));
    c.executionCtx.waitUntil(
      (async () => {
        try {
          const rec = await services.recommend(req, (layer) => send({ type: "layer", layer }));
          await send({ type: "done", recommendation: rec });
        } catch (e) {
          await send(errorOf(e)).catch(() => undefined);
        } finally {
          await writer.close().catch(() => undefined);
        }
      })(),
    );
    return new Response(readable, {
      status: 200,
      headers: {
        "Content-Type": format === "sse" ? "text/event-stream; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        "X-Request-Id": c.get("requestId"),
      },
    });
  })
  .get("/:id", async (c) => {
    const id = c.req.param("id");
    if (!/^rec_[0-9a-f-]{36}$/.test(id)) {
      throw new ApiError(400, "invalid_id", "malformed recommendation id", [{ field: "params.id", message: "expected rec_<uuid>" }]);
    }
    const rec = await c.get("services").findRecommendation(id);
    if (!rec) throw new ApiError(404, "not_found", `no recommendation ${id}`);
    return c.json(rec);
  });

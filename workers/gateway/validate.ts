import type { Context } from "hono";
import { z } from "zod";
import { Ticker } from "../../schemas";
import { ApiError, issuesToDetails } from "./errors";

/** Largest JSON body any endpoint accepts. */
export const MAX_JSON_BYTES = 64 * 1024;

/** Validates a path symbol, upper-casing it first (spy and SPY are the same underlying). 400 names the field. */
export function parseSymbol(raw: string | undefined, field = "params.symbol"): string {
  const candidate = (raw ?? "").trim().toUpperCase();
  const result = Ticker.safeParse(candidate);
  if (!result.success) {
    throw new ApiError(400, "invalid_symbol", `malformed symbol ${JSON.stringify((raw ?? "").slice(0, 20))}`, [
      { field, message: result.error.issues[0]?.message ?? "invalid" },
    ]);
  }
  return result.data;
}

/** Validates the query string against a schema; unknown parameters are errors too (typos must not be ignored). */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const url = new URL(c.req.url);
  const raw: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in raw) throw new ApiError(400, "invalid_query", `query parameter ${k} given twice`, [{ field: `query.${k}`, message: "given twice" }]);
    raw[k] = v;
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new ApiError(400, "invalid_query", "invalid query parameters", issuesToDetails("query", result.error.issues));
  return result.data;
}

/**
 * Reads a JSON body: 415 unless the content type is JSON, 413 when too large, 400 when it is not JSON,
 * 422 when it does not match the schema (each wrong field named).
 */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S, prepare?: (raw: unknown) => unknown): Promise<z.infer<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "send the body as application/json", [
      { field: "headers.content-type", message: type ? `got ${type.slice(0, 60)}` : "missing" },
    ]);
  }
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_JSON_BYTES) throw new ApiError(413, "payload_too_large", `body over ${MAX_JSON_BYTES} bytes`);
  const text = await c.req.text();
  if (text.length > MAX_JSON_BYTES) throw new ApiError(413, "payload_too_large", `body over ${MAX_JSON_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, "invalid_json", "the body is not valid JSON", [{ field: "body", message: (e as Error).message }]);
  }
  const result = schema.safeParse(prepare ? prepare(raw) : raw);
  if (!result.success) throw new ApiError(422, "validation_failed", "the request does not match the schema", issuesToDetails("body", result.error.issues));
  return result.data;
}

import { Hono } from "hono";
import { z } from "zod";
import { ImportKind } from "../../schemas";
import type { AppEnv } from "../app-types";
import { requireRole } from "../gateway/auth";
import { ApiError } from "../gateway/errors";
import { parseQuery, parseSymbol } from "../gateway/validate";

/** Largest import file accepted (the bundled SPY history since 1999 is 285 KB). */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;

const ImportQuery = z.object({ symbol: z.string().optional().describe("symbol of every row of a bars file without a symbol column") }).strict();

/**
 * POST /api/admin/import/:kind (admin only): the body is the file itself (text/csv, text/plain or
 * application/json); the answer is an ImportResult: rows received, accepted, rejected (line/record and reason),
 * and how many rows really changed, 0 when the same file is imported again.
 */
export const adminImport = new Hono<AppEnv>().use("*", requireRole("admin")).post("/:kind", async (c) => {
  const kind = ImportKind.safeParse(c.req.param("kind"));
  if (!kind.success) {
    throw new ApiError(400, "invalid_kind", `unknown import kind ${JSON.stringify(c.req.param("kind").slice(0, 20))}`, [
      { field: "params.kind", message: `one of ${ImportKind.options.join(", ")}` },
    ]);
  }
  const query = parseQuery(c, ImportQuery);
  const symbol = query.symbol === undefined ? undefined : parseSymbol(query.symbol, "query.symbol");
  const type = c.req.header("content-type") ?? "";
  if (!/^(text\/csv|text\/plain|application\/json)\s*(;|$)/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "send the file as text/csv, text/plain or application/json", [
      { field: "headers.content-type", message: type ? `got ${type.slice(0, 60)}` : "missing" },
    ]);
  }
  if (Number(c.req.header("content-length") ?? "0") > MAX_IMPORT_BYTES) throw new ApiError(413, "payload_too_large", `file over ${MAX_IMPORT_BYTES} bytes`);
  const text = await c.req.text();
  if (text.length > MAX_IMPORT_BYTES) throw new ApiError(413, "payload_too_large", `file over ${MAX_IMPORT_BYTES} bytes`);
  if (text.trim() === "") throw new ApiError(422, "validation_failed", "the file is empty", [{ field: "body", message: "empty" }]);
  return c.json(await c.get("services").importFile(kind.data, text, { symbol }));
});

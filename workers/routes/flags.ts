import { Hono } from "hono";
import { z } from "zod";
import { FlagDefinition } from "../../schemas/flags";
import type { AppEnv } from "../app-types";
import { requireRole } from "../gateway/auth";
import { ApiError } from "../gateway/errors";
import { loadFlags, saveFlags } from "../gateway/flags";
import { parseJsonBody } from "../gateway/validate";

/** GET /api/flags: the caller's evaluated flags (evaluated once per request by the gateway). */
export const flags = new Hono<AppEnv>().get("/", (c) => c.json({ flags: c.get("flags"), evaluatedFor: c.get("user")?.sub ?? "anonymous" }));

const FlagKeyParam = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/);

/** Admin API: read, create or replace, and delete flag definitions (validated). */
export const adminFlags = new Hono<AppEnv>()
  .use("*", requireRole("admin"))
  .get("/", async (c) => c.json({ flags: await loadFlags(c.env.FLAGS) }))
  .put("/:key", async (c) => {
    const key = c.req.param("key");
    if (!FlagKeyParam.safeParse(key).success) throw new ApiError(400, "invalid_flag_key", "malformed flag key", [{ field: "params.key", message: "lower-case words joined by dashes" }]);
    const def = await parseJsonBody(c, FlagDefinition);
    if (def.key !== key) throw new ApiError(422, "validation_failed", "the body's key must match the path", [{ field: "body.key", message: `expected ${key}` }]);
    const all = (await loadFlags(c.env.FLAGS)).filter((f) => f.key !== key);
    await saveFlags(c.env.FLAGS, [...all, def]);
    return c.json(def);
  })
  .delete("/:key", async (c) => {
    const key = c.req.param("key");
    const all = await loadFlags(c.env.FLAGS);
    if (!all.some((f) => f.key === key)) throw new ApiError(404, "not_found", `no flag ${key}`);
    await saveFlags(c.env.FLAGS, all.filter((f) => f.key !== key));
    return c.body(null, 204);
  });

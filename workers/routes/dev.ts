import { Hono } from "hono";
import { DevTokenRequest, type DevToken } from "../../schemas";
import type { AppEnv } from "../app-types";
import { devJwks, mintDevToken } from "../gateway/dev-issuer";
import { ApiError } from "../gateway/errors";
import { parseJsonBody } from "../gateway/validate";

/** The local development issuer's JWKS and token endpoint; absent (404) unless DEV_AUTH is on (never in production). */
export const dev = new Hono<AppEnv>()
  .use("*", async (c, next) => {
    if (!c.get("services").config.devAuth) throw new ApiError(404, "not_found", "the development issuer is disabled");
    return next();
  })
  .get("/jwks.json", async (c) => c.json(await devJwks(c.env.CACHE)))
  .post("/token", async (c) => {
    const req = await parseJsonBody(c, DevTokenRequest);
    const { token, expiresAt } = await mintDevToken(c.env.CACHE, req.sub, req.roles);
    return c.json({ token, tokenType: "Bearer", expiresAt } satisfies DevToken);
  });

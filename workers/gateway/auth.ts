/**
 * Authentication middleware: who is calling. A bearer token (Authorization header; the app's HttpOnly cookie;
 * `?token=` on WebSocket upgrades, which cannot carry headers) is verified against the configured identity
 * provider (Auth0 or Cognito JWKS) or the local dev issuer. A bad token is a 401 on every route, public or not:
 * a client that sends credentials must learn they are wrong.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { decodeJwt } from "jose";
import type { AppEnv } from "../app-types";
import { DEV_AUDIENCE, DEV_ISSUER, devJwks } from "./dev-issuer";
import { ApiError } from "./errors";
import { AuthError, localKeys, MAX_TOKEN_BYTES, remoteKeys, verifyToken, type AuthProfile, type Principal } from "./jwt";

export const SESSION_COOKIE = "session";

function bearer(c: Context<AppEnv>): string | null {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
    if (!m) throw unauthorized("invalid_token", "expected Authorization: Bearer <token>");
    return m[1];
  }
  if (c.req.path.startsWith("/ws/")) {
    const q = new URL(c.req.url).searchParams.get("token");
    if (q) return q;
  }
  return getCookie(c, SESSION_COOKIE) ?? null;
}

function unauthorized(error: "invalid_token" | null, message: string): ApiError {
  const challenge = error ? `Bearer realm="api", error="${error}", error_description="${message.replace(/"/g, "'")}"` : `Bearer realm="api"`;
  return new ApiError(401, "unauthorized", message, undefined, { "WWW-Authenticate": challenge });
}

/** The profiles this deployment accepts: the configured provider, and the dev issuer where enabled. */
export function profiles(env: Env, devAuth: boolean): Array<{ profile: AuthProfile; keys: () => Promise<Parameters<typeof verifyToken>[2]> }> {
  const out: ReturnType<typeof profiles> = [];
  const provider = env.AUTH_PROVIDER === "cognito" ? "cognito" : "auth0";
  if (env.AUTH_JWKS_URL && env.AUTH_ISSUER && env.AUTH_AUDIENCE) {
    const url = env.AUTH_JWKS_URL;
    out.push({ profile: { provider, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE }, keys: async () => remoteKeys(url) });
  }
  if (devAuth) out.push({ profile: { provider: "dev", issuer: DEV_ISSUER, audience: DEV_AUDIENCE }, keys: async () => localKeys(await devJwks(env.CACHE)) });
  return out;
}

/** Sets `user` (or null for anonymous). Never lets an invalid token through to a handler. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearer(c);
    if (!token) {
      c.set("user", null);
      return next();
    }
    if (token.length > MAX_TOKEN_BYTES) throw unauthorized("invalid_token", "token too large");
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw unauthorized("invalid_token", "malformed token");
    }
    // The unverified issuer only chooses which keys to try; those keys and that issuer are then enforced.
    const candidate = profiles(c.env, c.get("services").config.devAuth).find((p) => p.profile.issuer === iss);
    if (!candidate) throw unauthorized("invalid_token", "unknown issuer");
    try {
      c.set("user", await verifyToken(token, candidate.profile, await candidate.keys()));
    } catch (e) {
      if (e instanceof AuthError) throw unauthorized("invalid_token", e.message);
      throw e;
    }
    return next();
  };
}

/**
 * For pages: the user from the session cookie, or null. Unlike the API, a bad or expired cookie is not an error
 * here: the page shows the signed-out state (and the cookie is cleared by the caller).
 */
export async function sessionUser(c: Context<AppEnv>): Promise<Principal | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || token.length > MAX_TOKEN_BYTES) return null;
  try {
    const iss = decodeJwt(token).iss;
    const candidate = profiles(c.env, c.get("services").config.devAuth).find((p) => p.profile.issuer === iss);
    return candidate ? await verifyToken(token, candidate.profile, await candidate.keys()) : null;
  } catch {
    return null;
  }
}

export function requireUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get("user")) throw unauthorized(null, "sign in: this route needs a user");
    return next();
  };
}

export function requireRole(role: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get("user");
    if (!user) throw unauthorized(null, "sign in: this route needs a user");
    if (!user.roles.includes(role)) throw new ApiError(403, "forbidden", `this route needs the ${role} role`);
    return next();
  };
}

export type { Principal };

/**
 * JWT verification against a provider's keys (jose). Hostile input: the token is size-checked before parsing,
 * only RS256/ES256 are accepted (never `none`, never HMAC, so a public key can't be used as a shared secret),
 * `iss`/`aud`/`exp`/`nbf` are checked with a small clock tolerance, and provider profiles add their own rules.
 */
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from "jose";

export const ALLOWED_ALGORITHMS = ["RS256", "ES256"];
export const MAX_TOKEN_BYTES = 8 * 1024;
export const CLOCK_TOLERANCE_S = 30;

export type Provider = "dev" | "auth0" | "cognito";
export type AuthProfile = { provider: Provider; issuer: string; audience: string };
export type Principal = { sub: string; roles: string[]; provider: Provider; claims: JWTPayload };

export class AuthError extends Error {
  constructor(readonly reason: "invalid_token" | "insufficient_scope", message: string) {
    super(message);
  }
}

const remoteSets = new Map<string, JWTVerifyGetKey>();

/**
 * The key resolver of a JWKS URL, created once per isolate: jose caches the keys, refetches once (after a short
 * cooldown) when a token names an unknown `kid`, so a provider's key rotation needs no restart.
 */
export function remoteKeys(url: string, fetchImpl?: typeof fetch, opts: { cooldownMs?: number } = {}): JWTVerifyGetKey {
  const cacheKey = fetchImpl ? `${url}#custom` : url;
  let set = remoteSets.get(cacheKey);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), {
      cacheMaxAge: 10 * 60_000,
      // At most one refetch per cooldown: tokens with made-up `kid`s cannot make us hammer the provider.
      cooldownDuration: opts.cooldownMs ?? 30_000,
      timeoutDuration: 5_000,
      ...(fetchImpl ? { [customFetch]: fetchImpl } : {}),
    });
    remoteSets.set(cacheKey, set);
  }
  return set;
}

export const localKeys = (jwks: JSONWebKeySet): JWTVerifyGetKey => createLocalJWKSet(jwks);

/** Roles from the claims providers use: `roles`, namespaced `.../roles`, `cognito:groups`, `permissions`, `scope`. */
export function rolesOf(claims: JWTPayload): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === "string") for (const s of v.split(/\s+/)) s && out.add(s);
    else if (Array.isArray(v)) for (const s of v) if (typeof s === "string" && s) out.add(s);
  };
  for (const [k, v] of Object.entries(claims)) {
    if (k === "roles" || k.endsWith("/roles") || k === "cognito:groups" || k === "permissions" || k === "scope") add(v);
  }
  return [...out].filter((r) => r.length <= 64).sort();
}

/** Verifies a bearer token for a profile; throws AuthError with a reason safe to show (never the token). */
export async function verifyToken(token: string, profile: AuthProfile, keys: JWTVerifyGetKey): Promise<Principal> {
  if (token.length > MAX_TOKEN_BYTES) throw new AuthError("invalid_token", "token too large");
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) throw new AuthError("invalid_token", "malformed token");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ALLOWED_ALGORITHMS,
      issuer: profile.issuer,
      // Cognito access tokens carry no `aud`; their audience is `client_id`, checked below.
      ...(profile.provider === "cognito" ? {} : { audience: profile.audience }),
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ["sub", "exp"],
    }));
  } catch (e) {
    throw new AuthError("invalid_token", describe(e));
  }
  if (profile.provider === "cognito") {
    if (payload.token_use !== "access") throw new AuthError("invalid_token", "an access token is required");
    if (payload.client_id !== profile.audience) throw new AuthError("invalid_token", "token issued for another client");
  }
  if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 256) throw new AuthError("invalid_token", "bad subject");
  return { sub: payload.sub, roles: rolesOf(payload), provider: profile.provider, claims: payload };
}

function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return "token expired";
  if (e instanceof errors.JWTClaimValidationFailed) return `claim check failed: ${e.claim}`;
  if (e instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed";
  if (e instanceof errors.JWKSNoMatchingKey) return "unknown signing key";
  if (e instanceof errors.JWSSignatureVerificationFailed) return "bad signature";
  if (e instanceof errors.JWKSTimeout) return "identity provider keys unavailable";
  return "invalid token";
}

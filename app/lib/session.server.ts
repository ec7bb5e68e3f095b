/**
 * The session cookie the Worker's gateway reads (`session`, see workers/gateway/auth.ts SESSION_COOKIE): a bearer
 * token the page's scripts never see (HttpOnly), sent on same-site navigations and fetches (SameSite=Lax),
 * Secure everywhere except plain-http loopback during development.
 */
export const SESSION_COOKIE = "session";
/** Remembers which demo user this browser is, so "continue as demo user" returns to the same profile. */
export const DEMO_ID_COOKIE = "demo_id";
/** PKCE state and verifier between /auth/login and /auth/callback. */
export const OAUTH_COOKIE = "oauth_pkce";

const isLocalHttp = (request: Request) => {
  const url = new URL(request.url);
  return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
};

export function cookie(request: Request, name: string, value: string, opts: { maxAgeS: number; path?: string }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path ?? "/"}`, `Max-Age=${Math.max(0, Math.floor(opts.maxAgeS))}`, "HttpOnly", "SameSite=Lax"];
  if (!isLocalHttp(request)) parts.push("Secure");
  return parts.join("; ");
}

export const clearCookie = (request: Request, name: string, path = "/") => cookie(request, name, "", { maxAgeS: 0, path });

export function readCookie(request: Request, name: string): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) {
      try {
        return decodeURIComponent(v.join("="));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Seconds until a token's `exp` (unverified: only to size the cookie; the gateway verifies the token). */
export function secondsLeft(token: string, fallbackS: number): number {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: number };
    return payload.exp ? Math.max(0, payload.exp - Math.floor(Date.now() / 1000)) : fallbackS;
  } catch {
    return fallbackS;
  }
}

export const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export const randomToken = (n = 32) => base64url(crypto.getRandomValues(new Uint8Array(n)));

/** RFC 7636 S256: base64url(SHA-256(verifier)). */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

export type IdpConfig = { authorizeUrl: string; tokenUrl: string; clientId: string; audience: string };

/** The identity provider for the authorization-code flow, when all three of its variables are set. */
export function idpConfig(env: Env): IdpConfig | null {
  if (!env.AUTH_AUTHORIZE_URL || !env.AUTH_TOKEN_URL || !env.AUTH_CLIENT_ID) return null;
  return { authorizeUrl: env.AUTH_AUTHORIZE_URL, tokenUrl: env.AUTH_TOKEN_URL, clientId: env.AUTH_CLIENT_ID, audience: env.AUTH_AUDIENCE ?? "" };
}

import { env, SELF } from "cloudflare:test";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { Watchlist } from "../schemas";
import { DEV_AUDIENCE, DEV_ISSUER } from "../workers/gateway/dev-issuer";
import { remoteKeys, verifyToken, type AuthProfile } from "../workers/gateway/jwt";
import { authHeaders, expectError, get, postJson, tokenFor } from "./helpers";

const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const nowS = () => Math.floor(Date.now() / 1000);

/** Signs arbitrary claims with the dev issuer's real private key (read from KV): valid signatures, hostile claims. */
async function devSigned(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  await tokenFor("key-bootstrap"); // makes sure the issuer's key exists
  const stored = (await env.CACHE.get("auth:dev-issuer:v1", "json")) as { kid: string; privateJwk: JWK };
  const key = await importJWK(stored.privateJwk, "ES256");
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: stored.kid, ...header }).sign(key);
}

const baseClaims = () => ({ iss: DEV_ISSUER, aud: DEV_AUDIENCE, sub: "victim", exp: nowS() + 600, iat: nowS(), nbf: nowS() - 1 });

/** A handler with a side effect: if any forged token reached it, the victim's watchlist would change. */
async function attack(token: string) {
  return postJson("/api/watchlist", { symbols: ["GME"] }, { authorization: `Bearer ${token}` }, "PUT");
}

describe("JWT attack suite: every forged token is a 401 and reaches no handler", () => {
  it("rejects each attack with 401 and WWW-Authenticate", async () => {
    const publicJwks = (await (await get("/api/dev/jwks.json")).json()) as { keys: JWK[] };
    const hmacWithPublicKey = await new SignJWT(baseClaims())
      .setProtectedHeader({ alg: "HS256", kid: publicJwks.keys[0].kid })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwks.keys[0])));
    const good = await devSigned(baseClaims());
    const [h, p, sig] = good.split(".");
    const tampered = `${h}.${b64url(JSON.stringify({ ...baseClaims(), sub: "victim", roles: ["admin"] }))}.${sig}`;
    const { privateKey: evilKey } = await generateKeyPair("ES256");
    const unknownKid = await new SignJWT(baseClaims()).setProtectedHeader({ alg: "ES256", kid: "evil-kid" }).sign(evilKey);
    const attacks: Record<string, string> = {
      "alg none": `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(baseClaims()))}.`,
      "alg none, no dot": `${b64url(JSON.stringify({ alg: "none" }))}.${b64url(JSON.stringify(baseClaims()))}`,
      "HS256 signed with the public key": hmacWithPublicKey,
      expired: await devSigned({ ...baseClaims(), exp: nowS() - 120, iat: nowS() - 600, nbf: nowS() - 600 }),
      "not yet valid": await devSigned({ ...baseClaims(), nbf: nowS() + 600 }),
      "wrong issuer": await devSigned({ ...baseClaims(), iss: "https://evil.example/" }),
      "wrong audience": await devSigned({ ...baseClaims(), aud: "someone-else" }),
      "no subject": await devSigned({ ...baseClaims(), sub: undefined }),
      "unknown kid": unknownKid,
      "tampered payload": tampered,
      truncated: good.slice(0, good.length - 20),
      "signature stripped": `${h}.${p}.`,
      oversized: await devSigned({ ...baseClaims(), pad: "x".repeat(9000) }),
      garbage: "not-a-token",
    };
    for (const [name, token] of Object.entries(attacks)) {
      const res = await attack(token);
      expect(res.status, name).toBe(401);
      expect(res.headers.get("www-authenticate"), name).toMatch(/^Bearer realm="api"/);
      await expectError(res, 401, "unauthorized");
    }
    // A malformed Authorization header is not "anonymous" either.
    const basic = await postJson("/api/watchlist", { symbols: ["GME"] }, { authorization: "Basic dXNlcjpwYXNz" }, "PUT");
    expect(basic.status).toBe(401);
    // Public routes refuse bad credentials too: the caller must learn they are wrong.
    expect((await get("/api/quotes/SPY", { headers: { authorization: `Bearer ${tampered}` } })).status).toBe(401);
    // None reached the handler: the victim's list is untouched.
    const victim = Watchlist.parse(await (await get("/api/watchlist", { headers: { authorization: `Bearer ${await devSigned(baseClaims())}` } })).json());
    expect(victim.symbols).toEqual([]);
  });

  it("accepts a well-formed token and applies roles: 401 without a user, 403 without admin", async () => {
    expect((await get("/api/profile")).status).toBe(401);
    expect((await get("/api/profile")).headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect((await get("/api/profile", { headers: await authHeaders("alice") })).status).toBe(200);
    await expectError(await get("/api/admin/flags", { headers: await authHeaders("alice") }), 403, "forbidden");
    expect((await get("/api/admin/flags", { headers: await authHeaders("root", ["admin"]) })).status).toBe(200);
    const anon = await postJson("/api/recommendations", { symbol: "SPY", preset: "balanced", capital: 1000 }, { authorization: "" });
    await expectError(anon, 401, "unauthorized");
  });
});

// ------------------------------------------------------------------------------------------------------------
// Provider profiles against a JWKS served by an injected fetch (counts fetches; rotates keys).

async function provider() {
  const make = async (kid: string) => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
  };
  let keys = [await make("k1")];
  let fetches = 0;
  const fetchImpl = (async () => {
    fetches++;
    return new Response(JSON.stringify({ keys: keys.map((k) => k.jwk) }), { headers: { "content-type": "application/json" } });
  }) as unknown as typeof fetch;
  const url = `https://idp-${crypto.randomUUID()}.example/.well-known/jwks.json`;
  return {
    resolver: remoteKeys(url, fetchImpl, { cooldownMs: 1000 }),
    fetches: () => fetches,
    rotate: async (kid: string) => {
      const k = await make(kid);
      keys = [k, ...keys];
      return k;
    },
    sign: (claims: JWTPayload, k = keys[0], alg = "RS256") => new SignJWT(claims).setProtectedHeader({ alg, kid: k.kid }).sign(k.privateKey),
    first: () => keys[keys.length - 1],
  };
}

describe("identity provider profiles", () => {
  const auth0: AuthProfile = { provider: "auth0", issuer: "https://tenant.auth0.example/", audience: "https://api.options.example" };
  const cognito: AuthProfile = { provider: "cognito", issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool", audience: "client-123" };
  const claims = (p: AuthProfile, extra: JWTPayload = {}) => ({ iss: p.issuer, sub: "u1", exp: nowS() + 300, iat: nowS(), ...extra });

  it("Auth0: audience checked, namespaced roles and scopes read", async () => {
    const idp = await provider();
    const principal = await verifyToken(
      await idp.sign(claims(auth0, { aud: auth0.audience, "https://options.example/roles": ["admin"], scope: "read:chains trade" })),
      auth0,
      idp.resolver,
    );
    expect(principal.sub).toBe("u1");
    expect(principal.roles).toEqual(["admin", "read:chains", "trade"]);
    await expect(verifyToken(await idp.sign(claims(auth0, { aud: "other" })), auth0, idp.resolver)).rejects.toThrow(/aud/);
  });

  it("Cognito: an id token where an access token is required is refused; client_id checked; groups are roles", async () => {
    const idp = await provider();
    const ok = await verifyToken(await idp.sign(claims(cognito, { token_use: "access", client_id: "client-123", "cognito:groups": ["admin"] })), cognito, idp.resolver);
    expect(ok.roles).toEqual(["admin"]);
    await expect(verifyToken(await idp.sign(claims(cognito, { token_use: "id", aud: "client-123" })), cognito, idp.resolver)).rejects.toThrow(/access token/);
    await expect(verifyToken(await idp.sign(claims(cognito, { token_use: "access", client_id: "other" })), cognito, idp.resolver)).rejects.toThrow(/another client/);
  });

  it("rotates keys without a restart: one refetch for an unknown kid, cached otherwise", async () => {
    const idp = await provider();
    await verifyToken(await idp.sign(claims(auth0, { aud: auth0.audience })), auth0, idp.resolver);
    await verifyToken(await idp.sign(claims(auth0, { aud: auth0.audience })), auth0, idp.resolver);
    expect(idp.fetches()).toBe(1);
    const k2 = await idp.rotate("k2");
    // Inside the cooldown an unknown kid is refused without a fetch (no hammering the provider)...
    await expect(verifyToken(await idp.sign(claims(auth0, { aud: auth0.audience }), k2), auth0, idp.resolver)).rejects.toThrow(/unknown signing key/);
    expect(idp.fetches()).toBe(1);
    // ...after it, one refetch picks up the new key.
    await new Promise((r) => setTimeout(r, 1100));
    const p = await verifyToken(await idp.sign(claims(auth0, { aud: auth0.audience }), k2), auth0, idp.resolver);
    expect(p.sub).toBe("u1");
    expect(idp.fetches()).toBe(2);
    // the old key still verifies from the cache
    await verifyToken(await idp.sign(claims(auth0, { aud: auth0.audience }), idp.first()), auth0, idp.resolver);
    expect(idp.fetches()).toBe(2);
  });

  it("refuses algorithms outside the allow-list even with a valid key", async () => {
    const idp = await provider();
    const { privateKey } = await generateKeyPair("PS256");
    const ps = await new SignJWT(claims(auth0, { aud: auth0.audience })).setProtectedHeader({ alg: "PS256", kid: "k1" }).sign(privateKey);
    await expect(verifyToken(ps, auth0, idp.resolver)).rejects.toThrow(/algorithm|signature/);
  });
});

describe("dev issuer", () => {
  it("mints tokens for a subject with roles, validated", async () => {
    const res = await SELF.fetch("http://localhost/api/dev/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sub: "demo", roles: ["admin"] }) });
    expect(res.status).toBe(200);
    const { token, tokenType } = (await res.json()) as { token: string; tokenType: string };
    expect(tokenType).toBe("Bearer");
    const profile = await get("/api/profile", { headers: { authorization: `Bearer ${token}` } });
    expect(profile.status).toBe(200);
    await expectError(await postJson("/api/dev/token", { sub: "" }, { authorization: "" }), 422, "validation_failed", "body.sub");
    await expectError(await postJson("/api/dev/token", { sub: "x", roles: ["ADMIN!"] }, { authorization: "" }), 422, "validation_failed");
  });
});

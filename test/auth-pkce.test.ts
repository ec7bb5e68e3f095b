/**
 * The real sign-in, end to end through the Worker (SELF): OAuth 2.0 authorization code + PKCE (RFC 7636) against a
 * FAKE identity provider. /auth/login must redirect to the provider's authorize URL with a state and an S256 code
 * challenge bound to this browser (the `oauth_pkce` cookie); /auth/callback must check the state, redeem the code
 * with the verifier, and only then set the session cookie that the page and the API accept.
 *
 * The provider: the AUTH_* vars are set on this file's `env` (the object the Worker receives; each test file has
 * its own runtime, so no other file sees them) and the Worker's outbound fetch (same isolate) is answered by a spy
 * on globalThis.fetch: the JWKS (an ES256 key generated here) and the token endpoint, which checks grant_type, the
 * code it issued, redirect_uri, client_id and that base64url(SHA-256(code_verifier)) equals the code_challenge the
 * browser brought to /authorize. Every other URL goes to the real fetch.
 */
import { env, SELF } from "cloudflare:test";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const APP = "https://options.example";
const IDP = {
  AUTH_ISSUER: "https://idp.test/",
  AUTH_AUTHORIZE_URL: "https://idp.test/authorize",
  AUTH_TOKEN_URL: "https://idp.test/oauth/token",
  AUTH_JWKS_URL: "https://idp.test/.well-known/jwks.json",
  AUTH_CLIENT_ID: "pkce-test-client",
  AUTH_AUDIENCE: "https://api.options.example",
};
const KID = "idp-key-1";
const SUB = "auth0|pkce-user-42";

const urlOf = (input: RequestInfo | URL) => (typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const s256 = async (v: string) => b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(v))));
const now = () => Math.floor(Date.now() / 1000);

type Keys = { privateKey: CryptoKey; publicJwk: Record<string, unknown> };
async function keyPair(kid: string): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } };
}

async function sign(claims: JWTPayload, key: CryptoKey, kid = KID): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(key);
}

type Grant = { challenge: string; method: string; redirectUri: string; clientId: string; sub: string; used: boolean };
type TokenSet = { access_token?: string; id_token?: string; token_type?: string; expires_in?: number };
type TokenCall = { params: URLSearchParams; status: number; error?: string };

/** The fake provider: what /authorize would do for a user who signs in, its JWKS and its token endpoint. */
class FakeIdp {
  readonly grants = new Map<string, Grant>();
  readonly tokenCalls: TokenCall[] = [];
  jwksCalls = 0;
  /** The token set answered for a good grant; tests swap it for the bad-token cases. */
  mint: (sub: string) => Promise<TokenSet>;

  constructor(readonly keys: Keys, mint: (idp: FakeIdp, sub: string) => Promise<TokenSet>) {
    this.mint = (sub) => mint(this, sub);
  }

  /** The browser arrives at the authorize URL and the user signs in: a one-time code for the redirect back. */
  authorize(location: URL, sub = SUB): { code: string; state: string; redirectUri: string } {
    const p = location.searchParams;
    const code = b64url(crypto.getRandomValues(new Uint8Array(24)));
    this.grants.set(code, { challenge: p.get("code_challenge") ?? "", method: p.get("code_challenge_method") ?? "", redirectUri: p.get("redirect_uri") ?? "", clientId: p.get("client_id") ?? "", sub, used: false });
    return { code, state: p.get("state") ?? "", redirectUri: p.get("redirect_uri") ?? "" };
  }

  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (req.method === "GET" && url.href === IDP.AUTH_JWKS_URL) {
      this.jwksCalls++;
      return Response.json({ keys: [this.keys.publicJwk] });
    }
    if (req.method === "POST" && url.href === IDP.AUTH_TOKEN_URL) return this.token(req);
    return new Response("not found", { status: 404 });
  }

  private async token(req: Request): Promise<Response> {
    const params = new URLSearchParams(await req.text());
    const refuse = (error: string, status = 400) => {
      this.tokenCalls.push({ params, status, error });
      return Response.json({ error, error_description: `fake idp: ${error}` }, { status });
    };
    if (!(req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) return refuse("invalid_request");
    if (params.get("grant_type") !== "authorization_code") return refuse("unsupported_grant_type");
    const grant = this.grants.get(params.get("code") ?? "");
    if (!grant || grant.used) return refuse("invalid_grant");
    grant.used = true; // one use only, even when the rest of the request is wrong (RFC 6749 4.1.2)
    if (params.get("client_id") !== IDP.AUTH_CLIENT_ID || grant.clientId !== IDP.AUTH_CLIENT_ID) return refuse("invalid_client", 401);
    if (params.get("redirect_uri") !== grant.redirectUri) return refuse("invalid_grant");
    const verifier = params.get("code_verifier");
    // RFC 7636 4.1: 43..128 characters of [A-Za-z0-9-._~]; 4.6: S256 is base64url(SHA-256(ASCII(verifier))).
    if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return refuse("invalid_grant");
    if (grant.method !== "S256" || (await s256(verifier)) !== grant.challenge) return refuse("invalid_grant");
    this.tokenCalls.push({ params, status: 200 });
    return Response.json({ token_type: "Bearer", ...(await this.mint(grant.sub)) });
  }
}

/** Auth0: a JWT access token for our API (aud = the API identifier) and an id token for the client. */
async function auth0Tokens(idp: FakeIdp, sub: string, over: { access?: JWTPayload; key?: CryptoKey; kid?: string } = {}): Promise<TokenSet> {
  const t = now();
  const access = await sign(
    { iss: IDP.AUTH_ISSUER, sub, aud: [IDP.AUTH_AUDIENCE, "https://idp.test/userinfo"], azp: IDP.AUTH_CLIENT_ID, iat: t, exp: t + 3600, scope: "openid profile email", permissions: ["read:chains"], ...over.access },
    over.key ?? idp.keys.privateKey,
    over.kid,
  );
  const id = await sign({ iss: IDP.AUTH_ISSUER, sub, aud: IDP.AUTH_CLIENT_ID, iat: t, exp: t + 3600, name: "PKCE User" }, over.key ?? idp.keys.privateKey, over.kid);
  return { access_token: access, id_token: id, expires_in: 3600 };
}

/** Cognito: an access token with token_use=access and client_id (no aud), groups in cognito:groups. */
async function cognitoTokens(idp: FakeIdp, sub: string, over: { access?: JWTPayload } = {}): Promise<TokenSet> {
  const t = now();
  const access = await sign({ iss: IDP.AUTH_ISSUER, sub, token_use: "access", client_id: IDP.AUTH_CLIENT_ID, "cognito:groups": ["admin", "traders"], scope: "openid profile email", iat: t, exp: t + 3600, ...over.access }, idp.keys.privateKey);
  const id = await sign({ iss: IDP.AUTH_ISSUER, sub, aud: IDP.AUTH_CLIENT_ID, token_use: "id", "cognito:groups": ["admin", "traders"], iat: t, exp: t + 3600 }, idp.keys.privateKey);
  return { access_token: access, id_token: id, expires_in: 3600 };
}

/** name=value of each Set-Cookie, and the full Set-Cookie lines by name. */
function cookiesOf(res: Response): Map<string, { value: string; line: string }> {
  const out = new Map<string, { value: string; line: string }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const i = pair.indexOf("=");
    out.set(pair.slice(0, i), { value: decodeURIComponent(pair.slice(i + 1)), line });
  }
  return out;
}

/** GET /auth/login: the redirect to the provider and the cookie binding state and verifier to this browser. */
async function startLogin() {
  const res = await SELF.fetch(`${APP}/auth/login`, { redirect: "manual" });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  const pkce = cookiesOf(res).get("oauth_pkce");
  expect(pkce, "the login sets the oauth_pkce cookie").toBeDefined();
  return { res, location, pkce: pkce!, cookie: `oauth_pkce=${encodeURIComponent(pkce!.value)}` };
}

function callback(params: Record<string, string>, cookie?: string) {
  const qs = new URLSearchParams(params).toString();
  return SELF.fetch(`${APP}/auth/callback?${qs}`, { redirect: "manual", headers: cookie ? { cookie } : {} });
}

/** A failed callback: a clean 4xx error page, no session cookie (the PKCE cookie is cleared). */
async function expectCleanFailure(res: Response, message: RegExp) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  const set = cookiesOf(res);
  expect(set.has("session"), "no session cookie on a failed sign-in").toBe(false);
  expect(set.get("oauth_pkce")?.line).toMatch(/Max-Age=0/);
  const html = await res.text();
  expect(html).toContain("Sign-in did not complete");
  expect(html).toMatch(message);
  return html;
}

describe("sign-in with authorization code + PKCE against a fake identity provider", () => {
  const saved: Record<string, unknown> = {};
  let keys: Keys;
  let otherKeys: Keys;
  let idp: FakeIdp;

  const configure = (vars: Record<string, string>) => {
    const e = env as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(vars)) {
      if (!(k in saved)) saved[k] = e[k];
      e[k] = v;
    }
  };

  beforeAll(async () => {
    keys = await keyPair(KID);
    otherKeys = await keyPair(KID); // same kid, another key: only the signature tells them apart
    configure({ ...IDP, AUTH_PROVIDER: "auth0" });
  });
  afterAll(() => {
    Object.assign(env as unknown as Record<string, unknown>, saved);
  });
  beforeEach(() => {
    idp = new FakeIdp(keys, (i, sub) => auth0Tokens(i, sub));
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => (urlOf(input).startsWith("https://idp.test/") ? idp.fetch(input, init) : realFetch(input, init)));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe("Auth0", () => {
    it("/auth/login redirects to the authorize URL with a state and an S256 challenge bound to the browser", async () => {
      const { location, pkce } = await startLogin();
      expect(location.origin + location.pathname).toBe(IDP.AUTH_AUTHORIZE_URL);
      const p = location.searchParams;
      expect(p.get("response_type")).toBe("code");
      expect(p.get("client_id")).toBe(IDP.AUTH_CLIENT_ID);
      expect(p.get("redirect_uri")).toBe(`${APP}/auth/callback`);
      expect(p.get("scope")?.split(" ")).toContain("openid");
      expect(p.get("audience")).toBe(IDP.AUTH_AUDIENCE);
      expect(p.get("code_challenge_method")).toBe("S256");
      expect(p.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(p.get("state")).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      // The cookie: HttpOnly, SameSite=Lax, Secure on https, only sent back to /auth, short-lived.
      expect(pkce.line).toMatch(/HttpOnly/);
      expect(pkce.line).toMatch(/SameSite=Lax/);
      expect(pkce.line).toMatch(/; Secure/);
      expect(pkce.line).toMatch(/Path=\/auth/);
      expect(Number(/Max-Age=(\d+)/.exec(pkce.line)![1])).toBeLessThanOrEqual(600);
      // It holds the state sent to the provider and the verifier behind the challenge (which never leaves).
      const [state, verifier] = pkce.value.split(".");
      expect(state).toBe(p.get("state"));
      expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
      expect(await s256(verifier)).toBe(p.get("code_challenge"));
      expect(location.href).not.toContain(verifier);
      // Each login is fresh.
      const again = await startLogin();
      expect(again.location.searchParams.get("state")).not.toBe(p.get("state"));
      expect(again.location.searchParams.get("code_challenge")).not.toBe(p.get("code_challenge"));
    });

    it("the callback redeems the code with the verifier; the session cookie signs the user in on the page and the API", async () => {
      const login = await startLogin();
      const { code, state, redirectUri } = idp.authorize(login.location);
      const res = await callback({ code, state }, login.cookie);
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get("location")!, APP).pathname).toBe("/");

      // Exactly one token request, with everything the provider checks.
      expect(idp.tokenCalls).toHaveLength(1);
      const sent = idp.tokenCalls[0].params;
      expect(idp.tokenCalls[0].status).toBe(200);
      expect(sent.get("grant_type")).toBe("authorization_code");
      expect(sent.get("code")).toBe(code);
      expect(sent.get("redirect_uri")).toBe(redirectUri);
      expect(sent.get("client_id")).toBe(IDP.AUTH_CLIENT_ID);
      expect(sent.get("code_verifier")).toBe(login.pkce.value.split(".")[1]);

      const set = cookiesOf(res);
      const session = set.get("session")!;
      expect(session, "a session cookie").toBeDefined();
      expect(session.line).toMatch(/HttpOnly/);
      expect(session.line).toMatch(/SameSite=Lax/);
      expect(session.line).toMatch(/; Secure/);
      expect(session.line).toMatch(/Path=\/(;|$)/);
      const maxAge = Number(/Max-Age=(\d+)/.exec(session.line)![1]);
      expect(maxAge).toBeGreaterThan(3500);
      expect(maxAge).toBeLessThanOrEqual(3600);
      expect(set.get("oauth_pkce")?.line).toMatch(/Max-Age=0/); // the one-time PKCE cookie is spent
      // The session holds the access token for our API (not the id token).
      const claims = JSON.parse(atob(session.value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as JWTPayload;
      expect(claims.aud).toContain(IDP.AUTH_AUDIENCE);

      const cookie = `session=${encodeURIComponent(session.value)}`;
      const page = await SELF.fetch(`${APP}/`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`Signed in as <strong data-testid="user">${SUB}</strong>`);

      // The API takes the same token from the cookie and as a bearer.
      const profile = await SELF.fetch(`${APP}/api/profile`, { headers: { cookie } });
      expect(profile.status).toBe(200);
      const bearer = await SELF.fetch(`${APP}/api/profile`, { headers: { authorization: `Bearer ${session.value}` } });
      expect(bearer.status).toBe(200);
      // Auth0 permissions become roles; no admin here.
      expect((await SELF.fetch(`${APP}/api/admin/flags`, { headers: { cookie } })).status).toBe(403);

      // A code is good once: replaying the callback (even with a fresh login's cookie for that state) fails.
      const replay = await callback({ code, state }, login.cookie);
      await expectCleanFailure(replay, /Sign-in failed/);
    });

    it("a wrong state fails before any token request", async () => {
      const login = await startLogin();
      const { code } = idp.authorize(login.location);
      await expectCleanFailure(await callback({ code, state: "not-the-state" }, login.cookie), /did not start here/);
      expect(idp.tokenCalls).toHaveLength(0);
    });

    it("a missing state, or no PKCE cookie at all, fails before any token request", async () => {
      const login = await startLogin();
      const { code, state } = idp.authorize(login.location);
      await expectCleanFailure(await callback({ code }, login.cookie), /did not start here/);
      await expectCleanFailure(await callback({ code, state }), /did not start here/);
      // A cookie from another login (another browser's state) does not match either.
      const other = await startLogin();
      await expectCleanFailure(await callback({ code, state }, other.cookie), /did not start here/);
      expect(idp.tokenCalls).toHaveLength(0);
    });

    it("a code the provider rejects (invalid_grant) is a clean failure", async () => {
      const login = await startLogin();
      const { state } = idp.authorize(login.location);
      const html = await expectCleanFailure(await callback({ code: "code-the-idp-never-issued", state }, login.cookie), /Sign-in failed/);
      expect(html).toContain("invalid_grant");
      expect(idp.tokenCalls.map((c) => c.error)).toEqual(["invalid_grant"]);
    });

    it("an error from /authorize (the user declined) is a clean failure", async () => {
      const login = await startLogin();
      const state = login.location.searchParams.get("state")!;
      await expectCleanFailure(await callback({ error: "access_denied", error_description: "User declined", state }, login.cookie), /User declined/);
      expect(idp.tokenCalls).toHaveLength(0);
    });

    it("a tampered code_verifier is refused by the provider (S256 mismatch): no session", async () => {
      const login = await startLogin();
      const { code, state } = idp.authorize(login.location);
      const [st, verifier] = login.pkce.value.split(".");
      const tampered = verifier.slice(0, -1) + (verifier.endsWith("A") ? "B" : "A");
      const res = await callback({ code, state }, `oauth_pkce=${encodeURIComponent(`${st}.${tampered}`)}`);
      await expectCleanFailure(res, /Sign-in failed/);
      expect(idp.tokenCalls).toHaveLength(1);
      expect(idp.tokenCalls[0].params.get("code_verifier")).toBe(tampered);
      expect(idp.tokenCalls[0].error).toBe("invalid_grant");
    });

    it("the provider unreachable or failing is a clean failure (502), no session", async () => {
      const login = await startLogin();
      const { code, state } = idp.authorize(login.location);
      vi.mocked(globalThis.fetch).mockImplementation(async () => {
        throw new TypeError("network down");
      });
      const res = await callback({ code, state }, login.cookie);
      expect(res.status).toBe(502);
      expect(cookiesOf(res).has("session")).toBe(false);
    });

    // The page names why the access token was refused (the id token, aud = the client id, is no session either).
    const badTokens: Array<[string, (i: FakeIdp, sub: string) => Promise<TokenSet>, RegExp]> = [
      ["signed by another key (same kid)", (i, sub) => auth0Tokens(i, sub, { key: otherKeys.privateKey }), /bad signature/],
      ["signed by an unknown key (unknown kid)", (i, sub) => auth0Tokens(i, sub, { key: otherKeys.privateKey, kid: "rogue-kid" }), /unknown signing key/],
      ["for another audience", (i, sub) => auth0Tokens(i, sub, { access: { aud: "https://someone-else.example" } }), /claim check failed: aud/],
      ["from another issuer", (i, sub) => auth0Tokens(i, sub, { access: { iss: "https://evil.test/" } }), /claim check failed: iss/],
      ["expired", (i, sub) => auth0Tokens(i, sub, { access: { iat: now() - 7200, exp: now() - 3600 } }), /token expired/],
    ];
    for (const [what, mint, reason] of badTokens) {
      it(`a token ${what} gives no session`, async () => {
        idp.mint = (sub) => mint(idp, sub);
        const login = await startLogin();
        const { code, state } = idp.authorize(login.location);
        const res = await callback({ code, state }, login.cookie);
        expect(idp.tokenCalls.map((c) => c.status)).toEqual([200]);
        const html = await expectCleanFailure(res, /Sign-in failed: the identity provider&#x27;s token was not accepted/);
        expect(html).toMatch(reason);
      });
    }
  });

  describe("Cognito claim shapes", () => {
    beforeAll(() => configure({ AUTH_PROVIDER: "cognito", AUTH_AUDIENCE: IDP.AUTH_CLIENT_ID }));
    afterAll(() => configure({ AUTH_PROVIDER: "auth0", AUTH_AUDIENCE: IDP.AUTH_AUDIENCE }));
    beforeEach(() => {
      idp.mint = (sub) => cognitoTokens(idp, sub);
    });

    it("signs in with a Cognito access token (token_use, client_id, cognito:groups as roles)", async () => {
      const sub = "3f2a9c1e-cognito-user";
      const login = await startLogin();
      const { code, state } = idp.authorize(login.location, sub);
      const res = await callback({ code, state }, login.cookie);
      expect(res.status).toBe(302);
      const session = cookiesOf(res).get("session")!;
      expect(session).toBeDefined();
      const cookie = `session=${encodeURIComponent(session.value)}`;
      expect(await (await SELF.fetch(`${APP}/`, { headers: { cookie } })).text()).toContain(`Signed in as <strong data-testid="user">${sub}</strong>`);
      expect((await SELF.fetch(`${APP}/api/profile`, { headers: { cookie } })).status).toBe(200);
      // cognito:groups ["admin", ...] is the admin role.
      expect((await SELF.fetch(`${APP}/api/admin/flags`, { headers: { cookie } })).status).toBe(200);
    });

    it("an access token for another app client gives no session", async () => {
      idp.mint = (sub) => cognitoTokens(idp, sub, { access: { client_id: "another-client" } });
      const login = await startLogin();
      const { code, state } = idp.authorize(login.location);
      await expectCleanFailure(await callback({ code, state }, login.cookie), /Sign-in failed/);
    });
  });
});

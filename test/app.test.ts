import { beforeEach, describe, expect, it } from "vitest";
import { env, SELF } from "cloudflare:test";
import { PRESETS } from "../workers/recommend/presets";
import { PRESET_STOPS } from "../app/lib/presets";
import { authHeaders, get, postJson, tokenFor } from "./helpers";

async function postForm(fields: Record<string, string>, signedIn = true) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (signedIn) headers.cookie = `session=${await tokenFor("app-user")}`;
  return SELF.fetch("http://localhost/?index", { method: "POST", body: new URLSearchParams(fields), headers });
}

describe("the web app (server-rendered)", () => {
  it("renders the four-step form", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("<form");
    expect(html).toMatch(/name="symbol"/);
    expect(html).toMatch(/name="capital"/);
    expect(html).toMatch(/name="preset"/);
    expect(html).toContain('role="combobox"');
    expect(html).toContain("Continue as demo user");
  });

  it("renders a recommendation with its panels for a posted form (no JavaScript needed)", async () => {
    const res = await postForm({ symbol: "spy", preset: "balanced", capital: "50000", outlook: "bullish" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-testid="recommendation"');
    expect(html).toMatch(/O:SPY\d{6}C\d{8}/);
    for (const panel of ["Market data", "Analytics", "Signals", "Candidates", "Score", "Sizing", "Rationale"]) {
      expect(html).toContain(`aria-label="${panel}"`);
    }
    expect(html).toContain("not investment advice");
  });

  it("takes the slider's stop index as the preset", async () => {
    const res = await postForm({ symbol: "SPY", preset: "2", capital: "10000", outlook: "bullish" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("preset <!-- -->aggressive");
  });

  it("shows a field error, not a crash, for bad capital", async () => {
    const res = await postForm({ symbol: "SPY", preset: "balanced", capital: "-3" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("capital must be positive");
    expect(html).not.toContain('data-testid="recommendation"');
  });

  it("asks to sign in instead of recommending to an anonymous visitor", async () => {
    const res = await postForm({ symbol: "SPY", preset: "balanced", capital: "1000" }, false);
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain("Sign in to get a recommendation");
    expect(html).not.toContain('data-testid="recommendation"');
  });

  it("signs in as a demo user with an HttpOnly SameSite=Lax session cookie, and out again", async () => {
    const res = await SELF.fetch("http://localhost/auth/demo", { method: "POST", redirect: "manual" });
    expect(res.status).toBe(302);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("session="))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/); // plain http on localhost only
    const token = decodeURIComponent(session.split(";")[0].slice("session=".length));
    const page = await SELF.fetch("http://localhost/", { headers: { cookie: `session=${token}` } });
    expect(await page.text()).toMatch(/Signed in as <strong[^>]*>demo-[0-9a-f]{12}/);
    const api = await SELF.fetch("http://localhost/api/profile", { headers: { cookie: `session=${token}` } });
    expect(api.status).toBe(200);
    const out = await SELF.fetch("http://localhost/auth/logout", { method: "POST", redirect: "manual", headers: { cookie: `session=${token}` } });
    expect(out.headers.getSetCookie().find((c) => c.startsWith("session="))).toMatch(/Max-Age=0/);
    const secure = await SELF.fetch("https://options.example/auth/demo", { method: "POST", redirect: "manual" });
    expect(secure.headers.getSetCookie().find((c) => c.startsWith("session="))).toMatch(/; Secure/);
  });

  it("the same browser comes back as the same demo user", async () => {
    const first = await SELF.fetch("http://localhost/auth/demo", { method: "POST", redirect: "manual" });
    const id = first.headers.getSetCookie().find((c) => c.startsWith("demo_id="))!.split(";")[0];
    const again = await SELF.fetch("http://localhost/auth/demo", { method: "POST", redirect: "manual", headers: { cookie: id } });
    expect(again.headers.getSetCookie().find((c) => c.startsWith("demo_id="))!.split(";")[0]).toBe(id);
  });

  it("clears an expired or foreign session cookie instead of failing every call", async () => {
    const res = await SELF.fetch("http://localhost/", { headers: { cookie: "session=not.a.jwt" } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().find((c) => c.startsWith("session="))).toMatch(/Max-Age=0/);
  });

  it("without an identity provider configured, /auth/login is a 404", async () => {
    expect((await SELF.fetch("http://localhost/auth/login", { redirect: "manual" })).status).toBe(404);
  });

  it("the slider's presets match the engine's", () => {
    for (const stop of PRESET_STOPS) {
      if (stop.name === "custom") continue;
      const p = PRESETS[stop.name];
      expect([stop.targetDelta, stop.minDte, stop.maxDte]).toEqual([p.targetDelta, p.minDte, p.maxDte]);
    }
  });
});

describe("GET /api/symbols?q= (autocomplete)", () => {
  beforeEach(async () => {
    const insert = env.DB.prepare("INSERT OR IGNORE INTO symbols (symbol, name, kind, exchange, has_weeklies) VALUES (?1, ?2, ?3, ?4, 1)");
    await env.DB.batch([
      insert.bind("SPY", "SPDR S&P 500 ETF Trust", "etf", "NYSE Arca"),
      insert.bind("SPXS", "Direxion Daily S&P 500 Bear 3X", "etf", "NYSE Arca"),
      insert.bind("AAPL", "Apple Inc.", "stock", "NASDAQ"),
      insert.bind("XSP", "Mini-SPX Index", "index", "CBOE"),
    ]);
  });

  it("puts the exact ticker first, then prefixes, then names", async () => {
    const res = await get("/api/symbols?q=sp");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { matches: Array<{ symbol: string; name: string }> };
    expect(body.matches.map((m) => m.symbol)).toEqual(["SPXS", "SPY", "XSP"]); // ticker prefixes, then a name match
    const exact = (await (await get("/api/symbols?q=SPY")).json()) as { matches: Array<{ symbol: string }> };
    expect(exact.matches[0].symbol).toBe("SPY");
    const byName = (await (await get("/api/symbols?q=apple")).json()) as { matches: Array<{ symbol: string }> };
    expect(byName.matches.map((m) => m.symbol)).toContain("AAPL");
  });

  it("treats LIKE wildcards as text and validates the query", async () => {
    // "%" is refused by the pattern; "S&P" is text, and "_" never reaches LIKE unescaped.
    expect((await get("/api/symbols?q=%25")).status).toBe(400);
    const amp = (await (await get("/api/symbols?q=S%26P")).json()) as { matches: Array<{ symbol: string }> };
    expect(amp.matches.map((m) => m.symbol).sort()).toEqual(["SPXS", "SPY"]);
    const res = await get("/api/symbols?q=");
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { details: Array<{ field: string }> } };
    expect(err.error.details[0].field).toBe("query.q");
    expect((await get("/api/symbols?q=SPY&limit=500")).status).toBe(400);
    expect((await get("/api/symbols?q=SPY&sort=x")).status).toBe(400);
  });
});

describe("page form posts are rate limited like the API", () => {
  it("admits exactly the per-address limit of form posts, then answers 429 with Retry-After", async () => {
    const ip = "198.51.100.23";
    const responses = await Promise.all(
      Array.from({ length: 45 }, () =>
        SELF.fetch("http://localhost/?index", { method: "POST", headers: { "cf-connecting-ip": ip }, body: new URLSearchParams({ symbol: "SPY", preset: "balanced", capital: "1000" }) }),
      ),
    );
    const limited = responses.filter((r) => r.status === 429);
    expect(limited).toHaveLength(5);
    expect(Number(limited[0].headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("feature flags reach the pages", () => {
  it("a user moved to the openai provider by a flag rule gets it on the page too (here unconfigured, so flagged)", async () => {
    const admin = await authHeaders("root", ["admin"]);
    const rule = { key: "llm-provider", kind: "variant", enabled: true, variants: ["template", "openai"], defaultValue: "template", offValue: "template", rules: [{ users: ["page-flag-user"], value: "openai" }] };
    expect((await postJson("/api/admin/flags/llm-provider", rule, admin, "PUT")).status).toBe(200);
    try {
      const post = async (sub: string) =>
        (
          await SELF.fetch("http://localhost/?index", {
            method: "POST",
            body: new URLSearchParams({ symbol: "SPY", preset: "balanced", capital: "20000", outlook: "bullish" }),
            headers: { "content-type": "application/x-www-form-urlencoded", cookie: `session=${await tokenFor(sub)}`, "cf-connecting-ip": `203.0.113.${sub.length}` },
          })
        ).text();
      const flagged = await post("page-flag-user");
      expect(flagged).toContain('data-testid="recommendation"');
      expect(flagged).toContain("LLM_PROVIDER=openai without LLM_BASE_URL/LLM_MODEL: template used");
      const other = await post("page-other-user");
      expect(other).toContain('data-testid="recommendation"');
      expect(other).not.toContain("LLM_PROVIDER=openai");
    } finally {
      await SELF.fetch("http://localhost/api/admin/flags/llm-provider", { method: "DELETE", headers: admin });
    }
  });
});

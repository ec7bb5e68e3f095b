import { describe, expect, it } from "vitest";
import { get } from "./helpers";
import { SELF } from "cloudflare:test";

function postForm(fields: Record<string, string>) {
  return SELF.fetch("http://localhost/?index", { method: "POST", body: new URLSearchParams(fields) });
}

describe("the web app (server-rendered)", () => {
  it("renders the request form", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("<form");
    expect(html).toMatch(/name="symbol"/);
    expect(html).toMatch(/name="capital"/);
    expect(html).toMatch(/name="preset"/);
  });

  it("renders a recommendation with its panels for a posted form", async () => {
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

  it("shows a field error, not a crash, for bad capital", async () => {
    const res = await postForm({ symbol: "SPY", preset: "balanced", capital: "-3" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("capital must be positive");
    expect(html).not.toContain('data-testid="recommendation"');
  });
});

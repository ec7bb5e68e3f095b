import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { health } from "../workers/routes/health";

type HealthBody = { status: string; failing: string[]; checks: Record<string, { ok: boolean; detail?: unknown }> };

const broken = (message: string) =>
  new Proxy({}, {
    get: () => () => {
      throw new Error(message);
    },
  });

describe("GET /api/health with a broken dependency", () => {
  it("reports D1 down with 503 instead of answering ok", async () => {
    const res = await health.request("http://localhost/", {}, { ...env, DB: broken("D1_ERROR: database unavailable") });
    expect(res.status).toBe(503);
    const body = (await res.json()) as HealthBody;
    expect(body.status).toBe("degraded");
    expect(body.failing).toEqual(["d1"]);
    expect(body.checks.d1.detail).toMatch(/database unavailable/);
    expect(body.checks.kv_cache.ok).toBe(true);
  });

  it("names every broken dependency: R2 and a KV namespace together", async () => {
    const res = await health.request("http://localhost/", {}, { ...env, ARCHIVE: broken("R2 unreachable"), FLAGS: broken("KV unreachable") });
    const body = (await res.json()) as HealthBody;
    expect(res.status).toBe(503);
    expect(body.failing.sort()).toEqual(["kv_flags", "r2_archive"]);
  });

  it("answers ok when everything works", async () => {
    const res = await health.request("http://localhost/", {}, env);
    expect(res.status).toBe(200);
    expect(((await res.json()) as HealthBody).status).toBe("ok");
  });
});

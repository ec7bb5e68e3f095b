import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authHeaders, expectError, get, postJson } from "./helpers";

const valid = { symbol: "SPY", preset: "balanced", capital: 10_000 };

describe("error model: every client mistake is a 4xx with the common shape, naming the field", () => {
  it.each([["SP$Y"], ["TOOLONG"], ["123"], ["A.BCD"], ["%20"]])("malformed path symbol %s is 400", async (symbol) => {
    await expectError(await get(`/api/quotes/${symbol}`), 400, "invalid_symbol", "params.symbol");
    await expectError(await get(`/api/chains/${symbol}`), 400, "invalid_symbol", "params.symbol");
  });

  it.each([
    ["minDelta=abc", "query.minDelta"],
    ["minDelta=2", "query.minDelta"],
    ["minDte=-1", "query.minDte"],
    ["type=straddle", "query.type"],
    ["expiry=2026-13-40", "query.expiry"],
    ["minDte=50&maxDte=10", "query.minDte"],
    ["minDelta=0.6&maxDelta=0.2", "query.minDelta"],
    ["colour=blue", "query"],
    ["type=call&type=put", "query.type"],
  ])("bad chain query %s is 400", async (query, field) => {
    const body = await expectError(await get(`/api/chains/SPY?${query}`), 400, "invalid_query");
    expect(body.error.details!.some((d) => d.field === field || d.field.startsWith(`${field}.`) || field === "query")).toBe(true);
  });

  it("a wrong content type is 415", async () => {
    const res = await SELF.fetch("http://localhost/api/recommendations", { method: "POST", headers: { "content-type": "text/plain", ...(await authHeaders()) }, body: JSON.stringify(valid) });
    await expectError(res, 415, "unsupported_media_type", "headers.content-type");
    const none = await SELF.fetch("http://localhost/api/recommendations", { method: "POST", headers: await authHeaders(), body: JSON.stringify(valid) });
    expect(none.status).toBe(415);
  });

  it("invalid JSON is 400", async () => {
    await expectError(await postJson("/api/recommendations", "{ not json"), 400, "invalid_json", "body");
    await expectError(await postJson("/api/recommendations", ""), 400, "invalid_json", "body");
  });

  it.each([
    [{ ...valid, preset: "yolo" }, "body.preset"],
    [{ ...valid, preset: { targetDelta: 1.5, minDte: 10, maxDte: 20 } }, "body.preset"],
    [{ ...valid, preset: { targetDelta: 0.3, minDte: 40, maxDte: 20 } }, "body.preset"],
    [{ ...valid, capital: -5 }, "body.capital"],
    [{ ...valid, capital: 0 }, "body.capital"],
    [{ ...valid, capital: 1e12 }, "body.capital"],
    [{ ...valid, capital: "lots" }, "body.capital"],
    [{ ...valid, capital: undefined }, "body.capital"],
    [{ ...valid, symbol: "12$" }, "body.symbol"],
    [{ ...valid, symbol: 42 }, "body.symbol"],
    [{ ...valid, outlook: "sideways" }, "body.outlook"],
    [{ ...valid, leverage: 10 }, "body"],
  ])("schema violation %j is 422", async (body, field) => {
    const res = await postJson("/api/recommendations", body);
    const err = await expectError(res, 422, "validation_failed");
    expect(err.error.details!.some((d) => d.field === field || d.field.startsWith(`${field}.`))).toBe(true);
  });

  it("a body that is not an object is 422", async () => {
    await expectError(await postJson("/api/recommendations", [valid]), 422, "validation_failed", "body");
    await expectError(await postJson("/api/recommendations", "null"), 422, "validation_failed", "body");
  });

  it("an oversized body is 413", async () => {
    await expectError(await postJson("/api/recommendations", { ...valid, pad: "x".repeat(70_000) }), 413, "payload_too_large");
  });

  it("unknown API routes and ids are 404 / 400, not the web app", async () => {
    await expectError(await get("/api/nope"), 404, "not_found");
    const auth = { headers: await authHeaders() };
    await expectError(await get("/api/recommendations/12", auth), 400, "invalid_id", "params.id");
    await expectError(await get("/api/recommendations/rec_00000000-0000-4000-8000-000000000000", auth), 404, "not_found");
  });

  it("a plain GET on the socket route is 426", async () => {
    await expectError(await get("/ws/symbols/SPY"), 426, "upgrade_required", "headers.upgrade");
  });

  it("a bad request loses nothing: the next good one works", async () => {
    await postJson("/api/recommendations", "{");
    const res = await postJson("/api/recommendations", valid);
    expect(res.status).toBe(200);
  });
});

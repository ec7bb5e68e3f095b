import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../workers/index";

describe("queue consumer: raw market events to R2", () => {
  it("archives valid frames as gzip NDJSON by cluster and hour, and acks malformed ones", async () => {
    const receivedAt = "2026-11-30T14:05:00.000Z";
    const batch = createMessageBatch("market-events", [
      { id: "m1", timestamp: new Date(receivedAt), attempts: 1, body: { cluster: "stocks", receivedAt, frame: '[{"ev":"T","sym":"SPY"}]' } },
      { id: "m2", timestamp: new Date(receivedAt), attempts: 1, body: { cluster: "stocks", receivedAt, frame: '[{"ev":"Q","sym":"SPY"}]' } },
      { id: "m3", timestamp: new Date(receivedAt), attempts: 1, body: { nonsense: true } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2", "m3"]);
    expect(result.retryMessages).toEqual([]);
    const listed = await env.ARCHIVE.list({ prefix: "raw/stocks/2026/11/30/14/" });
    expect(listed.objects).toHaveLength(1);
    const obj = await env.ARCHIVE.get(listed.objects[0].key);
    const text = await new Response(obj!.body.pipeThrough(new DecompressionStream("gzip"))).text();
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.frame)).toEqual(['[{"ev":"T","sym":"SPY"}]', '[{"ev":"Q","sym":"SPY"}]']);
  });
});

describe("cron triggers", () => {
  it("records each run in job_runs", async () => {
    for (const cron of ["0 * * * *", "30 2 * * *"]) {
      const ctx = createExecutionContext();
      worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), env, ctx);
      await waitOnExecutionContext(ctx);
    }
    const rows = await env.DB.prepare("SELECT job, status FROM job_runs ORDER BY id").all<{ job: string; status: string }>();
    expect(rows.results).toEqual(
      expect.arrayContaining([
        { job: "hourly-features", status: "ok" },
        { job: "nightly-features", status: "ok" },
      ]),
    );
  });
});

describe("queue consumer retries", () => {
  it("a redelivered batch overwrites its own object instead of duplicating frames", async () => {
    const receivedAt = "2026-11-30T15:10:00.000Z";
    const messages = [
      { id: "r1", timestamp: new Date(receivedAt), attempts: 1, body: { cluster: "options", receivedAt, frame: "[1]" } },
      { id: "r2", timestamp: new Date(receivedAt), attempts: 1, body: { cluster: "options", receivedAt, frame: "[2]" } },
    ];
    for (let attempt = 0; attempt < 2; attempt++) {
      const batch = createMessageBatch("market-events", messages);
      const ctx = createExecutionContext();
      await worker.queue(batch, env);
      await getQueueResult(batch, ctx);
    }
    const listed = await env.ARCHIVE.list({ prefix: "raw/options/2026/11/30/15/" });
    expect(listed.objects).toHaveLength(1);
    const obj = await env.ARCHIVE.get(listed.objects[0].key);
    const text = await new Response(obj!.body.pipeThrough(new DecompressionStream("gzip"))).text();
    expect(text.trim().split("\n")).toHaveLength(2);
  });
});

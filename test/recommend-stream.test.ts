/**
 * Route-level streaming (issue #6): POST /api/recommendations with `Accept: text/event-stream` (or
 * `application/x-ndjson`) through the real Worker (SELF: real bindings, auth, flags and rate-limit middleware),
 * with the rationale's LLM HELD by the test. The layers up to sizing must reach the client while the LLM has not
 * answered; rationale and done follow only after the test releases it. A route that buffered the response (awaited
 * the whole recommendation, then wrote) delivers nothing while the LLM is held, and fails here.
 *
 * The LLM: the `openai` provider, chosen for this test's user only by the `llm-provider` flag (KV `flags:v1`, via
 * the admin API), pointed at https://llm.test/v1. The provider's outbound fetch is the global fetch, and the main
 * Worker runs in this test's isolate, so a spy on globalThis.fetch answers with test/fake-openai.ts once released.
 * Each test file has its own runtime (bindings, storage, globals), so the env vars set here touch no other file.
 */
import { env, SELF } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Recommendation, RecommendationEvent } from "../schemas";
import { fakeOpenAi } from "./fake-openai";
import { BASE, authHeaders, get, postJson } from "./helpers";

const LLM = { LLM_BASE_URL: "https://llm.test/v1", LLM_MODEL: "gpt-fake", LLM_API_KEY: "sk-test" };
const USER = "stream-tester";
const ORDER = ["market", "analytics", "signals", "candidates", "score", "sizing", "rationale", "done"];
/** Well under the pipeline's 8 s LLM timeout: layers that only arrive after it would be the buffered fallback. */
const ARRIVE_WITHIN_MS = 5000;

const someIp = () => `10.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const urlOf = (input: RequestInfo | URL) => (typeof input === "string" ? input : input instanceof URL ? input.href : input.url);

/**
 * The fake OpenAI server behind a gate: a request is counted on arrival and answered only after release().
 * Test and Worker share plain state and each side polls it on its own timers: a promise settled inside the Worker's
 * request and awaited by the test resumes the test in the Worker's I/O context, where reading the response body
 * fails ("Cannot perform I/O on behalf of a different request").
 */
function heldLlm() {
  const server = fakeOpenAi("faithful");
  const state = { requests: 0, released: false, answered: false };
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    if (!urlOf(input).startsWith(LLM.LLM_BASE_URL)) return realFetch(input, init);
    state.requests++;
    while (!state.released) {
      if (init?.signal?.aborted) throw new DOMException("The operation was aborted", "AbortError");
      await sleep(5);
    }
    const res = await server.fetch(input, init);
    state.answered = true;
    return res;
  });
  return { state, server, release: () => void (state.released = true) };
}

async function until(what: string, ok: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

type Received = { id: string | null; event: string | null; data: RecommendationEvent; llmAnsweredOnArrival: boolean };

/** Reads events off the response body as they arrive; a timed-out read stays pending, so no bytes are lost. */
function eventReader(body: ReadableStream<Uint8Array>, format: "sse" | "ndjson", llm: { answered: boolean }) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  const queue: Received[] = [];
  const sep = format === "sse" ? "\n\n" : "\n";
  const parse = (block: string): Received => {
    if (format === "ndjson") return { id: null, event: null, data: RecommendationEvent.parse(JSON.parse(block)), llmAnsweredOnArrival: llm.answered };
    const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
    return { id: field("id"), event: field("event"), data: RecommendationEvent.parse(JSON.parse(field("data") ?? "null")), llmAnsweredOnArrival: llm.answered };
  };
  /** The next event, `null` at the end of the stream, or "timeout" when nothing complete arrived within `ms`. */
  async function next(ms: number): Promise<Received | null | "timeout"> {
    const deadline = Date.now() + ms;
    while (queue.length === 0) {
      pending ??= reader.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const r = await Promise.race([pending, new Promise<"timeout">((res) => (timer = setTimeout(() => res("timeout"), Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
      if (r === "timeout") return "timeout";
      pending = undefined;
      if (r.done) return null;
      buf += decoder.decode(r.value, { stream: true });
      let i: number;
      while ((i = buf.indexOf(sep)) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + sep.length);
        if (block.trim()) queue.push(parse(block));
      }
    }
    return queue.shift()!;
  }
  return { next, cancel: () => reader.cancel().catch(() => undefined) };
}

const kindOf = (e: Received) => (e.data.type === "layer" ? e.data.layer.kind : e.data.type);

describe("POST /api/recommendations streams layer by layer through the Worker (LLM held)", () => {
  const saved: Record<string, unknown> = {};
  beforeAll(async () => {
    const e = env as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(LLM)) {
      saved[k] = e[k];
      e[k] = v;
    }
    const admin = await authHeaders("stream-admin", ["admin"]);
    const flag = { key: "llm-provider", kind: "variant", description: "Who writes the rationale", enabled: true, variants: ["template", "openai", "workers-ai"], defaultValue: "template", offValue: "template", rules: [{ users: [USER], value: "openai" }] };
    expect((await postJson("/api/admin/flags/llm-provider", flag, admin, "PUT")).status).toBe(200);
  });
  afterAll(async () => {
    const admin = await authHeaders("stream-admin", ["admin"]);
    await SELF.fetch(`${BASE}/api/admin/flags/llm-provider`, { method: "DELETE", headers: { ...admin, "cf-connecting-ip": someIp() } });
    Object.assign(env as unknown as Record<string, unknown>, saved);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const cases = [
    { format: "sse", accept: "text/event-stream", contentType: /^text\/event-stream/ },
    { format: "ndjson", accept: "application/x-ndjson", contentType: /^application\/x-ndjson/ },
  ] as const;
  for (const { format, accept, contentType } of cases) {
    it(`${format}: market..sizing arrive while the LLM is held; rationale and done only after its release, in order`, async () => {
      const llm = heldLlm();
      const res = await SELF.fetch(`${BASE}/api/recommendations`, {
        method: "POST",
        headers: { "content-type": "application/json", accept, "cf-connecting-ip": someIp(), ...(await authHeaders(USER)) },
        body: JSON.stringify({ symbol: "spy", preset: "balanced", capital: 100_000, outlook: "auto" }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(contentType);
      expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
      const events = eventReader(res.body!, format, llm.state);
      const got: Received[] = [];
      try {
        // Phase 1, LLM held: every layer before the rationale reaches the client.
        while (got.length === 0 || kindOf(got[got.length - 1]) !== "sizing") {
          const e = await events.next(ARRIVE_WITHIN_MS);
          if (e === "timeout" || e === null) {
            throw new Error(`after ${JSON.stringify(got.map(kindOf))}: ${e === null ? "stream ended" : `nothing arrived within ${ARRIVE_WITHIN_MS} ms`} while the LLM was held (is the route buffering?)`);
          }
          got.push(e);
        }
        expect(got.map(kindOf)).toEqual(ORDER.slice(0, 6));
        // The rationale is being computed: its LLM request is in flight, unanswered, and nothing more is on the wire.
        await until("the LLM request", () => llm.state.requests > 0, ARRIVE_WITHIN_MS);
        expect(llm.state).toEqual({ requests: 1, released: false, answered: false });
        expect(await events.next(150)).toBe("timeout");

        // Phase 2: release the LLM; the rationale (written by it) and done follow, then the stream ends.
        llm.release();
        for (;;) {
          const e = await events.next(ARRIVE_WITHIN_MS);
          if (e === "timeout") throw new Error(`after ${JSON.stringify(got.map(kindOf))}: nothing within ${ARRIVE_WITHIN_MS} ms of releasing the LLM`);
          if (e === null) break;
          got.push(e);
        }
      } finally {
        llm.release();
        await events.cancel();
      }

      expect(got.map(kindOf)).toEqual(ORDER);
      expect(got.map((e) => e.llmAnsweredOnArrival)).toEqual([false, false, false, false, false, false, true, true]);
      if (format === "sse") {
        expect(got.map((e) => e.id)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
        expect(got.map((e) => e.event)).toEqual(got.map((e) => e.data.type));
      }
      const rationale = got[6].data;
      expect(rationale.type === "layer" && rationale.layer.kind === "rationale" && rationale.layer).toMatchObject({ source: "llm", provider: "openai:gpt-fake", fallback: false });
      expect(llm.server.requests).toHaveLength(1);
      const done = got[7].data;
      if (done.type !== "done") throw new Error("expected done");
      const rec = Recommendation.parse(done.recommendation);
      expect(rec.request.symbol).toBe("SPY");
      // The streamed layers are the recommendation's layers, and the stored recommendation is the one streamed.
      expect(got.slice(0, 7).map((e) => (e.data.type === "layer" ? e.data.layer : null))).toEqual(rec.layers);
      const stored = await get(`/api/recommendations/${rec.id}`, { headers: await authHeaders(USER) });
      expect(stored.status).toBe(200);
      expect(Recommendation.parse(await stored.json())).toEqual(rec);
    });
  }
});

/**
 * Self-test of scripts/fake-polygon.ts from Node, over real sockets: `npx tsx scripts/fake-polygon.selftest.ts`.
 * Exits non-zero when any check fails. It also runs the Workers REST client (workers/market/polygon/rest.ts) against
 * the fake, so the fake's REST shapes are held to the same zod schemas the app uses.
 */
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { createPolygonRest } from "../workers/market/polygon/rest";
import { startFakePolygon, type FakePolygon } from "./fake-polygon";

const KEY = "selftest-key";

type Ev = Record<string, unknown>;

/** A WebSocket client that records every text frame and can wait for one matching a predicate. */
class Client {
  readonly frames: string[] = [];
  /** Objects of every JSON-array frame, parsed on arrival (non-array and non-JSON frames skipped). */
  private parsed: Ev[] = [];
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      this.frames.push(text);
      try {
        const v = JSON.parse(text);
        if (Array.isArray(v)) for (const e of v) if (e && typeof e === "object") this.parsed.push(e as Ev);
      } catch {
        // malformed frames are examined separately
      }
      this.wake();
    });
    this.opened = new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    this.closed = new Promise((resolve) =>
      ws.once("close", (code) => {
        this.closeCode = code;
        this.wake();
        resolve(code);
      }),
    );
  }

  static async connect(fake: FakePolygon, cluster: "stocks" | "options"): Promise<Client> {
    const c = new Client(new WebSocket(`${fake.wsUrl}/${cluster}`));
    await c.opened;
    return c;
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  events(): Ev[] {
    return this.parsed;
  }

  statuses(): Ev[] {
    return this.events().filter((e) => e.ev === "status");
  }

  async waitFor<T>(pred: () => T | undefined | false, what: string, timeoutMs = 3_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last frames: ${this.frames.slice(-3).join(" | ").slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitStatus(status: string, timeoutMs?: number): Promise<Ev> {
    return this.waitFor(() => this.statuses().find((e) => e.status === status), `status ${status}`, timeoutMs);
  }

  send(obj: unknown) {
    this.ws.send(JSON.stringify(obj));
  }

  async auth(key = KEY): Promise<void> {
    await this.waitStatus("connected");
    this.send({ action: "auth", params: key });
    await this.waitFor(() => this.statuses().find((e) => e.status === "auth_success" || e.status === "auth_failed"), "auth reply");
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);
const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v);

/** Shape checks from the protocol doc, section 1.6. Returns a problem description or null. */
function shapeProblem(e: Ev, cluster: "stocks" | "options"): string | null {
  const now = Date.now();
  const msOk = (t: unknown) => isInt(t) && (t as number) > now - 600_000 && (t as number) < now + 5_000;
  const need = (keys: string[], check: (v: unknown) => boolean) => keys.find((k) => !check(e[k]));
  if (typeof e.sym !== "string") return "sym";
  if (e.ev === "Q") {
    const bad = need(["bx", "ax", "bs", "as", "q"], isInt) ?? need(["bp", "ap"], isNum);
    if (bad) return `Q.${bad}`;
    if (!msOk(e.t)) return "Q.t not ms";
    if ((e.bp as number) > (e.ap as number)) return "Q crossed";
    if (cluster === "stocks" && (!isInt(e.c) || !Array.isArray(e.i) || !isInt(e.z))) return "stock Q c/i/z";
    if (cluster === "options" && ("c" in e || "i" in e || "z" in e)) return "option Q has c/i/z";
    if (cluster === "options" && !String(e.sym).startsWith("O:")) return "option sym";
    return null;
  }
  if (e.ev === "T") {
    const bad = need(["x", "s", "q"], isInt) ?? need(["p"], isNum);
    if (bad) return `T.${bad}`;
    if (!msOk(e.t)) return "T.t not ms";
    if ("c" in e && !(Array.isArray(e.c) && (e.c as unknown[]).every(isInt))) return "T.c";
    if (cluster === "stocks" && (typeof e.i !== "string" || !isInt(e.z))) return "stock T i/z";
    if (cluster === "options" && ("i" in e || "z" in e)) return "option T has i/z";
    return null;
  }
  if (e.ev === "A" || e.ev === "AM") {
    const bad = need(["v", "av", "z", "s", "e"], isInt) ?? need(["op", "vw", "o", "c", "h", "l", "a"], isNum);
    if (bad) return `${e.ev}.${bad}`;
    if ((e.e as number) - (e.s as number) !== (e.ev === "A" ? 1_000 : 60_000)) return `${e.ev} window`;
    if (!msOk(e.s)) return `${e.ev}.s not ms`;
    return null;
  }
  return `unexpected ev ${String(e.ev)}`;
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

const postJson = (url: string, body: unknown) =>
  getJson(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

// ---------------------------------------------------------------------------------------------------------------

const results: Array<{ name: string; ok: boolean; error?: string }> = [];
let fake: FakePolygon;
const clients: Client[] = [];
const track = (c: Client) => (clients.push(c), c);

async function check(name: string, fn: () => Promise<void>) {
  fake.reset({ closeConnections: true });
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name}`);
  } catch (err) {
    results.push({ name, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    console.log(`FAIL ${name}\n     ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    for (const c of clients.splice(0)) c.close();
    await sleep(20);
  }
}

async function main() {
  fake = await startFakePolygon({ apiKey: KEY, tickMs: 40, authTimeoutMs: 1_500 });
  console.log(`fake-polygon at ${fake.url}`);

  await check("connect sends the connected status first", async () => {
    const c = track(await Client.connect(fake, "stocks"));
    await c.waitStatus("connected");
    assert.deepEqual(JSON.parse(c.frames[0]), [{ ev: "status", status: "connected", message: "Connected Successfully" }]);
  });

  await check("bad key: auth_failed, then the server closes", async () => {
    const c = track(await Client.connect(fake, "stocks"));
    await c.auth("wrong-key");
    assert.equal(c.statuses().at(-1)?.status, "auth_failed");
    assert.equal(c.statuses().at(-1)?.message, "authentication failed");
    await c.closed;
    assert.equal(fake.stats().authFailures, 1);
  });

  await check("subscribe before auth gets auth_required", async () => {
    const c = track(await Client.connect(fake, "stocks"));
    await c.waitStatus("connected");
    c.send({ action: "subscribe", params: "Q.SPY" });
    await c.waitStatus("auth_required");
  });

  await check("no auth in time: auth_timeout and close", async () => {
    const c = track(await Client.connect(fake, "options"));
    await c.waitStatus("auth_timeout", 3_000);
    await c.closed;
  });

  await check("good key: auth_success, one ack per topic (spaces tolerated), unsubscribe ack", async () => {
    const c = track(await Client.connect(fake, "stocks"));
    await c.auth();
    assert.deepEqual(c.statuses().at(-1), { ev: "status", status: "auth_success", message: "authenticated" });
    const before = fake.stats().framesSent;
    c.send({ action: "auth", params: KEY }); // a repeated auth is harmless
    await c.waitFor(() => c.statuses().filter((e) => e.status === "auth_success").length === 2, "second auth_success");
    assert.equal(fake.stats().framesSent, before + 1);
    c.send({ action: "subscribe", params: "Q.SPY, T.SPY,AM.SPY , A.AAPL" });
    await c.waitFor(() => c.statuses().filter((e) => e.status === "success").length >= 4, "4 acks");
    const acks = c.statuses().filter((e) => e.status === "success").map((e) => e.message);
    assert.deepEqual(acks, ["subscribed to: Q.SPY", "subscribed to: T.SPY", "subscribed to: AM.SPY", "subscribed to: A.AAPL"]);
    assert.deepEqual(fake.stats().subscriptions.stocks, ["A.AAPL", "AM.SPY", "Q.SPY", "T.SPY"]);
    c.send({ action: "unsubscribe", params: "T.SPY" });
    await c.waitFor(() => c.statuses().find((e) => e.message === "unsubscribed to: T.SPY"), "unsubscribe ack");
    assert.deepEqual(fake.stats().subscriptions.stocks, ["A.AAPL", "AM.SPY", "Q.SPY"]);
  });

  await check("steady stocks: arrays of mixed, well-formed T/Q/AM/A events with ms timestamps and rising q", async () => {
    const c = track(await Client.connect(fake, "stocks"));
    await c.auth();
    c.send({ action: "subscribe", params: "Q.SPY,T.SPY,AM.SPY,A.SPY,Q.AAPL,T.AAPL" });
    await c.waitFor(() => {
      const types = new Set(c.events().map((e) => e.ev));
      return ["Q", "T", "AM", "A"].every((t) => types.has(t));
    }, "all four event types", 4_000);
    const data = c.events().filter((e) => e.ev !== "status");
    for (const e of data) assert.equal(shapeProblem(e, "stocks"), null, JSON.stringify(e));
    const multi = c.frames.map((f) => JSON.parse(f) as Ev[]).filter((a) => a.length > 1 && a[0].ev !== "status");
    assert.ok(multi.length > 0, "some frames carry several events");
    assert.ok(multi.some((a) => new Set(a.map((e) => `${e.ev}|${e.sym}`)).size > 1), "some frames mix types/symbols");
    for (const sym of ["SPY", "AAPL"]) {
      const qs = data.filter((e) => e.sym === sym && (e.ev === "Q" || e.ev === "T")).map((e) => e.q as number);
      assert.ok(qs.every((q, i) => i === 0 || q > qs[i - 1]), `${sym} q increasing`);
      const ts = data.filter((e) => e.sym === sym && (e.ev === "Q" || e.ev === "T")).map((e) => e.t as number);
      assert.ok(ts.every((t, i) => i === 0 || t >= ts[i - 1]), `${sym} t non-decreasing`);
    }
    const st = fake.stats();
    assert.ok(st.eventsSent >= data.length);
    assert.equal(st.malformedSent, 0);
  });

  await check("steady options: Q/T of contracts; >1,000 contracts on Q is refused with an error status", async () => {
    const c = track(await Client.connect(fake, "options"));
    await c.auth();
    const contracts: string[] = [];
    for (let k = 1; contracts.length < 1_001; k++) contracts.push(`O:SPY261218C${String(k * 1000).padStart(8, "0")}`);
    c.send({ action: "subscribe", params: contracts.map((t) => `Q.${t}`).join(",") + ",T.O:SPY261218C00001000" });
    await c.waitFor(() => c.statuses().filter((e) => e.status === "success" || e.status === "error").length >= 1_002, "1,002 replies", 5_000);
    const st = c.statuses();
    assert.equal(st.filter((e) => e.status === "success").length, 1_001);
    const errors = st.filter((e) => e.status === "error");
    assert.equal(errors.length, 1);
    assert.match(String(errors[0].message), /Q\.O:SPY261218C01001000/);
    await c.waitFor(() => c.events().some((e) => e.ev === "T") && c.events().some((e) => e.ev === "Q"), "option Q and T");
    for (const e of c.events().filter((x) => x.ev !== "status")) assert.equal(shapeProblem(e, "options"), null, JSON.stringify(e));
    assert.equal(fake.stats().subscriptions.options.length, 1_001);
  });

  await check("a second authenticated connection on a cluster evicts the first (max_connections, 1008)", async () => {
    const a = track(await Client.connect(fake, "stocks"));
    await a.auth();
    const opt = track(await Client.connect(fake, "options"));
    await opt.auth();
    const b = track(await Client.connect(fake, "stocks"));
    await b.waitStatus("connected");
    assert.equal(a.statuses().some((e) => e.status === "max_connections"), false, "connecting alone does not evict");
    await b.auth();
    const evicted = await a.waitStatus("max_connections");
    assert.match(String(evicted.message), /^Maximum number of websocket connections exceeded/);
    assert.equal(await a.closed, 1008);
    const s = fake.stats();
    assert.deepEqual([s.connections.stocks, s.authedConnections.stocks], [1, 1]);
    assert.deepEqual([s.connections.options, s.authedConnections.options], [1, 1], "the other cluster is untouched");
    assert.equal(s.evictions, 1);
  });

  await check("scenario auth-failure: even the right key fails", async () => {
    fake.setScenario("auth-failure");
    const c = track(await Client.connect(fake, "stocks"));
    await c.auth();
    assert.equal(c.statuses().at(-1)?.status, "auth_failed");
    await c.closed;
  });

  await check("scenario evict: max_connections right after auth_success; also evicts current holders", async () => {
    const holder = track(await Client.connect(fake, "options"));
    await holder.auth();
    await postJson(`${fake.url}/__scenario`, { name: "evict" });
    await holder.waitStatus("max_connections");
    const c = track(await Client.connect(fake, "stocks"));
    await c.auth();
    await c.waitStatus("max_connections");
    const order = c.statuses().map((e) => e.status);
    assert.deepEqual(order, ["connected", "auth_success", "max_connections"]);
    assert.equal(await c.closed, 1008);
  });

  await check("scenario disconnect: the socket dies without a close frame after a few frames", async () => {
    fake.setScenario("disconnect", { framesBeforeDrop: 3 });
    const c = track(await Client.connect(fake, "stocks"));
    await c.auth();
    c.send({ action: "subscribe", params: "Q.SPY" });
    assert.equal(await c.closed, 1006);
    assert.ok(c.events().some((e) => e.ev === "Q"), "some data first");
    assert.equal(fake.stats().drops, 1);
  });

  await check("scenario malformed: bad frames and events interleaved with valid ones, counted", async () => {
    fake.setScenario("malformed");
    const c = track(await Client.connect(fake, "stocks"));
    await c.auth();
    c.send({ action: "subscribe", params: "Q.SPY,T.SPY" });
    await c.waitFor(() => fake.stats().malformed.badEvents > 0 && fake.stats().malformed.nonJsonFrames > 0 && fake.stats().malformed.nonArrayFrames > 0, "all malformed kinds", 4_000);
    await sleep(100);
    let nonJson = 0;
    let nonArray = 0;
    let bad = 0;
    let good = 0;
    for (const f of c.frames) {
      let v: unknown;
      try {
        v = JSON.parse(f);
      } catch {
        nonJson++;
        continue;
      }
      if (!Array.isArray(v)) {
        nonArray++;
        continue;
      }
      for (const e of v) {
        if (e && typeof e === "object" && (e as Ev).ev === "status") continue;
        if (e && typeof e === "object" && shapeProblem(e as Ev, "stocks") === null) good++;
        else bad++;
      }
    }
    const s = fake.stats();
    assert.deepEqual({ nonJson, nonArray, bad }, { nonJson: s.malformed.nonJsonFrames, nonArray: s.malformed.nonArrayFrames, bad: s.malformed.badEvents });
    assert.equal(s.malformedSent, nonJson + nonArray + bad);
    assert.equal(good, s.eventsSent);
  });

  await check("scenario out-of-order: some events are older than ones already sent for the symbol", async () => {
    fake.setScenario("out-of-order", { outOfOrderEvery: 2 });
    const c = track(await Client.connect(fake, "options"));
    await c.auth();
    c.send({ action: "subscribe", params: "Q.O:SPY261218C00600000,T.O:SPY261218C00600000" });
    await c.waitFor(() => fake.stats().outOfOrderSent >= 2, "stale events", 4_000);
    await sleep(50);
    let maxT = 0;
    let older = 0;
    for (const e of c.events().filter((x) => x.ev === "Q" || x.ev === "T")) {
      if ((e.t as number) < maxT) older++;
      maxT = Math.max(maxT, e.t as number);
    }
    assert.ok(older >= 2, `saw ${older} older events`);
  });

  await check("scenario burst: large arrays of option quotes, fast", async () => {
    const c = track(await Client.connect(fake, "options"));
    await c.auth();
    const contracts = Array.from({ length: 200 }, (_, i) => `Q.O:SPY261218P${String((400 + i) * 1000).padStart(8, "0")}`);
    c.send({ action: "subscribe", params: contracts.join(",") });
    await c.waitFor(() => c.statuses().filter((e) => e.status === "success").length >= 200, "acks");
    fake.setScenario("burst", { burstMs: 500, burstSize: 1_000 });
    const t0 = Date.now();
    await c.waitFor(() => c.events().filter((e) => e.ev === "Q").length >= 50_000, "50k quotes", 6_000);
    const rate = c.events().filter((e) => e.ev === "Q").length / ((Date.now() - t0) / 1000);
    assert.ok(c.frames.some((f) => f.length > 50_000), "large arrays");
    console.log(`     burst delivered ~${Math.round(rate)} option quotes/s to one client`);
  });

  await check("scenario silent: authed and subscribed, nothing arrives", async () => {
    fake.setScenario("silent");
    const c = track(await Client.connect(fake, "stocks"));
    await c.auth();
    c.send({ action: "subscribe", params: "Q.SPY" });
    await c.waitStatus("success");
    await sleep(300);
    assert.equal(c.events().filter((e) => e.ev !== "status").length, 0);
  });

  await check("POST /__emit sends the exact frame to the authed sockets of a cluster", async () => {
    const c = track(await Client.connect(fake, "options"));
    await c.auth();
    const other = track(await Client.connect(fake, "stocks"));
    await other.waitStatus("connected");
    const frame = '[{"ev":"Q","sym":"O:X","weird":true}]';
    const r = await postJson(`${fake.url}/__emit`, { cluster: "options", frame });
    assert.deepEqual(r.body, { ok: true, sent: 1 });
    await c.waitFor(() => c.frames.includes(frame), "emitted frame");
    assert.equal(other.frames.includes(frame), false);
  });

  await check("REST: 401 without or with a wrong key; history keeps the query without the key", async () => {
    const none = await getJson(`${fake.url}/v2/last/nbbo/SPY`);
    assert.equal(none.status, 401);
    assert.equal(none.body.status, "ERROR");
    assert.equal(typeof none.body.request_id, "string");
    const wrong = await getJson(`${fake.url}/v2/last/nbbo/SPY?apiKey=nope&x=1`);
    assert.deepEqual([wrong.status, wrong.body.error], [401, "Unknown API Key"]);
    const bearer = await getJson(`${fake.url}/v2/last/nbbo/SPY`, { headers: { Authorization: `Bearer ${KEY}` } });
    assert.equal(bearer.status, 200);
    const h = fake.stats().restRequests;
    assert.deepEqual(
      h.map((r) => [r.path, r.query, r.authorized, r.status]),
      [
        ["/v2/last/nbbo/SPY", {}, false, 401],
        ["/v2/last/nbbo/SPY", { x: "1" }, false, 401],
        ["/v2/last/nbbo/SPY", {}, true, 200],
      ],
    );
    const stats = await getJson(`${fake.url}/__stats`);
    assert.equal(stats.body.restRequests.length, 3, "control endpoints are not recorded");
  });

  await check("REST chain pagination: next_url is on the fake host with only a cursor and needs the key", async () => {
    const first = await getJson(`${fake.url}/v3/snapshot/options/SPY?contract_type=put&limit=50&apiKey=${KEY}`);
    assert.equal(first.status, 200);
    assert.equal(first.body.results.length, 50);
    const next = new URL(first.body.next_url);
    assert.equal(next.origin, fake.url);
    assert.deepEqual([...next.searchParams.keys()], ["cursor"]);
    const noKey = await getJson(next.toString());
    assert.equal(noKey.status, 401);
    const seen = new Set<string>(first.body.results.map((r: any) => r.details.ticker));
    let url: string | undefined = first.body.next_url;
    let pages = 1;
    while (url) {
      const page = await getJson(`${url}&apiKey=${KEY}`);
      assert.equal(page.status, 200);
      for (const r of page.body.results) {
        assert.equal(r.details.contract_type, "put", "the cursor carries the filter");
        assert.ok(!seen.has(r.details.ticker), "no duplicates across pages");
        seen.add(r.details.ticker);
      }
      url = page.body.next_url;
      pages++;
    }
    assert.equal(seen.size, 4 * 41, "4 expiries x 41 strikes of puts");
    assert.ok(pages >= 4);
    const def = await getJson(`${fake.url}/v3/snapshot/options/SPY?apiKey=${KEY}`);
    assert.equal(def.body.results.length, 10, "default limit 10");
    const tooMany = await getJson(`${fake.url}/v3/snapshot/options/SPY?limit=251&apiKey=${KEY}`);
    assert.equal(tooMany.status, 400);
  });

  await check("REST via the Workers client: chain, NBBO, prev close and bars parse with the app's schemas", async () => {
    const rest = createPolygonRest({ baseUrl: fake.url, apiKey: KEY });
    const chain = await rest.optionChainSnapshot("SPY");
    assert.equal(chain.malformed, 0, chain.malformedIssues.join("; "));
    assert.equal(chain.results.length, 4 * 41 * 2);
    assert.equal(chain.pages, 2);
    assert.equal(chain.truncated, false);
    const sample = chain.results.find((r) => Math.abs(r.greeks?.delta ?? 0) > 0.4 && Math.abs(r.greeks?.delta ?? 0) < 0.6)!;
    assert.ok(sample, "an at-the-money contract with greeks");
    assert.ok(sample.last_quote!.bid < sample.last_quote!.ask);
    assert.ok(Math.abs(sample.last_quote!.midpoint - (sample.last_quote!.bid + sample.last_quote!.ask) / 2) < 0.006);
    assert.ok(sample.open_interest! > 0 && sample.implied_volatility! > 0);
    const filtered = await rest.optionChainSnapshot("SPY", { strikeGte: sample.details.strike_price, strikeLte: sample.details.strike_price, contractType: "call" });
    assert.equal(filtered.results.length, 4);
    const second = fake.stats().restRequests.filter((r) => r.path === "/v3/snapshot/options/SPY").at(-1);
    assert.equal(second?.authorized, true);
    const one = await rest.optionContractSnapshot("SPY", sample.details.ticker);
    assert.equal(one.details.ticker, sample.details.ticker);
    const nbbo = await rest.lastNbbo("AAPL");
    assert.ok(nbbo.p < nbbo.P && nbbo.t > 1e18, "ns timestamp");
    const prev = await rest.previousClose("AAPL");
    assert.ok(prev && prev.T === "AAPL" && prev.l <= prev.h);
    const bars = await rest.aggregates("AAPL", 1, "day", "2026-01-01", "2026-03-31", { sort: "asc" });
    assert.equal(bars.malformed, 0);
    assert.ok(bars.results.length >= 55 && bars.results.length <= 63, `${bars.results.length} sessions in Q1`);
    const paged = await rest.aggregates("SPY", 5, "minute", "2026-03-02", "2026-03-06", { limit: 100 });
    assert.equal(paged.results.length, 5 * 78);
    assert.equal(paged.pages, 4);
  });

  await check("REST dividends: quarterly regular cash, ticker and ex-date filters, pages, key; parsed by the Workers client", async () => {
    const noKey = await getJson(`${fake.url}/v3/reference/dividends?ticker=SPY`);
    assert.equal(noKey.status, 401);
    const first = await getJson(`${fake.url}/v3/reference/dividends?ticker=SPY&limit=2&order=desc&apiKey=${KEY}`);
    assert.equal(first.status, 200);
    assert.equal(first.body.results.length, 2);
    const next = new URL(first.body.next_url);
    assert.deepEqual([...next.searchParams.keys()], ["cursor"]);
    const rest = createPolygonRest({ baseUrl: fake.url, apiKey: KEY });
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
    const spy = await rest.dividends("SPY", { exDividendDateGte: from, limit: 2 });
    assert.equal(spy.malformed, 0, spy.malformedIssues.join("; "));
    assert.ok(spy.pages >= 2, "followed next_url");
    assert.ok(spy.results.every((d) => d.ticker === "SPY" && d.dividend_type === "CD" && d.frequency === 4 && d.ex_dividend_date >= from));
    const past = spy.results.filter((d) => d.ex_dividend_date <= today);
    assert.ok(past.length >= 3 && past.length <= 5, `${past.length} quarterly payments in a year`);
    const dates = spy.results.map((d) => d.ex_dividend_date);
    assert.deepEqual(dates, [...dates].sort().reverse(), "newest first");
    assert.equal((await rest.dividends("TSLA", { exDividendDateGte: from })).results.length, 0, "a non-payer");
    const cost = await rest.dividends("COST");
    assert.ok(cost.results.some((d) => d.dividend_type === "SC" && d.frequency === 0), "a special dividend");
    const lte = await rest.dividends("KO", { exDividendDateLte: from });
    assert.ok(lte.results.length > 0 && lte.results.every((d) => d.ex_dividend_date <= from));
    fake.setScenario("rest-500", { pathPrefix: "/v3/reference/dividends" });
    const failing = createPolygonRest({ baseUrl: fake.url, apiKey: KEY, sleep: async () => {}, maxRetries: 1 });
    await assert.rejects(failing.dividends("SPY"), (err: any) => err.status === 500);
    assert.ok(await failing.lastNbbo("SPY"), "pathPrefix confines the failures");
  });

  await check("REST scenario rest-429: two 429s with the vendor body per path, then OK; the client retries", async () => {
    fake.setScenario("rest-429");
    const a = await getJson(`${fake.url}/v2/aggs/ticker/SPY/prev?apiKey=${KEY}`);
    const b = await getJson(`${fake.url}/v2/aggs/ticker/SPY/prev?apiKey=${KEY}`);
    const c = await getJson(`${fake.url}/v2/aggs/ticker/SPY/prev?apiKey=${KEY}`);
    assert.deepEqual([a.status, b.status, c.status], [429, 429, 200]);
    assert.match(a.body.error, /exceeded the maximum requests per minute/);
    const sleeps: number[] = [];
    const rest = createPolygonRest({ baseUrl: fake.url, apiKey: KEY, sleep: async (ms) => void sleeps.push(ms) });
    assert.ok(await rest.lastNbbo("QQQ"));
    assert.equal(sleeps.length, 2);
  });

  await check("REST scenario rest-500: the client gives up after its retries", async () => {
    fake.setScenario("rest-500");
    const rest = createPolygonRest({ baseUrl: fake.url, apiKey: KEY, sleep: async () => {}, maxRetries: 2 });
    await assert.rejects(rest.lastNbbo("QQQ"), (err: any) => err.status === 500 && err.attempts === 3 && !String(err.message).includes(KEY));
  });

  await fake.close();
  const failed = results.filter((r) => !r.ok);
  console.log(`\n${results.length - failed.length}/${results.length} checks passed`);
  for (const f of failed) console.log(`\n--- ${f.name}\n${f.error}`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

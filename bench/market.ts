/**
 * Market-data plane benchmarks (issue: market data plane):
 *  1. Events per second one MarketFeed parses and coalesces (option quotes in 50-event frames), in Node and in
 *     workerd (Miniflare), target >= 50,000/s.
 *  2. Tick-to-browser latency: the built Worker under `wrangler dev` with the Polygon path pointed at the fake
 *     Polygon server; a quote emitted upstream is timed until each of 100 / 1,000 browser sockets has it.
 *     Target p99 < 250 ms at 1,000 sockets.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { freePort, median, pct, startBenchWorker } from "./lib";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { startFakePolygon } from "../scripts/fake-polygon";
import { Coalescer } from "../workers/market/polygon/coalesce";
import { parseFrame } from "../workers/market/polygon/protocol";

const RUNS = 5;

/** 4,000 frames of 50 option quotes over 2,000 SPY contracts: 200,000 events. */
function makeFrames(): string[] {
  const tickers = Array.from({ length: 2000 }, (_, i) => `O:SPY2612${String(18 + (i % 10)).padStart(2, "0")}${i % 2 ? "C" : "P"}${String(500_000 + 1000 * Math.floor(i / 20)).padStart(8, "0")}`);
  const frames: string[] = [];
  let t = 1_764_500_000_000;
  for (let f = 0; f < 4000; f++) {
    const events = [];
    for (let k = 0; k < 50; k++) {
      const bid = 1 + ((f * 50 + k) % 500) / 100;
      events.push({ ev: "Q", sym: tickers[(f * 50 + k) % tickers.length], bx: 302, ax: 313, bp: bid, ap: bid + 0.05, bs: 10, as: 12, t: t++, q: f * 50 + k });
    }
    frames.push(JSON.stringify(events));
  }
  return frames;
}

async function throughput() {
  const frames = makeFrames();
  const events = frames.length * 50;
  const nodeRuns: number[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const c = new Coalescer((sym) => (sym.startsWith("O:SPY") ? "SPY" : null));
    const t0 = performance.now();
    for (const f of frames) for (const e of parseFrame(f).events) c.add(e);
    c.drain("options", 0);
    if (r > 0) nodeRuns.push(events / ((performance.now() - t0) / 1000));
  }

  const mf = await startBenchWorker("feed-throughput.worker.ts");
  try {
    await mf.dispatchFetch("http://bench/prepare", { method: "POST", body: JSON.stringify(frames) });
    await mf.dispatchFetch("http://bench/run?rounds=1"); // warm-up (JIT)
    const base: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await (await mf.dispatchFetch("http://bench/run?rounds=0")).text();
      base.push(performance.now() - t0);
    }
    const workerdRuns: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const res = (await (await mf.dispatchFetch("http://bench/run?rounds=2")).json()) as { events: number };
      const ms = performance.now() - t0 - median(base);
      workerdRuns.push(res.events / (ms / 1000));
    }
    const line = (name: string, xs: number[]) =>
      console.log(`${name.padEnd(44)} median ${Math.round(median(xs)).toLocaleString("en-US").padStart(10)} events/s   target >= 50,000  (${(median(xs) / 50_000).toFixed(1)}x)   runs: ${xs.map((x) => Math.round(x / 1000) + "k").join(" ")}`);
    console.log("\nMarketFeed parse + coalesce (option quotes, 50 per frame)");
    line("  Node (same code)", nodeRuns);
    line("  workerd (Miniflare)", workerdRuns);
  } finally {
    await mf.dispose();
  }
}


async function waitHttp(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up in ${timeoutMs} ms`);
}

async function latency() {
  const root = join(import.meta.dirname, "..");
  // Always rebuild: a stale build would measure yesterday's code.
  execFileSync("npx", ["react-router", "build"], { cwd: root, stdio: "ignore" });
  const fake = await startFakePolygon({ port: 0, apiKey: "demo", scenario: "silent" });
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "bench-state-"));
  const vars = { POLYGON_API_KEY: "demo", POLYGON_WS_URL: fake.wsUrl.replace(/\/$/, ""), POLYGON_REST_URL: fake.url.replace(/\/$/, ""), FEED_FLUSH_MS: "50", STALE_AFTER_MS: "60000", ROOM_IDLE_MS: "600000" };
  const args = ["wrangler", "dev", "-c", "build/server/wrangler.json", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--log-level", "error", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])];
  const dev: ChildProcess = spawn("npx", args, { cwd: root, stdio: "ignore", detached: true });
  try {
    await waitHttp(`http://127.0.0.1:${port}/api/quotes/SPY`, 60_000);
    // Measure only once the stocks feed is authenticated and subscribed (a frame before that has nowhere to go).
    const ready = Date.now() + 30_000;
    for (;;) {
      const h = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as { checks: { feed_stocks: { detail?: { state?: string; acknowledged?: number } } } };
      if (h.checks.feed_stocks.detail?.state === "ready" && (h.checks.feed_stocks.detail.acknowledged ?? 0) >= 3) break;
      if (Date.now() > ready) throw new Error("the stocks feed never became ready");
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log("\nTick-to-browser latency (fake Polygon -> MarketFeed -> SymbolRoom -> browser sockets, wrangler dev)");
    for (const sockets of [100, 1000]) {
      const clients: WebSocket[] = [];
      const seen = new Map<number, number[]>(); // marker -> receive times
      let snapshots = 0;
      await Promise.all(
        Array.from({ length: sockets }, () =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/symbols/SPY`);
            ws.on("message", (data) => {
              const at = performance.now();
              const text = data.toString();
              if (text.startsWith('{"type":"snapshot"')) snapshots++;
              if (!text.startsWith('{"type":"quote"')) return;
              const bid = (JSON.parse(text) as { quote: { bid: number } }).quote.bid;
              const list = seen.get(bid) ?? [];
              list.push(at);
              seen.set(bid, list);
            });
            ws.on("open", () => resolve());
            ws.on("error", reject);
            clients.push(ws);
          }),
        ),
      );
      // Every socket first receives its snapshot (the chain of the near expiries): measure after they all have.
      const settle = Date.now() + 60_000;
      while (snapshots < sockets && Date.now() < settle) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 500));
      const samples: number[] = [];
      const ticks = 30;
      let t = Date.now() + 60_000;
      for (let i = 0; i < ticks; i++) {
        const marker = 900 + i + sockets / 10_000; // a unique bid per tick
        const sent = performance.now();
        fake.emit("stocks", JSON.stringify([{ ev: "Q", sym: "SPY", bx: 1, ax: 1, bp: marker, ap: marker + 0.02, bs: 100, as: 100, t: t++, q: i }]));
        await new Promise((r) => setTimeout(r, 400));
        const got = seen.get(marker) ?? [];
        if (process.env.BENCH_DEBUG && got.length) console.log(`    tick ${i}: first ${(Math.min(...got) - sent).toFixed(1)} ms, last ${(Math.max(...got) - sent).toFixed(1)} ms, ${got.length} sockets`);
        for (const at of got) samples.push(at - sent);
        for (let m = got.length; m < sockets; m++) samples.push(Number.POSITIVE_INFINITY); // missed within 400 ms
      }
      const finite = samples.filter(Number.isFinite);
      console.log(
        `  ${String(sockets).padStart(5)} sockets: p50 ${pct(samples, 50).toFixed(1)} ms, p99 ${pct(samples, 99).toFixed(1)} ms, max ${Math.max(...finite).toFixed(1)} ms over ${ticks} ticks (${finite.length}/${samples.length} delivered)   target p99 < 250 ms`,
      );
      for (const ws of clients) ws.terminate();
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    if (dev.pid) process.kill(-dev.pid, "SIGTERM");
    await fake.close();
    rmSync(state, { recursive: true, force: true });
  }
}

await throughput();
await latency();

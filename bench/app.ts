/**
 * Web app benchmarks (issue: the web app):
 *  1. Server-rendered time to first byte of the main page: the production build under `wrangler dev` (fresh,
 *     migrated and seeded state), median of 25 GET / after 5 warm-ups, anonymous and signed in.
 *  2. The main route's JavaScript, gzipped: every script the server-rendered home page loads (its module
 *     scripts and modulepreload links, read from the HTML), gzip via node:zlib. Target < 200 KB. The charts
 *     (uPlot, lightweight-charts) load later, when a recommendation is shown; they are listed separately.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { freePort, median } from "./lib";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = join(import.meta.dirname, "..");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;


/** Milliseconds from sending the request to the first byte of the body. */
async function ttfb(url: string, headers: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  const reader = res.body!.getReader();
  await reader.read();
  const t = performance.now() - t0;
  await reader.cancel();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return t;
}

async function measureTtfb(base: string) {
  const token = ((await (await fetch(`${base}/api/dev/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sub: "bench-user" }) })).json()) as { token: string }).token;
  console.log("\nWeb app: server-rendered time to first byte of / (wrangler dev, production build, median of 25 after 5 warm-ups)");
  for (const [label, headers] of [
    ["anonymous", {}],
    ["signed in (session cookie verified)", { cookie: `session=${token}` }],
  ] as const) {
    for (let i = 0; i < 5; i++) await ttfb(`${base}/`, headers);
    const samples: number[] = [];
    for (let i = 0; i < 25; i++) samples.push(await ttfb(`${base}/`, headers));
    console.log(`  ${label.padEnd(38)} median ${median(samples).toFixed(1)} ms, min ${Math.min(...samples).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms`);
  }
}

/** The scripts a server-rendered page loads: module preloads and module script imports, in page order. */
function scriptsOf(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) out.add(m[1]);
  for (const m of html.matchAll(/import\s*(?:[^"']*from\s*)?["'](\/assets\/[^"']+\.js)["']/g)) out.add(m[1]);
  return [...out];
}

function measureJs(html: string) {
  const files = scriptsOf(html);
  let raw = 0;
  let gz = 0;
  console.log("\nWeb app: JavaScript the home route loads (gzip, node:zlib default level)");
  for (const f of files) {
    const body = readFileSync(join(root, "build/client", f));
    const z = gzipSync(body).length;
    raw += body.length;
    gz += z;
    console.log(`  ${f.padEnd(52)} ${kb(body.length).padStart(10)} raw ${kb(z).padStart(9)} gzip`);
  }
  console.log(`  total: ${files.length} files, ${kb(raw)} raw, ${kb(gz)} gzip   target < 200 KB gzip: ${gz < 200 * 1024 ? "met" : "NOT met"}`);
  // Loaded on demand when a recommendation is shown (React.lazy + dynamic import), not on the first view: follow
  // the dynamic imports Vite leaves in the chunks (`import("./charts-….js")`).
  const lazy = new Set<string>();
  const pending = [...files];
  while (pending.length) {
    const f = pending.pop()!;
    const code = readFileSync(join(root, "build/client", f), "utf8");
    for (const m of code.matchAll(/import\(\s*["']\.\/([\w.-]+\.js)["']\s*\)/g)) {
      const path = `/assets/${m[1]}`;
      if (!files.includes(path) && !lazy.has(path)) {
        lazy.add(path);
        pending.push(path);
      }
    }
  }
  const lazyGz = [...lazy].reduce((sum, f) => sum + gzipSync(readFileSync(join(root, "build/client", f))).length, 0);
  console.log(`  on demand (charts, after a recommendation): ${[...lazy].map((f) => f.replace("/assets/", "")).join(", ")}: ${kb(lazyGz)} gzip; first view + charts ${kb(gz + lazyGz)} gzip`);
}

async function main() {
  execFileSync("npx", ["react-router", "build"], { cwd: root, stdio: "ignore" });
  const state = mkdtempSync(join(tmpdir(), "bench-app-"));
  const npx = (args: string[]) => execFileSync("npx", args, { cwd: root, stdio: "ignore" });
  npx(["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);
  npx(["wrangler", "d1", "execute", "DB", "--local", "--persist-to", state, "--file", "scripts/seed/seed.sql"]);
  const port = await freePort();
  const inspector = await freePort();
  const dev: ChildProcess = spawn(
    "npx",
    ["wrangler", "dev", "-c", "build/server/wrangler.json", "--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspector), "--persist-to", state, "--log-level", "error", "--show-interactive-dev-session=false"],
    { cwd: root, stdio: "ignore", detached: true },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/api/quotes/SPY`)).ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error("wrangler dev did not come up");
      await new Promise((r) => setTimeout(r, 300));
    }
    await measureTtfb(base);
    measureJs(await (await fetch(`${base}/`)).text());
  } finally {
    if (dev.pid) process.kill(-dev.pid, "SIGTERM");
    rmSync(state, { recursive: true, force: true });
  }
}

await main();

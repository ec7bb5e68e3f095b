// Seeds the local D1 database when it is empty (npm start). Uses wrangler's own local state, so a second
// `npm start` finds the data of the first and leaves it alone.
import { execFileSync } from "node:child_process";

// PERSIST_TO points the seed at another local state folder (the browser tests use a fresh one per run).
const STATE = [process.env.PERSIST_TO || ".wrangler/state"];
const wrangler = (...args) =>
  execFileSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", ...STATE, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const out = wrangler("--json", "--command", "SELECT COUNT(*) AS n FROM symbols");
const n = JSON.parse(out)[0]?.results?.[0]?.n ?? 0;
if (n > 0) {
  console.log(`seed: database already has ${n} symbols, leaving it as it is`);
} else {
  wrangler("--file", "scripts/seed/seed.sql");
  console.log("seed: loaded symbols, a demo profile and a demo watchlist");
}

// Recommendation engine (issue 6): the knowledge base the rationale cites, and the shipped GBDT model in
// R2 + D1 + KV. Each step checks what is there first, so re-running changes nothing.
{
  const { registerModels, seedKnowledge } = await import("./seed/models.mjs");
  const root = new URL("..", import.meta.url).pathname;
  if (seedKnowledge({ root })) console.log("seed: loaded the knowledge base");
  console.log(`seed: models registered (${registerModels({ root })} in models/registry.json)`);
}

// Signals and feature store (issue 5): synthetic rows (source `synthetic-seed`) for each of these tables that
// is empty, generated for today by scripts/seed/signals.ts; tables with rows (imports, jobs) are left alone.
{
  const tables = ["daily_bars", "sentiment_observations", "congress_trades", "macro_events", "atm_iv_history", "realized_vol", "liquidity_by_underlying", "feature_rows"];
  const counts = JSON.parse(wrangler("--json", "--command", `SELECT ${tables.map((t) => `(SELECT COUNT(*) FROM ${t}) AS ${t}`).join(", ")}`))[0].results[0];
  const empty = tables.filter((t) => counts[t] === 0);
  if (empty.length === 0) console.log("seed: signals tables already have rows, leaving them as they are");
  else {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(".wrangler/tmp", { recursive: true });
    const file = ".wrangler/tmp/seed-signals.sql";
    execFileSync("npx", ["tsx", "scripts/seed/signals.ts", file, ...empty], { stdio: ["ignore", "inherit", "inherit"] });
    wrangler("--file", file);
    console.log(`seed: loaded synthetic rows into ${empty.join(", ")}`);
  }
}

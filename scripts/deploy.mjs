// npm run deploy -- --env staging|production [--dry-run]
// Builds the Worker for the environment, applies its remote D1 migrations, then deploys. With --dry-run nothing
// leaves the machine: the build is checked by `wrangler deploy --dry-run` (npm test runs this for every env).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENVIRONMENTS, parseArgs, readConfig, resourcesOf } from "./ops/environments.mjs";

const args = parseArgs(process.argv.slice(2));
const envs = args.env === "all" ? ["local", ...ENVIRONMENTS] : [args.env];
if (!envs.every((e) => e === "local" || ENVIRONMENTS.includes(e))) {
  console.error(`usage: npm run deploy -- --env ${ENVIRONMENTS.join("|")} [--dry-run]   (--env all --dry-run checks every environment)`);
  process.exit(2);
}
const run = (cmd, a, extraEnv = {}) => execFileSync(cmd, a, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", env: { ...process.env, ...extraEnv } });

for (const env of envs) {
  const res = resourcesOf(readConfig(), env);
  // The Cloudflare Vite plugin picks the [env.*] section from CLOUDFLARE_ENV and writes it flattened into
  // build/server/wrangler.json, which is what wrangler deploys.
  run("npx", ["react-router", "build"], env === "local" ? {} : { CLOUDFLARE_ENV: env });
  if (args.dryRun) {
    const out = mkdtempSync(join(tmpdir(), `dry-${env}-`));
    try {
      const log = run("npx", ["wrangler", "deploy", "-c", "build/server/wrangler.json", "--dry-run", "--outdir", out]);
      const bindings = ["SYMBOL_ROOM", "MARKET_FEED", "RATE_LIMITER", "DB", "CACHE", "FLAGS", "ARCHIVE", "MARKET_EVENTS"].filter((b) => !log.includes(b));
      if (bindings.length) throw new Error(`${env}: dry run is missing bindings ${bindings.join(", ")}\n${log}`);
      const app = /APP_ENV[^\n]*"([a-z]+)"/.exec(log)?.[1];
      if (env !== "local" && app !== env) throw new Error(`${env}: built with APP_ENV=${app}`);
      if (env === "production" && /DEV_AUTH[^\n]*"true"/.test(log)) throw new Error("production must not enable DEV_AUTH");
      console.log(`ok  dry-run deploy ${env} (${res.worker}): bindings and vars as configured`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    continue;
  }
  for (const d of res.d1) run("npx", ["wrangler", "d1", "migrations", "apply", d.binding, "--remote", "--env", env]);
  console.log(run("npx", ["wrangler", "deploy", "-c", "build/server/wrangler.json"]));
}
if (args.dryRun) run("npx", ["react-router", "build"]); // leave the default (local) build in place for npm start

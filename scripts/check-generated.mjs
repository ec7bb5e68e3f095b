// Fails when a generated file is out of date with its source: JSON Schemas (zod), the Env types (wrangler.toml),
// and the D1 migrations (drizzle schema). Run by `npm test` after the tests.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** drizzle-kit has no "is the schema migrated" check: generate into a copy and see whether a file appears. */
function migrationsUpToDate() {
  const dir = mkdtempSync(join(tmpdir(), "migrations-"));
  try {
    cpSync("migrations", dir, { recursive: true });
    const before = readdirSync(dir).length;
    execFileSync("npx", ["drizzle-kit", "generate", "--dialect", "sqlite", "--schema", "workers/db/schema.ts", "--out", dir], { stdio: "pipe" });
    if (readdirSync(dir).length !== before) throw Object.assign(new Error(), { stdout: "the drizzle schema changed: run npm run db:generate" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const checks = [
  ["schemas/json", ["npx", "tsx", "scripts/generate-schemas.ts", "--check"]],
  ["workers/worker-configuration.d.ts", ["npx", "wrangler", "types", "workers/worker-configuration.d.ts", "--strict-vars=false", "--check"]],
];
let failed = 0;
for (const [what, [cmd, ...args]] of checks) {
  try {
    execFileSync(cmd, args, { stdio: "pipe", encoding: "utf8" });
    console.log(`ok  ${what}`);
  } catch (e) {
    failed++;
    console.error(`STALE ${what}: ${(e.stdout || "") + (e.stderr || "")}`.trim());
  }
}
try {
  migrationsUpToDate();
  console.log("ok  migrations");
} catch (e) {
  failed++;
  console.error(`STALE migrations: ${e.stdout || e.message}`);
}
if (failed) process.exit(1);

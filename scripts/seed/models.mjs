// Registers the models listed in models/registry.json in the local stack, and seeds the knowledge base:
// R2 (the model JSON, bucket raw-archive under models/), D1 (model_registry row, knowledge_docs), KV (CACHE
// key models:active:<name>, the active version and the hybrid weights). Idempotent: INSERT OR IGNORE, R2 puts
// of the same bytes, and the active pointer is only written when missing (or when `activate` asks for it).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const STATE = process.env.PERSIST_TO || ".wrangler/state";
/** Default weights of the hybrid score (rule, ml); operators change them in the KV document. */
export const DEFAULT_WEIGHTS = { rule: 0.6, ml: 0.4 };

function wrangler(root, args) {
  return execFileSync("npx", ["wrangler", ...args, "--local", "--persist-to", STATE], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

// Seed SQL from repo files only (no user input): values are quoted SQL literals.
const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;

export function registerModels({ root, only = null, activate = false }) {
  const registry = JSON.parse(readFileSync(join(root, "models/registry.json"), "utf8"));
  const entries = registry.filter((e) => !only || (e.name === only.name && e.version === only.version));
  const dir = mkdtempSync(join(tmpdir(), "seed-models-"));
  try {
    for (const e of entries) {
      wrangler(root, ["r2", "object", "put", `raw-archive/${e.r2Key}`, "--file", join(root, e.r2Key), "--content-type", "application/json"]);
      const sql = join(dir, `${e.name}-${e.version}.sql`);
      writeFileSync(
        sql,
        `INSERT OR IGNORE INTO model_registry (name, version, stage, metrics, features, r2_key, created_at) VALUES (${[e.name, e.version, e.stage, JSON.stringify(e.metrics), JSON.stringify(e.features), e.r2Key, e.createdAt].map(lit).join(", ")});\n`,
      );
      wrangler(root, ["d1", "execute", "DB", "--file", sql]);
    }
    // The active pointer: the last production entry of each name (or the one just trained when activating).
    const names = [...new Set(entries.map((e) => e.name))];
    for (const name of names) {
      const pick = activate ? entries.filter((e) => e.name === name).at(-1) : registry.filter((e) => e.name === name && e.stage === "production").at(-1);
      if (!pick) continue;
      const key = `models:active:${name}`;
      let current = "";
      try {
        current = wrangler(root, ["kv", "key", "get", "--binding", "CACHE", key]).trim();
      } catch {
        current = "";
      }
      const exists = current.startsWith("{");
      if (exists && !activate) continue;
      const doc = { name, version: pick.version, r2Key: pick.r2Key, weights: exists ? JSON.parse(current).weights ?? DEFAULT_WEIGHTS : DEFAULT_WEIGHTS };
      wrangler(root, ["kv", "key", "put", "--binding", "CACHE", key, JSON.stringify(doc)]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return entries.length;
}

/** Loads scripts/seed/knowledge.sql (INSERT OR IGNORE) when the knowledge base is empty. */
export function seedKnowledge({ root }) {
  const out = wrangler(root, ["d1", "execute", "DB", "--json", "--command", "SELECT COUNT(*) AS n FROM knowledge_docs"]);
  const n = JSON.parse(out)[0]?.results?.[0]?.n ?? 0;
  if (n > 0) return 0;
  wrangler(root, ["d1", "execute", "DB", "--file", "scripts/seed/knowledge.sql"]);
  return 1;
}

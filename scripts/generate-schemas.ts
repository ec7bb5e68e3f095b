// Writes schemas/json/*.schema.json from the zod contracts. `--check` exits 1 when they are stale.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { jsonSchemas } from "../schemas/json-schema";

const dir = join(import.meta.dirname, "..", "schemas", "json");
const check = process.argv.includes("--check");
const wanted = jsonSchemas();
mkdirSync(dir, { recursive: true });
const present = readdirSync(dir).filter((f) => f.endsWith(".schema.json"));
const stale: string[] = [];
for (const [file, text] of Object.entries(wanted)) {
  let current: string | null = null;
  try { current = readFileSync(join(dir, file), "utf8"); } catch { current = null; }
  if (current !== text) {
    stale.push(file);
    if (!check) writeFileSync(join(dir, file), text);
  }
}
for (const file of present) {
  if (!(file in wanted)) {
    stale.push(file);
    if (!check) unlinkSync(join(dir, file));
  }
}
if (check && stale.length) {
  console.error(`schemas/json is stale (${stale.join(", ")}): run npm run schemas`);
  process.exit(1);
}
console.log(check ? "schemas/json up to date" : `schemas/json: ${Object.keys(wanted).length} files, ${stale.length} changed`);

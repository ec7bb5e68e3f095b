// npm run import -- <kind> <file> [--symbol SPY] [--url http://localhost:8787] [--token JWT]
// Sends a file to the running app's admin import API (POST /api/admin/import/:kind), which validates every
// row with zod, upserts idempotently into D1 and answers what it did. Going through the API (not writing SQL
// to the local D1 directly) keeps one code path, bound parameters, and the same report for CLI and HTTP.
// Without --token (or IMPORT_TOKEN), a local admin token is minted from the dev issuer (DEV_AUTH=true).
//   kinds: bars (CSV: date,open,high,low,close,volume [+symbol]), congress (House/Senate Stock Watcher JSON or
//   House CSV), macro (ForexFactory CSV/JSON or time,country,event,importance CSV), sentiment (CSV/JSON)
import { readFileSync } from "node:fs";
import { extname } from "node:path";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const symbol = flag("symbol");
const base = (flag("url") ?? process.env.IMPORT_URL ?? "http://localhost:8787").replace(/\/$/, "");
let token = flag("token") ?? process.env.IMPORT_TOKEN;
const [kind, file] = args;
if (!kind || !file) {
  console.error("usage: npm run import -- <bars|congress|macro|sentiment> <file> [--symbol SPY] [--url http://localhost:8787] [--token JWT]");
  process.exit(2);
}

const text = readFileSync(file, "utf8");
if (!token) {
  const res = await fetch(`${base}/api/dev/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sub: "import-cli", roles: ["admin"] }) });
  if (!res.ok) {
    console.error(`could not mint a dev admin token at ${base} (${res.status}); is the app running (npm start), or pass --token`);
    process.exit(1);
  }
  token = ((await res.json()) as { token: string }).token;
}
const type = extname(file).toLowerCase() === ".json" ? "application/json" : "text/csv";
const res = await fetch(`${base}/api/admin/import/${encodeURIComponent(kind)}${symbol ? `?symbol=${encodeURIComponent(symbol)}` : ""}`, {
  method: "POST",
  headers: { "content-type": type, authorization: `Bearer ${token}` },
  body: text,
});
const body = (await res.json()) as Record<string, unknown>;
if (!res.ok) {
  console.error(`${res.status}: ${JSON.stringify(body, null, 2)}`);
  process.exit(1);
}
const r = body as { format: string; received: number; accepted: number; rejectedCount: number; changed: number; unchanged: number; rejected: { line: number | null; record: number; field: string | null; reason: string }[] };
console.log(`${kind} (${r.format}): ${r.received} records, ${r.accepted} accepted, ${r.rejectedCount} rejected; ${r.changed} rows inserted or changed, ${r.unchanged} already there`);
for (const x of r.rejected.slice(0, 50)) console.log(`  ${x.line !== null ? `line ${x.line}` : `record ${x.record}`}${x.field ? ` [${x.field}]` : ""}: ${x.reason}`);
if (r.rejectedCount > 50) console.log(`  ... and ${r.rejectedCount - 50} more`);
process.exit(r.accepted > 0 || r.received === 0 ? 0 : 1);

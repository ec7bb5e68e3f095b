// npm run provision -- --env staging|production [--dry-run]
// Creates, idempotently, the D1 database, KV namespaces, R2 bucket and queues of an environment with wrangler's
// own commands, and writes the new ids into wrangler.toml. --dry-run prints the plan and touches nothing (it does
// not call Cloudflare either, so it runs offline and in CI).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { ENVIRONMENTS, isPlaceholder, parseArgs, readConfig, resourcesOf } from "./ops/environments.mjs";

const args = parseArgs(process.argv.slice(2));
if (!ENVIRONMENTS.includes(args.env)) {
  console.error(`usage: npm run provision -- --env ${ENVIRONMENTS.join("|")} [--dry-run]`);
  process.exit(2);
}
const res = resourcesOf(readConfig(), args.env);

const plan = [
  ...res.d1.map((d) => ({ kind: "d1", what: `D1 database ${d.name} (binding ${d.binding})`, configured: !isPlaceholder(d.id), cmd: ["d1", "create", d.name], d })),
  ...res.kv.map((k) => ({ kind: "kv", what: `KV namespace ${k.title} (binding ${k.binding})`, configured: !isPlaceholder(k.id), cmd: ["kv", "namespace", "create", k.binding, "--env", args.env], k })),
  ...res.r2.map((b) => ({ kind: "r2", what: `R2 bucket ${b.name} (binding ${b.binding})`, configured: false, cmd: ["r2", "bucket", "create", b.name], b })),
  ...res.queues.map((q) => ({ kind: "queue", what: `Queue ${q}`, configured: false, cmd: ["queues", "create", q], q })),
];

console.log(`Provisioning plan for ${args.env} (worker ${res.worker}):`);
for (const step of plan) {
  const action = step.configured ? "keep (id already in wrangler.toml)" : `create unless it exists: wrangler ${step.cmd.join(" ")}`;
  console.log(`  - ${step.what}: ${action}`);
}
console.log("  - then: write new ids into wrangler.toml [env." + args.env + "]");
if (args.dryRun) {
  console.log("dry run: nothing created, wrangler.toml unchanged");
  process.exit(0);
}

const wrangler = (...a) => execFileSync("npx", ["wrangler", ...a], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const json = (...a) => JSON.parse(wrangler(...a));
let toml = readFileSync("wrangler.toml", "utf8");

/** Replaces the id of `binding` inside the [env.<env>] tables of a kind (d1: database_id, kv: id). */
function setId(kind, binding, id) {
  const table = kind === "d1" ? "d1_databases" : "kv_namespaces";
  const key = kind === "d1" ? "database_id" : "id";
  const re = new RegExp(`(\\[\\[env\\.${args.env}\\.${table}\\]\\][^\\[]*?binding = "${binding}"[^\\[]*?${key} = ")[^"]*(")`);
  if (!re.test(toml)) throw new Error(`could not find ${binding} in [[env.${args.env}.${table}]]`);
  toml = toml.replace(re, `$1${id}$2`);
}

for (const step of plan) {
  if (step.configured) continue;
  if (step.kind === "d1") {
    const existing = json("d1", "list", "--json").find((d) => d.name === step.d.name);
    const id = existing?.uuid ?? /"?database_id"?\s*[:=]\s*"([0-9a-f-]{36})"/.exec(wrangler(...step.cmd))?.[1];
    if (!id) throw new Error(`no id for ${step.d.name}`);
    setId("d1", step.d.binding, id);
  } else if (step.kind === "kv") {
    const existing = json("kv", "namespace", "list").find((n) => n.title === step.k.title);
    const id = existing?.id ?? /id\s*[:=]\s*"([0-9a-f]{32})"/.exec(wrangler(...step.cmd))?.[1];
    if (!id) throw new Error(`no id for ${step.k.title}`);
    setId("kv", step.k.binding, id);
  } else if (step.kind === "r2") {
    if (!wrangler("r2", "bucket", "list").includes(`name:           ${step.b.name}`) && !wrangler("r2", "bucket", "list").includes(step.b.name)) wrangler(...step.cmd);
  } else if (step.kind === "queue") {
    if (!wrangler("queues", "list").includes(step.q)) wrangler(...step.cmd);
  }
  console.log(`  done: ${step.what}`);
}
writeFileSync("wrangler.toml", toml);
console.log("wrangler.toml updated; commit it.");

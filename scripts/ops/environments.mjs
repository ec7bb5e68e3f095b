// Reads wrangler.toml: the resources each environment needs (D1, KV, R2, queues) with their configured ids.
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";

export const ENVIRONMENTS = ["staging", "production"];

/** Placeholder ids (all zeros but the last digit) mean "not provisioned yet". */
export const isPlaceholder = (id) => !id || /^0{8}-0{4}-4000-8000-0{11}\d$|^0{31}\d$|^local-/.test(id);

export function readConfig(path = "wrangler.toml") {
  return parse(readFileSync(path, "utf8"));
}

/** The resources of one environment (`local` = top level). */
export function resourcesOf(config, env) {
  const c = env === "local" ? config : config.env?.[env];
  if (!c) throw new Error(`no [env.${env}] in wrangler.toml (known: ${Object.keys(config.env ?? {}).join(", ")})`);
  return {
    worker: c.name ?? config.name,
    d1: (c.d1_databases ?? []).map((d) => ({ binding: d.binding, name: d.database_name, id: d.database_id })),
    kv: (c.kv_namespaces ?? []).map((k) => ({ binding: k.binding, title: `${c.name ?? config.name}-${k.binding}`, id: k.id })),
    r2: (c.r2_buckets ?? []).map((b) => ({ binding: b.binding, name: b.bucket_name })),
    queues: [...new Set([...(c.queues?.producers ?? []).map((q) => q.queue), ...(c.queues?.consumers ?? []).map((q) => q.queue)])],
  };
}

export function parseArgs(argv) {
  const args = { env: null, dryRun: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--env" || argv[i] === "-e") args.env = argv[++i];
    else if (argv[i].startsWith("--env=")) args.env = argv[i].slice(6);
    else if (argv[i] === "--dry-run") args.dryRun = true;
    else args.rest.push(argv[i]);
  }
  return args;
}

/**
 * Feature flags in KV: one document (`flags:v1` in FLAGS) read once per request and evaluated for the caller.
 * Percentage rollouts hash (flag key, user) so a user keeps their bucket as the percentage grows.
 */
import { FlagDefinition, FlagDocument } from "../../schemas/flags";
import { hash32 } from "../util/hash";

export const FLAGS_KV_KEY = "flags:v1";
export type FlagValues = Record<string, boolean | string>;

/** The flags every deployment has, used when KV holds no document yet. */
export const DEFAULT_FLAGS: FlagDefinition[] = [
  { key: "llm-provider", kind: "variant", description: "Who writes the rationale", enabled: true, variants: ["template", "openai", "workers-ai"], defaultValue: "template", offValue: "template", rules: [] },
  { key: "ml-scorer", kind: "boolean", description: "Blend the GBDT score into the rule score", enabled: true, defaultValue: true, offValue: false, rules: [] },
  { key: "live-polygon", kind: "boolean", description: "Serve live Polygon data where a key is configured (off: synthetic market)", enabled: true, defaultValue: true, offValue: false, rules: [] },
];

/** The rollout bucket 0..9999 (percentages with two decimals): a stable hash, unlike Math.random. */
export function bucketOf(flagKey: string, subject: string): number {
  return hash32(`${flagKey}:${subject}`) % 10_000;
}

export type Subject = { id: string | null; roles: readonly string[] };

/** One flag for one subject (pure). Anonymous callers get no user targeting and roll out by `anonymousKey`. */
export function evaluateFlag(f: FlagDefinition, who: Subject, anonymousKey = "anonymous"): boolean | string {
  if (!f.enabled) return f.offValue;
  for (const r of f.rules) {
    if (who.id && r.users?.includes(who.id)) return r.value;
    if (r.roles?.some((role) => who.roles.includes(role))) return r.value;
  }
  if (f.rollout && bucketOf(f.key, who.id ?? anonymousKey) < f.rollout.percentage * 100) return f.rollout.value;
  return f.defaultValue;
}

export function evaluateAll(defs: readonly FlagDefinition[], who: Subject, anonymousKey?: string): FlagValues {
  const out: FlagValues = {};
  for (const f of defs) out[f.key] = evaluateFlag(f, who, anonymousKey);
  return out;
}

/** The stored definitions merged over the defaults (a stored flag replaces the default of the same key). */
export async function loadFlags(kv: KVNamespace): Promise<FlagDefinition[]> {
  const raw = await kv.get(FLAGS_KV_KEY, "json").catch(() => null);
  const parsed = FlagDocument.safeParse(raw);
  const stored = parsed.success ? parsed.data.flags : [];
  const byKey = new Map(DEFAULT_FLAGS.map((f) => [f.key, f]));
  for (const f of stored) byKey.set(f.key, f);
  return [...byKey.values()];
}

export async function saveFlags(kv: KVNamespace, defs: FlagDefinition[]): Promise<void> {
  const doc: FlagDocument = { flags: defs, updatedAt: new Date().toISOString() };
  await kv.put(FLAGS_KV_KEY, JSON.stringify(doc));
}

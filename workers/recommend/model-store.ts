/**
 * The active scoring model, at the I/O edge: KV names the active version (`models:active:<name>`, with the hybrid
 * weights), R2 holds the LightGBM JSON, D1's model_registry lists every version with its metrics. Compiled
 * models are kept per isolate by version (a model file never changes under its version); the KV pointer is
 * re-read at most every ACTIVE_TTL_MS so a promotion reaches every isolate within that time.
 */
import { ActiveModel } from "../../schemas/model";
import { compileModel } from "./gbdt";
import { MODEL_FEATURES } from "./model-features";
import type { ActiveScorer } from "./scoring";

export const DEFAULT_MODEL = "options-gbdt";
export const ACTIVE_TTL_MS = 30_000;
export const activeKey = (name: string) => `models:active:${name}`;

const compiled = new Map<string, ActiveScorer["model"]>();
let pointer: { name: string; at: number; doc: ActiveModel | null } | null = null;

/** Forgets the cached pointer (tests, and after a promotion in the same isolate). */
export function resetModelCache(): void {
  pointer = null;
  compiled.clear();
}

export async function loadActiveModel(kv: KVNamespace, r2: R2Bucket, name = DEFAULT_MODEL, nowMs = Date.now()): Promise<ActiveScorer | null> {
  if (!pointer || pointer.name !== name || nowMs - pointer.at > ACTIVE_TTL_MS) {
    const raw = await kv.get(activeKey(name), "json");
    if (raw === null) {
      pointer = { name, at: nowMs, doc: null };
    } else {
      const parsed = ActiveModel.safeParse(raw);
      if (!parsed.success) throw new Error(`malformed ${activeKey(name)}: ${parsed.error.issues[0]?.message}`);
      pointer = { name, at: nowMs, doc: parsed.data };
    }
  }
  const doc = pointer.doc;
  if (!doc) return null;
  const cacheKey = `${doc.name}@${doc.version}`;
  let model = compiled.get(cacheKey);
  if (!model) {
    const obj = await r2.get(doc.r2Key);
    if (!obj) throw new Error(`${doc.name} ${doc.version} is active but ${doc.r2Key} is not in R2`);
    model = compileModel(await obj.json());
    const names = model.featureNames.join(",");
    if (names !== MODEL_FEATURES.join(",")) throw new Error(`${doc.name} ${doc.version} reads features [${names}], the engine builds [${MODEL_FEATURES.join(",")}]`);
    compiled.set(cacheKey, model);
  }
  return { name: doc.name, version: doc.version, model, weights: doc.weights };
}

/**
 * npm run train: fits the GBDT scorer on labelled outcomes from a backtest over the synthetic daily history,
 * writes it in LightGBM's JSON dump format to models/<name>/<version>.json, records it in models/registry.json,
 * and registers it in the local stack (R2 object, D1 model_registry row, KV active pointer).
 *
 *   npm run train                                   # options-gbdt, version from the registry (+1), activate
 *   npm run train -- --version v2 --no-register     # just write the files
 *   npm run train -- --symbols SPY,QQQ --sessions 500 --end 2026-11-27
 *
 * Deterministic: the same arguments give the same model, byte for byte.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { ModelRegistryEntry } from "../schemas/model";
import { symbolProfile, syntheticDailyBars } from "../workers/market/synthetic";
import { backtestSymbol, DEFAULT_BACKTEST, type LabelledRow } from "../workers/recommend/backtest";
import { compileModel, predict } from "../workers/recommend/gbdt";
import { MODEL_FEATURES, MODEL_FEATURES_VERSION } from "../workers/recommend/model-features";
import { auc, logLoss, trainBinaryGbdt } from "../workers/recommend/train-gbdt";
// @ts-expect-error: plain ESM helper shared with scripts/seed.mjs
import { registerModels } from "./seed/models.mjs";

const root = join(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    name: { type: "string", default: "options-gbdt" },
    version: { type: "string" },
    symbols: { type: "string", default: "SPY,QQQ,IWM,AAPL,MSFT,NVDA,TSLA,AMD,JPM,XOM,KO,META" },
    sessions: { type: "string", default: "600" },
    end: { type: "string", default: "2026-11-27" },
    seed: { type: "string", default: String(DEFAULT_BACKTEST.seed) },
    "no-register": { type: "boolean", default: false },
    stage: { type: "string", default: "production" },
  },
});

const registryPath = join(root, "models/registry.json");
const registry: ModelRegistryEntry[] = existsSync(registryPath) ? ModelRegistryEntry.array().parse(JSON.parse(readFileSync(registryPath, "utf8"))) : [];
const name = args.name!;
const version = args.version ?? `v${registry.filter((e) => e.name === name).length + 1}`;
const seed = Number(args.seed);

const t0 = performance.now();
const rows: LabelledRow[] = [];
for (const symbol of args.symbols!.split(",")) {
  const bars = syntheticDailyBars(symbol, seed, args.end!, symbolProfile(symbol).spot, Number(args.sessions));
  const got = backtestSymbol(symbol, bars, { ...DEFAULT_BACKTEST, seed });
  rows.push(...got);
  console.log(`backtest ${symbol.padEnd(5)} ${String(got.length).padStart(6)} candidates, ${((got.filter((r) => r.label).length / Math.max(1, got.length)) * 100).toFixed(1)}% paid off`);
}

// Time split: the last fifth of the sample dates validates (no peeking at the future while training).
const dates = [...new Set(rows.map((r) => r.date))].sort();
const cutoff = dates[Math.floor(dates.length * 0.8)];
const train = rows.filter((r) => r.date < cutoff);
const valid = rows.filter((r) => r.date >= cutoff);
const { model, trainLogLoss, raw } = trainBinaryGbdt(
  train.map((r) => r.features),
  train.map((r) => r.label),
  MODEL_FEATURES,
);
const compiled = compileModel(model);
const validP = valid.map((r) => predict(compiled, r.features)[0]);
const positiveRate = train.reduce((a, r) => a + r.label, 0) / train.length;
const metrics = {
  trainRows: train.length,
  validRows: valid.length,
  positiveRate,
  trainLogLoss,
  validLogLoss: valid.reduce((a, r, i) => a + logLoss(r.label, validP[i]), 0) / valid.length,
  validAuc: auc(valid.map((r) => r.label), validP),
  baselineLogLoss: valid.reduce((a, r) => a + logLoss(r.label, positiveRate), 0) / valid.length,
  ruleScoreValidAuc: auc(valid.map((r) => r.label), valid.map((r) => r.ruleScore)),
};

const r2Key = `models/${name}/${version}.json`;
const file = join(root, r2Key);
mkdirSync(dirname(file), { recursive: true });
// The dump carries its provenance next to LightGBM's keys (extra keys are ignored by every reader).
// Reference rows for the evaluator's tests: the trainer's raw scores come from the leaves it assigned while
// growing the trees, independently of the evaluator's threshold walk. Rows with missing values come first.
const sampleIdx = [...train.keys()].sort((a, b) => Number(train[b].features.some(Number.isNaN)) - Number(train[a].features.some(Number.isNaN)) || a - b).slice(0, 5);
for (let i = 0; sampleIdx.length < 25; i += 997) if (!sampleIdx.includes(i % train.length)) sampleIdx.push(i % train.length);
const samples = sampleIdx.map((i) => ({ features: train[i].features.map((v) => (Number.isNaN(v) ? null : v)), raw: raw[i] }));
const doc = { ...model, training: { name, version, featuresVersion: MODEL_FEATURES_VERSION, seed, symbols: args.symbols, sessions: Number(args.sessions), end: args.end, cutoff, metrics, samples } };
writeFileSync(file, JSON.stringify(doc) + "\n");
const entry: ModelRegistryEntry = ModelRegistryEntry.parse({
  name,
  version,
  stage: args.stage,
  metrics,
  features: [...MODEL_FEATURES],
  r2Key,
  // The end of the history, not the wall clock: the same arguments write the same files.
  createdAt: `${args.end}T23:00:00.000Z`,
});
const next = [...registry.filter((e) => !(e.name === name && e.version === version)), entry];
writeFileSync(registryPath, JSON.stringify(next, null, 2) + "\n");

console.log(`\n${name} ${version}: ${model.tree_info.length} trees, ${rows.length} labelled candidates (${train.length} train / ${valid.length} valid, split at ${cutoff})`);
console.log(`  positive rate ${(positiveRate * 100).toFixed(1)}%   log loss train ${trainLogLoss.toFixed(4)}  valid ${metrics.validLogLoss.toFixed(4)} (constant ${metrics.baselineLogLoss.toFixed(4)})   AUC valid ${metrics.validAuc.toFixed(3)} (rule score alone ${metrics.ruleScoreValidAuc.toFixed(3)})`);
console.log(`  wrote ${r2Key} and models/registry.json in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

if (!args["no-register"]) {
  registerModels({ root, only: { name, version }, activate: true });
  console.log(`  registered in the local stack (.wrangler/state): R2 ${r2Key}, D1 model_registry, KV models:active:${name}`);
}

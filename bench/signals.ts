// npm run bench (signals): the indicator suite over 10 years of daily bars (2,520 sessions) for 500 symbols,
// ours side by side with the npm packages technicalindicators and trading-signals on the same bars in the same
// process; medians of several runs (the machine is shared). Then the hourly feature job for 500 watched symbols
// in workerd (Miniflare, real D1 and KV).
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { median, startBenchWorker } from "./lib";
import { atrSeries, bollingerSeries, dmiSeries, emaSeries, macdSeries, rsiSeries, smaSeries } from "../workers/signals/indicators";

const require = createRequire(import.meta.url);
const TI = require("technicalindicators") as typeof import("technicalindicators");
const TS = require("trading-signals") as typeof import("trading-signals");

const SYMBOLS = 500;
const SESSIONS = 2520;
const RUNS = 5;


// ---- the same bars for everyone: a seeded geometric random walk per symbol
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
type Sym = { open: number[]; high: number[]; low: number[]; close: number[]; candles: { high: number; low: number; close: number }[] };
const data: Sym[] = [];
for (let k = 0; k < SYMBOLS; k++) {
  const u = lcg(k + 1);
  const open: number[] = [], high: number[] = [], low: number[] = [], close: number[] = [];
  let p = 20 + 300 * u();
  for (let i = 0; i < SESSIONS; i++) {
    const o = p * (1 + 0.004 * (u() - 0.5));
    const c = o * Math.exp(0.02 * (u() + u() + u() - 1.5));
    open.push(o);
    close.push(c);
    high.push(Math.max(o, c) * (1 + 0.01 * u()));
    low.push(Math.min(o, c) * (1 - 0.01 * u()));
    p = c;
  }
  // trading-signals takes candles as objects; built once, outside the timing, like the arrays for the others.
  data.push({ open, high, low, close, candles: close.map((c, i) => ({ high: high[i], low: low[i], close: c })) });
}

let sink = 0;
const keep = (v: unknown) => {
  if (typeof v === "number") sink += v;
  else if (v && typeof v === "object" && "length" in v) sink += (v as ArrayLike<unknown>).length;
};

type Impl = (s: Sym) => unknown;
const suite: Record<string, Partial<Record<"ours" | "technicalindicators" | "trading-signals", Impl>>> = {
  "SMA(20)": {
    ours: (s) => smaSeries(s.close, 20),
    technicalindicators: (s) => TI.SMA.calculate({ period: 20, values: s.close }),
    "trading-signals": (s) => {
      const x = new TS.SMA(20);
      for (const v of s.close) x.add(v);
      return x.getResult();
    },
  },
  "EMA(20)": {
    ours: (s) => emaSeries(s.close, 20),
    technicalindicators: (s) => TI.EMA.calculate({ period: 20, values: s.close }),
    "trading-signals": (s) => {
      const x = new TS.EMA(20);
      for (const v of s.close) x.add(v);
      return x.getResult();
    },
  },
  "RSI(14)": {
    ours: (s) => rsiSeries(s.close, 14),
    technicalindicators: (s) => TI.RSI.calculate({ period: 14, values: s.close }),
    "trading-signals": (s) => {
      const x = new TS.RSI(14);
      for (const v of s.close) x.add(v);
      return x.getResult();
    },
  },
  "MACD(12,26,9)": {
    ours: (s) => macdSeries(s.close, 12, 26, 9).histogram,
    technicalindicators: (s) => TI.MACD.calculate({ values: s.close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
    "trading-signals": (s) => {
      const x = new TS.MACD(new TS.EMA(12), new TS.EMA(26), new TS.EMA(9));
      for (const v of s.close) x.add(v);
      return x.getResult();
    },
  },
  "Bollinger(20,2)": {
    ours: (s) => bollingerSeries(s.close, 20, 2).upper,
    technicalindicators: (s) => TI.BollingerBands.calculate({ period: 20, values: s.close, stdDev: 2 }),
    "trading-signals": (s) => {
      const x = new TS.BollingerBands(20, 2);
      for (const v of s.close) x.add(v);
      return x.getResult();
    },
  },
  "ATR(14)": {
    ours: (s) => atrSeries(s.high, s.low, s.close, 14),
    technicalindicators: (s) => TI.ATR.calculate({ high: s.high, low: s.low, close: s.close, period: 14 }),
    "trading-signals": (s) => {
      const x = new TS.ATR(14);
      for (const c of s.candles) x.add(c);
      return x.getResult();
    },
  },
  "ADX(14) (+DI/-DI)": {
    ours: (s) => dmiSeries(s.high, s.low, s.close, 14).adx,
    technicalindicators: (s) => TI.ADX.calculate({ high: s.high, low: s.low, close: s.close, period: 14 }),
    "trading-signals": (s) => {
      const x = new TS.ADX(14);
      for (const c of s.candles) x.add(c);
      return x.getResult();
    },
  },
};

/** ms for the whole universe (500 symbols x 2,520 bars), median of RUNS runs after a warm-up run. */
function time(impl: Impl): { median: number; runs: number[] } {
  const run = () => {
    const t0 = performance.now();
    for (const s of data) keep(impl(s));
    return performance.now() - t0;
  };
  run();
  const runs = Array.from({ length: RUNS }, run);
  return { median: median(runs), runs };
}

function indicators() {
  const bars = SYMBOLS * SESSIONS;
  console.log(`\nIndicators: ${SYMBOLS} symbols x ${SESSIONS} daily bars (${(bars / 1e6).toFixed(2)}M bars) per indicator, ms for all symbols, median of ${RUNS}`);
  console.log(`${"indicator".padEnd(20)}${"ours".padStart(10)}${"technicalindicators".padStart(22)}${"trading-signals".padStart(18)}   target: ours faster than both`);
  let allMet = true;
  for (const [name, impls] of Object.entries(suite)) {
    const r = Object.fromEntries(Object.entries(impls).map(([lib, f]) => [lib, time(f!)]));
    const ours = r.ours.median;
    const peers = ["technicalindicators", "trading-signals"].map((l) => r[l]?.median ?? Infinity);
    const met = peers.every((p) => ours < p);
    allMet &&= met;
    const cell = (lib: string) => (r[lib] ? `${r[lib].median.toFixed(1)} (${(r[lib].median / ours).toFixed(1)}x)` : "n/a");
    console.log(
      `${name.padEnd(20)}${ours.toFixed(1).padStart(10)}${cell("technicalindicators").padStart(22)}${cell("trading-signals").padStart(18)}   ${met ? "met" : "NOT met"}   ours ${(bars / ours / 1000).toFixed(1)}M bars/s; runs ${r.ours.runs.map((x) => x.toFixed(0)).join(" ")}`,
    );
  }
  console.log(`  (peers' columns show their time and how many times slower than ours; target ${allMet ? "met on every shared indicator" : "NOT met everywhere"})`);
}

async function hourlyJob() {
  const mf = await startBenchWorker("hourly-features.worker.ts", { conditions: ["workerd", "worker", "import"], d1Databases: ["DB"], kvNamespaces: ["CACHE"] });
  try {
    const dir = join(import.meta.dirname, "../migrations");
    const statements = readdirSync(dir)
      .filter((f) => f.endsWith(".sql"))
      .sort()
      .flatMap((f) => readFileSync(join(dir, f), "utf8").split("--> statement-breakpoint"))
      .map((s) => s.trim())
      .filter(Boolean);
    const setup = await mf.dispatchFetch(`http://bench/setup?n=${SYMBOLS}`, { method: "POST", body: JSON.stringify(statements) });
    if (!setup.ok) throw new Error(`setup: ${await setup.text()}`);
    const runs: number[] = [];
    let detail = "";
    for (let r = 0; r < RUNS + 1; r++) {
      const at = new Date(Date.UTC(2026, 11, 1, 10 + r)).toISOString();
      const t0 = performance.now();
      const res = await mf.dispatchFetch(`http://bench/run?at=${at}`, { method: "POST" });
      detail = await res.text();
      if (!res.ok) throw new Error(detail);
      if (r > 0) runs.push(performance.now() - t0);
    }
    console.log(`\nHourly feature job, ${SYMBOLS} watched symbols, workerd (Miniflare D1 + KV): median ${median(runs).toFixed(0)} ms  runs: ${runs.map((x) => x.toFixed(0)).join(" ")}`);
    console.log(`  ${detail}`);
  } finally {
    await mf.dispose();
  }
}

indicators();
await hourlyJob();
if (sink === 42) console.log("");
export {};

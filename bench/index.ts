// npm run bench: throughput of the hot pure paths, median of several runs (the machine is shared).
// Timing lives here, never in tests. Peers are measured side by side as the issues that name them land.
import { bsGreeks, bsPrice, impliedVol } from "../workers/analytics";
import { advance, initialState, syntheticChain } from "../workers/market/synthetic";

type Result = { name: string; unit: string; median: number; runs: number[] };

function measure(name: string, unit: string, runs: number, fn: () => number): Result {
  fn(); // warm-up: JIT
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(fn());
  const sorted = [...samples].sort((a, b) => a - b);
  return { name, unit, median: sorted[Math.floor(sorted.length / 2)], runs: samples };
}

function perSecond(n: number, body: (i: number) => void): () => number {
  return () => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) body(i);
    return n / ((performance.now() - t0) / 1000);
  };
}

let sink = 0;
const inputs = Array.from({ length: 1024 }, (_, i) => ({
  kind: (i % 2 ? "call" : "put") as "call" | "put",
  spot: 100,
  strike: 60 + (i % 80),
  years: 0.02 + (i % 50) / 25,
  rate: 0.04,
  dividendYield: 0.01,
  vol: 0.1 + (i % 30) / 30,
}));
const priced = inputs.map((x) => ({ ...x, price: bsPrice(x) }));

const results = [
  measure("bsPrice", "calls/s", 7, perSecond(200_000, (i) => (sink += bsPrice(inputs[i & 1023])))),
  measure("bsGreeks", "calls/s", 7, perSecond(200_000, (i) => (sink += bsGreeks(inputs[i & 1023]).delta))),
  measure("impliedVol", "solves/s", 7, perSecond(50_000, (i) => (sink += impliedVol(priced[i & 1023]) ?? 0))),
  measure("syntheticChain SPY (full chain)", "chains/s", 7, () => {
    let state = initialState("SPY", 1, new Date("2026-11-30T15:00:00Z"));
    const n = 20;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      state = advance(state, new Date(state.timeMs + 5000));
      sink += syntheticChain(state, new Date(state.timeMs), { rate: 0.04 }).contracts.length;
    }
    return n / ((performance.now() - t0) / 1000);
  }),
];

for (const r of results) {
  console.log(`${r.name.padEnd(34)} median ${r.median.toExponential(3).padStart(10)} ${r.unit}   runs: ${r.runs.map((x) => x.toPrecision(3)).join(" ")}`);
}
if (sink === 42) console.log("");

// npm run bench: throughput of the hot pure paths, median of several runs (the machine is shared: medians, and
// every figure printed with its runs). Timing lives here, never in tests. Peers are measured side by side on the
// same inputs, and their accuracy against the same independent references (test/fixtures, mpmath).
import { createRequire } from "node:module";
import { benchOptions, pricedBenchOptions, type BenchOption } from "./analytics-inputs";
import { median, startViteBuiltWorker } from "./lib";
import ref from "../test/fixtures/analytics-reference.json";
import { americanImpliedVol, bsGreeks, bsGreeksInto, bsPrice, chainAnalytics, chainAnalyticsColumns, impliedVol, type ChainQuote } from "../workers/analytics";
import { advance, initialState, syntheticChain } from "../workers/market/synthetic";

const require = createRequire(import.meta.url);
const { BlackScholes: Uqee } = require("@uqee/black-scholes") as typeof import("@uqee/black-scholes");
const bsPkg = require("black-scholes") as { blackScholes(s: number, k: number, t: number, v: number, r: number, cp: string): number };
const greeksPkg = require("greeks") as Record<"getDelta" | "getGamma" | "getVega" | "getTheta" | "getRho", (...a: unknown[]) => number>;
const ivPkg = require("implied-volatility") as { getImpliedVolatility(p: number, s: number, k: number, t: number, r: number, cp: string, est?: number): number };

// Measured in the state a long-lived isolate should be assumed to be in. Once any ArrayBuffer in a process has been
// detached (a BYOB stream read, structuredClone or postMessage with transfer, ArrayBuffer.prototype.transfer), V8
// checks the buffer on every typed-array access in optimised code, for good. Our kernels pass numbers through
// typed arrays, so this costs them 5-8 ns per option (paired runs); the peers use none. This bench's own imports
// (esbuild and miniflare, through lib.ts) already detach one, but the figures must not depend on import order.
const detached = new ArrayBuffer(8);
structuredClone(detached, { transfer: [detached] });

const RUNS = 7;
// Results are summed into a local and then stored here: a module-level `let` accumulator would cost every library
// a boxed heap number per call (V8 in Node 20), measuring the harness rather than the maths.
const SINK = new Float64Array(1);

/**
 * ns per call of body(i), median of RUNS runs of n calls each (after three warm-up runs for the JIT). Each call
 * compiles its own copy of the timing loop (new Function): a shared loop would see every library's body at one
 * call site, turn megamorphic and stop inlining, penalising whichever library is measured later. The copies differ
 * by a numbered comment: V8 caches `new Function` by source text, and identical copies would share one function.
 */
let loops = 0;
function nsPer(n: number, body: (i: number) => number): { median: number; runs: number[] } {
  const loop = new Function(
    "body",
    "n",
    "sink",
    `/* timing loop ${++loops} */ let s = 0; const t0 = performance.now(); for (let i = 0; i < n; i++) s += body(i); const ns = ((performance.now() - t0) * 1e6) / n; sink[0] += s; return ns;`,
  ) as (body: (i: number) => number, n: number, sink: Float64Array) => number;
  const run = () => loop(body, n, SINK);
  // Warm-up: V8 first compiles the loop on-stack (OSR), and only after a few calls the whole function; timing the
  // OSR code would measure the tier-up, not the library. Same for every library.
  for (let w = 0; w < 3; w++) run();
  const runs = Array.from({ length: RUNS }, run);
  return { median: median(runs), runs };
}

/**
 * The timed body for one library, as a closure of its own: closures created at one site of the source share their
 * call feedback, so a loop over the libraries would hand each later library a polymorphic call (numbered copies,
 * as in nsPer).
 */
function bodyFor<A>(f: (a: A) => unknown, rows: readonly A[], expr: string): (i: number) => number {
  return new Function("f", "rows", `/* body ${++loops} */ return (i) => ${expr};`)(f, rows) as (i: number) => number;
}

// ---- inputs: benchOptions (analytics-inputs.ts), the same ones the workerd section uses
const priced = pricedBenchOptions(bsPrice);
const uqeeS = new Uqee();
const uqeeD = new Uqee({ sigmaToPricePrecision: "double" });
const uqeeNR = new Uqee({ sigmaToPricePrecision: "double", priceToSigmaMethod: "newton-raphson", priceToSigmaAccuracy: 1e-12, priceToSigmaNRIteractions: 50 });
const out = new Float64Array(7);

// Each library's price + 5 Greeks in OUR units (vega per 1.00 vol, theta dV/dt per year, rho per 1.00 rate).
type G = { price: number; delta: number; gamma: number; vega: number; theta: number; rho: number };
const libs: Record<string, (o: BenchOption) => G> = {
  ours: (o) => bsGreeks(o),
  "@uqee/black-scholes (default)": (o) => {
    const r = uqeeS.option({ rate: o.rate, sigma: o.vol, strike: o.strike, time: o.years, type: o.kind, underlying: o.spot });
    return { ...r, theta: -r.theta }; // it reports -dV/dt
  },
  "@uqee/black-scholes (double)": (o) => {
    const r = uqeeD.option({ rate: o.rate, sigma: o.vol, strike: o.strike, time: o.years, type: o.kind, underlying: o.spot });
    return { ...r, theta: -r.theta };
  },
  "black-scholes + greeks": (o) => {
    const a = [o.spot, o.strike, o.years, o.vol, o.rate, o.kind] as const;
    return {
      price: bsPkg.blackScholes(...a),
      delta: greeksPkg.getDelta(...a),
      gamma: greeksPkg.getGamma(o.spot, o.strike, o.years, o.vol, o.rate),
      vega: greeksPkg.getVega(o.spot, o.strike, o.years, o.vol, o.rate) * 100, // it reports per 1 vol point
      theta: greeksPkg.getTheta(...a, 1), // scale 1: per year
      rho: greeksPkg.getRho(...a, 1), // scale 1: per 1.00 of rate
    };
  },
};

// ---- accuracy against the mpmath references (rows with r, q as the peers support: q = 0)
const euro = (ref.european as Array<BenchOption & G>).filter((c) => c.dividendYield === 0);
function accuracy(f: (o: BenchOption) => G): Record<keyof G, number> {
  const worst = { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
  for (const c of euro) {
    let g: G;
    try {
      g = f(c);
    } catch {
      g = { price: NaN, delta: NaN, gamma: NaN, vega: NaN, theta: NaN, rho: NaN };
    }
    for (const k of Object.keys(worst) as Array<keyof G>) {
      // Relative error where the value is material (> 1e-5 of spot per unit), else absolute in units of spot.
      const scale = Math.max(Math.abs(c[k]), 1e-5 * c.spot);
      const e = Math.abs(g[k] - c[k]) / scale;
      worst[k] = Math.max(worst[k], Number.isFinite(e) ? e : Infinity);
    }
  }
  return worst;
}
const ivRows = euro.filter((c) => {
  const intrinsic = Math.max(c.kind === "call" ? c.spot - c.strike * Math.exp(-c.rate * c.years) : c.strike * Math.exp(-c.rate * c.years) - c.spot, 0);
  return c.price - intrinsic >= 0.005 && (Number.EPSILON * Math.max(c.price, c.spot, c.strike)) / c.vega < 1e-13;
});
const ivLibs: Record<string, (o: BenchOption & { price: number }) => number | null> = {
  ours: (o) => impliedVol(o),
  "@uqee/black-scholes (default: bisection 1e-3)": (o) => uqeeS.sigma({ price: o.price, rate: o.rate, strike: o.strike, time: o.years, type: o.kind, underlying: o.spot }),
  "@uqee/black-scholes (double, Newton 1e-12)": (o) => uqeeNR.sigma({ price: o.price, rate: o.rate, strike: o.strike, time: o.years, type: o.kind, underlying: o.spot }),
  "implied-volatility": (o) => ivPkg.getImpliedVolatility(o.price, o.spot, o.strike, o.years, o.rate, o.kind),
};
function ivAccuracy(f: (o: BenchOption & { price: number }) => number | null): { worstAbs: number; failed: number } {
  let worstAbs = 0;
  let failed = 0;
  for (const c of ivRows) {
    const v = f(c);
    const e = v === null ? Infinity : Math.abs(v - c.vol);
    if (!(e < 1e-3)) failed++;
    else worstAbs = Math.max(worstAbs, e);
  }
  return { worstAbs, failed };
}

// ---- timing
const fmt = (x: number) => x.toFixed(1).padStart(8);
const runsStr = (r: number[]) => r.map((x) => x.toFixed(0)).join(" ");
console.log(`Price + 5 Greeks (ns per option, median of ${RUNS}; accuracy = worst relative error vs mpmath over ${euro.length} cases, q = 0)`);
const greekTimes: Record<string, number> = {};
const greekRows: Array<[string, number, number[], Record<string, number>]> = [];
for (const [name, f] of Object.entries(libs)) {
  const n = name.startsWith("black-scholes +") ? 20_000 : 400_000;
  const t = nsPer(n, bodyFor(f, benchOptions, "f(rows[i & 1023]).theta"));
  greekTimes[name] = t.median;
  greekRows.push([name, t.median, t.runs, accuracy(f)]);
}
const into = nsPer(400_000, (i) => {
  const o = benchOptions[i & 1023];
  bsGreeksInto(out, 0, o.kind === "call", o.spot, o.strike, o.years, o.rate, o.dividendYield, o.vol);
  return out[4];
});
greekRows.splice(1, 0, ["ours, bsGreeksInto (no allocation)", into.median, into.runs, accuracy((o) => bsGreeks(o))]);
for (const [name, ns, runs, acc] of greekRows) {
  const a = Object.entries(acc).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(" ");
  console.log(`  ${name.padEnd(38)} ${fmt(ns)} ns  x${(ns / greekTimes.ours).toFixed(2).padStart(6)} vs ours   [${a}]   runs: ${runsStr(runs)}`);
}
const price = nsPer(400_000, (i) => bsPrice(benchOptions[i & 1023]));
console.log(`  ${"ours, bsPrice alone".padEnd(38)} ${fmt(price.median)} ns   runs: ${runsStr(price.runs)}`);

console.log(`\nImplied vol (ns per solve, median of ${RUNS}; accuracy = worst |vol error| over ${ivRows.length} identifiable mpmath prices, failures = error >= 1e-3 or no answer)`);
const ivTimes: Record<string, number> = {};
for (const [name, f] of Object.entries(ivLibs)) {
  const n = name === "implied-volatility" ? 2_000 : name.includes("default") ? 20_000 : 100_000;
  const t = nsPer(n, bodyFor(f, priced, "f(rows[i & 1023]) ?? 0"));
  ivTimes[name] = t.median;
  const a = ivAccuracy(f);
  console.log(
    `  ${name.padEnd(46)} ${fmt(t.median)} ns  x${(t.median / ivTimes.ours).toFixed(1).padStart(7)} vs ours   worst ${a.worstAbs.toExponential(1)}, failed ${a.failed}   runs: ${runsStr(t.runs)}`,
  );
}

// ---- an 8,000-contract chain: IV from the mid + Greeks + probabilities for every contract
const chainQuotes: ChainQuote[] = [];
for (let e = 0; e < 20; e++)
  for (let k = 0; k < 200; k++)
    for (const kind of ["call", "put"] as const) {
      const years = 2 / 365 + e * 0.1;
      const strike = 50 + k * 0.5;
      const theo = bsPrice({ kind, spot: 100, strike, years, rate: 0.04, dividendYield: 0.01, vol: 0.15 + 0.3 * Math.abs(strike / 100 - 1) });
      const half = Math.max(0.01, theo * 0.02);
      chainQuotes.push({ kind, strike, years, bid: Math.max(0, theo - half), ask: theo + half, exercise: "european" });
    }
// Columns (the chain API the app's loops use) and the row-object view of the same results, alternated so both see
// the same machine state.
const chainT: number[] = [];
const rowsT: number[] = [];
// Three warm-up calls each, as nsPer gives every library: with one, the first timed runs still ran code the JIT was
// about to replace (7-12 ms against a steady 4), so the median measured tier-up as much as the chain. 11 timed runs:
// the row-object variant's garbage lands on whichever run collects it.
const CHAIN_RUNS = 11;
for (let w = 0; w < 3; w++) {
  chainAnalyticsColumns(100, 0.04, 0.01, chainQuotes);
  chainAnalytics(100, 0.04, 0.01, chainQuotes);
}
for (let r = 0; r < CHAIN_RUNS; r++) {
  let t0 = performance.now();
  SINK[0] += chainAnalyticsColumns(100, 0.04, 0.01, chainQuotes).length;
  chainT.push(performance.now() - t0);
  t0 = performance.now();
  SINK[0] += chainAnalytics(100, 0.04, 0.01, chainQuotes).length;
  rowsT.push(performance.now() - t0);
}
console.log(`\nChain of ${chainQuotes.length} contracts (European; IV + Greeks + P(ITM) + P(touch) + IV uncertainty + breakeven), median of ${CHAIN_RUNS}`);
console.log(`  chainAnalyticsColumns (Float64Array columns): median ${median(chainT).toFixed(2)} ms   runs: ${chainT.map((x) => x.toFixed(2)).join(" ")}`);
console.log(`  chainAnalytics (one object per row):          median ${median(rowsT).toFixed(2)} ms   runs: ${rowsT.map((x) => x.toFixed(2)).join(" ")}`);
// American puts through BS2002 are ~100x dearer: timed on 200 puts and scaled, said so.
const amPuts = chainQuotes.filter((q) => q.kind === "put").slice(0, 200).map((q) => ({ ...q, exercise: "american" as const }));
const amT: number[] = [];
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  SINK[0] += chainAnalytics(100, 0.04, 0.01, amPuts).length;
  amT.push(performance.now() - t0);
}
const perAm = median(amT) / amPuts.length;
console.log(`  American puts (BS2002 IV + finite-difference Greeks): ${(perAm * 1000).toFixed(1)} us each; an 8,000 chain with 4,000 American puts ~ ${(perAm * 4000 + median(chainT) / 2).toFixed(0)} ms (scaled from 200)`);
const am1 = nsPer(200, (i) => (americanImpliedVol({ ...priced[i & 1023], kind: "put", price: priced[i & 1023].kind === "put" ? priced[i & 1023].price + 0.5 : 5 }) ?? 0));
console.log(`  americanImpliedVol alone: ${(am1.median / 1000).toFixed(1)} us per solve`);

console.log(`\nTargets: price + 5 Greeks <= 60 ns and faster than every peer; IV <= 300 ns; 8,000-contract chain < 5 ms.`);
console.log(
  `  ours: ${greekTimes.ours.toFixed(1)} ns (object) / ${into.median.toFixed(1)} ns (into); IV ${ivTimes.ours.toFixed(1)} ns; chain ${median(chainT).toFixed(2)} ms; fastest peer Greeks ${Math.min(...Object.entries(greekTimes).filter(([k]) => k !== "ours").map(([, v]) => v)).toFixed(1)} ns`,
);

// ---- the same kernels in workerd, the runtime that serves them, loaded as the production build ships them
{
  const mf = await startViteBuiltWorker("analytics.worker.js");
  // workerd's clock stands still inside a request, so each figure is the difference between a request doing n
  // calls and one doing none, timed from here.
  const timed = async (path: string, n: number) => {
    const t0 = performance.now();
    await (await mf.dispatchFetch(`http://bench${path}?n=${n}`)).text();
    return performance.now() - t0;
  };
  for (let w = 0; w < 5; w++) {
    await timed("/greeks", 400_000);
    await timed("/iv", 100_000);
  }
  const g: number[] = [];
  const v: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    g.push((((await timed("/greeks", 2_000_000)) - (await timed("/greeks", 0))) * 1e6) / 2_000_000);
    v.push((((await timed("/iv", 400_000)) - (await timed("/iv", 0))) * 1e6) / 400_000);
  }
  console.log(`\nThe same kernels in workerd (the production runtime), built by Vite as the production build is, median of ${RUNS}`);
  console.log(`  price + 5 Greeks ${fmt(median(g))} ns   runs: ${runsStr(g)}`);
  console.log(`  implied vol      ${fmt(median(v))} ns   runs: ${runsStr(v)}`);
  await mf.dispose();
}

// ---- kept from before: the synthetic market
const chains: number[] = [];
for (let r = 0; r < RUNS; r++) {
  let state = initialState("SPY", 1, new Date("2026-11-30T15:00:00Z"));
  const n = 20;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    state = advance(state, new Date(state.timeMs + 5000));
    SINK[0] += syntheticChain(state, new Date(state.timeMs), { rate: 0.04 }).contracts.length;
  }
  chains.push(n / ((performance.now() - t0) / 1000));
}
console.log(`\n${"syntheticChain SPY (full chain)".padEnd(34)} median ${median(chains).toExponential(3).padStart(10)} chains/s   runs: ${chains.map((x) => x.toPrecision(3)).join(" ")}`);
if (SINK[0] === 42) console.log("");

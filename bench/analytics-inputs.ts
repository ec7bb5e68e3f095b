// The options the analytics benchmarks price and solve, in Node (bench/analytics.ts, side by side with the peers) and
// in workerd (bench/workerd/analytics.worker.js): one definition, so both measure the same inputs. The peers know no
// dividend yield, so q = 0 everywhere they are compared.

export type BenchOption = { kind: "call" | "put"; spot: number; strike: number; years: number; rate: number; dividendYield: number; vol: number };
export type PricedBenchOption = BenchOption & { price: number; tick: number };

/** 1,024 options: calls and puts, strikes 60-139 on a spot of 100, 0.02-1.98 years, vols 10-107%. */
export const benchOptions: BenchOption[] = Array.from({ length: 1024 }, (_, i) => ({
  kind: i % 2 ? "call" : "put",
  spot: 100,
  strike: 60 + (i % 80),
  years: 0.02 + (i % 50) / 25,
  rate: 0.04,
  dividendYield: 0,
  vol: 0.1 + (i % 30) / 30,
}));

/**
 * The same options with a price (from `price`) and a tick, for the implied-vol solves. Built as literals with every
 * property present: objects made by spread ({ ...x, price }) and then probed for a missing optional property (tick)
 * run 3-4x slower in V8 for every library alike, which would measure the object model rather than the maths.
 */
export function pricedBenchOptions(price: (o: BenchOption) => number): PricedBenchOption[] {
  return benchOptions.map((x) => ({
    kind: x.kind,
    spot: x.spot,
    strike: x.strike,
    years: x.years,
    rate: x.rate,
    dividendYield: x.dividendYield,
    vol: x.vol,
    price: price(x),
    tick: 0.01,
  }));
}

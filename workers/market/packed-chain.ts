/**
 * The wire form of a chain between a SymbolRoom and its callers: numbers in one Float64Array (row-major, FIELDS
 * per contract), strings in a table. A Durable Object RPC answer is a structured clone; cloning 8,000 contract
 * objects field by field cost ~14 ms of the recommendation's budget (issue #6, bench/recommend.ts), while one
 * typed array clones as a memory copy and the receiver rebuilds the objects in a tight loop. Nothing is lost:
 * unpack(pack(contracts)) deep-equals contracts (tested), null travels as NaN.
 */
import type { MarketSnapshot, OptionChain, OptionContract, Quote } from "../../schemas";

/** Numeric slots of one contract; string fields hold an index into `strings`. */
const F = {
  underlying: 0,
  type: 1, // 0 call, 1 put
  strike: 2,
  expiration: 3,
  dte: 4,
  bid: 5,
  ask: 6,
  mid: 7,
  bidSize: 8,
  askSize: 9,
  last: 10, // NaN: null
  volume: 11,
  openInterest: 12,
  iv: 13, // NaN: null
  delta: 14, // NaN: greeks null
  gamma: 15,
  vega: 16,
  theta: 17,
  rho: 18,
  multiplier: 19,
  exerciseStyle: 20, // 0 american, 1 european
  updatedAt: 21,
} as const;
const FIELDS = 22;

/** tickers: the OCC tickers joined by newlines (one string clones as one copy; an array of 8,000 clones 8,000 times). */
export type PackedContracts = { count: number; numbers: Float64Array; tickers: string; strings: string[] };
export type PackedChain = Omit<OptionChain, "contracts"> & { contracts: PackedContracts };
export type PackedSnapshot = { quote: Quote; chain: PackedChain };

export function packContracts(contracts: readonly OptionContract[]): PackedContracts {
  const n = contracts.length;
  const numbers = new Float64Array(n * FIELDS);
  const tickers: string[] = new Array(n);
  const strings: string[] = [];
  const index = new Map<string, number>();
  // Chains come sorted by expiry, so a string usually equals the previous one of its field: checked before the map.
  const last = ["", "", ""];
  const lastIndex = [-1, -1, -1];
  const intern = (field: 0 | 1 | 2, s: string): number => {
    if (s === last[field]) return lastIndex[field];
    let i = index.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      index.set(s, i);
    }
    last[field] = s;
    lastIndex[field] = i;
    return i;
  };
  for (let j = 0; j < n; j++) {
    const c = contracts[j];
    const o = j * FIELDS;
    tickers[j] = c.ticker;
    numbers[o + F.underlying] = intern(0, c.underlying);
    numbers[o + F.type] = c.type === "call" ? 0 : 1;
    numbers[o + F.strike] = c.strike;
    numbers[o + F.expiration] = intern(1, c.expiration);
    numbers[o + F.dte] = c.dte;
    numbers[o + F.bid] = c.bid;
    numbers[o + F.ask] = c.ask;
    numbers[o + F.mid] = c.mid;
    numbers[o + F.bidSize] = c.bidSize;
    numbers[o + F.askSize] = c.askSize;
    numbers[o + F.last] = c.last ?? NaN;
    numbers[o + F.volume] = c.volume;
    numbers[o + F.openInterest] = c.openInterest;
    numbers[o + F.iv] = c.iv ?? NaN;
    const g = c.greeks;
    numbers[o + F.delta] = g ? g.delta : NaN;
    numbers[o + F.gamma] = g ? g.gamma : NaN;
    numbers[o + F.vega] = g ? g.vega : NaN;
    numbers[o + F.theta] = g ? g.theta : NaN;
    numbers[o + F.rho] = g ? g.rho : NaN;
    numbers[o + F.multiplier] = c.multiplier;
    numbers[o + F.exerciseStyle] = c.exerciseStyle === "american" ? 0 : 1;
    numbers[o + F.updatedAt] = intern(2, c.updatedAt);
  }
  return { count: n, numbers, tickers: tickers.join("\n"), strings };
}

const orNull = (x: number): number | null => (x === x ? x : null);

export function unpackContracts(p: PackedContracts): OptionContract[] {
  const { count, numbers: v, strings } = p;
  const tickers = count === 0 ? [] : p.tickers.split("\n");
  const out: OptionContract[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const o = j * FIELDS;
    const delta = v[o + F.delta];
    // Property order as in the schema, so every contract shares one hidden class.
    out[j] = {
      ticker: tickers[j],
      underlying: strings[v[o + F.underlying]],
      type: v[o + F.type] === 0 ? "call" : "put",
      strike: v[o + F.strike],
      expiration: strings[v[o + F.expiration]],
      dte: v[o + F.dte],
      bid: v[o + F.bid],
      ask: v[o + F.ask],
      mid: v[o + F.mid],
      bidSize: v[o + F.bidSize],
      askSize: v[o + F.askSize],
      last: orNull(v[o + F.last]),
      volume: v[o + F.volume],
      openInterest: v[o + F.openInterest],
      iv: orNull(v[o + F.iv]),
      greeks: delta === delta ? { delta, gamma: v[o + F.gamma], vega: v[o + F.vega], theta: v[o + F.theta], rho: v[o + F.rho] } : null,
      multiplier: v[o + F.multiplier],
      exerciseStyle: v[o + F.exerciseStyle] === 0 ? "american" : "european",
      updatedAt: strings[v[o + F.updatedAt]],
    };
  }
  return out;
}

export function packSnapshot(s: MarketSnapshot): PackedSnapshot {
  return { quote: s.quote, chain: { ...s.chain, contracts: packContracts(s.chain.contracts) } };
}

export function unpackSnapshot(p: PackedSnapshot): MarketSnapshot {
  return { quote: p.quote, chain: { ...p.chain, contracts: unpackContracts(p.chain.contracts) } };
}

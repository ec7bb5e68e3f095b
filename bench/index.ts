// npm run bench: every benchmark, one after the other, in one run (figures are medians of several runs: the
// machine has 2 shared cores). Timing lives here, never in tests.
//   analytics.ts  pricing, Greeks, IV and chains against the npm peers, with accuracy
//   market.ts     MarketFeed parse + coalesce throughput (Node and workerd), tick-to-browser latency
await import("./analytics");
await import("./market");
export {};

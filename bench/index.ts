// npm run bench: every benchmark, one after the other, in one run (figures are medians of several runs: the
// machine has 2 shared cores). Timing lives here, never in tests.
//   analytics.ts  pricing, Greeks, IV and chains against the npm peers, with accuracy
//   market.ts     MarketFeed parse + coalesce throughput (Node and workerd), tick-to-browser latency
//   app.ts        web app: server-rendered time to first byte, the main route's JavaScript gzipped
//   recommend.ts  recommendation latency over SSE on workerd: time to first layer and to done (8,000 contracts)
//   signals.ts    indicator suite (500 symbols x 10 years) against technicalindicators and trading-signals;
//                 the hourly feature job for 500 watched symbols in workerd
await import("./analytics");
await import("./market");
await import("./app");
await import("./recommend");
await import("./signals");
export {};

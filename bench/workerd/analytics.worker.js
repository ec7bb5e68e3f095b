// The analytics kernels in workerd, built as the production build is (see startViteBuiltWorker). GET
// /greeks?n=N prices N options with all five Greeks, /iv?n=N solves N implied vols; the bench times a request with
// N against one with 0. Same inputs as bench/analytics.ts.
import { bsGreeks, bsPrice, impliedVol } from "../../workers/analytics/index";

// The state a long-lived isolate should be assumed to be in (see bench/analytics.ts): one detached ArrayBuffer.
const spent = new ArrayBuffer(8);
structuredClone(spent, { transfer: [spent] });

const inputs = Array.from({ length: 1024 }, (_, i) => ({
  kind: i % 2 ? "call" : "put",
  spot: 100,
  strike: 60 + (i % 80),
  years: 0.02 + (i % 50) / 25,
  rate: 0.04,
  dividendYield: 0,
  vol: 0.1 + (i % 30) / 30,
}));
const priced = inputs.map((x) => ({ kind: x.kind, spot: x.spot, strike: x.strike, years: x.years, rate: x.rate, dividendYield: x.dividendYield, vol: x.vol, price: bsPrice(x), tick: 0.01 }));
const SINK = new Float64Array(1);

function greeks(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += bsGreeks(inputs[i & 1023]).theta;
  SINK[0] += s;
}
function iv(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += impliedVol(priced[i & 1023]) ?? 0;
  SINK[0] += s;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n"));
    if (url.pathname === "/greeks") greeks(n);
    else iv(n);
    return new Response(String(SINK[0]));
  },
};

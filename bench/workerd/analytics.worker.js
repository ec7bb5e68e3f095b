// The analytics kernels in workerd, built as the production build is (see startViteBuiltWorker). GET
// /greeks?n=N prices N options with all five Greeks, /iv?n=N solves N implied vols; the bench times a request with
// N against one with 0. The inputs are bench/analytics.ts's (analytics-inputs.ts).
import { bsGreeks, bsPrice, impliedVol } from "../../workers/analytics/index";
import { benchOptions, pricedBenchOptions } from "../analytics-inputs";

// The state a long-lived isolate should be assumed to be in (see bench/analytics.ts): one detached ArrayBuffer.
const spent = new ArrayBuffer(8);
structuredClone(spent, { transfer: [spent] });

const priced = pricedBenchOptions(bsPrice);
const SINK = new Float64Array(1);

function greeks(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += bsGreeks(benchOptions[i & 1023]).theta;
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

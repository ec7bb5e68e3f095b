// The recommendation bench's HTTP client, run as its own Node process (bench/recommend.ts spawns it): requests
// go straight to workerd's socket, as a browser's would, so neither the bench's own heap (Miniflare and its
// garbage collections) nor its event loop sits on the measured path. Prints one JSON line:
// [{ first, done, layers, serverFirst }, ...] for the measured requests (after `warmup` unmeasured ones).
// Usage: node bench/recommend-client.mjs <url> <count> <warmup> <json body> [<json headers>]
const [url, count, warmup, body, headers = "{}"] = process.argv.slice(2);
const results = [];
for (let i = 0; i < Number(warmup) + Number(count); i++) {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream", ...JSON.parse(headers) }, body });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let first = -1;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (first < 0 && text.includes("event: layer")) first = performance.now() - t0;
  }
  const doneAt = performance.now() - t0;
  if (!text.includes("event: done")) throw new Error(`no done event (HTTP ${res.status}): ${text.slice(0, 300)}`);
  // The market layer's own `ms`: request start to that layer inside the Worker, as the Worker's clock saw it.
  const market = /event: layer\ndata: (\{.*\})\n/.exec(text);
  const serverFirst = market ? (JSON.parse(market[1]).layer?.ms ?? null) : null;
  if (i >= Number(warmup)) results.push({ first, done: doneAt, layers: text.split("event: layer").length - 1, serverFirst });
}
console.log(JSON.stringify(results));

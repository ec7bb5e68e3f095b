import { Hono } from "hono";
import type { AppEnv } from "../app-types";
import { openApiDocument } from "../gateway/openapi";

/**
 * The interactive reference: a self-contained page (no CDN: it must work offline and under our CSP) that lists the
 * operations of /api/openapi.json and sends requests with an optional bearer token.
 */
const DOCS_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>API reference</title><style>
body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:0 auto;padding:1rem;color:#111;background:#fafafa}
details{background:#fff;border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.5rem .75rem}
summary{cursor:pointer;font-weight:600}.m{display:inline-block;min-width:4.5em;font-family:monospace;text-transform:uppercase}
textarea,input{width:100%;font:13px monospace;box-sizing:border-box}pre{background:#f3f3f3;padding:.5rem;overflow:auto;max-height:24em}
button{padding:.35rem .8rem}label{display:block;margin:.3rem 0}</style></head><body>
<h1>Options assistant API</h1><p>Generated from <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<label>Bearer token (from POST /api/dev/token locally) <input id="token" autocomplete="off"></label><div id="ops"></div>
<script type="module">
const doc = await (await fetch("/api/openapi.json")).json();
const ops = document.getElementById("ops");
for (const [path, methods] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(methods)) {
  const d = document.createElement("details");
  const params = (op.parameters || []);
  d.innerHTML = '<summary><span class="m"></span> <code></code> <span></span></summary>';
  d.querySelector(".m").textContent = method; d.querySelector("code").textContent = path; d.querySelector("summary span:last-child").textContent = "  " + op.summary + " (" + op["x-auth"] + ")";
  const form = document.createElement("div");
  for (const p of params) { const l = document.createElement("label"); l.textContent = p.name + " (" + p.in + ")"; const i = document.createElement("input"); i.name = p.name; i.dataset.in = p.in; l.append(i); form.append(l); }
  let body = null;
  if (op.requestBody) { body = document.createElement("textarea"); body.rows = 6; body.placeholder = "JSON body"; form.append(body); }
  const go = document.createElement("button"); go.textContent = "Send"; const out = document.createElement("pre");
  go.onclick = async () => {
    let url = path; const q = new URLSearchParams();
    for (const i of form.querySelectorAll("input")) { if (!i.value) continue; if (i.dataset.in === "path") url = url.replace("{" + i.name + "}", encodeURIComponent(i.value)); else q.set(i.name, i.value); }
    const headers = { accept: "application/json" }; const t = document.getElementById("token").value.trim(); if (t) headers.authorization = "Bearer " + t;
    if (body) headers["content-type"] = "application/json";
    const res = await fetch(url + (q.size ? "?" + q : ""), { method: method.toUpperCase(), headers, body: body ? body.value : undefined });
    out.textContent = res.status + " " + res.statusText + "\\n" + await res.text();
  };
  form.append(go, out); d.append(form); ops.append(d);
}
</script></body></html>`;

/** GET /api/openapi.json and GET /api/docs. */
export const openapi = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(openApiDocument(new URL(c.req.url).origin)))
  .get("/docs", (c) => c.html(DOCS_HTML));

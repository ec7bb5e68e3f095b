/**
 * The one Worker: `fetch` is a Hono app (REST under /api, WebSockets under /ws, everything else the React Router
 * app), `scheduled` runs the cron jobs, `queue` archives raw market events. Durable Object classes are re-exported.
 */
import { Hono } from "hono";
import { createRequestHandler, RouterContextProvider } from "react-router";
import type { AppEnv } from "./app-types";
import { ApiError, renderError } from "./gateway/errors";
import { archiveBatch } from "./market/archive";
import { runScheduled } from "./features/jobs";
import { health } from "./routes/health";
import { chains, quotes, sockets, symbols } from "./routes/market";
import { recommendations } from "./routes/recommendations";
import { signals } from "./routes/signals";
import { createServices } from "./services";
import { serverContext } from "../app/server-context";

export { MarketFeed, RateLimiter, SymbolRoom } from "../durable-objects";

const requestHandler = createRequestHandler(() => import("virtual:react-router/server-build"), import.meta.env.MODE);

const app = new Hono<AppEnv>();

app.use("*", async (c, next) => {
  const requestId = c.req.header("x-request-id")?.slice(0, 64) || crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("services", createServices(c.env));
  const t0 = Date.now();
  await next();
  // A 101 (WebSocket) response has immutable headers.
  if (c.res.status !== 101) c.res.headers.set("X-Request-Id", requestId);
  if (c.req.path.startsWith("/api/")) {
    console.log(JSON.stringify({ level: "info", requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - t0 }));
  }
});

app.route("/api/health", health);
app.route("/api/quotes", quotes);
app.route("/api/chains", chains);
app.route("/api/symbols", symbols);
app.route("/api/signals", signals);
app.route("/api/recommendations", recommendations);
app.route("/ws", sockets);
app.all("/api/*", (c) => {
  throw new ApiError(404, "not_found", `no route ${c.req.method} ${c.req.path}`);
});

// Everything else is the web app, handed the same services through the router context.
app.all("*", (c) => {
  const context = new RouterContextProvider();
  context.set(serverContext, { cloudflare: { env: c.env, ctx: c.executionCtx as unknown as ExecutionContext }, services: c.get("services") });
  return requestHandler(c.req.raw, context);
});

app.onError(renderError);

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(controller.cron, env, new Date(controller.scheduledTime)));
  },
  queue: async (batch, env) => {
    await archiveBatch(batch, env.ARCHIVE);
  },
} satisfies ExportedHandler<Env>;

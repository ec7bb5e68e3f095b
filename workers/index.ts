/**
 * The one Worker: `fetch` is a Hono app (REST under /api, WebSockets under /ws, everything else the React Router
 * app), `scheduled` runs the cron jobs, `queue` archives raw market events. Durable Object classes are re-exported.
 */
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { createRequestHandler, RouterContextProvider } from "react-router";
import type { AppEnv } from "./app-types";
import { authenticate, requireUser, sessionUser, type Principal } from "./gateway/auth";
import { mintDevToken } from "./gateway/dev-issuer";
import { ApiError, renderError } from "./gateway/errors";
import { evaluateAll, loadFlags } from "./gateway/flags";
import { rateLimit } from "./gateway/rate-limit";
import { archiveBatch } from "./market/archive";
import { runScheduled } from "./features/jobs";
import { health } from "./routes/health";
import { chains, quotes, sockets, symbols } from "./routes/market";
import { recommendations } from "./routes/recommendations";
import { signals } from "./routes/signals";
import { symbolSearch } from "./routes/symbol-search";
import { adminImport } from "./routes/admin-import";
import { features } from "./routes/features";
import { dev } from "./routes/dev";
import { adminFlags, flags } from "./routes/flags";
import { openapi } from "./routes/openapi";
import { profile, watchlist } from "./routes/users";
import { createServices } from "./services";
import { serverContext } from "../app/server-context";

export { MarketFeed, RateLimiter, SymbolRoom } from "../durable-objects";

const requestHandler = createRequestHandler(() => import("virtual:react-router/server-build"), import.meta.env.MODE);

const app = new Hono<AppEnv>();

app.use("*", async (c, next) => {
  // Our own id unless the caller sent a sane one (it is echoed into logs and headers).
  const given = c.req.header("x-request-id");
  const requestId = given && /^[\w.:-]{8,64}$/.test(given) ? given : crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("services", createServices(c.env));
  c.set("user", null);
  c.set("flags", {});
  c.set("timings", []);
  const t0 = Date.now();
  await next();
  // A 101 (WebSocket) response has immutable headers.
  if (c.res.status !== 101) {
    c.res.headers.set("X-Request-Id", requestId);
    const stages = [...c.get("timings"), { name: "total", ms: Date.now() - t0 }];
    c.res.headers.set("Server-Timing", stages.map((t) => `${t.name};dur=${t.ms}`).join(", "));
  }
  if (c.req.path.startsWith("/api/")) {
    // Never the Authorization header, a token or a key: method, path, outcome, who (subject) and how long.
    console.log(JSON.stringify({ level: "info", requestId, method: c.req.method, path: c.req.path, status: c.res.status, user: c.get("user")?.sub ?? null, ms: Date.now() - t0 }));
  }
});

/** Times a gateway stage into Server-Timing. */
const stage = (name: string, mw: ReturnType<typeof authenticate>): ReturnType<typeof authenticate> => async (c, next) => {
  const t = Date.now();
  let inner = false;
  await mw(c, async () => {
    c.get("timings").push({ name, ms: Date.now() - t });
    inner = true;
    await next();
  });
  if (!inner) c.get("timings").push({ name, ms: Date.now() - t });
};

app.use("/api/*", async (c, next) => {
  const origins = (c.env.CORS_ORIGINS ?? "*").split(",").map((o) => o.trim()).filter(Boolean);
  return cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Accept", "X-Request-Id"],
    exposeHeaders: ["X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy", "Server-Timing", "WWW-Authenticate"],
    maxAge: 600,
  })(c, next);
});
app.use("/api/*", stage("auth", authenticate()));
app.use("/ws/*", stage("auth", authenticate()));
/**
 * Flags are evaluated once per request, after we know who is asking (the bearer token for /api and /ws, the
 * session cookie for pages); the services are then built with them, so a cohort moved to another LLM provider,
 * scorer or market source gets it on the page as well as in the API.
 */
async function applyFlags(c: Context<AppEnv>, user: Principal | null): Promise<void> {
  const t = Date.now();
  const values = evaluateAll(await loadFlags(c.env.FLAGS), { id: user?.sub ?? null, roles: user?.roles ?? [] }, c.req.header("cf-connecting-ip") ?? "anonymous");
  c.set("flags", values);
  c.set("services", createServices(c.env, values));
  c.get("timings").push({ name: "flags", ms: Date.now() - t });
}
app.use("*", async (c, next) => {
  if (!c.req.path.startsWith("/api/") && !c.req.path.startsWith("/ws/")) return next();
  await applyFlags(c, c.get("user"));
  return next();
});
app.use("/api/*", stage("ratelimit", rateLimit()));
app.use("/api/recommendations", requireUser());
app.use("/api/recommendations/*", requireUser());

app.route("/api/health", health);
app.route("/api/quotes", quotes);
app.route("/api/chains", chains);
app.route("/api/symbols", symbolSearch);
app.route("/api/symbols", symbols);
app.route("/api/signals", signals);
app.route("/api/features", features);
app.route("/api/admin/import", adminImport);
app.route("/api/recommendations", recommendations);
app.route("/api/profile", profile);
app.route("/api/watchlist", watchlist);
app.route("/api/flags", flags);
app.route("/api/admin/flags", adminFlags);
app.route("/api/dev", dev);
app.route("/api", openapi);
app.route("/ws", sockets);
app.all("/api/*", (c) => {
  throw new ApiError(404, "not_found", `no route ${c.req.method} ${c.req.path}`);
});

// Page form posts (the no-JavaScript path to a recommendation) draw from the same buckets as the API.
app.on(["POST", "PUT", "DELETE"], "*", async (c, next) => {
  if (c.req.path.startsWith("/api/") || c.req.path.startsWith("/ws/")) return next();
  c.set("user", await sessionUser(c));
  return rateLimit()(c, next);
});

// Pages: a strict policy. Inline scripts are allowed because the server render hydrates through them.
app.use(
  "*",
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'", "ws:", "wss:"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
    crossOriginEmbedderPolicy: false,
  }),
);

// Everything else is the web app, handed the same services through the router context.
app.all("*", async (c) => {
  const context = new RouterContextProvider();
  const user = await sessionUser(c);
  await applyFlags(c, user);
  const services = c.get("services");
  // The "continue as demo user" sign-in: the dev issuer, only where DEV_AUTH is on (never in production).
  const devToken = services.config.devAuth ? (sub: string) => mintDevToken(c.env.CACHE, sub, []) : null;
  context.set(serverContext, { cloudflare: { env: c.env, ctx: c.executionCtx as unknown as ExecutionContext }, services, user, requestId: c.get("requestId"), devToken });
  return requestHandler(c.req.raw, context);
});

app.onError(renderError);

/** The Hono app itself, for tests that check every route is documented. */
export const honoApp = app;

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(controller.cron, env, new Date(controller.scheduledTime)));
  },
  queue: async (batch, env) => {
    await archiveBatch(batch, env.ARCHIVE);
  },
} satisfies ExportedHandler<Env>;

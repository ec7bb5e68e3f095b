/**
 * The OpenAPI 3.1 document, generated from the same zod contracts the routes validate with, so the two cannot
 * drift: every route the Worker serves is listed in ROUTES (a test checks the app has no other /api route).
 */
import { z } from "zod";
import * as S from "../../schemas";
import { FlagDefinition } from "../../schemas/flags";

type Auth = "public" | "user" | "admin" | "dev";
type Route = {
  method: "get" | "post" | "put" | "delete";
  path: string;
  summary: string;
  auth: Auth;
  params?: Record<string, string>;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  stream?: boolean;
};

const symbolParam = { symbol: "US ticker, e.g. SPY or BRK.B (case-insensitive)" };

export const ROUTES: Route[] = [
  { method: "get", path: "/api/health", summary: "Every dependency probed; 503 names the broken ones", auth: "public" },
  { method: "get", path: "/api/quotes/{symbol}", summary: "Latest quote of an underlying", auth: "public", params: symbolParam, response: S.Quote },
  { method: "get", path: "/api/chains/{symbol}", summary: "Option chain with IV and Greeks, filterable", auth: "public", params: symbolParam, query: S.ChainFilter, response: S.OptionChain },
  { method: "get", path: "/api/symbols", summary: "Symbol lookup for autocomplete: ticker prefix or name", auth: "public", query: S.SymbolSearchQuery, response: S.SymbolSearchResult },
  { method: "get", path: "/api/symbols/{symbol}/bars", summary: "Daily bars, oldest first", auth: "public", params: symbolParam, query: S.BarsQuery, response: S.BarSeries },
  { method: "get", path: "/api/signals/{symbol}", summary: "Signals bundle with provenance", auth: "public", params: symbolParam, response: S.SignalsBundle },
  { method: "get", path: "/api/features/{symbol}", summary: "Online features: IV rank/percentile, RV, IV/RV, liquidity, trend", auth: "public", params: symbolParam, response: S.OnlineFeatures },
  { method: "post", path: "/api/admin/import/{kind}", summary: "Import bars, congress, macro or sentiment files (CSV/JSON body)", auth: "admin", params: { kind: "bars | congress | macro | sentiment" }, response: S.ImportResult },
  { method: "post", path: "/api/recommendations", summary: "One contract, sized and explained; SSE or NDJSON by Accept", auth: "user", body: S.RecommendationRequest, response: S.Recommendation, stream: true },
  { method: "get", path: "/api/recommendations/{id}", summary: "A stored recommendation", auth: "user", params: { id: "rec_<uuid>" }, response: S.Recommendation },
  { method: "get", path: "/api/profile", summary: "The caller's profile", auth: "user", response: S.Profile },
  { method: "put", path: "/api/profile", summary: "Save capital, default preset and outlook", auth: "user", body: S.ProfileUpdate, response: S.Profile },
  { method: "get", path: "/api/watchlist", summary: "The caller's watchlist", auth: "user", response: S.Watchlist },
  { method: "put", path: "/api/watchlist", summary: "Replace the ordered watchlist", auth: "user", body: S.WatchlistUpdate, response: S.Watchlist },
  { method: "get", path: "/api/flags", summary: "Feature flags evaluated for the caller", auth: "public", response: S.EvaluatedFlags },
  { method: "get", path: "/api/admin/flags", summary: "All flag definitions", auth: "admin" },
  { method: "put", path: "/api/admin/flags/{key}", summary: "Create or replace a flag", auth: "admin", params: { key: "flag key" }, body: FlagDefinition, response: FlagDefinition },
  { method: "delete", path: "/api/admin/flags/{key}", summary: "Delete a flag", auth: "admin", params: { key: "flag key" } },
  { method: "get", path: "/api/dev/jwks.json", summary: "Development issuer's public keys (DEV_AUTH only)", auth: "dev" },
  { method: "post", path: "/api/dev/token", summary: "Mint a development token (DEV_AUTH only)", auth: "dev", body: S.DevTokenRequest, response: S.DevToken },
  { method: "get", path: "/api/openapi.json", summary: "This document", auth: "public" },
  { method: "get", path: "/api/docs", summary: "Interactive API reference", auth: "public" },
];

/** Registers extra routes (modules that own their routes add themselves here). */
export function registerRoutes(...routes: Route[]): void {
  for (const r of routes) if (!ROUTES.some((x) => x.method === r.method && x.path === r.path)) ROUTES.push(r);
}

const schemaOf = (t: z.ZodType, io: "input" | "output") => {
  const { $schema: _drop, ...doc } = z.toJSONSchema(t, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>;
  return doc;
};

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: schemaOf(S.ErrorBody, "output") } } });

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const parameters: unknown[] = Object.entries(r.params ?? {}).map(([name, description]) => ({ name, in: "path", required: true, description, schema: { type: "string" } }));
    if (r.query) {
      const q = schemaOf(r.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) parameters.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema });
    }
    const responses: Record<string, unknown> = {
      "200": {
        description: "OK",
        content: {
          "application/json": { schema: r.response ? schemaOf(r.response, "output") : { type: "object" } },
          ...(r.stream ? { "text/event-stream": { schema: schemaOf(S.RecommendationEvent, "output") }, "application/x-ndjson": { schema: schemaOf(S.RecommendationEvent, "output") } } : {}),
        },
      },
      "400": errorResponse("Malformed path or query"),
      "429": errorResponse("Rate limited (Retry-After, RateLimit headers)"),
    };
    if (r.body) {
      responses["413"] = errorResponse("Body too large");
      responses["415"] = errorResponse("Body is not application/json");
      responses["422"] = errorResponse("Body does not match the schema");
    }
    if (r.auth === "user" || r.auth === "admin") responses["401"] = errorResponse("Missing or invalid token");
    if (r.auth === "admin") responses["403"] = errorResponse("Missing the admin role");
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      operationId: `${r.method}${r.path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ""))}`,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(r.body, "input") } } } } : {}),
      responses,
      ...(r.auth === "user" || r.auth === "admin" ? { security: [{ bearer: [] }] } : {}),
      "x-auth": r.auth,
    };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: { title: "Options assistant API", version: "0.1.0", description: "One option contract, sized and explained. Errors: { error: { code, message, details? } }." },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    paths,
  };
}

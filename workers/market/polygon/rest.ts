/**
 * Polygon (Massive) REST client for the Workers runtime: fetch only, no Node APIs, no clock beyond the
 * injected `sleep`. Protocol facts it relies on are in shared/polygon-protocol.md section 2:
 * - auth by the `apiKey` query parameter; `next_url` comes back WITHOUT it, and its cursor already encodes the
 *   filters, so a follow-up request re-adds the key and nothing else;
 * - 413/429/499/5xx are transient (what the official Python client retries); everything else is final and the
 *   vendor's text is in `error`, except 403 which uses `message`;
 * - a 200 may say `status: "DELAYED"` and is still a success;
 * - `next_url` has been seen to loop (polygon-io/issues #289), so cursors are de-duplicated and pages capped.
 *
 * The key never leaves this module in readable form: every URL or text put into an error is redacted.
 */
import type { z } from "zod";
import {
  PolygonErrorBody,
  PolygonLastNbbo,
  PolygonLastNbboResponse,
  PolygonAggBar,
  PolygonAggsResponse,
  PolygonDividend,
  PolygonListEnvelope,
  PolygonOptionContractResponse,
  PolygonOptionSnapshot,
} from "../../../schemas/polygon-rest";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface PolygonRestOptions {
  /** e.g. https://api.massive.com (a path prefix such as a proxy's is kept). */
  baseUrl: string;
  apiKey: string;
  /** Defaults to the global fetch. Tests inject a fake. */
  fetch?: FetchLike;
  /** Defaults to setTimeout. Tests inject a recorder so retries take no wall time. */
  sleep?: (ms: number) => Promise<void>;
  /** Retries after the first attempt for transient statuses and network errors. */
  maxRetries?: number;
  /** First backoff; doubles per retry, with jitter. */
  baseDelayMs?: number;
  /** Upper bound of one backoff (also bounds a vendor Retry-After). */
  maxDelayMs?: number;
  /** Safety cap on followed `next_url` pages per call. */
  maxPages?: number;
  /** Per-request timeout; Workers' fetch has none of its own. 0 disables. */
  timeoutMs?: number;
  /** Jitter source in [0, 1); injectable for deterministic tests. */
  random?: () => number;
}

/** Base of every error this client throws; `message` is always free of the API key. */
export class PolygonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Non-2xx answer that is final (or still transient after every retry). */
export class PolygonHttpError extends PolygonError {
  constructor(
    readonly status: number,
    /** Vendor text: `error`, or `message` (403), or the start of a non-JSON body. */
    readonly vendorMessage: string | undefined,
    readonly requestId: string | undefined,
    /** Redacted URL of the failing request. */
    readonly url: string,
    /** Attempts made, 1 + retries. */
    readonly attempts: number,
    /** Vendor `status` field, e.g. ERROR or NOT_AUTHORIZED. */
    readonly vendorStatus?: string,
  ) {
    super(`Polygon HTTP ${status}${vendorMessage ? `: ${vendorMessage}` : ""} (GET ${url}${requestId ? `, request_id ${requestId}` : ""}${attempts > 1 ? `, ${attempts} attempts` : ""})`);
  }
  /** snake_case alias matching the vendor's field name. */
  get request_id(): string | undefined {
    return this.requestId;
  }
}

/** A 200 whose body is not JSON or does not match the schema (single-object endpoints, or a list's envelope). */
export class PolygonFormatError extends PolygonError {
  constructor(
    readonly url: string,
    /** Short zod issue summaries (paths and messages, no values). */
    readonly issues: string[],
    readonly requestId?: string,
  ) {
    super(`Polygon response did not match the expected format (GET ${url}): ${issues.slice(0, 5).join("; ")}`);
  }
}

/** fetch itself failed (DNS, connection reset, timeout) on every attempt. */
export class PolygonNetworkError extends PolygonError {
  constructor(
    readonly url: string,
    readonly attempts: number,
    cause: string,
  ) {
    super(`Polygon request failed (GET ${url}, ${attempts} attempts): ${cause}`);
  }
}

/** Result of a paginated call. */
export interface PolygonPage<T> {
  results: T[];
  /** Pages fetched. */
  pages: number;
  /** Items that failed validation and were skipped. */
  malformed: number;
  /** Up to a few issue summaries of the skipped items, for logs. */
  malformedIssues: string[];
  /** Some vendor pages exist that were not fetched (see stopReason). */
  truncated: boolean;
  stopReason?: "max-pages" | "repeated-cursor" | "malformed-page";
  /** Any page came back with status DELAYED (a delayed-data plan). */
  delayed: boolean;
  requestIds: string[];
}

export interface AggregatesOptions {
  adjusted?: boolean;
  sort?: "asc" | "desc";
  /** Base aggregates scanned per request (vendor default 5000, max 50000). */
  limit?: number;
}

export interface AggregatesResult extends PolygonPage<PolygonAggBar> {
  ticker: string;
}

export interface ChainSnapshotOptions {
  expirationGte?: string;
  expirationLte?: string;
  strikeGte?: number;
  strikeLte?: number;
  contractType?: "call" | "put";
}

export interface DividendsOptions {
  /** Only dividends whose ex-dividend date is on or after this day (YYYY-MM-DD). */
  exDividendDateGte?: string;
  /** Only dividends whose ex-dividend date is on or before this day (YYYY-MM-DD). */
  exDividendDateLte?: string;
  /** Per page (vendor default 10, maximum 1000). */
  limit?: number;
}

export type Timespan = "second" | "minute" | "hour" | "day" | "week" | "month" | "quarter" | "year";

export interface PolygonRest {
  /** Latest NBBO of a stock (there is no options variant). */
  lastNbbo(stockTicker: string): Promise<PolygonLastNbbo>;
  /** Previous session's bar, or null when the vendor has none (unknown ticker). */
  previousClose(ticker: string): Promise<PolygonAggBar | null>;
  /** Bars; `from`/`to` are YYYY-MM-DD or Unix ms. Follows next_url. */
  aggregates(
    ticker: string,
    multiplier: number,
    timespan: Timespan,
    from: string | number,
    to: string | number,
    opts?: AggregatesOptions,
  ): Promise<AggregatesResult>;
  /** The option chain of an underlying (SPY, I:SPX), 250 per page, every page up to maxPages. */
  optionChainSnapshot(underlying: string, opts?: ChainSnapshotOptions): Promise<PolygonPage<PolygonOptionSnapshot>>;
  /** One contract's snapshot. */
  optionContractSnapshot(underlying: string, optionTicker: string): Promise<PolygonOptionSnapshot>;
  /** Cash dividends of a stock, newest ex-date first, every page up to maxPages. */
  dividends(ticker: string, opts?: DividendsOptions): Promise<PolygonPage<PolygonDividend>>;
}

/** Statuses worth another try: rate limit, client-closed, payload-too-large (as the official client) and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 413 || status === 499 || status >= 500;
}

/** Path segment encoder that keeps ':' readable (O:SPY..., I:SPX): it is a legal path character. */
function seg(s: string): string {
  return encodeURIComponent(s).replace(/%3A/gi, ":");
}

function summarizeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
}

const MAX_ISSUE_SAMPLES = 5;

export function createPolygonRest(options: PolygonRestOptions): PolygonRest {
  const {
    apiKey,
    maxRetries = 3,
    baseDelayMs = 200,
    maxDelayMs = 10_000,
    maxPages = 50,
    timeoutMs = 10_000,
    random = Math.random,
  } = options;
  if (!apiKey) throw new Error("createPolygonRest: apiKey is required");
  // A bare `fetch` reference called as a method of another object throws "Illegal invocation" in Workers.
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);

  /** Removes the key from any text (URLs, vendor bodies that echo it, runtime error messages). */
  function redact(text: string): string {
    let out = text;
    for (const form of new Set([apiKey, encodeURIComponent(apiKey)])) out = out.split(form).join("REDACTED");
    return out;
  }

  function redactedUrl(url: URL): string {
    const copy = new URL(url.toString());
    if (copy.searchParams.has("apiKey")) copy.searchParams.set("apiKey", "REDACTED");
    return redact(copy.toString());
  }

  function buildUrl(path: string, query: Record<string, string | number | boolean | undefined>): URL {
    const url = new URL(path.replace(/^\//, ""), base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    url.searchParams.set("apiKey", apiKey);
    return url;
  }

  /**
   * URL for a vendor `next_url`. Only the cursor (and whatever else the vendor put there) is kept and the key is
   * re-added; filters are NOT re-appended because the cursor already encodes them. A next_url pointing at another
   * origin is rebased onto ours so the key is never sent to a host we were not configured with.
   */
  function followUrl(nextUrl: string): URL {
    const parsed = new URL(nextUrl, base);
    let url = parsed;
    if (parsed.origin !== base.origin) {
      url = new URL(parsed.pathname.replace(/^\//, "") + parsed.search, base);
    }
    url.searchParams.delete("apiKey");
    url.searchParams.set("apiKey", apiKey);
    return url;
  }

  function backoffMs(retry: number, retryAfterHeader: string | null): number {
    // Equal jitter: half fixed, half random, so concurrent callers spread out but still back off.
    const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
    let delay = exp / 2 + random() * (exp / 2);
    const retryAfter = retryAfterHeader === null ? NaN : Number(retryAfterHeader);
    if (Number.isFinite(retryAfter) && retryAfter > 0) delay = Math.max(delay, Math.min(maxDelayMs, retryAfter * 1000));
    return Math.round(delay);
  }

  /** GET with retries; returns the parsed JSON of a 2xx, throws PolygonHttpError / PolygonNetworkError. */
  async function getJson(url: URL): Promise<{ body: unknown; requestId?: string }> {
    const shownUrl = redactedUrl(url);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url.toString(), {
          method: "GET",
          headers: { Accept: "application/json" },
          signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
        });
      } catch (err) {
        if (attempt < maxRetries) {
          await sleep(backoffMs(attempt, null));
          continue;
        }
        throw new PolygonNetworkError(shownUrl, attempt + 1, redact(err instanceof Error ? err.message : String(err)));
      }
      // Always consume the body: an unread body keeps the connection busy in workerd.
      const text = await res.text().catch(() => "");
      const headerRequestId = res.headers.get("x-request-id") ?? undefined;
      if (res.ok) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new PolygonFormatError(shownUrl, ["(root): body is not JSON"], headerRequestId);
        }
        const rid = (body as { request_id?: unknown } | null)?.request_id;
        return { body, requestId: typeof rid === "string" ? rid : headerRequestId };
      }
      if (isRetryableStatus(res.status) && attempt < maxRetries) {
        await sleep(backoffMs(attempt, res.headers.get("retry-after")));
        continue;
      }
      let parsed: PolygonErrorBody | undefined;
      try {
        const r = PolygonErrorBody.safeParse(JSON.parse(text));
        if (r.success) parsed = r.data;
      } catch {
        // 5xx from a proxy is often HTML or empty; fall back to the raw text below.
      }
      const vendorText = parsed?.error ?? parsed?.message ?? (text.trim() ? text.trim().slice(0, 200) : undefined);
      throw new PolygonHttpError(
        res.status,
        vendorText === undefined ? undefined : redact(vendorText),
        parsed?.request_id ?? headerRequestId,
        shownUrl,
        attempt + 1,
        parsed?.status,
      );
    }
  }

  /** Single-object endpoint: schema failure is an error, there is nothing partial to return. */
  async function getOne<S extends z.ZodType>(url: URL, schema: S): Promise<z.infer<S>> {
    const { body, requestId } = await getJson(url);
    const r = schema.safeParse(body);
    if (!r.success) throw new PolygonFormatError(redactedUrl(url), summarizeIssues(r.error), requestId);
    return r.data;
  }

  /**
   * List endpoint: follows next_url, validates each item on its own (bad ones are counted and skipped), stops on a
   * repeated cursor or at maxPages. A broken envelope on the first page throws; on a later page it ends the walk
   * with what was gathered, flagged truncated.
   */
  async function getList<S extends z.ZodType>(
    first: URL,
    item: S,
    onEnvelope?: (env: PolygonListEnvelope) => void,
  ): Promise<PolygonPage<z.infer<S>>> {
    const out: PolygonPage<z.infer<S>> = {
      results: [],
      pages: 0,
      malformed: 0,
      malformedIssues: [],
      truncated: false,
      delayed: false,
      requestIds: [],
    };
    const seen = new Set<string>();
    let url: URL | null = first;
    while (url) {
      if (out.pages >= maxPages) {
        out.truncated = true;
        out.stopReason = "max-pages";
        break;
      }
      const { body, requestId } = await getJson(url);
      out.pages++;
      if (requestId) out.requestIds.push(requestId);
      const env = PolygonListEnvelope.safeParse(body);
      if (!env.success) {
        if (out.pages === 1) throw new PolygonFormatError(redactedUrl(url), summarizeIssues(env.error), requestId);
        out.truncated = true;
        out.stopReason = "malformed-page";
        out.malformedIssues.push(...summarizeIssues(env.error).slice(0, Math.max(0, MAX_ISSUE_SAMPLES - out.malformedIssues.length)));
        break;
      }
      if (out.pages === 1) onEnvelope?.(env.data);
      if (env.data.status === "DELAYED") out.delayed = true;
      for (const raw of env.data.results ?? []) {
        const r = item.safeParse(raw);
        if (r.success) {
          out.results.push(r.data);
        } else {
          out.malformed++;
          if (out.malformedIssues.length < MAX_ISSUE_SAMPLES) out.malformedIssues.push(summarizeIssues(r.error)[0]);
        }
      }
      const next = env.data.next_url;
      if (!next) break;
      // Compare cursors without the key (and independent of host rebasing) so a loop is caught on its first repeat.
      let key: string;
      try {
        const u = followUrl(next);
        u.searchParams.delete("apiKey");
        key = u.pathname + "?" + u.searchParams.toString();
      } catch {
        out.truncated = true;
        out.stopReason = "malformed-page";
        break;
      }
      if (seen.has(key)) {
        out.truncated = true;
        out.stopReason = "repeated-cursor";
        break;
      }
      seen.add(key);
      url = followUrl(next);
    }
    return out;
  }

  return {
    async lastNbbo(stockTicker) {
      const body = await getOne(buildUrl(`v2/last/nbbo/${seg(stockTicker)}`, {}), PolygonLastNbboResponse);
      return body.results;
    },

    async previousClose(ticker) {
      const body = await getOne(buildUrl(`v2/aggs/ticker/${seg(ticker)}/prev`, {}), PolygonAggsResponse);
      return body.results?.[0] ?? null;
    },

    async aggregates(ticker, multiplier, timespan, from, to, opts = {}) {
      const url = buildUrl(
        `v2/aggs/ticker/${seg(ticker)}/range/${multiplier}/${seg(timespan)}/${seg(String(from))}/${seg(String(to))}`,
        { adjusted: opts.adjusted, sort: opts.sort, limit: opts.limit },
      );
      let vendorTicker = ticker;
      const page = await getList(url, PolygonAggBar, (env) => {
        if (typeof env.ticker === "string") vendorTicker = env.ticker;
      });
      return { ...page, ticker: vendorTicker };
    },

    optionChainSnapshot(underlying, opts = {}) {
      const url = buildUrl(`v3/snapshot/options/${seg(underlying)}`, {
        "expiration_date.gte": opts.expirationGte,
        "expiration_date.lte": opts.expirationLte,
        "strike_price.gte": opts.strikeGte,
        "strike_price.lte": opts.strikeLte,
        contract_type: opts.contractType,
        // The vendor default is 10; 250 is the maximum and keeps a full chain to a handful of requests.
        limit: 250,
      });
      return getList(url, PolygonOptionSnapshot);
    },

    async optionContractSnapshot(underlying, optionTicker) {
      const body = await getOne(
        buildUrl(`v3/snapshot/options/${seg(underlying)}/${seg(optionTicker)}`, {}),
        PolygonOptionContractResponse,
      );
      return body.results;
    },

    dividends(ticker, opts = {}) {
      const url = buildUrl("v3/reference/dividends", {
        ticker,
        "ex_dividend_date.gte": opts.exDividendDateGte,
        "ex_dividend_date.lte": opts.exDividendDateLte,
        sort: "ex_dividend_date",
        order: "desc",
        // A year of a monthly payer plus specials fits in one page; next_url is still followed.
        limit: opts.limit ?? 100,
      });
      return getList(url, PolygonDividend);
    },
  };
}

/**
 * The browser's side of the public API: same-origin fetches that carry the HttpOnly session cookie, and one
 * error type with the API's error body, the status and, for 429, when to retry.
 */
import type { ErrorBody } from "../../schemas";

export type ApiErrorBody = ErrorBody["error"];

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ field: string; message: string }> = [],
    /** Seconds until a rate-limited call may be retried (from Retry-After). */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

export async function problemFrom(res: Response): Promise<ApiProblem> {
  let body: ApiErrorBody | null = null;
  try {
    body = ((await res.json()) as { error?: ApiErrorBody }).error ?? null;
  } catch {
    // not our JSON (a proxy, a crash page): fall back to the status
  }
  const retry = res.headers.get("retry-after");
  return new ApiProblem(
    res.status,
    body?.code ?? `http_${res.status}`,
    body?.message ?? (res.status >= 500 ? "the service is unavailable" : `request failed (${res.status})`),
    body?.details ?? [],
    retry !== null && /^\d+$/.test(retry) ? Number(retry) : null,
  );
}

export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  headers.set("accept", "application/json");
  const res = await fetch(path, { ...rest, headers, credentials: "same-origin", body: json !== undefined ? JSON.stringify(json) : rest.body });
  if (!res.ok) throw await problemFrom(res);
  return (await res.json()) as T;
}

/** API detail fields ("body.preset.minDte") to the form's field names ("minDte"). */
export function fieldErrors(details: ApiProblem["details"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details) {
    const name = d.field.replace(/^(body|query|params)\.?/, "").split(".").pop() || "form";
    out[name] ??= d.message;
  }
  return out;
}

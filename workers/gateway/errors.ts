import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { ErrorBody } from "../../schemas";

type Detail = NonNullable<ErrorBody["error"]["details"]>[number];

/** The one error type: everything a client sees as an error is thrown as this and rendered by `onError`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Detail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toBody(requestId?: string): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}), ...(requestId ? { requestId } : {}) } };
  }
}

/** Zod issues as error details, each naming the field by its dotted path under `where` (body, query, params). */
export function issuesToDetails(where: string, issues: readonly z.core.$ZodIssue[]): Detail[] {
  return issues.map((i) => ({
    field: [where, ...i.path.map(String)].join("."),
    message: i.message,
  }));
}

/** Central handler: ApiError as itself, anything else as a 500 with no internals leaked. */
export function renderError(err: unknown, c: Context): Response {
  const requestId = c.get("requestId" as never) as string | undefined;
  if (err instanceof ApiError) {
    return c.json(err.toBody(requestId), err.status, err.headers);
  }
  console.error(JSON.stringify({ level: "error", requestId, message: "unhandled", error: String(err), stack: (err as Error)?.stack }));
  const body: ErrorBody = { error: { code: "internal", message: "internal error", ...(requestId ? { requestId } : {}) } };
  return c.json(body, 500);
}

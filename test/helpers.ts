import { SELF } from "cloudflare:test";
import { ErrorBody } from "../schemas";
import { expect } from "vitest";

export const BASE = "http://localhost";

export function get(path: string, init?: RequestInit) {
  return SELF.fetch(`${BASE}${path}`, init);
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Asserts the common error shape, the status, and that `field` is named in the details. */
export async function expectError(res: Response, status: number, code: string, field?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = ErrorBody.parse(await res.json());
  expect(body.error.code).toBe(code);
  if (field) expect(body.error.details?.map((d) => d.field)).toContain(field);
  return body;
}

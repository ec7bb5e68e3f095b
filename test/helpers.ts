import { SELF } from "cloudflare:test";
import { ErrorBody } from "../schemas";
import { expect } from "vitest";

export const BASE = "http://localhost";

/** A fresh client address per request, so unrelated tests never share a per-IP bucket. */
const someIp = () => `10.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}`;

const tokens = new Map<string, string>();

/** A dev-issuer token (DEV_AUTH is on in tests), cached per subject and roles. */
export async function tokenFor(sub = "test-user", roles: string[] = []): Promise<string> {
  const key = `${sub}|${roles.join(",")}`;
  let t = tokens.get(key);
  if (!t) {
    const res = await SELF.fetch(`${BASE}/api/dev/token`, { method: "POST", headers: { "content-type": "application/json", "cf-connecting-ip": someIp() }, body: JSON.stringify({ sub, roles }) });
    if (res.status !== 200) throw new Error(`dev token: ${res.status} ${await res.text()}`);
    t = ((await res.json()) as { token: string }).token;
    tokens.set(key, t);
  }
  return t;
}

export async function authHeaders(sub?: string, roles?: string[]): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(sub, roles)}` };
}

export function get(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", someIp());
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
}

/** POST JSON as the default test user; pass `authorization: ""` for an anonymous call. */
export async function postJson(path: string, body: unknown, headers: Record<string, string> = {}, method = "POST") {
  const h: Record<string, string> = { "content-type": "application/json", "cf-connecting-ip": someIp(), ...headers };
  if (h.authorization === undefined) Object.assign(h, await authHeaders());
  if (h.authorization === "") delete h.authorization;
  return SELF.fetch(`${BASE}${path}`, { method, headers: h, body: typeof body === "string" ? body : JSON.stringify(body) });
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

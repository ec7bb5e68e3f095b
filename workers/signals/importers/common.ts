/** Shared pieces of the importers (pure): parse results, date and amount parsing, content hashes. */
import type { z } from "zod";
import type { ImportRejection } from "../../../schemas";

export type Parsed<T> = { format: string; received: number; rows: T[]; rejected: ImportRejection[] };

/** Validates one candidate row; a failure becomes a rejection naming the first bad field. */
export function accept<S extends z.ZodType>(
  schema: S,
  candidate: unknown,
  where: { line: number | null; record: number },
  rows: z.infer<S>[],
  rejected: ImportRejection[],
): void {
  const r = schema.safeParse(candidate);
  if (r.success) rows.push(r.data);
  else {
    const issue = r.error.issues[0];
    rejected.push({ ...where, field: issue?.path.length ? issue.path.map(String).join(".") : null, reason: issue?.message ?? "invalid" });
  }
}

export function reject(rejected: ImportRejection[], where: { line: number | null; record: number }, field: string | null, reason: string): void {
  rejected.push({ ...where, field, reason });
}

const isValidYmd = (y: number, m: number, d: number) => {
  if (!(y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1)) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
};
const ymd = (y: number, m: number, d: number) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;

/**
 * A calendar date from the forms our sources use: YYYY-MM-DD, MM/DD/YYYY (Stock Watcher, Lean's
 * "M/D/YYYY 12:00:00 AM"), an ISO timestamp's date part. Null when it is none of them or not a real date.
 */
export function parseDate(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const s = raw.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m) return isValidYmd(+m[1], +m[2], +m[3]) ? ymd(+m[1], +m[2], +m[3]) : null;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s.*)?$/.exec(s);
  if (m) return isValidYmd(+m[3], +m[1], +m[2]) ? ymd(+m[3], +m[1], +m[2]) : null;
  return null;
}

/** A number from a CSV cell ("4006500.0", " 1,234 " is not accepted: thousands separators are ambiguous). */
export function parseNumber(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== "string" || raw.trim() === "") return null;
  const v = Number(raw.trim());
  return Number.isFinite(v) ? v : null;
}

/**
 * A PTR amount range in dollars: "$1,001 - $15,000" -> [1001, 15000], "Over $50,000,000" and
 * "$1,000,000 +" -> [lower, null], the truncated "$1,001 -" -> [1001, null], "Unknown" -> [null, null].
 */
export function parseAmountRange(raw: string): [number | null, number | null] {
  const nums = [...raw.matchAll(/\$?\s*([\d,]+(?:\.\d+)?)/g)].map((m) => Number(m[1].replace(/,/g, ""))).filter(Number.isFinite);
  if (nums.length === 0) return [null, null];
  if (nums.length >= 2) return [Math.min(nums[0], nums[1]), Math.max(nums[0], nums[1])];
  return [nums[0], null];
}

/** 64-bit content hash (two FNV-1a lanes), hex: a stable id for records whose sources have none. */
export function contentId(parts: readonly (string | number | null)[]): string {
  const s = parts.map((p) => (p === null ? "\u0000" : String(p))).join("\u001f");
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** Trims a string; empty, "--" and "N/A" (how the sources say "none") become null. */
export function nullable(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const s = raw.trim();
  return s === "" || s === "--" || s.toUpperCase() === "N/A" ? null : s;
}

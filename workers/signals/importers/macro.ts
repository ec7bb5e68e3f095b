/**
 * Macro calendar (pure), three formats recognised by their shape:
 * - ForexFactory CSV (`year,day,time,impact,cur,text,actual,forecast,previous`): `day` like "Jan 12", `time` a
 *   New York wall time ("8:30am"), "All Day" or "Day N" (multi-day events), empty = same time as the line
 *   above (how the site prints it); impact low|medium|high|holiday; currency instead of country.
 * - ForexFactory JSON (`{timestamp, events:[{event_id, currency, impact: "High Impact Expected", event,
 *   actual, forecast, previous, event_dt}]}`), event_dt in UTC.
 * - Our generic CSV: `time,country,event,importance[,actual,forecast,previous,currency]`, time ISO-8601 with a
 *   zone (or a bare date for all-day items).
 * Countries are ISO codes mapped from the currency (EUR -> EU, "All" -> ALL).
 */
import { MacroEventRow, type ImportRejection } from "../../../schemas";
import { newYorkOffsetMinutes } from "../../market/calendar";
import { accept, contentId, nullable, reject, type Parsed } from "./common";
import { headerIndex, parseCsv } from "./csv";

const CURRENCY_COUNTRY: Record<string, string> = {
  USD: "US", EUR: "EU", GBP: "GB", JPY: "JP", CAD: "CA", AUD: "AU", NZD: "NZ", CHF: "CH", CNY: "CN", ALL: "ALL",
};
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/** The UTC instant of a New York wall-clock time on a date (DST by the US rules of that date). */
export function newYorkToUtc(date: string, hour: number, minute: number): string {
  const wall = Date.parse(`${date}T00:00:00Z`) + (hour * 60 + minute) * 60_000;
  // Guess standard time, then correct with the offset in force at that instant (exact except in the skipped hour).
  const offset = newYorkOffsetMinutes(new Date(wall + 300 * 60_000));
  return new Date(wall - offset * 60_000).toISOString();
}

function importanceOf(raw: unknown): MacroEventRow["importance"] | null {
  const s = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (s.startsWith("high")) return "high";
  if (s.startsWith("medium")) return "medium";
  if (s.startsWith("low")) return "low";
  if (s === "holiday" || s.startsWith("non-economic")) return "holiday";
  return null;
}

function row(time: string, allDay: boolean, currency: string | null, country: string | null, event: unknown, importance: MacroEventRow["importance"], o: Record<string, unknown>, source: string) {
  const ev = typeof event === "string" ? event.trim() : event;
  const ctry = country ?? (currency ? CURRENCY_COUNTRY[currency.toUpperCase()] ?? currency.toUpperCase() : null);
  return {
    id: contentId([time, ctry, typeof ev === "string" ? ev : null]),
    time,
    allDay,
    country: ctry,
    currency: currency ? currency.toUpperCase() : null,
    event: ev,
    importance,
    actual: nullable(o.actual),
    forecast: nullable(o.forecast),
    previous: nullable(o.previous),
    source,
  };
}

function forexFactoryCsv(records: ReturnType<typeof parseCsv>, idx: Map<string, number>): Parsed<MacroEventRow> {
  const rows: MacroEventRow[] = [];
  const rejected: ImportRejection[] = [];
  let lastTime: { hour: number; minute: number } | null = null;
  for (let r = 1; r < records.length; r++) {
    const { line, cells } = records[r];
    const where = { line, record: r };
    const o: Record<string, string> = {};
    for (const [k, i] of idx) o[k] = (cells[i] ?? "").trim();
    const d = /^([A-Za-z]{3})[a-z]*\s+(\d{1,2})$/.exec(o.day);
    const year = Number(o.year);
    const month = d ? MONTHS[d[1].toLowerCase()] : undefined;
    if (!d || !month || !Number.isInteger(year)) {
      reject(rejected, where, "day", `not a day: ${JSON.stringify(`${o.year} ${o.day}`.slice(0, 30))}`);
      continue;
    }
    const date = `${year}-${String(month).padStart(2, "0")}-${String(Number(d[2])).padStart(2, "0")}`;
    if (Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).getUTCDate() !== Number(d[2])) {
      reject(rejected, where, "day", `not a real date: ${date}`);
      continue;
    }
    const importance = importanceOf(o.impact);
    if (!importance) {
      reject(rejected, where, "impact", `unknown impact ${JSON.stringify(o.impact.slice(0, 20))}`);
      continue;
    }
    let time: string;
    let allDay = false;
    const t = /^(\d{1,2}):(\d{2})\s*(am|pm)$/i.exec(o.time);
    if (t) {
      let hour = Number(t[1]) % 12;
      if (t[3].toLowerCase() === "pm") hour += 12;
      lastTime = { hour, minute: Number(t[2]) };
      time = newYorkToUtc(date, hour, lastTime.minute);
    } else if (/^(all day|day \d+|tentative)$/i.test(o.time)) {
      allDay = true;
      time = newYorkToUtc(date, 0, 0);
    } else if (o.time === "" && lastTime) {
      time = newYorkToUtc(date, lastTime.hour, lastTime.minute);
    } else {
      reject(rejected, where, "time", `not a time: ${JSON.stringify(o.time.slice(0, 30))}`);
      continue;
    }
    accept(MacroEventRow, row(time, allDay, o.cur || null, null, o.text, importance, o, "forexfactory-csv"), where, rows, rejected);
  }
  return { format: "forexfactory-csv", received: records.length - 1, rows, rejected };
}

function genericCsv(records: ReturnType<typeof parseCsv>, idx: Map<string, number>): Parsed<MacroEventRow> {
  const rows: MacroEventRow[] = [];
  const rejected: ImportRejection[] = [];
  for (let r = 1; r < records.length; r++) {
    const { line, cells } = records[r];
    const where = { line, record: r };
    const o: Record<string, string> = {};
    for (const [k, i] of idx) o[k] = (cells[i] ?? "").trim();
    const importance = importanceOf(o.importance);
    if (!importance) {
      reject(rejected, where, "importance", `expected low, medium, high or holiday, got ${JSON.stringify(o.importance.slice(0, 20))}`);
      continue;
    }
    const bare = /^\d{4}-\d{2}-\d{2}$/.test(o.time);
    const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(o.time);
    const ms = bare ? Date.parse(newYorkToUtc(o.time, 0, 0)) : zoned ? Date.parse(o.time) : NaN;
    if (!Number.isFinite(ms)) {
      reject(rejected, where, "time", `expected an ISO-8601 time with a zone, got ${JSON.stringify(o.time.slice(0, 30))}`);
      continue;
    }
    const country = o.country ? o.country.toUpperCase() : null;
    accept(MacroEventRow, row(new Date(ms).toISOString(), bare, o.currency || null, country, o.event, importance, o, "import:macro-csv"), where, rows, rejected);
  }
  return { format: "macro-csv", received: records.length - 1, rows, rejected };
}

export function parseMacro(text: string): Parsed<MacroEventRow> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const rows: MacroEventRow[] = [];
    const rejected: ImportRejection[] = [];
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return { format: "json", received: 0, rows, rejected: [{ line: null, record: 1, field: null, reason: `not valid JSON: ${(e as Error).message}` }] };
    }
    const events = Array.isArray(data) ? data : (data as { events?: unknown })?.events;
    if (!Array.isArray(events)) {
      return { format: "json", received: 0, rows, rejected: [{ line: null, record: 1, field: "events", reason: "expected {events: [...]} (ForexFactory JSON)" }] };
    }
    events.forEach((e: Record<string, unknown>, i) => {
      const where = { line: null, record: i + 1 };
      const importance = importanceOf(e?.impact);
      const ms = typeof e?.event_dt === "string" ? Date.parse(e.event_dt) : NaN;
      if (!importance) reject(rejected, where, "impact", `unknown impact ${JSON.stringify(String(e?.impact ?? "").slice(0, 30))}`);
      else if (!Number.isFinite(ms)) reject(rejected, where, "event_dt", "not an ISO-8601 time");
      else {
        const currency = typeof e.currency === "string" ? e.currency : null;
        accept(MacroEventRow, row(new Date(ms).toISOString(), false, currency, null, e.event, importance, e, "forexfactory-json"), where, rows, rejected);
      }
    });
    return { format: "forexfactory-json", received: events.length, rows, rejected };
  }
  const records = parseCsv(text);
  if (records.length === 0) return { format: "csv", received: 0, rows: [], rejected: [] };
  const idx = headerIndex(records[0].cells);
  if (["year", "day", "time", "impact", "cur", "text"].every((c) => idx.has(c))) return forexFactoryCsv(records, idx);
  if (["time", "country", "event", "importance"].every((c) => idx.has(c))) return genericCsv(records, idx);
  return {
    format: "csv",
    received: records.length - 1,
    rows: [],
    rejected: [{ line: 1, record: 1, field: null, reason: "header is neither ForexFactory (year,day,time,impact,cur,text,...) nor time,country,event,importance" }],
  };
}

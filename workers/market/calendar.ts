/**
 * The US exchange calendar as listed options see it: NYSE holidays, New York time without a time-zone database
 * (Workers have Intl, but its zone data is not something we want expiry maths to depend on), and the standard
 * weekly/monthly expiration cycle. Dates are ISO strings (YYYY-MM-DD) of New York calendar days.
 */

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/** Parses YYYY-MM-DD into UTC-midnight milliseconds; throws on malformed or impossible dates. */
function parseIsoDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`not a calendar date: ${date}`);
  }
  return ms;
}

/** UTC-midnight milliseconds -> YYYY-MM-DD. */
function isoOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** YYYY-MM-DD `days` calendar days after `date` (negative: before); throws on a malformed date. */
export function addDays(date: string, days: number): string {
  return isoOf(parseIsoDate(date) + days * DAY_MS);
}

/** Day of week (0 = Sunday) of a UTC-midnight instant. */
function dow(ms: number): number {
  return new Date(ms).getUTCDay();
}

/** UTC midnight of the n-th (1-based) given weekday of a month; month is 0-based. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = Date.UTC(year, month, 1);
  const offset = (weekday - dow(first) + 7) % 7;
  return first + (offset + 7 * (n - 1)) * DAY_MS;
}

/** UTC midnight of the last given weekday of a month; month is 0-based. */
function lastWeekday(year: number, month: number, weekday: number): number {
  const last = Date.UTC(year, month + 1, 0);
  return last - ((dow(last) - weekday + 7) % 7) * DAY_MS;
}

/** Easter Sunday (Gregorian) by the anonymous algorithm of Meeus/Jones/Butcher, as UTC midnight. */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/** A fixed-date holiday moved off the weekend: Saturday -> Friday before, Sunday -> Monday after. */
function observed(ms: number): number {
  const wd = dow(ms);
  if (wd === 6) return ms - DAY_MS;
  if (wd === 0) return ms + DAY_MS;
  return ms;
}

/**
 * Unscheduled full-day closures (national days of mourning and the like). They cannot be computed, only
 * listed; the exchange announces them days ahead.
 */
const SPECIAL_CLOSURES = new Set<string>([
  "2018-12-05", // President G. H. W. Bush
  "2025-01-09", // President Carter
]);

const holidayCache = new Map<number, Set<string>>();

/** The NYSE full-day holidays of a year, as a set of ISO dates (observed days, weekdays only). */
function holidaysOf(year: number): Set<string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const days: number[] = [];
  // New Year's Day: a Sunday holiday is observed on Monday; a Saturday one is NOT moved to Friday Dec 31
  // (NYSE Rule 7.2: the exchange does not close for it when that would end the prior year early).
  const ny = Date.UTC(year, 0, 1);
  if (dow(ny) === 0) days.push(ny + DAY_MS);
  else if (dow(ny) !== 6) days.push(ny);
  days.push(nthWeekday(year, 0, 1, 3)); // Martin Luther King Jr. Day: third Monday of January
  days.push(nthWeekday(year, 1, 1, 3)); // Washington's Birthday: third Monday of February
  days.push(easterSunday(year) - 2 * DAY_MS); // Good Friday
  days.push(lastWeekday(year, 4, 1)); // Memorial Day: last Monday of May
  if (year >= 2022) days.push(observed(Date.UTC(year, 5, 19))); // Juneteenth, an exchange holiday since 2022
  days.push(observed(Date.UTC(year, 6, 4))); // Independence Day
  days.push(nthWeekday(year, 8, 1, 1)); // Labor Day: first Monday of September
  days.push(nthWeekday(year, 10, 4, 4)); // Thanksgiving: fourth Thursday of November
  days.push(observed(Date.UTC(year, 11, 25))); // Christmas
  const set = new Set(days.map(isoOf));
  for (const d of SPECIAL_CLOSURES) if (d.startsWith(`${year}-`)) set.add(d);
  holidayCache.set(year, set);
  return set;
}

/** True when the NYSE is closed all day on this weekday for a holiday (YYYY-MM-DD; weekends are not holidays). */
export function isNyseHoliday(date: string): boolean {
  const ms = parseIsoDate(date);
  return holidaysOf(new Date(ms).getUTCFullYear()).has(date);
}

/** True when the NYSE has a regular session on this date (a weekday that is not a holiday). */
export function isTradingDay(date: string): boolean {
  const ms = parseIsoDate(date);
  const wd = dow(ms);
  return wd !== 0 && wd !== 6 && !holidaysOf(new Date(ms).getUTCFullYear()).has(date);
}

/** True when US daylight saving time is in force at this UTC instant (2nd Sunday of March 02:00 to 1st Sunday of November 02:00, local). */
function isNewYorkDst(utcMs: number): boolean {
  const year = new Date(utcMs).getUTCFullYear();
  const start = nthWeekday(year, 2, 0, 2) + 7 * 3_600_000; // 02:00 EST = 07:00 UTC
  const end = nthWeekday(year, 10, 0, 1) + 6 * 3_600_000; // 02:00 EDT = 06:00 UTC
  return utcMs >= start && utcMs < end;
}

/** Offset of New York local time from UTC at an instant, in minutes (-240 in summer, -300 in winter). */
export function newYorkOffsetMinutes(instant: Date): number {
  return isNewYorkDst(instant.getTime()) ? -240 : -300;
}

/** The New York calendar date (YYYY-MM-DD) of an instant. */
export function newYorkDate(instant: Date): string {
  const ms = instant.getTime();
  return isoOf(ms + newYorkOffsetMinutes(instant) * 60_000);
}

/** Minutes since New York local midnight at an instant (0..1439). */
export function newYorkMinuteOfDay(instant: Date): number {
  const local = instant.getTime() + newYorkOffsetMinutes(instant) * 60_000;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
}

/** Instant of a New York wall-clock time on a date (hour/minute local); a skipped DST hour reads as standard time, a repeated one as its first occurrence. */
function newYorkWallToUtc(date: string, hour: number, minute: number): Date {
  const base = parseIsoDate(date) + (hour * 60 + minute) * 60_000;
  // Try summer time first; it is right exactly when the result is inside DST.
  const summer = base + 240 * 60_000;
  if (isNewYorkDst(summer)) return new Date(summer);
  return new Date(base + 300 * 60_000);
}

/** The 16:00 New York close of a date (YYYY-MM-DD) as a UTC instant: 20:00Z in summer time, 21:00Z in winter. */
export function expiryCloseUtc(date: string): Date {
  return newYorkWallToUtc(date, 16, 0);
}

/** Calendar time between two instants in years (ms / (365 * 86,400,000)); negative when close is before now. */
export function yearsBetween(now: Date, close: Date): number {
  return (close.getTime() - now.getTime()) / YEAR_MS;
}

/** Whole calendar days from the New York date of `now` to an expiry date (0 on expiration day; negative once past). */
export function calendarDte(now: Date, expiryDate: string): number {
  return Math.round((parseIsoDate(expiryDate) - parseIsoDate(newYorkDate(now))) / DAY_MS);
}

/** The last trading day on or before a date (YYYY-MM-DD): where a Friday expiry lands when that Friday is a holiday. */
export function tradingDayOnOrBefore(date: string): string {
  let ms = parseIsoDate(date);
  for (let guard = 0; guard < 10 && !isTradingDay(isoOf(ms)); guard++) ms -= DAY_MS;
  return isoOf(ms);
}

/**
 * The last session that had closed before the New York day of `instant` began: what a quote's previous close
 * belongs to, so daily bars ending there end at `prevClose`.
 */
export function lastCompletedSession(instant: Date): string {
  return tradingDayOnOrBefore(newYorkDate(new Date(instant.getTime() - DAY_MS)));
}

/** The third Friday of a month (month 1-12) as YYYY-MM-DD, before any holiday adjustment. */
export function thirdFriday(year: number, month: number): string {
  return isoOf(nthWeekday(year, month - 1, 5, 3));
}

/**
 * Listed expirations at an instant, sorted YYYY-MM-DD: the next `weeklies` (default 6) Friday expiries and the
 * monthly third-Friday expiries of the next `monthlies` (default 12) months, i.e. weekly and monthly expiries out
 * to about a year. A holiday Friday moves to the trading day before (usually Thursday). Expiries whose 16:00
 * New York close is at or before `now` are gone.
 */
export function listedExpirations(now: Date, opts: { weeklies?: number; monthlies?: number } = {}): string[] {
  const weeklies = opts.weeklies ?? 6;
  const monthlies = opts.monthlies ?? 12;
  const nowMs = now.getTime();
  const live = (d: string) => expiryCloseUtc(d).getTime() > nowMs;
  const out = new Set<string>();

  const today = parseIsoDate(newYorkDate(now));
  let friday = today + ((5 - dow(today) + 7) % 7) * DAY_MS;
  for (let found = 0, guard = 0; found < weeklies && guard < weeklies + 10; guard++, friday += 7 * DAY_MS) {
    const expiry = tradingDayOnOrBefore(isoOf(friday));
    if (!live(expiry)) continue;
    out.add(expiry);
    found++;
  }

  const t = new Date(today);
  let year = t.getUTCFullYear();
  let month = t.getUTCMonth() + 1;
  for (let found = 0, guard = 0; found < monthlies && guard < monthlies + 2; guard++) {
    const expiry = tradingDayOnOrBefore(thirdFriday(year, month));
    if (live(expiry)) {
      out.add(expiry);
      found++;
    }
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return [...out].sort();
}

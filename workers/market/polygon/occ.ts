/**
 * OCC option symbology as Polygon spells it: "O:" + root (1-6 letters, plus a digit for adjusted contracts such
 * as AAPL1) + YYMMDD + C|P + strike in thousandths of a dollar, 8 digits. Example: O:SPY261218C00650000.
 */

export type OccParts = {
  /** OCC root: the underlying without punctuation (BRK.B -> BRKB), SPXW for weekly SPX, AAPL1 after an adjustment. */
  root: string;
  /** Expiration date YYYY-MM-DD. */
  expiration: string;
  type: "call" | "put";
  /** Strike in dollars. */
  strike: number;
};

const OCC_RE = /^(?:O:)?([A-Z]{1,6}\d?)(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Polygon option ticker for a contract (strike in dollars, at most 3 decimals; expiration YYYY-MM-DD in 2000-2099). */
export function formatOcc(c: { underlying: string; expiration: string; type: "call" | "put"; strike: number }): string {
  const root = String(c.underlying).toUpperCase().replace(/[.\-/ ]/g, "");
  if (!/^[A-Z]{1,6}\d?$/.test(root)) throw new Error(`formatOcc: invalid option root ${JSON.stringify(c.underlying)}`);
  const dm = /^20(\d{2})-(\d{2})-(\d{2})$/.exec(String(c.expiration));
  if (!dm || !validDate(2000 + Number(dm[1]), Number(dm[2]), Number(dm[3]))) {
    throw new Error(`formatOcc: expiration must be a date YYYY-MM-DD in 2000-2099, got ${JSON.stringify(c.expiration)}`);
  }
  if (c.type !== "call" && c.type !== "put") throw new Error(`formatOcc: type must be "call" or "put", got ${JSON.stringify(c.type)}`);
  const milli = Math.round(c.strike * 1000);
  // Strikes are listed in tenths of a cent at the finest; anything else is a caller bug, not something to round away.
  if (!Number.isFinite(c.strike) || milli <= 0 || milli > 99_999_999 || Math.abs(c.strike * 1000 - milli) > 1e-4) {
    throw new Error(`formatOcc: strike must be a positive price below 100000 with at most 3 decimals, got ${c.strike}`);
  }
  return `O:${root}${dm[1]}${dm[2]}${dm[3]}${c.type === "call" ? "C" : "P"}${String(milli).padStart(8, "0")}`;
}

/** Splits a Polygon/OCC option ticker (with or without "O:") into root, expiration, type and strike in dollars; throws on malformed input. */
export function parseOcc(ticker: string): OccParts {
  const m = OCC_RE.exec(String(ticker).trim());
  if (!m) {
    throw new Error(
      `parseOcc: ${JSON.stringify(ticker)} is not an OCC option ticker (expected e.g. O:SPY261218C00650000: root, YYMMDD, C or P, strike x1000 in 8 digits)`,
    );
  }
  const [, root, yy, mm, dd, cp, strike] = m;
  const year = 2000 + Number(yy);
  if (!validDate(year, Number(mm), Number(dd))) throw new Error(`parseOcc: ${JSON.stringify(ticker)} has an impossible expiration date 20${yy}-${mm}-${dd}`);
  const milli = Number(strike);
  if (milli === 0) throw new Error(`parseOcc: ${JSON.stringify(ticker)} has a zero strike`);
  return { root, expiration: `${year}-${mm}-${dd}`, type: cp === "C" ? "call" : "put", strike: milli / 1000 };
}

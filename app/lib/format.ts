/** Display helpers: every number a person reads goes through one of these. */
export const money = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? "n/a" : `${x < 0 ? "-" : ""}$${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;

/** A fraction (0.25) as a percentage (25.0%). */
export const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : `${(x * 100).toFixed(digits)}%`);

/** A number already in percent (1.5 = 1.5%), signed. */
export const signedPct = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}%`;

export const signed = (x: number, digits = 2) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;

export const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(digits));

/** ISO timestamp as HH:MM:SS UTC (stable between server and browser render). */
export const clock = (iso: string) => `${iso.slice(11, 19)} UTC`;

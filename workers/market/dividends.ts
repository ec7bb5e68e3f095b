/**
 * Continuous dividend yield of an underlying from its cash dividends (pure; the SymbolRoom feeds it Polygon's
 * /v3/reference/dividends and uses the result for IV and Greeks of live chains).
 *
 * Formula, with as-of day A (New York date) and spot S:
 * 1. Keep regular cash dividends only: dividend_type "CD" with a frequency > 0. Special cash ("SC"), one-time
 *    (frequency 0) and capital-gain distributions ("LT", "ST") are not expected to recur, so they are left out.
 * 2. Keep those whose ex-dividend date E lies in the trailing 365 days: A - 365 days <= E <= A (calendar dates;
 *    declared future ex-dates are not counted yet).
 * 3. Let f be the frequency of the latest kept payment and n the count kept.
 *    - n < f (a new payer, not a full year of payments yet): annual cash D = latest cash_amount x f;
 *    - n > f (a quarterly payer whose ex-dates drift across the window edge can show 5 in 365 days): D = the sum
 *      of the latest f payments;
 *    - otherwise D = the sum of the n payments (with f unknown, the sum as well).
 * 4. q = -ln(1 - D / S): the continuous yield whose e^(-qT) over one year equals the share price net of a year
 *    of cash, (S - D) / S. For small D/S it is about D/S (a 3% cash yield gives q = 0.030459).
 * q = 0 with no kept dividend, and also when S is not a positive number or D >= S (data that cannot be a yield).
 */
import { addDays } from "./calendar";

export type DividendRecord = {
  cash_amount: number;
  ex_dividend_date: string;
  dividend_type: string;
  frequency?: number;
};

export type DividendYield = {
  /** Continuous yield q. */
  yield: number;
  /** Annual regular cash per share D used for q. */
  annualCash: number;
  /** Regular payments in the trailing 365 days. */
  payments: number;
  /** True when D was annualised from the latest payment (n < frequency). */
  annualised: boolean;
};

export const DIVIDEND_WINDOW_DAYS = 365;

function isRegularCash(d: DividendRecord): boolean {
  return d.dividend_type === "CD" && (d.frequency === undefined || d.frequency > 0) && Number.isFinite(d.cash_amount) && d.cash_amount > 0;
}

/** See the module comment for the formula. `asOf` is the as-of day, YYYY-MM-DD (New York). */
export function dividendYield(dividends: readonly DividendRecord[], spot: number, asOf: string): DividendYield {
  const none: DividendYield = { yield: 0, annualCash: 0, payments: 0, annualised: false };
  if (!(Number.isFinite(spot) && spot > 0)) return none;
  const from = addDays(asOf, -DIVIDEND_WINDOW_DAYS);
  const kept = dividends
    .filter((d) => isRegularCash(d) && d.ex_dividend_date >= from && d.ex_dividend_date <= asOf)
    .sort((a, b) => (a.ex_dividend_date < b.ex_dividend_date ? 1 : a.ex_dividend_date > b.ex_dividend_date ? -1 : 0)); // newest first
  if (kept.length === 0) return none;
  const f = kept[0].frequency;
  let annualCash: number;
  let annualised = false;
  if (f !== undefined && kept.length < f) {
    annualCash = kept[0].cash_amount * f;
    annualised = true;
  } else {
    const counted = f !== undefined && kept.length > f ? kept.slice(0, f) : kept;
    annualCash = counted.reduce((s, d) => s + d.cash_amount, 0);
  }
  if (annualCash >= spot) return { ...none, annualCash, payments: kept.length, annualised };
  return { yield: -Math.log(1 - annualCash / spot), annualCash, payments: kept.length, annualised };
}

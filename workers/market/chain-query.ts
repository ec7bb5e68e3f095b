import type { ChainFilter, OptionContract } from "../../schemas";

/**
 * Applies GET /api/chains filters. Deltas are signed (calls 0..1, puts -1..0), so `type=put&minDelta=-0.4&maxDelta=-0.2`
 * selects 20-40 delta puts; a contract without Greeks (IV not identifiable) never matches a delta filter.
 */
export function filterContracts(contracts: readonly OptionContract[], f: ChainFilter): OptionContract[] {
  return contracts.filter((c) => matchesFilter(c, f));
}

/** One contract against the filters of filterContracts (for counting a window without building it). */
export function matchesFilter(c: OptionContract, f: ChainFilter): boolean {
  if (f.expiry !== undefined && c.expiration !== f.expiry) return false;
  if (f.type !== undefined && c.type !== f.type) return false;
  if (f.minDte !== undefined && c.dte < f.minDte) return false;
  if (f.maxDte !== undefined && c.dte > f.maxDte) return false;
  if (f.minDelta !== undefined || f.maxDelta !== undefined) {
    if (!c.greeks) return false;
    if (f.minDelta !== undefined && c.greeks.delta < f.minDelta) return false;
    if (f.maxDelta !== undefined && c.greeks.delta > f.maxDelta) return false;
  }
  return true;
}

/**
 * Which option contracts get a live quote subscription: Polygon allows 1,000 contracts per connection (§1.5),
 * far fewer than the listed chains, so the feed streams the contracts a recommendation is likely to pick (nearest
 * the money, inside a preset's DTE window) and the rooms poll the REST snapshot for the rest (pure).
 */
export type OptionInterest = { ticker: string; room: string; strike: number; spot: number; dte: number };
export type DteWindow = { minDte: number; maxDte: number };

export const OPTION_QUOTE_CAP = 1000;

/**
 * Ranks every room's contracts by distance from the money (|ln K/S|) inside any window, then takes them round-robin
 * across rooms so one busy underlying cannot starve the others. Deterministic: ties broken by ticker.
 */
export function selectOptionContracts(interest: readonly OptionInterest[], windows: readonly DteWindow[], cap = OPTION_QUOTE_CAP): string[] {
  const inWindow = (dte: number) => windows.some((w) => dte >= w.minDte && dte <= w.maxDte);
  const perRoom = new Map<string, OptionInterest[]>();
  for (const c of interest) {
    if (!(c.spot > 0 && c.strike > 0) || !inWindow(c.dte)) continue;
    const list = perRoom.get(c.room) ?? [];
    list.push(c);
    perRoom.set(c.room, list);
  }
  const distance = (c: OptionInterest) => Math.abs(Math.log(c.strike / c.spot));
  const queues = [...perRoom.keys()].sort().map((room) =>
    perRoom.get(room)!.sort((a, b) => distance(a) - distance(b) || a.ticker.localeCompare(b.ticker)),
  );
  const chosen: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; chosen.length < cap; i++) {
    let any = false;
    for (const q of queues) {
      if (i < q.length) {
        any = true;
        if (!seen.has(q[i].ticker)) {
          seen.add(q[i].ticker);
          chosen.push(q[i].ticker);
          if (chosen.length >= cap) break;
        }
      }
    }
    if (!any) break;
  }
  return chosen;
}

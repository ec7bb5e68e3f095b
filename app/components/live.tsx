/** The live quote ticker and the option chain table, both fed by the SymbolRoom WebSocket. */
import { useEffect, useMemo, useState } from "react";
import type { OptionChain, OptionContract } from "../../schemas";
import type { FeedState } from "../lib/use-symbol-feed";
import { api } from "../lib/api";
import { clock, money, num, pct, signed, signedPct } from "../lib/format";
import { Info } from "./panels";

/** Data older than this is shown as stale even if the room has not said so (a silent socket). */
const CLIENT_STALE_MS = 15_000;

export function FeedBadges({ feed }: { feed: FeedState }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 2000);
    return () => clearInterval(t);
  }, []);
  const silent = feed.quote && now - Date.parse(feed.quote.timestamp) > CLIENT_STALE_MS && feed.source === "polygon";
  return (
    <span className="badges">
      {feed.source === "synthetic" && (
        <span className="flag" data-testid="synthetic-badge" title="Simulated market: no live data feed is configured">
          synthetic
        </span>
      )}
      {feed.source === "polygon" && <span className="flag live">live</span>}
      {(feed.stale || silent) && (
        <span className="flag warn" data-testid="stale-badge">
          stale
        </span>
      )}
      {feed.connection === "reconnecting" && (
        <span className="flag warn" role="status">
          reconnecting{feed.retryInS !== null ? ` in ${feed.retryInS}s` : ""}
        </span>
      )}
    </span>
  );
}

export function QuoteTicker({ feed, symbol }: { feed: FeedState; symbol: string }) {
  const q = feed.quote;
  return (
    <section className="ticker" aria-label={`${symbol} live quote`} data-testid="ticker">
      <h2>
        {symbol} <FeedBadges feed={feed} />
      </h2>
      {q ? (
        <p>
          <span className="last" data-testid="live-last">
            {money(q.last)}
          </span>{" "}
          <span className={q.change >= 0 ? "up" : "down"}>
            {signed(q.change)} ({signedPct(q.changePct)})
          </span>{" "}
          <span className="muted">
            <span data-testid="live-bidask">
              bid {money(q.bid)} × {q.bidSize} · ask {money(q.ask)} × {q.askSize}
            </span>{" "}
            · <time dateTime={q.timestamp}>{clock(q.timestamp)}</time>
          </span>
        </p>
      ) : (
        <p className="muted">{feed.connection === "reconnecting" ? "Connecting to the market…" : "Loading quote…"}</p>
      )}
    </section>
  );
}

type Head = Omit<OptionChain, "contracts">;

/**
 * Calls and puts around the money for one expiry, the recommended contract highlighted. Expiries outside the
 * socket's window are read once over REST and then widen the socket's window so they stay live.
 */
export function ChainTable({ feed, symbol, highlight, preferExpiry, onWindow }: { feed: FeedState; symbol: string; highlight: string | null; preferExpiry: string | null; onWindow: (w: { minDte: number; maxDte: number }) => void }) {
  const head: Head | null = feed.chain;
  const [expiry, setExpiry] = useState<string | null>(null);
  const [extra, setExtra] = useState<Map<string, OptionContract>>(new Map());
  const live = feed.chain?.contracts;
  useEffect(() => setExtra(new Map()), [symbol]);
  useEffect(() => {
    if (preferExpiry) setExpiry(preferExpiry);
  }, [preferExpiry]);

  const expirations = head?.expirations ?? [];
  const chosen = expiry && expirations.includes(expiry) ? expiry : (expirations.find((e) => [...(live?.values() ?? [])].some((c) => c.expiration === e)) ?? expirations[0] ?? null);

  const rows = useMemo(() => {
    if (!chosen || !head) return [];
    const all = new Map(extra);
    for (const [k, c] of live ?? []) all.set(k, c);
    const of = [...all.values()].filter((c) => c.expiration === chosen);
    const strikes = [...new Set(of.map((c) => c.strike))].sort((a, b) => a - b);
    const spot = feed.quote?.last ?? head.underlyingPrice;
    const atm = strikes.reduce((best, k, i) => (Math.abs(k - spot) < Math.abs(strikes[best] - spot) ? i : best), 0);
    // Around the money, stretched to include the recommended contract's strike.
    const pickAt = highlight ? strikes.indexOf(of.find((c) => c.ticker === highlight)?.strike ?? Number.NaN) : -1;
    const lo = pickAt >= 0 ? Math.min(Math.max(0, atm - 6), Math.max(0, pickAt - 1)) : Math.max(0, atm - 6);
    const hi = pickAt >= 0 ? Math.max(atm + 7, pickAt + 2) : atm + 7;
    return strikes.slice(lo, hi).map((k) => ({ strike: k, call: of.find((c) => c.strike === k && c.type === "call"), put: of.find((c) => c.strike === k && c.type === "put"), atm: k === strikes[atm] }));
  }, [chosen, head, live, extra, feed.quote?.last, highlight]);

  // An expiry the socket does not carry: fetch it, and ask the room to stream it from now on.
  useEffect(() => {
    if (!chosen || !head || !live) return;
    if ([...live.values()].some((c) => c.expiration === chosen) || [...extra.values()].some((c) => c.expiration === chosen)) return;
    const ctl = new AbortController();
    api<OptionChain>(`/api/chains/${encodeURIComponent(symbol)}?expiry=${chosen}`, { signal: ctl.signal })
      .then((ch) => {
        setExtra((m) => new Map([...m, ...ch.contracts.map((c) => [c.ticker, c] as const)]));
        const dte = ch.contracts[0]?.dte;
        if (dte !== undefined) onWindow({ minDte: 0, maxDte: Math.max(60, dte) });
      })
      .catch(() => undefined);
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [chosen, head?.asOf === undefined, symbol]);

  return (
    <section className="panel chain" aria-label="Option chain" data-testid="chain">
      <div className="chain-head">
        <h2>
          Option chain{" "}
          <Info>Bid/ask per share; IV annualised from the mid (Black-Scholes-Merton); Δ per $1 of underlying; Γ per $1; Θ dollars per calendar day, per share.</Info>
        </h2>
        <label className="inline">
          Expiry{" "}
          <select value={chosen ?? ""} onChange={(e) => setExpiry(e.target.value)} disabled={!expirations.length}>
            {expirations.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!head ? (
        <p className="muted">Waiting for the chain…</p>
      ) : (
        <div className="scroll">
          <table className="chain-table">
            <caption className="sr-only">
              Calls (left) and puts (right) around the money for {chosen}, as of {clock(head.asOf)}
            </caption>
            <thead>
              <tr>
                <th colSpan={6} scope="colgroup">
                  Calls
                </th>
                <th scope="col">Strike</th>
                <th colSpan={6} scope="colgroup">
                  Puts
                </th>
              </tr>
              <tr>
                <th className="hide-sm" scope="col">Θ</th>
                <th className="hide-sm" scope="col">Γ</th>
                <th scope="col">Δ</th>
                <th scope="col">IV</th>
                <th scope="col">Bid</th>
                <th scope="col">Ask</th>
                <th scope="col" />
                <th scope="col">Bid</th>
                <th scope="col">Ask</th>
                <th scope="col">IV</th>
                <th scope="col">Δ</th>
                <th className="hide-sm" scope="col">Γ</th>
                <th className="hide-sm" scope="col">Θ</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.strike} className={r.atm ? "atm" : undefined}>
                  <ChainSide c={r.call} highlight={highlight} side="call" />
                  <th scope="row" className="strike">
                    {r.strike}
                  </th>
                  <ChainSide c={r.put} highlight={highlight} side="put" />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ChainSide({ c, highlight, side }: { c: OptionContract | undefined; highlight: string | null; side: "call" | "put" }) {
  if (!c) return <td colSpan={6} className="muted">—</td>;
  const g = c.greeks;
  const hl = c.ticker === highlight;
  const cls = hl ? "pick-cell" : undefined;
  const cells = [
    <td key="t" className={`hide-sm ${cls ?? ""}`}>{g ? num(g.theta) : "n/a"}</td>,
    <td key="g" className={`hide-sm ${cls ?? ""}`}>{g ? num(g.gamma, 3) : "n/a"}</td>,
    <td key="d" className={cls}>{g ? num(g.delta) : "n/a"}</td>,
    <td key="iv" className={cls}>{pct(c.iv)}</td>,
    <td key="b" className={cls}>{num(c.bid)}</td>,
    <td key="a" className={cls} data-testid={hl ? "chain-pick" : undefined} aria-label={hl ? `recommended: ask ${num(c.ask)}` : undefined}>
      {num(c.ask)}
    </td>,
  ];
  // Calls read outward from the strike as bid/ask; puts mirror them.
  return <>{side === "call" ? cells : [cells[4], cells[5], cells[3], cells[2], cells[1], cells[0]]}</>;
}

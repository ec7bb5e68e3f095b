/** The signed-in user's watchlist: add, remove, reorder (one PUT of the whole ordered list), live quote per row. */
import { useEffect, useState } from "react";
import type { Watchlist as WatchlistDoc } from "../../schemas";
import { api, ApiProblem } from "../lib/api";
import { money, signedPct } from "../lib/format";
import { useSymbolFeed } from "../lib/use-symbol-feed";
import { FeedBadges } from "./live";

function Row({ symbol, index, count, active, onSelect, onMove, onRemove }: { symbol: string; index: number; count: number; active: boolean; onSelect: () => void; onMove: (d: -1 | 1) => void; onRemove: () => void }) {
  const feed = useSymbolFeed(symbol);
  const q = feed.quote;
  return (
    <li className={active ? "wl-row active" : "wl-row"} data-testid={`watch-${symbol}`}>
      <button type="button" className="link" onClick={onSelect} aria-current={active ? "true" : undefined} aria-label={`Select ${symbol}`}>
        {symbol}
      </button>
      <span className="wl-quote" aria-live="off">
        {q ? (
          <>
            {money(q.last)} <span className={q.change >= 0 ? "up" : "down"}>{signedPct(q.changePct)}</span>
          </>
        ) : (
          "…"
        )}
        <FeedBadges feed={feed} />
      </span>
      <span className="wl-actions">
        <button type="button" className="icon" onClick={() => onMove(-1)} disabled={index === 0} aria-label={`Move ${symbol} up`}>
          ↑
        </button>
        <button type="button" className="icon" onClick={() => onMove(1)} disabled={index === count - 1} aria-label={`Move ${symbol} down`}>
          ↓
        </button>
        <button type="button" className="icon" onClick={onRemove} aria-label={`Remove ${symbol}`}>
          ×
        </button>
      </span>
    </li>
  );
}

export function Watchlist({ signedIn, current, onSelect, onProblem }: { signedIn: boolean; current: string; onSelect: (s: string) => void; onProblem: (p: ApiProblem) => void }) {
  const [symbols, setSymbols] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!signedIn) return;
    api<WatchlistDoc>("/api/watchlist")
      .then((w) => setSymbols(w.symbols))
      .catch((e: unknown) => {
        setSymbols([]);
        if (e instanceof ApiProblem) onProblem(e);
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signedIn]);

  const save = async (next: string[]) => {
    const before = symbols;
    setSymbols(next);
    setError(null);
    try {
      const saved = await api<WatchlistDoc>("/api/watchlist", { method: "PUT", json: { symbols: next } });
      setSymbols(saved.symbols);
    } catch (e) {
      setSymbols(before);
      setError(e instanceof ApiProblem ? e.message : "could not save the watchlist");
      if (e instanceof ApiProblem) onProblem(e);
    }
  };

  if (!signedIn) {
    return (
      <section className="panel watchlist" aria-label="Watchlist">
        <h2>Watchlist</h2>
        <p className="muted">Sign in to keep a watchlist.</p>
      </section>
    );
  }
  const list = symbols ?? [];
  const has = list.includes(current);
  return (
    <section className="panel watchlist" aria-label="Watchlist">
      <h2>Watchlist</h2>
      <button type="button" className="secondary" disabled={!current || has || symbols === null} onClick={() => save([...list, current])}>
        {has ? `${current} is on the list` : `Add ${current || "symbol"}`}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {symbols === null ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="muted">Nothing yet: pick a symbol and add it.</p>
      ) : (
        <ol className="wl">
          {list.map((s, i) => (
            <Row
              key={s}
              symbol={s}
              index={i}
              count={list.length}
              active={s === current}
              onSelect={() => onSelect(s)}
              onRemove={() => save(list.filter((x) => x !== s))}
              onMove={(d) => {
                const next = [...list];
                [next[i], next[i + d]] = [next[i + d], next[i]];
                void save(next);
              }}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * Step 1: the symbol, with autocomplete from the seeded reference table (GET /api/symbols?q=). A WAI-ARIA 1.2
 * combobox: arrows move through the list, Enter picks, Escape closes; the input itself is the form's field.
 */
import { useEffect, useId, useState } from "react";
import type { SymbolMatch, SymbolSearchResult } from "../../schemas";
import { api } from "../lib/api";

export const TICKER_RE = /^[A-Z]{1,5}(\.[A-Z]{1,2})?$/;

export function SymbolSearch({ value, onChange, onPick, error }: { value: string; onChange: (v: string) => void; onPick: (symbol: string) => void; error?: string }) {
  const id = useId();
  const listId = `${id}-list`;
  const [matches, setMatches] = useState<SymbolMatch[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [hint, setHint] = useState<string | null>(null);

  useEffect(() => {
    const q = value.trim();
    if (!open || q === "") return;
    const ctl = new AbortController();
    const t = setTimeout(() => {
      api<SymbolSearchResult>(`/api/symbols?q=${encodeURIComponent(q)}&limit=8`, { signal: ctl.signal })
        .then((r) => {
          setMatches(r.matches);
          setActive(r.matches.length ? 0 : -1);
          setHint(r.matches.length ? null : "No listed symbol matches");
        })
        .catch((e: unknown) => {
          if ((e as Error).name !== "AbortError") setHint((e as Error).message);
        });
    }, 120);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [value, open]);

  const pick = (m: SymbolMatch) => {
    onChange(m.symbol);
    onPick(m.symbol);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(matches.length - 1, a + 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === "Enter") {
      if (open && active >= 0 && matches[active]) {
        e.preventDefault();
        pick(matches[active]);
      } else if (TICKER_RE.test(value.trim().toUpperCase())) {
        onPick(value.trim().toUpperCase());
      }
    } else if (e.key === "Escape") {
      setOpen(false);
    }
  };

  const expanded = open && (matches.length > 0 || hint !== null) && value.trim() !== "";
  return (
    <div className="combo">
      <label htmlFor={`${id}-input`}>Symbol</label>
      <input
        id={`${id}-input`}
        name="symbol"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-err` : undefined}
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => {
          onChange(e.target.value.toUpperCase());
          // Matches of the previous text must not be what Enter picks.
          setMatches([]);
          setActive(-1);
          setHint(null);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          setOpen(false);
          const v = value.trim().toUpperCase();
          if (TICKER_RE.test(v)) onPick(v);
        }}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" aria-label="Matching symbols" className="listbox" hidden={!expanded}>
        {matches.map((m, i) => (
          <li
            key={m.symbol}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? "active" : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              pick(m);
            }}
          >
            <strong>{m.symbol}</strong> <span>{m.name}</span> <small>{m.kind.toUpperCase()} · {m.exchange}</small>
          </li>
        ))}
        {matches.length === 0 && hint && <li className="hint">{hint}</li>}
      </ul>
      {error && (
        <span id={`${id}-err`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

import { useEffect, useRef, useState } from "react";
import type { OptionChain, OptionContract, Quote, ServerMessage } from "../../schemas";

export type FeedState = {
  quote: Quote | null;
  /** The chain head (expirations, rate, ...) and its contracts by ticker; absent when `chain` was not asked for. */
  chain: (Omit<OptionChain, "contracts"> & { contracts: Map<string, OptionContract> }) | null;
  source: Quote["source"] | null;
  stale: boolean;
  message: string | null;
  connection: "connecting" | "open" | "reconnecting";
  /** Seconds until the next reconnect attempt while reconnecting. */
  retryInS: number | null;
  /** Bumped on every message: lets a row flash when its quote moves. */
  ticks: number;
};

const INITIAL: FeedState = { quote: null, chain: null, source: null, stale: false, message: null, connection: "connecting", retryInS: null, ticks: 0 };

/** Reconnect delays: exponential from 500 ms, capped at 15 s, with full jitter (no thundering herd after an outage). */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(15_000, 500 * 2 ** attempt)) + 250;
}

/**
 * The SymbolRoom WebSocket (/ws/symbols/:symbol; the session cookie authenticates it): snapshot, then quotes and
 * chain deltas. Reconnects with backoff; `window` narrows the chain deltas to those days to expiry.
 */
export function useSymbolFeed(symbol: string | null, opts: { chain?: boolean; window?: { minDte: number; maxDte: number } } = {}): FeedState & { send: (msg: unknown) => void } {
  const [state, setState] = useState<FeedState>(INITIAL);
  const socket = useRef<WebSocket | null>(null);
  const wantChain = opts.chain ?? false;
  const windowKey = opts.window ? `${opts.window.minDte}-${opts.window.maxDte}` : "";

  useEffect(() => {
    if (!symbol) return;
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let countdown: ReturnType<typeof setInterval> | undefined;
    let pinger: ReturnType<typeof setInterval> | undefined;
    setState(INITIAL);

    const open = () => {
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${proto}//${location.host}/ws/symbols/${encodeURIComponent(symbol)}`);
      socket.current = ws;
      ws.onopen = () => {
        // Watchlist rows only need quotes: a window of no expiries keeps chain deltas off their sockets.
        const window = wantChain ? (windowKey ? { minDte: Number(windowKey.split("-")[0]), maxDte: Number(windowKey.split("-")[1]) } : null) : { minDte: 0, maxDte: 0 };
        if (window) ws.send(JSON.stringify({ type: "filter", ...window }));
        pinger = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: "ping" })), 25_000);
      };
      ws.onmessage = (e) => {
        let msg: ServerMessage;
        try {
          msg = JSON.parse(String(e.data)) as ServerMessage;
        } catch {
          return;
        }
        setState((s) => reduce(s, msg, wantChain));
        if (msg.type === "snapshot") attempt = 0;
      };
      ws.onclose = () => {
        clearInterval(pinger);
        if (closed) return;
        const delay = backoffMs(attempt++);
        let left = Math.ceil(delay / 1000);
        setState((s) => ({ ...s, connection: "reconnecting", retryInS: left }));
        countdown = setInterval(() => {
          left = Math.max(0, left - 1);
          setState((s) => ({ ...s, retryInS: left }));
        }, 1000);
        timer = setTimeout(() => {
          clearInterval(countdown);
          open();
        }, delay);
      };
    };
    open();
    return () => {
      closed = true;
      clearTimeout(timer);
      clearInterval(countdown);
      clearInterval(pinger);
      socket.current?.close(1000, "done");
      socket.current = null;
    };
  }, [symbol, wantChain, windowKey]);

  return { ...state, send: (msg: unknown) => socket.current?.readyState === WebSocket.OPEN && socket.current.send(JSON.stringify(msg)) };
}

function reduce(s: FeedState, msg: ServerMessage, wantChain: boolean): FeedState {
  switch (msg.type) {
    case "snapshot": {
      const { contracts, ...head } = msg.chain;
      return {
        ...s,
        connection: "open",
        retryInS: null,
        quote: msg.quote,
        chain: wantChain ? { ...head, contracts: new Map(contracts.map((c) => [c.ticker, c])) } : null,
        source: msg.quote.source,
        stale: msg.quote.stale || msg.chain.stale,
        ticks: s.ticks + 1,
      };
    }
    case "quote":
      return { ...s, quote: msg.quote, stale: msg.quote.stale, source: msg.quote.source, ticks: s.ticks + 1 };
    case "chain": {
      if (!s.chain || !wantChain) return s;
      const contracts = new Map(s.chain.contracts);
      for (const c of msg.contracts) contracts.set(c.ticker, c);
      return { ...s, chain: { ...s.chain, contracts, asOf: msg.asOf }, ticks: s.ticks + 1 };
    }
    case "status":
      return { ...s, source: msg.source, stale: msg.stale, message: msg.message ?? null };
    case "error":
      return { ...s, message: msg.error.message };
    default:
      return s;
  }
}

/**
 * Latest-wins coalescing of upstream events between two pushes to the rooms (pure, no clock).
 * Quotes keep only the newest per symbol; an event older than what is held is dropped, so an out-of-order
 * frame can never overwrite newer state. Trades are all kept (volume and last price need every print), bounded
 * per symbol. Aggregates keep the newest version of each window (minute bars are re-sent with corrections).
 */
import type { FeedBar, FeedBatch, FeedQuote, FeedTrade, PolygonEvent } from "../../../schemas/polygon-ws";
import type { Cluster } from "./protocol";

const MAX_TRADES_PER_SYMBOL = 200;

type Bucket = { quotes: Map<string, FeedQuote>; trades: Map<string, FeedTrade[]>; bars: Map<string, FeedBar> };

export class Coalescer {
  #buckets = new Map<string, Bucket>();
  /** Newest quote timestamp ever seen per symbol, across drains: the out-of-order guard. */
  #lastQuoteT = new Map<string, number>();
  dropped = 0;
  accepted = 0;

  /** `route` maps an event symbol to the room (underlying) it belongs to, or null when nobody wants it. */
  constructor(private readonly route: (sym: string) => string | null) {}

  add(e: PolygonEvent): void {
    const room = this.route(e.sym);
    if (room === null) {
      this.dropped++;
      return;
    }
    let b = this.#buckets.get(room);
    if (!b) {
      b = { quotes: new Map(), trades: new Map(), bars: new Map() };
      this.#buckets.set(room, b);
    }
    if (e.ev === "Q") {
      const last = this.#lastQuoteT.get(e.sym) ?? -Infinity;
      if (e.t < last) {
        this.dropped++;
        return;
      }
      this.#lastQuoteT.set(e.sym, e.t);
      b.quotes.set(e.sym, { sym: e.sym, bid: e.bp, ask: e.ap, bidSize: e.bs, askSize: e.as, t: e.t });
    } else if (e.ev === "T") {
      const list = b.trades.get(e.sym) ?? [];
      if (list.length >= MAX_TRADES_PER_SYMBOL) list.shift();
      list.push({ sym: e.sym, price: e.p, size: e.s, t: e.t });
      b.trades.set(e.sym, list);
    } else {
      const key = `${e.sym}|${e.ev}|${e.s}`;
      b.bars.set(key, { sym: e.sym, o: e.o, h: e.h, l: e.l, c: e.c, v: e.v, av: e.av, s: e.s, e: e.e, minute: e.ev === "AM" });
    }
    this.accepted++;
  }

  get pending(): number {
    return this.#buckets.size;
  }

  /** Everything gathered since the last drain, one batch per room. */
  drain(cluster: Cluster, sentAt: number): FeedBatch[] {
    const out: FeedBatch[] = [];
    for (const [underlying, b] of this.#buckets) {
      const trades: FeedTrade[] = [];
      for (const list of b.trades.values()) trades.push(...list);
      trades.sort((x, y) => x.t - y.t);
      out.push({ underlying, cluster, quotes: [...b.quotes.values()], trades, bars: [...b.bars.values()], sentAt });
    }
    this.#buckets.clear();
    return out;
  }

  /** Forgets the ordering guard of symbols no longer subscribed (keeps memory bounded). */
  forget(sym: string): void {
    this.#lastQuoteT.delete(sym);
  }
}

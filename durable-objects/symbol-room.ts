import { DurableObject } from "cloudflare:workers";
import {
  ClientMessage,
  type ChainFilter,
  type MarketSummary,
  type OptionChain,
  type OptionContract,
  type Quote,
  type ServerMessage,
} from "../schemas";
import type { FeedBatch, FeedTrade } from "../schemas/polygon-ws";
import type { PolygonDividend } from "../schemas/polygon-rest";
import { appConfig, marketMode, polygonApiKey, type AppConfig, type MarketMode } from "../workers/config";
import { addDays, newYorkDate } from "../workers/market/calendar";
import { filterContracts, matchesFilter } from "../workers/market/chain-query";
import { DIVIDEND_WINDOW_DAYS, dividendYield } from "../workers/market/dividends";
import { packSnapshot, type PackedSnapshot } from "../workers/market/packed-chain";
import { applyOptionQuote, applyOptionTrades, applyStockQuote, applyStockTrades, remark } from "../workers/market/live-chain";
import { optionTopics, stockTopics } from "../workers/market/polygon/protocol";
import { createPolygonRest, type PolygonRest } from "../workers/market/polygon/rest";
import { contractFromSnapshot, quoteFromRest } from "../workers/market/polygon/snapshot-map";
import { advance, initialState, syntheticChain, syntheticQuote, type SyntheticState } from "../workers/market/synthetic";

type Source = "polygon" | "synthetic";
type Meta = {
  symbol: string;
  source: Source;
  /** Why a room that should be live runs on the synthetic market (Polygon unreachable at bootstrap), if it does. */
  fallbackReason: string | null;
  market: SyntheticState;
  quote: Quote;
  chainAsOf: string;
  underlyingPrice: number;
  lastAccessMs: number;
  /** Last time the live feed delivered anything for this room (ms). */
  lastFeedMs: number | null;
  lastChainPollMs: number;
  registered: boolean;
  /**
   * Live rooms: continuous dividend yield used for IV and Greeks, from Polygon's dividends (workers/market/dividends.ts).
   * Optional because a room stored before it existed loads without it (read as 0, refreshed on the next chain poll).
   */
  dividendYield?: number;
  /** The last dividends request failed: dividendYield is the previous value (0 if none was ever fetched). */
  dividendYieldStale?: boolean;
  /** Last dividends request (ms), successful or not. */
  dividendsCheckedMs?: number;
};
type ChainHead = Omit<OptionChain, "contracts">;
export type RoomOptions = { forceSynthetic?: boolean };
type SocketAttachment = { minDte: number; maxDte: number };

/** Contracts a fresh browser socket receives: the near expiries, where people trade. */
const DEFAULT_SOCKET_WINDOW: SocketAttachment = { minDte: 0, maxDte: 60 };
const TRADE_RING = 500;
const PING = JSON.stringify({ type: "ping" });
const PONG = JSON.stringify({ type: "pong" });
/** Dividends change a few times a year: a live room asks again after a day, or after an hour when the last ask failed. */
const DIVIDEND_REFRESH_MS = 86_400_000;
const DIVIDEND_RETRY_MS = 3_600_000;
type DividendState = Required<Pick<Meta, "dividendYield" | "dividendYieldStale" | "dividendsCheckedMs">>;

/**
 * The per-symbol room: the latest quote and option chain of one underlying, persisted in this object's SQLite
 * storage so an evicted or redeployed room comes back with the same state.
 * - Synthetic (no Polygon key): advances the seeded market on its alarm while someone looks.
 * - Polygon: bootstraps from REST, registers its topics with the MarketFeeds, ingests their coalesced batches
 *   (IV and Greeks re-marked on every quote change), keeps a ring of recent trades, polls the REST chain snapshot
 *   for what the socket does not stream, and flags `stale` when the feed goes quiet. If Polygon cannot be reached it
 *   falls back to the synthetic market, and says so (`source: "synthetic"`). The dividend yield behind IV and Greeks
 *   comes from Polygon's dividends, asked at bootstrap and then at most daily with the chain polls; when that ask
 *   fails the last known yield (0 at first) is kept and the chain says so (`dividendYieldStale: true`).
 * Browser sockets get a snapshot, then coalesced deltas at most every BROWSER_PUSH_MS.
 */
export class SymbolRoom extends DurableObject<Env> {
  #config: AppConfig;
  #mode: MarketMode;
  #meta: Meta | null = null;
  #head: ChainHead | null = null;
  #contracts = new Map<string, OptionContract>();
  #pendingQuote = false;
  #pendingContracts = new Set<string>();
  #lastPushMs = 0;
  #pushTimer: ReturnType<typeof setTimeout> | null = null;
  #lastRemarkSpot = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = appConfig(env);
    this.#mode = marketMode(env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec(
      `CREATE TABLE IF NOT EXISTS contracts (
         ticker TEXT PRIMARY KEY, expiration TEXT NOT NULL, type TEXT NOT NULL, strike REAL NOT NULL, body TEXT NOT NULL)`,
    );
    // Keep-alive pings are answered by the runtime without waking a hibernating room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    sql.exec("CREATE TABLE IF NOT EXISTS trades (seq INTEGER PRIMARY KEY AUTOINCREMENT, sym TEXT NOT NULL, price REAL NOT NULL, size REAL NOT NULL, t INTEGER NOT NULL)");
    this.#load();
  }

  // ------------------------------------------------------------------------------------------------ RPC

  /**
   * Quote and chain (filtered) as of now, the chain packed into columns (market/packed-chain.ts: an RPC answer is
   * a structured clone, and thousands of contract objects clone slowly); unpackSnapshot() restores it.
   * `forceSynthetic`: this room serves the synthetic market (flag off).
   */
  async snapshot(symbol: string, filter: ChainFilter = {}, opts: RoomOptions = {}): Promise<PackedSnapshot> {
    const now = new Date();
    await this.#ensure(symbol, now, opts);
    return packSnapshot({ quote: this.#quoteNow(now), chain: this.#chainNow(now, filter) });
  }

  /** Quote and the size of a chain window: what a first answer needs, without copying thousands of contracts. */
  async summary(symbol: string, filter: ChainFilter = {}, opts: RoomOptions = {}): Promise<MarketSummary> {
    const now = new Date();
    await this.#ensure(symbol, now, opts);
    // Counted in place: the first layer only needs the window's size, not a copy of its contracts.
    let contracts = 0;
    for (const c of this.#contracts.values()) if (matchesFilter(c, filter)) contracts++;
    return { quote: this.#quoteNow(now), expirations: this.#head!.expirations.length, contracts, chainSource: this.#meta!.source, chainStale: this.#isStale(now) };
  }

  /** Quote only: cheap, no chain transfer. */
  async quote(symbol: string, opts: RoomOptions = {}): Promise<Quote> {
    const now = new Date();
    await this.#ensure(symbol, now, opts);
    return this.#quoteNow(now);
  }

  /** The most recent trades streamed for the underlying and its contracts, newest first. */
  recentTrades(limit = 50): FeedTrade[] {
    return this.ctx.storage.sql
      .exec<FeedTrade>("SELECT sym, price, size, t FROM trades ORDER BY seq DESC LIMIT ?", Math.min(Math.max(1, limit), TRADE_RING))
      .toArray();
  }

  /** A coalesced batch from a MarketFeed. Older events than the held state are ignored. */
  async ingest(batch: FeedBatch): Promise<{ quotes: number; contracts: number; trades: number }> {
    const meta = this.#meta;
    if (!meta || meta.source !== "polygon") return { quotes: 0, contracts: 0, trades: 0 };
    const now = new Date();
    meta.lastFeedMs = now.getTime();
    let quotes = 0;
    const changed = new Map<string, OptionContract>();
    const mark = { spot: meta.quote.mid, rate: this.#config.riskFreeRate, dividendYield: meta.dividendYield ?? 0, now };
    if (batch.cluster === "stocks") {
      for (const q of batch.quotes) {
        if (q.sym !== meta.symbol) continue;
        const next = applyStockQuote(meta.quote, q);
        if (next) {
          meta.quote = next;
          quotes++;
        }
      }
      const own = batch.trades.filter((t) => t.sym === meta.symbol);
      if (own.length) meta.quote = applyStockTrades(meta.quote, own);
      for (const b of batch.bars) if (b.sym === meta.symbol && b.minute && b.av !== undefined) meta.quote = { ...meta.quote, volume: Math.max(meta.quote.volume, Math.round(b.av)) };
      if (quotes || own.length) this.#pendingQuote = true;
      mark.spot = meta.quote.mid;
    } else {
      for (const q of batch.quotes) {
        const c = changed.get(q.sym) ?? this.#contracts.get(q.sym);
        if (!c) continue;
        const next = applyOptionQuote(c, q, mark);
        if (next) changed.set(q.sym, next);
      }
      const bySym = new Map<string, FeedTrade[]>();
      for (const t of batch.trades) {
        const list = bySym.get(t.sym);
        if (list) list.push(t);
        else bySym.set(t.sym, [t]);
      }
      for (const [sym, trades] of bySym) {
        const c = changed.get(sym) ?? this.#contracts.get(sym);
        if (c) changed.set(sym, applyOptionTrades(c, trades));
      }
    }
    // Contracts whose own quote or trades changed go to the browsers as deltas.
    for (const t of changed.keys()) this.#pendingContracts.add(t);
    // A moved underlying shifts every Greek: re-mark the whole chain, at most once per re-mark period. Those
    // drifts are stored but not pushed (a browser re-reads the chain on its snapshot): pushing every contract to
    // every socket each period would crowd out the quote deltas people are waiting for.
    if (batch.cluster === "stocks" && Math.abs(mark.spot - this.#lastRemarkSpot) > 1e-9 && now.getTime() - Date.parse(meta.chainAsOf) >= this.#config.chainRemarkMs) {
      for (const c of this.#contracts.values()) changed.set(c.ticker, remark(c, mark));
      this.#lastRemarkSpot = mark.spot;
      meta.chainAsOf = now.toISOString();
      meta.underlyingPrice = mark.spot;
    }
    this.ctx.storage.transactionSync(() => {
      for (const c of changed.values()) {
        this.#contracts.set(c.ticker, c);
        this.ctx.storage.sql.exec("UPDATE contracts SET body = ? WHERE ticker = ?", JSON.stringify(c), c.ticker);
      }
      this.#storeTrades(batch.trades);
      this.#persistMeta();
    });
    this.#schedulePush();
    return { quotes, contracts: changed.size, trades: batch.trades.length };
  }

  /** What this instance holds in memory, without advancing: lets tests compare a reloaded instance. */
  peek(): { meta: Meta | null; contracts: number; chainAsOf: string | null } {
    return { meta: this.#meta, contracts: this.#contracts.size, chainAsOf: this.#head?.asOf ?? null };
  }

  override async alarm(): Promise<void> {
    const meta = this.#meta;
    if (!meta) return;
    const now = new Date();
    if (meta.source === "synthetic") {
      const remarked = this.#advanceSynthetic(now);
      this.#pendingQuote = true;
      if (remarked) for (const t of this.#contracts.keys()) this.#pendingContracts.add(t);
      this.#push();
    } else {
      if (now.getTime() - meta.lastChainPollMs >= this.#config.chainPollMs) await this.#pollChain(now);
      this.#broadcast({ type: "status", source: "polygon", stale: this.#isStale(now) });
    }
    if (this.#mode === "polygon" && meta.fallbackReason && now.getTime() - meta.lastChainPollMs >= this.#config.chainPollMs) {
      await this.#bootstrapPolygon(meta.symbol, now); // try the live market again
    }
    if (this.#isActive()) await this.#scheduleAlarm(now);
    else if (meta.registered) await this.#unregister();
  }

  /** Browser sockets (`/ws/symbols/:symbol`), accepted with the Hibernation API. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const symbol = request.headers.get("X-Symbol") ?? this.#meta?.symbol;
    if (!symbol) return new Response("missing symbol", { status: 400 });
    const now = new Date();
    await this.#ensure(symbol, now, { forceSynthetic: request.headers.get("X-Force-Synthetic") === "1" });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(DEFAULT_SOCKET_WINDOW);
    this.#send(server, { type: "snapshot", quote: this.#quoteNow(now), chain: this.#chainNow(now, DEFAULT_SOCKET_WINDOW) });
    this.#send(server, { type: "status", source: this.#meta!.source, stale: this.#isStale(now), ...(this.#meta!.fallbackReason ? { message: this.#meta!.fallbackReason } : {}) });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    let parsed: ClientMessage;
    try {
      parsed = ClientMessage.parse(JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message)));
    } catch {
      this.#send(ws, { type: "error", error: { code: "invalid_message", message: "expected a ClientMessage JSON" } });
      return;
    }
    if (parsed.type === "ping") this.#send(ws, { type: "pong", at: new Date().toISOString() });
    else
      ws.serializeAttachment({
        minDte: parsed.minDte ?? DEFAULT_SOCKET_WINDOW.minDte,
        maxDte: parsed.maxDte ?? DEFAULT_SOCKET_WINDOW.maxDte,
      } satisfies SocketAttachment);
  }

  /**
   * Completes the closing handshake, echoing the peer's code when it may be sent. 1005 (no code given) and 1006
   * (dropped without a close frame, e.g. a closed browser tab) only report what happened, and close() throws on
   * them; they get 1000. A connection that dropped cannot take a close frame at all: nothing is left to do then.
   */
  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    const sendable = code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    try {
      ws.close(sendable ? code : 1000, "closing");
    } catch {
      // already closed by the runtime (the peer went away without a closing handshake)
    }
  }

  // ------------------------------------------------------------------------------------------------ state

  async #ensure(symbol: string, now: Date, opts: RoomOptions = {}): Promise<void> {
    if (opts.forceSynthetic) this.#mode = "synthetic";
    if (!this.#meta) {
      if (this.#mode === "polygon") await this.#bootstrapPolygon(symbol, now);
      if (!this.#meta) this.#bootstrapSynthetic(symbol, now, this.#mode === "polygon" ? "Polygon unavailable" : null);
    } else if (this.#meta.source === "synthetic") {
      this.#advanceSynthetic(now);
    }
    const meta = this.#meta!;
    meta.lastAccessMs = now.getTime();
    this.#persistMeta();
    if (meta.source === "polygon" && !meta.registered) await this.#register();
    await this.#scheduleAlarm(now);
  }

  #bootstrapSynthetic(symbol: string, now: Date, fallbackReason: string | null): void {
    const market = initialState(symbol, this.#config.marketSeed, now);
    this.#meta = {
      symbol,
      source: "synthetic",
      fallbackReason,
      market,
      quote: syntheticQuote(market, now),
      chainAsOf: "",
      underlyingPrice: market.spot,
      lastAccessMs: now.getTime(),
      lastFeedMs: null,
      lastChainPollMs: now.getTime(),
      registered: false,
    };
    this.#remarkSynthetic(now);
    this.#persistMeta();
  }

  /** Quote and whole chain from REST. On failure the room keeps (or starts) the synthetic market, flagged. */
  async #bootstrapPolygon(symbol: string, now: Date): Promise<void> {
    const rest = this.#rest();
    // Alongside the rest; its failure never fails the bootstrap (the yield falls back, flagged).
    const dividends = this.#requestDividends(rest, symbol, now);
    try {
      const [nbbo, prev, chain] = await Promise.all([
        rest.lastNbbo(symbol),
        rest.previousClose(symbol),
        rest.optionChainSnapshot(symbol, { expirationLte: new Date(now.getTime() + 400 * 86_400_000).toISOString().slice(0, 10) }),
      ]);
      const quote = quoteFromRest(symbol, nbbo, prev);
      const asOf = now.toISOString();
      const prevMeta = this.#meta;
      const div = this.#dividendState(symbol, await dividends, quote.mid, now, prevMeta?.dividendYield ?? 0);
      const mark = { spot: quote.mid, rate: this.#config.riskFreeRate, dividendYield: div.dividendYield, now };
      const contracts: OptionContract[] = [];
      for (const s of chain.results) {
        const c = contractFromSnapshot(s, symbol, asOf);
        if (c) contracts.push(remark(c, mark));
      }
      this.#meta = {
        symbol,
        source: "polygon",
        fallbackReason: null,
        market: prevMeta?.market ?? initialState(symbol, this.#config.marketSeed, now),
        quote,
        chainAsOf: asOf,
        underlyingPrice: quote.mid,
        lastAccessMs: now.getTime(),
        lastFeedMs: now.getTime(),
        lastChainPollMs: now.getTime(),
        registered: false,
        ...div,
      };
      this.#lastRemarkSpot = quote.mid;
      this.#storeChain(
        {
          underlying: symbol,
          underlyingPrice: quote.mid,
          rate: mark.rate,
          dividendYield: mark.dividendYield,
          dividendYieldStale: div.dividendYieldStale,
          expirations: [],
          asOf,
          source: "polygon",
          stale: false,
        },
        contracts,
      );
      if (chain.malformed) console.warn(JSON.stringify({ level: "warn", message: "malformed chain rows skipped", symbol, malformed: chain.malformed }));
    } catch (e) {
      const reason = `Polygon unavailable (${(e as Error).message}); showing the synthetic market`;
      console.warn(JSON.stringify({ level: "warn", message: "polygon bootstrap failed", symbol, error: (e as Error).message }));
      if (this.#meta) {
        this.#meta.fallbackReason = reason;
        this.#meta.lastChainPollMs = now.getTime();
      } else {
        this.#bootstrapSynthetic(symbol, now, reason);
      }
    }
  }

  /** Refreshes open interest, volume and the contracts the socket does not stream from the REST snapshot. */
  async #pollChain(now: Date): Promise<void> {
    const meta = this.#meta!;
    meta.lastChainPollMs = now.getTime();
    try {
      const rest = this.#rest();
      const dividendsDue = now.getTime() - (meta.dividendsCheckedMs ?? 0) >= (meta.dividendYieldStale ? DIVIDEND_RETRY_MS : DIVIDEND_REFRESH_MS);
      const [chain, dividends] = await Promise.all([
        rest.optionChainSnapshot(meta.symbol, { expirationLte: new Date(now.getTime() + 400 * 86_400_000).toISOString().slice(0, 10) }),
        dividendsDue ? this.#requestDividends(rest, meta.symbol, now) : null,
      ]);
      if (dividends !== null) Object.assign(meta, this.#dividendState(meta.symbol, dividends, meta.quote.mid, now, meta.dividendYield ?? 0));
      const mark = { spot: meta.quote.mid, rate: this.#config.riskFreeRate, dividendYield: meta.dividendYield ?? 0, now };
      const moved = new Set<string>();
      const merged: OptionContract[] = [];
      for (const s of chain.results) {
        const fresh = contractFromSnapshot(s, meta.symbol, now.toISOString());
        if (!fresh) continue;
        const held = this.#contracts.get(fresh.ticker);
        // Only what the poll actually changed is pushed to browsers (new contracts, quotes, open interest).
        if (!held || held.bid !== fresh.bid || held.ask !== fresh.ask || held.openInterest !== fresh.openInterest) moved.add(fresh.ticker);
        // The stream is fresher for quotes; the snapshot is the only source of open interest.
        const base = held && Date.parse(held.updatedAt) >= Date.parse(fresh.updatedAt)
          ? { ...held, openInterest: fresh.openInterest, volume: Math.max(held.volume, fresh.volume) }
          : fresh;
        merged.push(remark(base, mark));
      }
      this.#storeChain(
        { ...this.#head!, underlyingPrice: mark.spot, dividendYield: mark.dividendYield, dividendYieldStale: meta.dividendYieldStale ?? false, asOf: now.toISOString() },
        merged,
      );
      meta.chainAsOf = now.toISOString();
      meta.underlyingPrice = mark.spot;
      for (const t of moved) this.#pendingContracts.add(t);
      this.#schedulePush();
      await this.#register(); // the candidate contracts moved with the market
    } catch (e) {
      console.warn(JSON.stringify({ level: "warn", message: "chain poll failed", symbol: meta.symbol, error: (e as Error).message }));
    }
    this.#persistMeta();
  }

  /** The trailing year of dividends, or the error (already free of the key) when the request failed. Never rejects. */
  #requestDividends(rest: PolygonRest, symbol: string, now: Date): Promise<PolygonDividend[] | Error> {
    const from = addDays(newYorkDate(now), -DIVIDEND_WINDOW_DAYS);
    return rest.dividends(symbol, { exDividendDateGte: from }).then(
      (page) => page.results,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
  }

  /**
   * The yield after a dividends request: q from the dividends at `spot`, or, when the request failed, the previous
   * value flagged stale (the chain reports `dividendYieldStale: true`) with a warning in the log.
   */
  #dividendState(symbol: string, result: PolygonDividend[] | Error, spot: number, now: Date, previous: number): DividendState {
    if (result instanceof Error) {
      console.warn(JSON.stringify({ level: "warn", message: "dividends request failed; keeping the previous dividend yield", symbol, dividendYield: previous, error: result.message }));
      return { dividendYield: previous, dividendYieldStale: true, dividendsCheckedMs: now.getTime() };
    }
    return { dividendYield: dividendYield(result, spot, newYorkDate(now)).yield, dividendYieldStale: false, dividendsCheckedMs: now.getTime() };
  }

  /** Tells the feeds what this room needs: the underlying's topics, and its option candidates. */
  async #register(): Promise<void> {
    const meta = this.#meta!;
    const stocks = this.env.MARKET_FEED.get(this.env.MARKET_FEED.idFromName("stocks"));
    const options = this.env.MARKET_FEED.get(this.env.MARKET_FEED.idFromName("options"));
    try {
      await stocks.subscribe("stocks", meta.symbol, stockTopics(meta.symbol));
      await options.setOptionInterest(
        meta.symbol,
        [...this.#contracts.values()].map((c) => ({ ticker: c.ticker, strike: c.strike, spot: meta.quote.mid, dte: c.dte })),
      );
      meta.registered = true;
      this.#persistMeta();
    } catch (e) {
      console.warn(JSON.stringify({ level: "warn", message: "feed registration failed", symbol: meta.symbol, error: (e as Error).message }));
    }
  }

  async #unregister(): Promise<void> {
    const meta = this.#meta!;
    const stocks = this.env.MARKET_FEED.get(this.env.MARKET_FEED.idFromName("stocks"));
    const options = this.env.MARKET_FEED.get(this.env.MARKET_FEED.idFromName("options"));
    await Promise.allSettled([stocks.unsubscribe("stocks", meta.symbol, stockTopics(meta.symbol)), options.setOptionInterest(meta.symbol, [])]);
    meta.registered = false;
    this.#persistMeta();
  }

  /** Moves the synthetic market to `now`; re-marks the chain when it is older than the re-mark period. */
  #advanceSynthetic(now: Date): boolean {
    const meta = this.#meta!;
    if (now.getTime() - meta.market.timeMs >= Math.min(this.#config.tickMs, 250)) {
      meta.market = advance(meta.market, now);
      meta.quote = syntheticQuote(meta.market, now);
    }
    const chainAge = now.getTime() - Date.parse(meta.chainAsOf || "1970-01-01T00:00:00Z");
    const remark = chainAge >= this.#config.chainRemarkMs;
    if (remark) this.#remarkSynthetic(now);
    this.#persistMeta();
    return remark;
  }

  #remarkSynthetic(now: Date): void {
    const meta = this.#meta!;
    const { contracts, ...head } = syntheticChain(meta.market, now, { rate: this.#config.riskFreeRate });
    meta.chainAsOf = head.asOf;
    meta.underlyingPrice = head.underlyingPrice;
    this.#storeChain(head, contracts);
  }

  #storeChain(head: ChainHead, contracts: OptionContract[]): void {
    const expirations = [...new Set(contracts.map((c) => c.expiration))].sort();
    this.#head = { ...head, expirations };
    this.#contracts = new Map(contracts.map((c) => [c.ticker, c]));
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec("DELETE FROM contracts");
      for (const c of contracts) {
        sql.exec("INSERT INTO contracts (ticker, expiration, type, strike, body) VALUES (?, ?, ?, ?, ?)", c.ticker, c.expiration, c.type, c.strike, JSON.stringify(c));
      }
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('chain', ?)", JSON.stringify(this.#head));
    });
  }

  #storeTrades(trades: readonly FeedTrade[]): void {
    if (!trades.length) return;
    const sql = this.ctx.storage.sql;
    for (const t of trades) sql.exec("INSERT INTO trades (sym, price, size, t) VALUES (?, ?, ?, ?)", t.sym, t.price, t.size, t.t);
    sql.exec("DELETE FROM trades WHERE seq <= (SELECT MAX(seq) FROM trades) - ?", TRADE_RING);
  }

  #persistMeta(): void {
    if (this.#meta) this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('room', ?)", JSON.stringify(this.#meta));
  }

  /** Rebuilds memory from storage after an eviction, a deploy or a restart. */
  #load(): void {
    const sql = this.ctx.storage.sql;
    const room = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'room'").toArray()[0];
    const head = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'chain'").toArray()[0];
    if (!room || !head) return;
    this.#meta = JSON.parse(room.value) as Meta;
    this.#head = JSON.parse(head.value) as ChainHead;
    const rows = sql.exec<{ body: string }>("SELECT body FROM contracts ORDER BY expiration, type, strike").toArray();
    this.#contracts = new Map(rows.map((r) => {
      const c = JSON.parse(r.body) as OptionContract;
      return [c.ticker, c];
    }));
    this.#lastRemarkSpot = this.#meta.underlyingPrice;
  }

  #rest() {
    return createPolygonRest({ baseUrl: this.#config.polygonRestUrl, apiKey: polygonApiKey(this.env) ?? "" });
  }

  // ------------------------------------------------------------------------------------------------ reads

  #isActive(): boolean {
    return this.ctx.getWebSockets().length > 0 || Date.now() - (this.#meta?.lastAccessMs ?? 0) < this.#config.roomIdleMs;
  }

  async #scheduleAlarm(now: Date): Promise<void> {
    if (!this.#isActive()) return;
    const every = this.#meta?.source === "polygon" ? Math.min(this.#config.chainPollMs, this.#config.staleAfterMs) : this.#config.tickMs;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now.getTime() + every);
  }

  /** Synthetic data is as fresh as its clock; live data is stale when the feed has been silent past the threshold. */
  #isStale(now: Date): boolean {
    const meta = this.#meta!;
    const last = meta.source === "polygon" ? Math.max(meta.lastFeedMs ?? 0, Date.parse(meta.quote.timestamp)) : Date.parse(meta.quote.timestamp);
    return now.getTime() - last > this.#config.staleAfterMs;
  }

  #quoteNow(now: Date): Quote {
    return { ...this.#meta!.quote, source: this.#meta!.source, stale: this.#isStale(now) };
  }

  #chainNow(now: Date, filter: ChainFilter): OptionChain {
    return { ...this.#head!, source: this.#meta!.source, stale: this.#isStale(now), contracts: filterContracts([...this.#contracts.values()], filter) };
  }

  // ------------------------------------------------------------------------------------------------ browsers

  /** Deltas go out at most every BROWSER_PUSH_MS, whatever the feed rate. */
  #schedulePush(): void {
    if (this.ctx.getWebSockets().length === 0) {
      this.#pendingQuote = false;
      this.#pendingContracts.clear();
      return;
    }
    const wait = this.#lastPushMs + this.#config.browserPushMs - Date.now();
    if (wait <= 0) this.#push();
    else if (!this.#pushTimer) {
      this.#pushTimer = setTimeout(() => {
        this.#pushTimer = null;
        this.#push();
      }, wait);
    }
  }

  #push(): void {
    const sockets = this.ctx.getWebSockets();
    this.#lastPushMs = Date.now();
    if (sockets.length === 0 || !this.#meta) {
      this.#pendingQuote = false;
      this.#pendingContracts.clear();
      return;
    }
    if (this.#pendingQuote) this.#broadcast({ type: "quote", quote: this.#quoteNow(new Date()) });
    if (this.#pendingContracts.size) {
      const changed = [...this.#pendingContracts].map((t) => this.#contracts.get(t)).filter((c): c is OptionContract => !!c);
      const asOf = new Date().toISOString();
      for (const ws of sockets) {
        const window = (ws.deserializeAttachment() as SocketAttachment | null) ?? DEFAULT_SOCKET_WINDOW;
        const mine = filterContracts(changed, window);
        if (mine.length) this.#send(ws, { type: "chain", asOf, contracts: mine });
      }
    }
    this.#pendingQuote = false;
    this.#pendingContracts.clear();
  }

  #send(ws: WebSocket, message: ServerMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // A socket closing under us is not an error of the room.
    }
  }

  #broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        // see #send
      }
    }
  }
}

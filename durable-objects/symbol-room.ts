import { DurableObject } from "cloudflare:workers";
import {
  ClientMessage,
  type ChainFilter,
  type MarketSnapshot,
  type OptionChain,
  type OptionContract,
  type Quote,
  type ServerMessage,
} from "../schemas";
import { appConfig, type AppConfig } from "../workers/config";
import { filterContracts } from "../workers/market/chain-query";
import { advance, initialState, syntheticChain, syntheticQuote, type SyntheticState } from "../workers/market/synthetic";

type Meta = { symbol: string; market: SyntheticState; quote: Quote; chainAsOf: string; underlyingPrice: number; lastAccessMs: number };
type SocketAttachment = { minDte: number; maxDte: number };

/** Contracts a fresh browser socket receives: the near expiries, where people trade. */
const DEFAULT_SOCKET_WINDOW: SocketAttachment = { minDte: 0, maxDte: 60 };

/**
 * The per-symbol room: the latest quote and option chain of one underlying, persisted in this object's SQLite
 * storage so an evicted or redeployed room comes back with the same state. Advances the synthetic market on its
 * alarm while someone is looking (a recent RPC or an open browser socket) and pushes deltas to browsers.
 */
export class SymbolRoom extends DurableObject<Env> {
  #config: AppConfig;
  #meta: Meta | null = null;
  #chain: OptionChain | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = appConfig(env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec(
      `CREATE TABLE IF NOT EXISTS contracts (
         ticker TEXT PRIMARY KEY, expiration TEXT NOT NULL, type TEXT NOT NULL, strike REAL NOT NULL, body TEXT NOT NULL)`,
    );
    this.#load();
  }

  /** Quote and chain (filtered) as of now, advancing the synthetic market first. */
  async snapshot(symbol: string, filter: ChainFilter = {}): Promise<MarketSnapshot> {
    const now = new Date();
    this.#ensure(symbol, now);
    this.#touch(now);
    await this.#schedule();
    const chain = this.#chain!;
    return {
      quote: this.#withStaleness(this.#meta!.quote, now),
      chain: { ...chain, stale: this.#isStale(chain.asOf, now), contracts: filterContracts(chain.contracts, filter) },
    };
  }

  /** Quote only: cheap, no chain transfer. */
  async quote(symbol: string): Promise<Quote> {
    const now = new Date();
    this.#ensure(symbol, now);
    this.#touch(now);
    await this.#schedule();
    return this.#withStaleness(this.#meta!.quote, now);
  }

  /** What this instance holds in memory, without advancing: lets tests compare a reloaded instance. */
  peek(): { meta: Meta | null; contracts: number; chainAsOf: string | null } {
    return { meta: this.#meta, contracts: this.#chain?.contracts.length ?? 0, chainAsOf: this.#chain?.asOf ?? null };
  }

  override async alarm(): Promise<void> {
    if (!this.#meta) return;
    const now = new Date();
    const remarked = this.#advanceTo(now);
    const sockets = this.ctx.getWebSockets();
    if (sockets.length) {
      this.#broadcast(sockets, { type: "quote", quote: this.#meta.quote });
      if (remarked) {
        for (const ws of sockets) {
          const window = (ws.deserializeAttachment() as SocketAttachment | null) ?? DEFAULT_SOCKET_WINDOW;
          this.#send(ws, {
            type: "chain",
            asOf: this.#chain!.asOf,
            contracts: filterContracts(this.#chain!.contracts, window),
          });
        }
      }
    }
    await this.#schedule();
  }

  /** Browser sockets (`/ws/symbols/:symbol`), accepted with the Hibernation API. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const symbol = request.headers.get("X-Symbol") ?? this.#meta?.symbol;
    if (!symbol) return new Response("missing symbol", { status: 400 });
    const now = new Date();
    this.#ensure(symbol, now);
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(DEFAULT_SOCKET_WINDOW);
    const chain = this.#chain!;
    this.#send(server, {
      type: "snapshot",
      quote: this.#withStaleness(this.#meta!.quote, now),
      chain: { ...chain, contracts: filterContracts(chain.contracts, DEFAULT_SOCKET_WINDOW) },
    });
    this.#send(server, { type: "status", source: "synthetic", stale: false });
    await this.#schedule();
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

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closing");
  }

  // ---------------------------------------------------------------------------------------------------------

  #ensure(symbol: string, now: Date): void {
    if (!this.#meta) {
      const market = initialState(symbol, this.#config.marketSeed, now);
      this.#meta = {
        symbol,
        market,
        quote: syntheticQuote(market, now),
        chainAsOf: "",
        underlyingPrice: market.spot,
        lastAccessMs: now.getTime(),
      };
      this.#remark(now);
      this.#persistMeta();
      return;
    }
    this.#advanceTo(now);
  }

  /** Moves the market to `now`; re-marks the chain when it is older than the re-mark period. Returns whether it did. */
  #advanceTo(now: Date): boolean {
    const meta = this.#meta!;
    if (now.getTime() - meta.market.timeMs >= Math.min(this.#config.tickMs, 250)) {
      meta.market = advance(meta.market, now);
      meta.quote = syntheticQuote(meta.market, now);
    }
    const chainAge = now.getTime() - Date.parse(meta.chainAsOf || "1970-01-01T00:00:00Z");
    const remark = chainAge >= this.#config.chainRemarkMs;
    if (remark) this.#remark(now);
    this.#persistMeta();
    return remark;
  }

  #remark(now: Date): void {
    const meta = this.#meta!;
    const chain = syntheticChain(meta.market, now, { rate: this.#config.riskFreeRate });
    this.#chain = chain;
    meta.chainAsOf = chain.asOf;
    meta.underlyingPrice = chain.underlyingPrice;
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec("DELETE FROM contracts");
      for (const c of chain.contracts) {
        sql.exec(
          "INSERT INTO contracts (ticker, expiration, type, strike, body) VALUES (?, ?, ?, ?, ?)",
          c.ticker,
          c.expiration,
          c.type,
          c.strike,
          JSON.stringify(c),
        );
      }
      sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('chain', ?)",
        JSON.stringify({ ...chain, contracts: undefined }),
      );
    });
  }

  #persistMeta(): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('room', ?)", JSON.stringify(this.#meta));
  }

  /** Rebuilds memory from storage after an eviction, a deploy or a restart. */
  #load(): void {
    const sql = this.ctx.storage.sql;
    const room = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'room'").toArray()[0];
    const head = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'chain'").toArray()[0];
    if (!room || !head) return;
    this.#meta = JSON.parse(room.value) as Meta;
    const contracts = sql
      .exec<{ body: string }>("SELECT body FROM contracts ORDER BY expiration, type, strike")
      .toArray()
      .map((r) => JSON.parse(r.body) as OptionContract);
    this.#chain = { ...(JSON.parse(head.value) as Omit<OptionChain, "contracts">), contracts };
  }

  #touch(now: Date): void {
    this.#meta!.lastAccessMs = now.getTime();
  }

  /** Keeps ticking while someone looks; an idle room sleeps and catches up in one exact step when asked again. */
  async #schedule(): Promise<void> {
    const meta = this.#meta;
    if (!meta) return;
    const active = this.ctx.getWebSockets().length > 0 || Date.now() - meta.lastAccessMs < this.#config.roomIdleMs;
    if (!active) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.#config.tickMs);
  }

  #isStale(asOf: string, now: Date): boolean {
    return now.getTime() - Date.parse(asOf) > this.#config.staleAfterMs;
  }

  #withStaleness(quote: Quote, now: Date): Quote {
    return { ...quote, stale: this.#isStale(quote.timestamp, now) };
  }

  #send(ws: WebSocket, message: ServerMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // A socket closing under us is not an error of the room.
    }
  }

  #broadcast(sockets: WebSocket[], message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        // see #send
      }
    }
  }
}

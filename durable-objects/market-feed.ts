import { DurableObject } from "cloudflare:workers";
import type { FeedBatch } from "../schemas/polygon-ws";
import type { MarketEventMessage } from "../schemas/queue";
import { appConfig, marketMode, polygonApiKey, type AppConfig } from "../workers/config";
import { EVICTION_BACKOFF_MS, reconnectDelayMs } from "../workers/market/polygon/backoff";
import { Coalescer } from "../workers/market/polygon/coalesce";
import { authAction, parseAck, parseFrame, topicActions, type Cluster } from "../workers/market/polygon/protocol";
import { selectOptionContracts, type OptionInterest } from "../workers/market/polygon/selection";
import { PRESETS } from "../workers/recommend/presets";
import { hash32 } from "../workers/util/hash";

export type FeedState = "idle" | "connecting" | "authenticating" | "ready" | "backoff" | "evicted" | "fatal";

export type FeedHealth = {
  cluster: string;
  mode: "polygon" | "synthetic";
  state: FeedState;
  connected: boolean;
  authenticated: boolean;
  lastMessageAgeMs: number | null;
  subscriptions: number;
  acknowledged: number;
  counters: FeedCounters;
  lastError: string | null;
  nextAttemptAt: string | null;
  detail: string;
};

type FeedCounters = { frames: number; events: number; malformed: number; dropped: number; reconnects: number; batches: number; archived: number };

/** A frame bigger than a queue message (128 KB) is split into several valid JSON arrays. */
const MAX_ARCHIVE_CHARS = 100_000;
const WATCHDOG_MS = 30_000;

/**
 * One per Polygon cluster (stocks, options): holds the ONE upstream WebSocket the account is allowed, keeps the
 * subscription reference counts (topic x room) in SQLite, re-subscribes after reconnects, reconnects with
 * exponential backoff and jitter, stops on auth_failed until the configuration changes, steps back for a minute
 * after a max_connections eviction, and revives from an alarm watchdog after an eviction or a deploy.
 * Events are coalesced latest-wins and pushed to the SymbolRooms every FEED_FLUSH_MS; every raw frame goes to
 * the MARKET_EVENTS queue for the R2 archive.
 */
export class MarketFeed extends DurableObject<Env> {
  #config: AppConfig;
  #cluster: Cluster | null = null;
  #ws: WebSocket | null = null;
  #state: FeedState = "idle";
  #attempt = 0;
  #lastMessageAt: number | null = null;
  #lastError: string | null = null;
  #nextAttemptAt: number | null = null;
  #acked = new Set<string>();
  #counters: FeedCounters = { frames: 0, events: 0, malformed: 0, dropped: 0, reconnects: 0, batches: 0, archived: 0 };
  #coalescer: Coalescer;
  #routes = new Map<string, string>();
  #archive: MarketEventMessage[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = appConfig(env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS topic_refs (topic TEXT NOT NULL, room TEXT NOT NULL, PRIMARY KEY (topic, room))");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS option_interest (ticker TEXT PRIMARY KEY, room TEXT NOT NULL, strike REAL NOT NULL, spot REAL NOT NULL, dte INTEGER NOT NULL)",
    );
    this.#cluster = (this.#meta("cluster") as Cluster | null) ?? null;
    const fatal = this.#meta("fatal");
    if (fatal && fatal === this.#fingerprint()) {
      this.#state = "fatal";
      this.#lastError = this.#meta("fatal_reason");
    }
    this.#coalescer = new Coalescer((sym) => this.#routes.get(sym) ?? null);
    this.#loadRoutes();
    // A new instance (after an eviction, a deploy or a crash) with subscriptions to serve reconnects at once,
    // whatever woke it; the alarm watchdog covers the case where nothing does.
    if (this.#routes.size > 0 && marketMode(env) === "polygon" && this.#state === "idle") {
      ctx.waitUntil(this.#open());
    }
  }

  // ------------------------------------------------------------------------------------------------ RPC

  /** A room wants `topics` (e.g. Q.SPY) from `cluster`. Returns the reference count of each topic. */
  subscribe(cluster: Cluster, room: string, topics: string[]): Promise<Record<string, number>> {
    return this.#changeRefs(cluster, topics, (t) => this.ctx.storage.sql.exec("INSERT OR IGNORE INTO topic_refs (topic, room) VALUES (?, ?)", t, room));
  }

  /** A room no longer wants `topics`; the upstream subscription goes when the last room lets go. */
  unsubscribe(cluster: Cluster, room: string, topics: string[]): Promise<Record<string, number>> {
    return this.#changeRefs(cluster, topics, (t) => this.ctx.storage.sql.exec("DELETE FROM topic_refs WHERE topic = ? AND room = ?", t, room));
  }

  /** Applies a room's reference change per topic, then brings the upstream subscriptions in line with the refs. */
  async #changeRefs(cluster: Cluster, topics: string[], change: (topic: string) => void): Promise<Record<string, number>> {
    this.#setCluster(cluster);
    const before = new Set(this.#activeTopics());
    for (const t of topics) change(t);
    this.#loadRoutes();
    await this.#reconcile(before);
    return this.#refCounts(topics);
  }

  /**
   * Options cluster: a room's candidate contracts. The feed keeps quote subscriptions on at most 1,000 contracts
   * across all rooms, nearest the money inside the presets' DTE windows.
   */
  async setOptionInterest(room: string, contracts: Array<Omit<OptionInterest, "room">>): Promise<{ selected: number; total: number }> {
    this.#setCluster("options");
    const sql = this.ctx.storage.sql;
    const before = new Set(this.#activeTopics());
    this.ctx.storage.transactionSync(() => {
      sql.exec("DELETE FROM option_interest WHERE room = ?", room);
      for (const c of contracts) {
        sql.exec("INSERT OR REPLACE INTO option_interest (ticker, room, strike, spot, dte) VALUES (?, ?, ?, ?, ?)", c.ticker, room, c.strike, c.spot, c.dte);
      }
      const all = sql.exec<OptionInterest>("SELECT ticker, room, strike, spot, dte FROM option_interest").toArray();
      const windows = Object.values(PRESETS).map((p) => ({ minDte: p.minDte, maxDte: p.maxDte }));
      const chosen = selectOptionContracts(all, windows);
      const roomOf = new Map(all.map((c) => [c.ticker, c.room]));
      sql.exec("DELETE FROM topic_refs WHERE topic LIKE 'Q.O:%' OR topic LIKE 'T.O:%'");
      for (const t of chosen) {
        sql.exec("INSERT OR IGNORE INTO topic_refs (topic, room) VALUES (?, ?)", `Q.${t}`, roomOf.get(t)!);
        sql.exec("INSERT OR IGNORE INTO topic_refs (topic, room) VALUES (?, ?)", `T.${t}`, roomOf.get(t)!);
      }
    });
    this.#loadRoutes();
    await this.#reconcile(before);
    const selected = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topic_refs WHERE topic LIKE 'Q.O:%' AND room = ?", room).one().n;
    return { selected, total: this.#activeTopics().filter((t) => t.startsWith("Q.O:")).length };
  }

  health(cluster: string): FeedHealth {
    if (!this.#cluster && (cluster === "stocks" || cluster === "options")) this.#setCluster(cluster);
    const mode = marketMode(this.env);
    const topics = this.#activeTopics();
    const detail =
      mode === "synthetic"
        ? "synthetic market: no upstream socket needed"
        : this.#state === "fatal"
          ? "authentication failed: fix POLYGON_API_KEY (the feed retries once the configuration changes)"
          : this.#state === "evicted"
            ? "another connection took this account's slot (max_connections): waiting before reconnecting"
            : `${this.#state}`;
    return {
      cluster,
      mode,
      state: this.#state,
      connected: this.#ws !== null && this.#state !== "connecting",
      authenticated: this.#state === "ready",
      lastMessageAgeMs: this.#lastMessageAt === null ? null : Date.now() - this.#lastMessageAt,
      subscriptions: topics.length,
      acknowledged: this.#acked.size,
      counters: { ...this.#counters, dropped: this.#coalescer.dropped },
      lastError: this.#lastError,
      nextAttemptAt: this.#nextAttemptAt ? new Date(this.#nextAttemptAt).toISOString() : null,
      detail,
    };
  }

  /** Test and operations hook: the topics with at least one reference. */
  topics(): string[] {
    return this.#activeTopics();
  }

  /** Closes the upstream socket as a network fault would (tests, operations): the feed reconnects by itself. */
  dropConnection(): void {
    this.#ws?.close(1012, "dropped by operator");
  }

  /** Watchdog: brings the socket back after an eviction, a deploy or a crash while any room still wants data. */
  override async alarm(): Promise<void> {
    if (this.#activeTopics().length === 0 || marketMode(this.env) !== "polygon") return;
    if (this.#state === "fatal" && this.#meta("fatal") !== this.#fingerprint()) this.#clearFatal();
    if (!this.#ws && this.#state !== "fatal" && (this.#nextAttemptAt === null || Date.now() >= this.#nextAttemptAt)) {
      await this.#open();
    }
    await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
  }

  // ------------------------------------------------------------------------------------------------ socket

  async #reconcile(before: Set<string>): Promise<void> {
    if (marketMode(this.env) !== "polygon") return;
    const now = new Set(this.#activeTopics());
    if (now.size > 0 && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
    if (this.#state === "fatal" && this.#meta("fatal") !== this.#fingerprint()) this.#clearFatal();
    if (!this.#ws) {
      if (now.size > 0 && this.#state !== "fatal" && this.#state !== "evicted" && this.#state !== "backoff") await this.#open();
      return;
    }
    if (this.#state !== "ready") return; // the full list goes out on auth_success
    const added = [...now].filter((t) => !before.has(t));
    const removed = [...before].filter((t) => !now.has(t));
    for (const a of topicActions("subscribe", added)) this.#send(a);
    for (const a of topicActions("unsubscribe", removed)) this.#send(a);
    for (const t of removed) {
      this.#acked.delete(t);
      const ticker = t.slice(t.indexOf(".") + 1);
      if (!now.has(`Q.${ticker}`)) this.#coalescer.forget(ticker);
    }
    if (now.size === 0) this.#ws?.close(1000, "no subscriptions");
  }

  #opening: Promise<void> | null = null;

  /** Opens the socket once: concurrent callers (constructor, RPC, alarm, timer) share the same attempt. */
  #open(): Promise<void> {
    if (this.#ws || !this.#cluster) return Promise.resolve();
    this.#opening ??= this.#dial().finally(() => {
      this.#opening = null;
    });
    return this.#opening;
  }

  async #dial(): Promise<void> {
    const key = polygonApiKey(this.env);
    if (!key) return;
    this.#state = "connecting";
    this.#nextAttemptAt = null;
    const url = `${this.#config.polygonWsUrl.replace(/\/+$/, "")}/${this.#cluster}`;
    try {
      const res = await fetch(url.replace(/^ws/, "http"), { headers: { Upgrade: "websocket" } });
      const ws = res.webSocket;
      if (!ws) throw new Error(`upgrade refused: HTTP ${res.status}`);
      ws.accept();
      this.#ws = ws;
      this.#state = "authenticating";
      this.#acked.clear();
      ws.addEventListener("message", (ev) => {
        if (this.#ws !== ws) return; // a late frame of a socket we already replaced
        this.#onFrame(typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer));
      });
      ws.addEventListener("close", (ev) => this.#onClose(ws, ev.code, ev.reason));
      ws.addEventListener("error", () => this.#onClose(ws, 1006, "socket error"));
      // The server greets with `connected`; some servers accept auth at once (protocol §1.2), so send it now.
      this.#send(authAction(key));
    } catch (e) {
      this.#lastError = `connect failed: ${(e as Error).message}`;
      this.#ws = null;
      this.#scheduleReconnect();
    }
  }

  #onFrame(text: string): void {
    this.#lastMessageAt = Date.now();
    this.#counters.frames++;
    this.#queueArchive(text);
    const parsed = parseFrame(text);
    this.#counters.malformed += parsed.malformed;
    for (const s of parsed.statuses) this.#onStatus(s.status, s.message);
    for (const e of parsed.events) this.#coalescer.add(e);
    this.#counters.events += parsed.events.length;
    this.#armFlush();
  }

  #onStatus(status: string, message: string | undefined): void {
    switch (status) {
      case "connected":
        return;
      case "auth_success": {
        this.#state = "ready";
        this.#attempt = 0;
        this.#lastError = null;
        for (const a of topicActions("subscribe", this.#activeTopics())) this.#send(a);
        return;
      }
      case "auth_failed": {
        // Fatal: retrying a bad key in a loop only gets the account flagged. Remembered until the key or URL changes.
        this.#state = "fatal";
        this.#lastError = `auth_failed: ${message ?? ""}`.trim();
        this.#setMeta("fatal", this.#fingerprint());
        this.#setMeta("fatal_reason", this.#lastError);
        this.#ws?.close(1000, "auth failed");
        return;
      }
      case "max_connections": {
        // Another client owns the account's slot; fighting it makes both flap. Step back, the watchdog retries later.
        this.#state = "evicted";
        this.#lastError = `max_connections: ${message ?? ""}`.trim();
        this.#nextAttemptAt = Date.now() + EVICTION_BACKOFF_MS;
        return;
      }
      case "success": {
        const ack = parseAck(message);
        if (ack?.subscribed) this.#acked.add(ack.topic);
        else if (ack) this.#acked.delete(ack.topic);
        return;
      }
      case "auth_required":
        this.#lastError = "auth_required: subscribed before authentication";
        return;
      case "error":
        this.#lastError = `error: ${message ?? ""}`.trim();
        return;
      default:
        // auth_timeout, force_disconnect, slow_consumer: the server closes; we reconnect with backoff.
        this.#lastError = `${status}: ${message ?? ""}`.trim();
    }
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.#ws !== ws) return;
    this.#ws = null;
    this.#acked.clear();
    if (this.#state === "fatal") return;
    if (this.#state !== "evicted") {
      this.#lastError ??= `closed ${code} ${reason}`.trim();
      this.#scheduleReconnect();
    } else {
      this.#scheduleReconnectAt(this.#nextAttemptAt ?? Date.now() + EVICTION_BACKOFF_MS);
    }
    void this.#flush();
  }

  #scheduleReconnect(): void {
    const delay = reconnectDelayMs(this.#attempt++, Math.random(), { baseMs: this.#config.feedReconnectBaseMs });
    this.#state = "backoff";
    this.#scheduleReconnectAt(Date.now() + delay);
  }

  #scheduleReconnectAt(at: number): void {
    this.#nextAttemptAt = at;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#ws || this.#state === "fatal" || this.#activeTopics().length === 0) return;
      this.#counters.reconnects++;
      void this.#open();
    }, Math.max(0, at - Date.now()));
  }

  #send(action: object): void {
    try {
      this.#ws?.send(JSON.stringify(action));
    } catch (e) {
      this.#lastError = `send failed: ${(e as Error).message}`;
    }
  }

  // ------------------------------------------------------------------------------------------------ fan-out

  #armFlush(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      void this.#flush();
    }, this.#config.feedFlushMs);
  }

  /** Pushes the coalesced batches to the rooms and the raw frames to the queue. One flush at a time. */
  async #flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    this.#flushing = (async () => {
      try {
        const cluster = this.#cluster ?? "stocks";
        const batches: FeedBatch[] = this.#coalescer.drain(cluster, Date.now());
        const frames = this.#archive.splice(0);
        await Promise.allSettled([
          ...batches.map((b) => this.env.SYMBOL_ROOM.get(this.env.SYMBOL_ROOM.idFromName(b.underlying)).ingest(b)),
          this.#sendArchive(frames),
        ]);
        this.#counters.batches += batches.length;
      } finally {
        this.#flushing = null;
      }
      if (this.#coalescer.pending > 0 || this.#archive.length > 0) this.#armFlush();
    })();
    return this.#flushing;
  }

  #queueArchive(text: string): void {
    const cluster = this.#cluster ?? "stocks";
    const receivedAt = new Date().toISOString();
    if (text.length <= MAX_ARCHIVE_CHARS) {
      this.#archive.push({ cluster, receivedAt, frame: text });
      return;
    }
    // Split a huge array frame into valid smaller arrays; a huge non-array frame is cut into raw pieces.
    let items: unknown[] | null = null;
    try {
      const raw = JSON.parse(text);
      if (Array.isArray(raw)) items = raw;
    } catch {
      items = null;
    }
    if (!items) {
      for (let i = 0; i < text.length; i += MAX_ARCHIVE_CHARS) this.#archive.push({ cluster, receivedAt, frame: text.slice(i, i + MAX_ARCHIVE_CHARS) });
      return;
    }
    let chunk: string[] = [];
    let size = 2;
    for (const item of items) {
      const s = JSON.stringify(item);
      if (chunk.length && size + s.length + 1 > MAX_ARCHIVE_CHARS) {
        this.#archive.push({ cluster, receivedAt, frame: `[${chunk.join(",")}]` });
        chunk = [];
        size = 2;
      }
      chunk.push(s);
      size += s.length + 1;
    }
    if (chunk.length) this.#archive.push({ cluster, receivedAt, frame: `[${chunk.join(",")}]` });
  }

  async #sendArchive(frames: MarketEventMessage[]): Promise<void> {
    for (let i = 0; i < frames.length; ) {
      // A queue batch holds at most 100 messages and 256 KB.
      const batch: MarketEventMessage[] = [];
      let bytes = 0;
      while (i < frames.length && batch.length < 100 && bytes + frames[i].frame.length < 240_000) {
        bytes += frames[i].frame.length + 100;
        batch.push(frames[i++]);
      }
      if (batch.length === 0) batch.push(frames[i++]);
      try {
        await this.env.MARKET_EVENTS.sendBatch(batch.map((body) => ({ body })));
        this.#counters.archived += batch.length;
      } catch (e) {
        this.#lastError = `archive send failed: ${(e as Error).message}`;
        this.#archive.unshift(...batch); // keep them for the next flush: nothing received is lost
        return;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ storage

  #activeTopics(): string[] {
    return this.ctx.storage.sql.exec<{ topic: string }>("SELECT DISTINCT topic FROM topic_refs ORDER BY topic").toArray().map((r) => r.topic);
  }

  #refCounts(topics: string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of topics) out[t] = this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topic_refs WHERE topic = ?", t).one().n;
    return out;
  }

  /** Event symbol -> room, from the topic references (Q.O:SPY... belongs to the room that asked for it). */
  #loadRoutes(): void {
    this.#routes.clear();
    for (const r of this.ctx.storage.sql.exec<{ topic: string; room: string }>("SELECT topic, room FROM topic_refs").toArray()) {
      this.#routes.set(r.topic.slice(r.topic.indexOf(".") + 1), r.room);
    }
  }

  #setCluster(cluster: Cluster): void {
    if (this.#cluster === cluster) return;
    this.#cluster = cluster;
    this.#setMeta("cluster", cluster);
  }

  #meta(key: string): string | null {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  #setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  #clearFatal(): void {
    this.ctx.storage.sql.exec("DELETE FROM meta WHERE key IN ('fatal', 'fatal_reason')");
    this.#state = "idle";
    this.#lastError = null;
  }

  /** Identifies the configuration an auth failure belongs to, without storing the key itself. */
  #fingerprint(): string {
    return hash32(`${polygonApiKey(this.env) ?? ""}|${this.#config.polygonWsUrl}`).toString(16);
  }
}

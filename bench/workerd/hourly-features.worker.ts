// Bench worker: the hourly feature job over N watched symbols with real (Miniflare) D1 and KV.
// POST /setup?n=500 applies the migrations (body: SQL statements as a JSON array) and writes one IV, RV and
// liquidity row per symbol; POST /run runs the job once.
import { hourlyFeatures } from "../../workers/features/hourly";

type BenchEnv = Env;

export default {
  async fetch(req: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/setup") {
      const statements = (await req.json()) as string[];
      for (const s of statements) await env.DB.prepare(s).run();
      const n = Number(url.searchParams.get("n") ?? 500);
      const sym = (i: number) => "S" + String.fromCharCode(65 + (i % 26), 65 + ((i / 26) | 0) % 26, 65 + ((i / 676) | 0) % 26);
      const stmts: D1PreparedStatement[] = [];
      for (let i = 0; i < n; i++) {
        const s = sym(i);
        stmts.push(env.DB.prepare("INSERT OR IGNORE INTO watchlist_items (user_id, symbol, position, added_at) VALUES (?, ?, ?, ?)").bind(`u${i % 50}`, s, i, "2026-11-30T00:00:00.000Z"));
        for (let d = 0; d < 3; d++) {
          const date = `2026-11-2${d}`;
          stmts.push(env.DB.prepare("INSERT OR IGNORE INTO atm_iv_history (symbol, date, iv, iv_rank, iv_percentile, source) VALUES (?, ?, ?, ?, ?, 'synthetic')").bind(s, date, 0.2 + d / 100, 40 + d, 50 + d));
          stmts.push(env.DB.prepare("INSERT OR IGNORE INTO realized_vol (symbol, date, cc20, cc60, parkinson20, yang_zhang20, trend_score, source) VALUES (?, ?, ?, ?, ?, ?, ?, 'synthetic')").bind(s, date, 0.18, 0.2, 0.17, 0.19, 0.3));
        }
        stmts.push(env.DB.prepare("INSERT OR IGNORE INTO liquidity_by_underlying (symbol, as_of, contracts, quoted_share, median_spread_pct, atm_spread_pct, total_open_interest, total_volume, source) VALUES (?, ?, 400, 0.95, 0.04, 0.02, 100000, 20000, 'synthetic')").bind(s, "2026-11-30T21:00:00.000Z"));
      }
      for (let i = 0; i < stmts.length; i += 500) await env.DB.batch(stmts.slice(i, i + 500));
      return new Response("ok");
    }
    if (url.pathname === "/run") {
      const at = new Date(url.searchParams.get("at") ?? "2026-12-01T15:00:00.000Z");
      return new Response(await hourlyFeatures(env, at));
    }
    return new Response("not found", { status: 404 });
  },
};

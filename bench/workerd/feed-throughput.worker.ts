// Runs inside workerd (bundled by bench/market.ts): the MarketFeed hot path, parse + coalesce, on frames built
// beforehand. workerd's clocks do not advance during synchronous work, so the timing is taken outside, in Node.
import { Coalescer } from "../../workers/market/polygon/coalesce";
import { parseFrame } from "../../workers/market/polygon/protocol";

let frames: string[] = [];

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/prepare") {
      frames = (await request.json()) as string[];
      return new Response(String(frames.length));
    }
    const rounds = Number(url.searchParams.get("rounds") ?? "1");
    let events = 0;
    let malformed = 0;
    for (let r = 0; r < rounds; r++) {
      const c = new Coalescer((sym) => (sym.startsWith("O:SPY") ? "SPY" : null));
      for (const f of frames) {
        const p = parseFrame(f);
        malformed += p.malformed;
        for (const e of p.events) c.add(e);
        events += p.events.length;
      }
      c.drain("options", 0);
    }
    return Response.json({ events, malformed });
  },
};

import { MarketEventMessage } from "../../schemas";

/** R2 key of an archive object: raw/<cluster>/<yyyy>/<mm>/<dd>/<hh>/<first message id>.ndjson.gz (UTC). */
export function archiveKey(cluster: string, receivedAt: string, firstId: string): string {
  const [yyyy, mm, dd, hh] = new Date(receivedAt).toISOString().split(/[-T:]/);
  return `raw/${cluster}/${yyyy}/${mm}/${dd}/${hh}/${firstId.replace(/[^\w-]/g, "_")}.ndjson.gz`;
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

/**
 * Queue consumer: writes each batch as gzip-compressed NDJSON, one object per (cluster, hour). Malformed messages
 * are acknowledged and counted (retrying cannot fix them); a failed R2 write retries the whole group.
 */
export async function archiveBatch(batch: MessageBatch<unknown>, bucket: R2Bucket): Promise<{ written: string[]; malformed: number }> {
  const groups = new Map<string, { messages: Message<unknown>[]; lines: string[]; first: MarketEventMessage; firstId: string }>();
  let malformed = 0;
  for (const msg of batch.messages) {
    const parsed = MarketEventMessage.safeParse(msg.body);
    if (!parsed.success) {
      malformed++;
      msg.ack();
      continue;
    }
    const ev = parsed.data;
    const group = `${ev.cluster}/${ev.receivedAt.slice(0, 13)}`;
    const g = groups.get(group) ?? { messages: [], lines: [], first: ev, firstId: msg.id };
    g.messages.push(msg);
    g.lines.push(JSON.stringify(ev));
    groups.set(group, g);
  }
  const written: string[] = [];
  for (const g of groups.values()) {
    const key = archiveKey(g.first.cluster, g.first.receivedAt, g.firstId);
    try {
      await bucket.put(key, await gzip(g.lines.join("\n") + "\n"), {
        httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" },
        customMetadata: { count: String(g.lines.length) },
      });
      for (const m of g.messages) m.ack();
      written.push(key);
    } catch (e) {
      console.error(JSON.stringify({ level: "error", message: "archive write failed", key, error: String(e) }));
      for (const m of g.messages) m.retry();
    }
  }
  if (malformed) console.warn(JSON.stringify({ level: "warn", message: "malformed market events skipped", malformed }));
  return { written, malformed };
}

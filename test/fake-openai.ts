/**
 * A fake OpenAI-compatible chat-completions server, as a fetch handler (runs inside workerd as the provider's
 * outbound fetch, and behind a Node HTTP server if ever needed). It speaks the real wire format (POST
 * /v1/chat/completions, Bearer auth, `choices[0].message.content`) and answers from the context bundle the
 * provider sent, so a scenario can be faithful or misbehave in one precise way.
 */
import type { ContextBundle } from "../schemas";

export type Scenario =
  | "faithful"
  | "invented-number"
  | "unknown-ticker"
  | "banned-claim"
  | "invalid-json"
  | "schema-violation"
  | "no-disclaimer"
  | "bad-citation"
  | "fenced-json"
  | "slow"
  | "http-500";

export type FakeRequest = { model: string; temperature: number; messages: Array<{ role: string; content: string }>; response_format?: { type: string } };

/** A rationale written only from the bundle's facts (what an obedient LLM would do). */
function faithful(b: ContextBundle) {
  const f = (key: string) => b.facts.find((x) => x.id === `fact:${key}`);
  const val = (key: string) => String(f(key)?.value);
  return {
    summary: `Consider ${val("sizing.contracts")} ${val("candidates.ticker")} at an ask of ${val("candidates.ask")} per share.`,
    sections: [
      { layer: "market", text: `${b.symbol} trades at ${val("market.spot")}.`, citations: ["fact:market.spot"] },
      { layer: "sizing", text: `Breakeven is ${val("sizing.breakeven")}; the most at risk is ${val("sizing.max_loss")} dollars.`, citations: ["fact:sizing.breakeven", "fact:sizing.max_loss"] },
    ],
    risks: ["The option can expire worthless and the whole premium be lost."],
    disclaimer: b.disclaimer,
  };
}

export function fakeOpenAi(scenario: Scenario, opts: { apiKey?: string; delayMs?: number } = {}) {
  const requests: FakeRequest[] = [];
  const handler = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") return Response.json({ error: { message: "not found" } }, { status: 404 });
    if (req.headers.get("authorization") !== `Bearer ${opts.apiKey ?? "sk-test"}`) return Response.json({ error: { message: "Incorrect API key provided", type: "invalid_request_error" } }, { status: 401 });
    const body = (await req.json()) as FakeRequest;
    requests.push(body);
    const bundle = JSON.parse(body.messages.find((m) => m.role === "user")!.content) as ContextBundle;
    if (scenario === "http-500") return Response.json({ error: { message: "The server had an error while processing your request." } }, { status: 500 });
    if (scenario === "slow") {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, opts.delayMs ?? 5000);
        init?.signal?.addEventListener("abort", () => {
          clearTimeout(t);
          reject(new DOMException("The operation was aborted", "AbortError"));
        });
      });
    }
    const doc = faithful(bundle) as ReturnType<typeof faithful> & Record<string, unknown>;
    let content: string;
    switch (scenario) {
      case "invented-number":
        doc.summary += " Analysts see a target of $987.65 by expiry.";
        content = JSON.stringify(doc);
        break;
      case "unknown-ticker":
        doc.sections[0].text += " It tracks XYZQ closely.";
        content = JSON.stringify(doc);
        break;
      case "banned-claim":
        doc.risks = ["This trade is guaranteed to make money."];
        content = JSON.stringify(doc);
        break;
      case "invalid-json":
        content = `Sure! Here is the rationale: {summary: "${doc.summary}"`;
        break;
      case "schema-violation":
        content = JSON.stringify({ summary: doc.summary, disclaimer: doc.disclaimer });
        break;
      case "no-disclaimer":
        content = JSON.stringify({ ...doc, disclaimer: "" });
        break;
      case "bad-citation":
        doc.sections[0].citations = ["fact:market.moon_phase"];
        content = JSON.stringify(doc);
        break;
      case "fenced-json":
        content = "```json\n" + JSON.stringify(doc) + "\n```";
        break;
      default:
        content = JSON.stringify(doc);
    }
    return Response.json({
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: 1764460800,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  };
  return { fetch: handler as typeof fetch, requests };
}

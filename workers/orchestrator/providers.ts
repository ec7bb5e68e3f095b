/**
 * Rationale providers behind one interface. `generate` returns the provider's raw text; it is never trusted:
 * the guard rails (guardrails.ts) decide whether it is shown.
 *  - template: no network, deterministic (writeRationale uses the template's text directly).
 *  - openai: any OpenAI-compatible chat-completions endpoint (LLM_BASE_URL, LLM_API_KEY, LLM_MODEL).
 *  - workers-ai: the AI binding, when the Worker has one (no local mode: optional).
 */
import type { ContextBundle } from "../../schemas";

export type RationaleProvider = {
  name: "template" | "openai" | "workers-ai";
  model: string;
  generate(bundle: ContextBundle, signal: AbortSignal): Promise<string>;
};

export const templateProvider: RationaleProvider = {
  name: "template",
  model: "template",
  generate: async () => {
    throw new Error("the template provider writes through writeRationale");
  },
};

/** The instructions every LLM gets: the bundle is the only source, the answer is one JSON document. */
export function systemPrompt(): string {
  return [
    "You explain an options trade recommendation to a retail investor. You are given a JSON context bundle: facts (each with an id) and passages.",
    "Answer with ONE JSON object and nothing else: {\"summary\": string, \"sections\": [{\"layer\": one of market|analytics|signals|candidates|score|sizing, \"text\": string, \"citations\": [ids]}], \"risks\": [string], \"disclaimer\": string}.",
    "Rules: use only numbers, dates and tickers that appear in the bundle, written as they appear or rounded; never compute new figures.",
    "Every section cites at least one fact or passage id from the bundle. Never promise profit or safety (no guaranteed, risk-free, can't lose).",
    "Copy the bundle's disclaimer exactly into \"disclaimer\".",
  ].join("\n");
}

export function userPrompt(b: ContextBundle): string {
  return JSON.stringify(b);
}

export type OpenAiOptions = { baseUrl: string; apiKey: string; model: string; fetch?: typeof fetch };

/** An OpenAI-compatible chat completions client (temperature 0, JSON response format). */
export function openAiProvider(o: OpenAiOptions): RationaleProvider {
  const doFetch = o.fetch ?? ((input, init) => fetch(input, init));
  const url = `${o.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  return {
    name: "openai",
    model: o.model,
    async generate(b, signal) {
      const res = await doFetch(url, {
        method: "POST",
        signal,
        headers: { "content-type": "application/json", authorization: `Bearer ${o.apiKey}` },
        body: JSON.stringify({
          model: o.model,
          temperature: 0,
          response_format: { type: "json_object" },
          messages: [
            { role: "system", content: systemPrompt() },
            { role: "user", content: userPrompt(b) },
          ],
        }),
      });
      if (!res.ok) {
        // The vendor's message helps an operator; the key is never part of it.
        const text = (await res.text().catch(() => "")).slice(0, 200);
        throw new Error(`HTTP ${res.status}${text ? `: ${text}` : ""}`);
      }
      const body = (await res.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
      const content = body.choices?.[0]?.message?.content;
      if (typeof content !== "string") throw new Error("no message content in the completion");
      return content;
    },
  };
}

/** The shape of the AI binding this provider needs (kept narrow: the binding is optional). */
export type AiBinding = { run(model: string, input: { messages: Array<{ role: string; content: string }> }, options?: { signal?: AbortSignal }): Promise<unknown> };

export function workersAiProvider(ai: AiBinding, model: string): RationaleProvider {
  return {
    name: "workers-ai",
    model,
    async generate(b, signal) {
      const out = (await ai.run(model, { messages: [{ role: "system", content: systemPrompt() }, { role: "user", content: userPrompt(b) }] }, { signal })) as { response?: unknown };
      if (typeof out?.response === "string") return out.response;
      // Some models answer JSON mode with an object already parsed.
      if (out?.response && typeof out.response === "object") return JSON.stringify(out.response);
      throw new Error("no response text from Workers AI");
    },
  };
}

export type ProviderEnv = { LLM_PROVIDER?: string; LLM_BASE_URL?: string; LLM_API_KEY?: string; LLM_MODEL?: string; AI?: AiBinding };

/**
 * The provider the configuration asks for (a feature flag may override the name). A provider that cannot run
 * (no base URL, no AI binding) resolves to the template with a flag saying why, never to an error.
 */
export function resolveProvider(name: string, env: ProviderEnv, fetchImpl?: typeof fetch): { provider: RationaleProvider; flags: string[] } {
  if (name === "openai") {
    if (!env.LLM_BASE_URL || !env.LLM_MODEL) return { provider: templateProvider, flags: ["LLM_PROVIDER=openai without LLM_BASE_URL/LLM_MODEL: template used"] };
    return { provider: openAiProvider({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY ?? "", model: env.LLM_MODEL, fetch: fetchImpl }), flags: [] };
  }
  if (name === "workers-ai") {
    if (!env.AI) return { provider: templateProvider, flags: ["LLM_PROVIDER=workers-ai without an AI binding: template used"] };
    return { provider: workersAiProvider(env.AI, env.LLM_MODEL || "@cf/meta/llama-3.1-8b-instruct"), flags: [] };
  }
  if (name !== "template") return { provider: templateProvider, flags: [`unknown LLM_PROVIDER ${JSON.stringify(name)}: template used`] };
  return { provider: templateProvider, flags: [] };
}

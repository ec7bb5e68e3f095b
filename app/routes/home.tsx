import { Form, data, useNavigation } from "react-router";
import { RecommendationRequest, type Layer, type Recommendation } from "../../schemas";
import { serverContext } from "../server-context";
import type { Route } from "./+types/home";

export function meta() {
  return [{ title: "Options assistant: one contract, sized and explained" }];
}

type FieldErrors = Record<string, string>;
type ActionData = { values: Record<string, string>; errors?: FieldErrors; formError?: string; recommendation?: Recommendation };

/** Form fields to a RecommendationRequest candidate: numbers parsed, empty custom fields left out. */
function requestFromForm(form: FormData): { values: Record<string, string>; candidate: unknown } {
  const values = Object.fromEntries(["symbol", "preset", "capital", "outlook", "targetDelta", "minDte", "maxDte"].map((k) => [k, String(form.get(k) ?? "").trim()]));
  const preset =
    values.preset === "custom"
      ? { targetDelta: Number(values.targetDelta), minDte: Number(values.minDte), maxDte: Number(values.maxDte) }
      : values.preset;
  return {
    values,
    candidate: { symbol: values.symbol.toUpperCase(), preset, capital: values.capital === "" ? undefined : Number(values.capital), outlook: values.outlook || "auto" },
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { values, candidate } = requestFromForm(await request.formData());
  const parsed = RecommendationRequest.safeParse(candidate);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === "preset" && issue.path.length > 1 ? String(issue.path[1]) : String(issue.path[0] ?? "form");
      errors[field] ??= issue.message;
    }
    return data<ActionData>({ values, errors }, { status: 422 });
  }
  try {
    const recommendation = await context.get(serverContext).services.recommend(parsed.data);
    return { values, recommendation } satisfies ActionData;
  } catch (e) {
    // The services throw the API's error type for client-visible failures (status + code); show those inline.
    const clientVisible = e as { status?: number; code?: string; message?: string };
    if (typeof clientVisible.status === "number" && typeof clientVisible.code === "string") {
      return data<ActionData>({ values, formError: clientVisible.message }, { status: clientVisible.status });
    }
    throw e;
  }
}

const money = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);

function Provenance({ layer }: { layer: Layer }) {
  return (
    <p className="prov">
      source {layer.source} · as of <time dateTime={layer.asOf}>{layer.asOf.replace("T", " ").slice(0, 19)}Z</time> · {layer.version}
    </p>
  );
}

function LayerPanel({ layer }: { layer: Layer }) {
  switch (layer.kind) {
    case "market":
      return (
        <section className="panel" aria-label="Market data">
          <h2>Market {layer.source === "synthetic" && <span className="flag">synthetic</span>} {layer.quote.stale && <span className="flag">stale</span>}</h2>
          <p>
            {layer.quote.symbol} {money(layer.quote.last)} ({layer.quote.changePct >= 0 ? "+" : ""}
            {layer.quote.changePct.toFixed(2)}%) · bid {money(layer.quote.bid)} / ask {money(layer.quote.ask)}
          </p>
          <p>{layer.contracts} contracts in the preset window across {layer.expirations} listed expiries.</p>
          <Provenance layer={layer} />
        </section>
      );
    case "analytics":
      return (
        <section className="panel" aria-label="Analytics">
          <h2>Volatility</h2>
          <p title="implied volatility of the at-the-money strike, annualised">ATM IV {pct(layer.atmIv)}</p>
          <p title="spot x IV x sqrt(years to the first expiry in the window)">Expected move {layer.expectedMove === null ? "n/a" : `±${money(layer.expectedMove)}`}</p>
          <p>IV identified for {layer.contractsWithIv} contracts, not for {layer.contractsWithoutIv}.</p>
          <Provenance layer={layer} />
        </section>
      );
    case "signals": {
      const t = layer.signals.technical;
      return (
        <section className="panel" aria-label="Signals">
          <h2>Signals {t.fallback && <span className="flag">fallback</span>}</h2>
          <p>Outlook {layer.signals.outlook}; trend {t.trend}; RSI(14) {t.rsi14?.toFixed(0) ?? "n/a"}; 20-day realized vol {pct(t.realizedVol20)}</p>
          <Provenance layer={layer} />
        </section>
      );
    }
    case "candidates":
      return (
        <section className="panel" aria-label="Candidates">
          <h2>Candidates ({layer.direction}s)</h2>
          <p>{layer.passed} of {layer.considered} passed the filters.</p>
          <table>
            <thead><tr><th>Contract</th><th>Δ</th><th>IV</th><th>Bid/Ask</th><th>Score</th></tr></thead>
            <tbody>
              {layer.top.slice(0, 5).map((c) => (
                <tr key={c.ticker}><td>{c.expiration} {c.strike}</td><td>{c.delta.toFixed(2)}</td><td>{pct(c.iv)}</td><td>{c.bid.toFixed(2)}/{c.ask.toFixed(2)}</td><td>{c.score.toFixed(3)}</td></tr>
              ))}
            </tbody>
          </table>
          <Provenance layer={layer} />
        </section>
      );
    case "score":
      return (
        <section className="panel" aria-label="Score">
          <h2>Score {layer.total.toFixed(3)}</h2>
          <table>
            <thead><tr><th>Component</th><th>Weight</th><th>Value</th><th>Adds</th></tr></thead>
            <tbody>
              {layer.components.map((s) => (
                <tr key={s.name} title={s.explanation}><td>{s.name}</td><td>{s.weight.toFixed(2)}</td><td>{s.value.toFixed(2)}</td><td>{s.contribution.toFixed(3)}</td></tr>
              ))}
            </tbody>
          </table>
          <Provenance layer={layer} />
        </section>
      );
    case "sizing": {
      const s = layer.sizing;
      return (
        <section className="panel" aria-label="Sizing">
          <h2>Sizing</h2>
          <p><strong>{s.contracts}</strong> contract(s) at {money(s.pricePerContract)} each (ask × 100) = {money(s.premium)}</p>
          <p>Max loss {money(s.maxLoss)} · breakeven {money(s.breakeven)} · probability of profit {pct(s.probabilityOfProfit)}</p>
          {s.note && <p className="field-error">{s.note}</p>}
          <Provenance layer={layer} />
        </section>
      );
    }
    case "rationale":
      return (
        <section className="panel" aria-label="Rationale">
          <h2>Why</h2>
          <p>{layer.summary}</p>
          <ul>{layer.points.map((p) => <li key={p}>{p}</li>)}</ul>
          {layer.risks.length > 0 && (<><h3>Risks</h3><ul>{layer.risks.map((r) => <li key={r}>{r}</li>)}</ul></>)}
          <Provenance layer={layer} />
        </section>
      );
  }
}

export default function Home({ actionData }: Route.ComponentProps) {
  const nav = useNavigation();
  const a = actionData as ActionData | undefined;
  const v = a?.values ?? { symbol: "SPY", preset: "balanced", capital: "25000", outlook: "auto", targetDelta: "0.4", minDte: "14", maxDte: "45" };
  const err = a?.errors ?? {};
  const rec = a?.recommendation;
  return (
    <main className="page">
      <h1>Options assistant</h1>
      <p>Pick an underlying, a risk preset and your capital: get one contract, sized, with every number explained.</p>
      <Form method="post" className="request" aria-label="Recommendation request">
        <label>Symbol<input name="symbol" defaultValue={v.symbol} autoComplete="off" aria-invalid={!!err.symbol} />{err.symbol && <span className="field-error">{err.symbol}</span>}</label>
        <label>Preset
          <select name="preset" defaultValue={v.preset}>
            <option value="conservative">Conservative (Δ 0.70, 45-120 days)</option>
            <option value="balanced">Balanced (Δ 0.50, 21-60 days)</option>
            <option value="aggressive">Aggressive (Δ 0.30, 7-30 days)</option>
            <option value="custom">Custom</option>
          </select>
          {err.preset && <span className="field-error">{err.preset}</span>}
        </label>
        <label>Target Δ (custom)<input name="targetDelta" inputMode="decimal" defaultValue={v.targetDelta} />{err.targetDelta && <span className="field-error">{err.targetDelta}</span>}</label>
        <label>Min days (custom)<input name="minDte" inputMode="numeric" defaultValue={v.minDte} />{err.minDte && <span className="field-error">{err.minDte}</span>}</label>
        <label>Max days (custom)<input name="maxDte" inputMode="numeric" defaultValue={v.maxDte} />{err.maxDte && <span className="field-error">{err.maxDte}</span>}</label>
        <label>Capital (USD)<input name="capital" inputMode="decimal" defaultValue={v.capital} aria-invalid={!!err.capital} />{err.capital && <span className="field-error">{err.capital}</span>}</label>
        <label>Outlook
          <select name="outlook" defaultValue={v.outlook}>
            <option value="auto">Auto (from signals)</option>
            <option value="bullish">Bullish</option>
            <option value="bearish">Bearish</option>
          </select>
        </label>
        <button type="submit" disabled={nav.state !== "idle"}>{nav.state === "idle" ? "Recommend" : "Working…"}</button>
      </Form>
      {a?.formError && <p role="alert" className="field-error">{a.formError}</p>}
      {rec && (
        <>
          <section className="panel pick" aria-label="Recommendation" data-testid="recommendation">
            <h2>{rec.contract ? `${rec.contract.ticker}: ${rec.contract.type} ${rec.contract.strike} expiring ${rec.contract.expiration}` : "No contract"}</h2>
            {rec.sizing && <p>{rec.sizing.contracts} contract(s), max loss {money(rec.sizing.maxLoss)}, breakeven {money(rec.sizing.breakeven)}</p>}
            {rec.noPickReason && <p>{rec.noPickReason}</p>}
            {rec.degraded.length > 0 && <p className="flag">degraded: {rec.degraded.join(", ")}</p>}
          </section>
          <div className="panels">{rec.layers.map((l) => <LayerPanel key={l.kind} layer={l} />)}</div>
          <p className="disclaimer">{rec.disclaimer}</p>
        </>
      )}
    </main>
  );
}

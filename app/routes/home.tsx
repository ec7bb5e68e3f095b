/**
 * The assistant, in four steps: 1 symbol, 2 risk, 3 capital, 4 the recommendation streamed layer by layer while
 * the quote and the chain stay live. Without JavaScript the same form posts to the action below and the page
 * comes back server-rendered with the whole recommendation.
 */
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { data, Form } from "react-router";
import { RecommendationRequest, type BarSeries, type Layer, type LayerKind, type Profile, type Recommendation } from "../../schemas";
import { ChainTable, QuoteTicker } from "../components/live";
import { LAYER_ORDER, LayerPanels } from "../components/panels";
import { RiskSlider } from "../components/risk-slider";
import { SymbolSearch, TICKER_RE } from "../components/symbol-search";
import { Watchlist } from "../components/watchlist";
import { api, ApiProblem, fieldErrors } from "../lib/api";
import { money, num, pct } from "../lib/format";
import { choiceFromDraft, draftFromChoice, presetNameFrom, type PresetDraft } from "../lib/presets";
import { streamRecommendation } from "../lib/sse";
import { useSymbolFeed } from "../lib/use-symbol-feed";
import { clearCookie, idpConfig, readCookie, SESSION_COOKIE } from "../lib/session.server";
import { serverContext } from "../server-context";
import type { Route } from "./+types/home";

const PayoffChart = lazy(() => import("../components/charts").then((m) => ({ default: m.PayoffChart })));
const PriceChart = lazy(() => import("../components/charts").then((m) => ({ default: m.PriceChart })));

export function meta() {
  return [{ title: "Options assistant: one contract, sized and explained" }, { name: "description", content: "Pick a symbol, a risk preset and your capital; get one option contract, sized, with every number explained." }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { user, devToken, cloudflare } = context.get(serverContext);
  const body = { user: user ? { sub: user.sub } : null, demo: devToken !== null, idp: idpConfig(cloudflare.env) !== null };
  // An expired or foreign session cookie would make every API call a 401: forget it.
  if (!user && readCookie(request, SESSION_COOKIE)) return data(body, { headers: { "Set-Cookie": clearCookie(request, SESSION_COOKIE) } });
  return body;
}

type FieldErrors = Record<string, string>;
type Values = { symbol: string; preset: string; capital: string; outlook: string; targetDelta: string; minDte: string; maxDte: string };
type ActionData = { values: Values; errors?: FieldErrors; formError?: string; needsSignIn?: boolean; recommendation?: Recommendation };

const FIELDS = ["symbol", "preset", "capital", "outlook", "targetDelta", "minDte", "maxDte"] as const;

/** Form fields to a RecommendationRequest candidate: numbers parsed, the slider's stop to its preset. */
function requestFromForm(form: FormData): { values: Values; candidate: unknown } {
  const values = Object.fromEntries(FIELDS.map((k) => [k, String(form.get(k) ?? "").trim()])) as Values;
  values.preset = presetNameFrom(values.preset) ?? values.preset;
  const preset = values.preset === "custom" ? { targetDelta: Number(values.targetDelta), minDte: Number(values.minDte), maxDte: Number(values.maxDte) } : values.preset;
  return {
    values,
    candidate: { symbol: values.symbol.toUpperCase(), preset, capital: values.capital === "" ? undefined : Number(values.capital), outlook: values.outlook || "auto" },
  };
}

/** The no-JavaScript path: the same validation and the same services as the API, answered as a page. */
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
  const { user, services } = context.get(serverContext);
  if (!user) return data<ActionData>({ values, needsSignIn: true, formError: "Sign in to get a recommendation." }, { status: 401 });
  try {
    const recommendation = await services.recommend(parsed.data);
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

const DEFAULTS: Values = { symbol: "SPY", preset: "balanced", capital: "25000", outlook: "auto", targetDelta: "0.5", minDte: "21", maxDte: "60" };

/** The same rules as the API's contract, checked before a round trip; the server still validates. */
function validate(symbol: string, capital: string, draft: PresetDraft): FieldErrors {
  const e: FieldErrors = {};
  if (!TICKER_RE.test(symbol.trim().toUpperCase())) e.symbol = "expected a US ticker like SPY or BRK.B";
  const c = Number(capital.replace(/[$,\s]/g, ""));
  if (capital.trim() === "") e.capital = "enter your capital in dollars";
  else if (!Number.isFinite(c)) e.capital = "capital must be a number";
  else if (c <= 0) e.capital = "capital must be positive";
  else if (c > 1e9) e.capital = "capital above $1,000,000,000 is not accepted";
  if (draft.name === "custom") {
    const d = Number(draft.targetDelta);
    const lo = Number(draft.minDte);
    const hi = Number(draft.maxDte);
    if (!(d > 0 && d < 1)) e.targetDelta = "target delta must be between 0 and 1";
    if (!Number.isInteger(lo) || lo < 0 || lo > 1100) e.minDte = "whole days, 0 to 1100";
    if (!Number.isInteger(hi) || hi < 1 || hi > 1100) e.maxDte = "whole days, 1 to 1100";
    if (!e.minDte && !e.maxDte && lo > hi) e.minDte = "minDte must not exceed maxDte";
  }
  return e;
}

type Problem = { kind: "rate" | "auth" | "down" | "other"; message: string; retryAt?: number };

function useCountdown(until: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [until]);
  return until ? Math.max(0, Math.ceil((until - now) / 1000)) : 0;
}

function AuthBar({ user, demo, idp }: { user: { sub: string } | null; demo: boolean; idp: boolean }) {
  if (user) {
    return (
      <Form method="post" action="/auth/logout" className="auth" aria-label="Account">
        <span>
          Signed in as <strong data-testid="user">{user.sub}</strong>
        </span>
        <button type="submit" className="secondary">
          Sign out
        </button>
      </Form>
    );
  }
  return (
    <div className="auth" aria-label="Account" role="group">
      {demo && (
        <Form method="post" action="/auth/demo">
          <button type="submit">Continue as demo user</button>
        </Form>
      )}
      {idp && (
        <a className="button secondary" href="/auth/login">
          Sign in
        </a>
      )}
      {!demo && !idp && <span className="muted">Sign-in is not configured.</span>}
    </div>
  );
}

export default function Home({ loaderData, actionData }: Route.ComponentProps) {
  const { user, demo, idp } = loaderData;
  const a = actionData as ActionData | undefined;
  const v = a?.values ?? DEFAULTS;
  const [symbol, setSymbol] = useState(v.symbol || "SPY");
  const [active, setActive] = useState(TICKER_RE.test(v.symbol.toUpperCase()) ? v.symbol.toUpperCase() : "SPY");
  const [draft, setDraft] = useState<PresetDraft>(() =>
    presetNameFrom(v.preset) === "custom" ? { name: "custom", targetDelta: v.targetDelta, minDte: v.minDte, maxDte: v.maxDte } : draftFromChoice((presetNameFrom(v.preset) ?? "balanced") as "balanced"),
  );
  const [capital, setCapital] = useState(v.capital);
  const [outlook, setOutlook] = useState(v.outlook || "auto");
  const [errors, setErrors] = useState<FieldErrors>(a?.errors ?? {});
  const [problem, setProblem] = useState<Problem | null>(a?.needsSignIn ? { kind: "auth", message: a.formError ?? "Sign in first." } : a?.formError ? { kind: "other", message: a.formError } : null);
  const [layers, setLayers] = useState<Partial<Record<LayerKind, Layer>>>(() => Object.fromEntries((a?.recommendation?.layers ?? []).map((l) => [l.kind, l])));
  const [rec, setRec] = useState<Recommendation | null>(a?.recommendation ?? null);
  const [streaming, setStreaming] = useState(false);
  const [profileNote, setProfileNote] = useState<string | null>(null);
  const [chainWindow, setChainWindow] = useState<{ minDte: number; maxDte: number } | undefined>(undefined);
  const [bars, setBars] = useState<BarSeries | null>(null);
  const dirty = useRef(false);
  const abort = useRef<AbortController | null>(null);
  const feed = useSymbolFeed(active, { chain: true, window: chainWindow });
  const retryIn = useCountdown(problem?.kind === "rate" ? problem.retryAt : undefined);

  const onProblem = (p: ApiProblem) => {
    if (p.status === 429) setProblem({ kind: "rate", message: p.message, retryAt: Date.now() + (p.retryAfterS ?? 5) * 1000 });
    else if (p.status === 401) setProblem({ kind: "auth", message: "Your session has ended or you are not signed in." });
    else if (p.status >= 500) setProblem({ kind: "down", message: p.message });
    else setProblem({ kind: "other", message: p.message });
  };

  // Restore the profile (capital, preset, outlook) on return; a server-rendered answer keeps what was posted.
  useEffect(() => {
    if (!user || a) return;
    api<Profile>("/api/profile")
      .then((p) => {
        if (dirty.current) return;
        setCapital(String(p.capital));
        setDraft(draftFromChoice(p.defaultPreset));
        setOutlook(p.outlook);
      })
      .catch((e: unknown) => e instanceof ApiProblem && onProblem(e));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user?.sub]);

  // Save what the person changed, once it is valid and they pause typing.
  useEffect(() => {
    if (!user || !dirty.current) return;
    const e = validate(active, capital, draft);
    if (e.capital || e.targetDelta || e.minDte || e.maxDte) return;
    const t = setTimeout(() => {
      setProfileNote("Saving…");
      api<Profile>("/api/profile", { method: "PUT", json: { capital: Number(capital.replace(/[$,\s]/g, "")), defaultPreset: choiceFromDraft(draft), outlook } })
        .then(() => setProfileNote("Saved to your profile"))
        .catch((err: unknown) => {
          setProfileNote("Not saved");
          if (err instanceof ApiProblem) {
            if (err.status === 422) setErrors((x) => ({ ...x, ...fieldErrors(err.details) }));
            else onProblem(err);
          }
        });
    }, 600);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [capital, draft, outlook, user?.sub]);

  // On a phone the answer is below the form: bring it into view when it starts streaming.
  const resultsRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (streaming && window.matchMedia("(max-width: 959px)").matches) resultsRef.current?.scrollIntoView({ block: "start" });
  }, [streaming]);

  // The price chart of the pick's underlying.
  useEffect(() => {
    if (!rec?.contract) return;
    const ctl = new AbortController();
    api<BarSeries>(`/api/symbols/${encodeURIComponent(rec.request.symbol)}/bars?sessions=120`, { signal: ctl.signal })
      .then(setBars)
      .catch(() => setBars(null));
    return () => ctl.abort();
  }, [rec?.id]);

  const touch = () => {
    dirty.current = true;
    setProfileNote(null);
  };

  const onSubmit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const errs = validate(symbol, capital, draft);
    setErrors(errs);
    if (Object.keys(errs).length) {
      const first = ["symbol", "targetDelta", "minDte", "maxDte", "capital"].find((f) => errs[f]);
      (e.currentTarget.elements.namedItem(first!) as HTMLElement | null)?.focus();
      return;
    }
    const sym = symbol.trim().toUpperCase();
    setActive(sym);
    setProblem(null);
    setLayers({});
    setRec(null);
    setBars(null);
    setStreaming(true);
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    try {
      await streamRecommendation(
        { symbol: sym, preset: choiceFromDraft(draft), capital: Number(capital.replace(/[$,\s]/g, "")), outlook: outlook as "auto" },
        (ev) => {
          if (ev.type === "layer") setLayers((l) => ({ ...l, [ev.layer.kind]: ev.layer }));
          else if (ev.type === "done") {
            setRec(ev.recommendation);
            setLayers(Object.fromEntries(ev.recommendation.layers.map((l) => [l.kind, l])));
          } else setProblem({ kind: ev.error.code === "upstream_unavailable" ? "down" : "other", message: ev.error.message });
        },
        ctl.signal,
      );
    } catch (err) {
      if (err instanceof ApiProblem) {
        if (err.status === 422) setErrors(fieldErrors(err.details));
        else onProblem(err);
      } else if ((err as Error).name !== "AbortError") {
        setProblem({ kind: "down", message: "The connection to the service dropped; try again." });
      }
    } finally {
      if (abort.current === ctl) setStreaming(false);
    }
  };

  const arrived = LAYER_ORDER.filter((k) => layers[k]).length;
  const sizing = rec?.sizing ?? (layers.sizing?.kind === "sizing" ? layers.sizing.sizing : null);
  const analytics = layers.analytics?.kind === "analytics" ? layers.analytics : null;
  const blocked = problem?.kind === "rate" && retryIn > 0;

  return (
    <>
      <header className="top">
        <div className="top-inner">
          <h1>Options assistant</h1>
          <AuthBar user={user} demo={demo} idp={idp} />
        </div>
      </header>
      <main className="page layout">
        <div className="col-side">
          <p className="lede">Pick an underlying, a risk preset and your capital: get one contract, sized, with every number explained.</p>
          <Form method="post" className="request" aria-label="Recommendation request" onSubmit={onSubmit} noValidate>
            <fieldset>
              <legend>1. Symbol</legend>
              <SymbolSearch value={symbol} onChange={setSymbol} onPick={(s) => setActive(s)} error={errors.symbol} />
            </fieldset>
            <RiskSlider
              draft={draft}
              errors={errors}
              onChange={(d) => {
                touch();
                setDraft(d);
              }}
            />
            <fieldset>
              <legend>3. Capital</legend>
              <label htmlFor="capital">Capital (USD)</label>
              <input
                id="capital"
                name="capital"
                inputMode="decimal"
                autoComplete="off"
                value={capital}
                onChange={(e) => {
                  touch();
                  setCapital(e.target.value);
                  if (errors.capital) setErrors(({ capital: _drop, ...rest }) => rest);
                }}
                onBlur={() => {
                  const ce = validate(symbol, capital, draft).capital;
                  if (ce) setErrors((x) => ({ ...x, capital: ce }));
                }}
                aria-invalid={!!errors.capital}
                aria-describedby={errors.capital ? "err-capital" : "capital-help"}
              />
              {errors.capital ? (
                <span id="err-capital" className="field-error" data-testid="capital-error">
                  {errors.capital}
                </span>
              ) : (
                <span id="capital-help" className="help">
                  The preset caps the premium at a share of this.
                </span>
              )}
              <label htmlFor="outlook">Outlook</label>
              <select
                id="outlook"
                name="outlook"
                value={outlook}
                onChange={(e) => {
                  touch();
                  setOutlook(e.target.value);
                }}
              >
                <option value="auto">Auto (from signals)</option>
                <option value="bullish">Bullish (calls)</option>
                <option value="bearish">Bearish (puts)</option>
              </select>
              <p className="help" role="status" data-testid="profile-note">
                {profileNote ?? (user ? "" : "Sign in to keep these in your profile.")}
              </p>
            </fieldset>
            <fieldset>
              <legend>4. Recommend</legend>
              <button type="submit" disabled={streaming || blocked} data-testid="recommend">
                {streaming ? "Working…" : blocked ? `Retry in ${retryIn} s` : "Recommend"}
              </button>
            </fieldset>
          </Form>
          <Watchlist
            signedIn={!!user}
            current={active}
            onSelect={(s) => {
              setSymbol(s);
              setActive(s);
            }}
            onProblem={onProblem}
          />
        </div>

        <div className="col-main">
          {problem && <ProblemBanner problem={problem} retryIn={retryIn} demo={demo} idp={idp} signedIn={!!user} />}
          {(feed.stale || (feed.message && feed.source === "synthetic")) && (
            <div className="banner warn" role="status" data-testid="stale-banner">
              {feed.stale ? (
                "Market data is stale: the feed has gone quiet, so prices may be out of date."
              ) : (
                <>
                  <strong>Live market data is unavailable</strong>: prices below come from the synthetic market.{" "}
                  <details className="inline-details">
                    <summary>Details</summary>
                    {feed.message}
                  </details>
                </>
              )}
            </div>
          )}
          <QuoteTicker feed={feed} symbol={active} />

          {(streaming || rec || arrived > 0) && (
            <section className="results" aria-label="Recommendation results" ref={resultsRef}>
              <p className="sr-only" role="status">
                {streaming ? `${arrived} of ${LAYER_ORDER.length} layers received` : rec ? "Recommendation complete" : ""}
              </p>
              {rec ? (
                <section className="panel pick" aria-label="Recommendation" data-testid="recommendation">
                  <h2>
                    {rec.contract ? (
                      <>
                        {rec.contract.ticker}: {rec.contract.type} {rec.contract.strike} expiring {rec.contract.expiration}
                      </>
                    ) : (
                      "No contract"
                    )}
                  </h2>
                  {rec.sizing && rec.contract && (
                    <p>
                      Buy <strong>{rec.sizing.contracts}</strong> contract(s) at the ask {money(rec.sizing.pricePerContract)} = {money(rec.sizing.premium)}; max loss {money(rec.sizing.maxLoss)}, breakeven {money(rec.sizing.breakeven)}, Δ {num(rec.contract.greeks?.delta)}, IV {pct(rec.contract.iv)}.
                    </p>
                  )}
                  {rec.noPickReason && <p>{rec.noPickReason}</p>}
                  {rec.degraded.length > 0 && <p className="flag warn">degraded: {rec.degraded.join(", ")}</p>}
                  <p className="prov">
                    preset {rec.preset.name} (Δ {rec.preset.targetDelta.toFixed(2)}, {rec.preset.minDte}–{rec.preset.maxDte} days) · {rec.model ? `model ${rec.model.name} ${rec.model.version}` : "rule score"} · {rec.id}
                  </p>
                </section>
              ) : (
                <section className="panel pick skeleton" aria-label="Recommendation" aria-busy="true">
                  <h2>Finding one contract…</h2>
                  <div className="bone" />
                </section>
              )}
              <LayerPanels layers={layers} streaming={streaming} />
              {rec?.contract && sizing && (
                <div className="charts">
                  <section className="panel" aria-label="Payoff at expiry">
                    <h2>Payoff at expiry</h2>
                    <Suspense fallback={<div className="bone tall" />}>
                      <PayoffChart contract={rec.contract} sizing={sizing} spot={layers.market?.kind === "market" ? layers.market.quote.last : rec.contract.strike} />
                    </Suspense>
                  </section>
                  <section className="panel" aria-label="Price and expected move">
                    <h2>Price and expected move</h2>
                    {bars ? (
                      <Suspense fallback={<div className="bone tall" />}>
                        <PriceChart bars={bars.bars} source={bars.source} spot={layers.market?.kind === "market" ? layers.market.quote.last : bars.bars.at(-1)?.close ?? 0} expectedMove={sizing.expectedMove ?? analytics?.expectedMove ?? null} breakeven={sizing.breakeven} />
                      </Suspense>
                    ) : (
                      <div className="bone tall" />
                    )}
                  </section>
                </div>
              )}
              {rec && rec.alternatives.length > 0 && (
                <section className="panel" aria-label="Alternatives">
                  <h2>Alternatives</h2>
                  <div className="scroll">
                    <table>
                      <caption className="sr-only">Other contracts that passed, by score</caption>
                      <thead>
                        <tr>
                          <th scope="col">Contract</th>
                          <th scope="col">Days</th>
                          <th scope="col">Δ</th>
                          <th scope="col">IV</th>
                          <th scope="col">Ask</th>
                          <th scope="col">Spread</th>
                          <th scope="col">Score</th>
                        </tr>
                      </thead>
                      <tbody>
                        {rec.alternatives.map((c) => (
                          <tr key={c.ticker}>
                            <td>
                              {c.type} {c.strike} {c.expiration}
                            </td>
                            <td>{c.dte}</td>
                            <td>{c.delta.toFixed(2)}</td>
                            <td>{pct(c.iv)}</td>
                            <td>{money(c.ask)}</td>
                            <td>{pct(c.spreadPct)}</td>
                            <td>{c.score.toFixed(3)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
              )}
              {rec && (
                <p className="disclaimer" data-testid="disclaimer">
                  {rec.disclaimer}
                </p>
              )}
            </section>
          )}

          <ChainTable feed={feed} symbol={active} highlight={rec?.contract?.ticker ?? null} preferExpiry={rec?.contract?.expiration ?? null} onWindow={setChainWindow} />
        </div>
      </main>
      <footer className="page foot">
        <p className="muted">Educational tool, not investment advice. Options can lose their whole premium.</p>
      </footer>
    </>
  );
}

function ProblemBanner({ problem, retryIn, demo, idp, signedIn }: { problem: Problem; retryIn: number; demo: boolean; idp: boolean; signedIn: boolean }) {
  if (problem.kind === "rate") {
    return (
      <div className="banner bad" role="alert" data-testid="rate-limited">
        <strong>Too many requests.</strong> {retryIn > 0 ? `You can try again in ${retryIn} s.` : "You can try again now."} <span className="muted">({problem.message})</span>
      </div>
    );
  }
  if (problem.kind === "auth") {
    return (
      <div className="banner bad" role="alert" data-testid="signin-required">
        <strong>Sign in to get a recommendation.</strong> {problem.message}{" "}
        {!signedIn && demo && (
          <Form method="post" action="/auth/demo" className="inline">
            <button type="submit">Continue as demo user</button>
          </Form>
        )}
        {!signedIn && idp && <a href="/auth/login">Sign in</a>}
      </div>
    );
  }
  if (problem.kind === "down") {
    return (
      <div className="banner bad" role="alert" data-testid="upstream-down">
        <strong>The market data service is not answering.</strong> {problem.message} Try again in a moment.
      </div>
    );
  }
  return (
    <div className="banner bad" role="alert">
      {problem.message}
    </div>
  );
}

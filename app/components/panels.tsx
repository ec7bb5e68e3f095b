/**
 * The recommendation's layers as panels: a skeleton per layer until its event arrives, then the layer with its
 * provenance (source, as of, version) and the formulas and units behind each number in a tooltip.
 */
import { lazy, Suspense, useId } from "react";
import type { Layer, LayerKind } from "../../schemas";
import { clock, money, num, pct, signedPct } from "../lib/format";
import { OUTLOOK_RULE, voteLabel } from "../../workers/signals/outlook-rule";

const ScoreChart = lazy(() => import("./charts").then((m) => ({ default: m.ScoreChart })));

export const LAYER_ORDER: LayerKind[] = ["market", "analytics", "signals", "candidates", "score", "sizing", "rationale"];
export const LAYER_LABEL: Record<LayerKind, string> = {
  market: "Market data",
  analytics: "Analytics",
  signals: "Signals",
  candidates: "Candidates",
  score: "Score",
  sizing: "Sizing",
  rationale: "Rationale",
};

/** A focusable ⓘ that shows its text on hover and focus; screen readers get it as the description. */
export function Info({ children }: { children: string }) {
  const id = useId();
  return (
    <span className="tip">
      <button type="button" className="tip-btn" aria-describedby={id} aria-label="How this is computed">
        ⓘ
      </button>
      <span role="tooltip" id={id} className="tip-text">
        {children}
      </span>
    </span>
  );
}

function Provenance({ layer }: { layer: Layer }) {
  return (
    <p className="prov">
      source <strong>{layer.source}</strong> · as of <time dateTime={layer.asOf}>{clock(layer.asOf)}</time> · {layer.version} · {Math.round(layer.ms)} ms
      {layer.flags?.length ? <span className="flag"> {layer.flags.join(", ")}</span> : null}
    </p>
  );
}

function Skeleton({ kind }: { kind: LayerKind }) {
  return (
    <section className="panel skeleton" aria-label={LAYER_LABEL[kind]} aria-busy="true" data-layer={kind} data-state="loading">
      <h2>{LAYER_LABEL[kind]}</h2>
      <div className="bone" />
      <div className="bone short" />
      <span className="sr-only">loading</span>
    </section>
  );
}

function Body({ layer }: { layer: Layer }) {
  switch (layer.kind) {
    case "market":
      return (
        <>
          <h2>
            Market {layer.source === "synthetic" && <span className="flag">synthetic</span>} {layer.quote.stale && <span className="flag warn">stale</span>}
          </h2>
          <p>
            {layer.quote.symbol} <strong>{money(layer.quote.last)}</strong> ({signedPct(layer.quote.changePct)})
            <Info>change % = (last − previous close) ÷ previous close × 100</Info> · bid {money(layer.quote.bid)} / ask {money(layer.quote.ask)}
          </p>
          <p>
            {layer.contracts} contracts in the preset window across {layer.expirations} listed expiries.
          </p>
        </>
      );
    case "analytics":
      return (
        <>
          <h2>Volatility</h2>
          <p>
            ATM IV <strong>{pct(layer.atmIv)}</strong>
            <Info>Implied volatility of the at-the-money strike, annualised (0.25 = 25% a year), solved from the option mid with Black-Scholes-Merton.</Info>
          </p>
          <p>
            Expected move {layer.expectedMove === null ? "n/a" : <strong>±{money(layer.expectedMove)}</strong>}
            <Info>One standard deviation in dollars to the nearest expiry of the window: spot × IV × √(calendar days ÷ 365).</Info>
          </p>
          <p>
            IV identified for {layer.contractsWithIv} contracts, not for {layer.contractsWithoutIv}.
          </p>
        </>
      );
    case "signals": {
      const t = layer.signals.technical;
      return (
        <>
          <h2>Signals {t.fallback && <span className="flag">fallback</span>}</h2>
          <p>
            Outlook <strong>{layer.signals.outlook}</strong>; trend {t.trend}.
            {layer.signals.outlookVotes?.length ? (
              <Info>{`Votes (${OUTLOOK_RULE}): ${layer.signals.outlookVotes.map((v) => `${voteLabel(v)} (${v.reason})`).join("; ")}.`}</Info>
            ) : null}
          </p>
          <ul className="facts">
            <li>
              RSI(14) {num(t.rsi14, 0)}
              <Info>Wilder's relative strength index over 14 sessions, 0 to 100; above 70 overbought, below 30 oversold.</Info>
            </li>
            <li>
              20-day realized vol {pct(t.realizedVol20)}
              <Info>Standard deviation of daily close-to-close log returns over 20 sessions × √252 (annualised).</Info>
            </li>
            <li>
              20-day momentum {pct(t.momentum20)}
              <Info>close ÷ close 20 sessions ago − 1.</Info>
            </li>
            <li>
              Sentiment {layer.signals.sentiment.level === null ? "n/a" : num(layer.signals.sentiment.level)} {layer.signals.sentiment.fallback && <span className="flag">fallback</span>}
              <Info>Mean news sentiment score, −1 (negative) to +1 (positive).</Info>
            </li>
            <li>
              Congress net 90 d {layer.signals.congress.netActivity90d} {layer.signals.congress.fallback && <span className="flag">fallback</span>}
            </li>
          </ul>
        </>
      );
    }
    case "candidates":
      return (
        <>
          <h2>Candidates ({layer.direction}s)</h2>
          <p>
            {layer.passed} of {layer.considered} passed the filters.
          </p>
          <div className="scroll">
            <table>
              <caption className="sr-only">Top candidates by score</caption>
              <thead>
                <tr>
                  <th scope="col">Contract</th>
                  <th scope="col">Δ</th>
                  <th scope="col">IV</th>
                  <th scope="col">Bid/Ask</th>
                  <th scope="col">Score</th>
                </tr>
              </thead>
              <tbody>
                {layer.top.slice(0, 5).map((c) => (
                  <tr key={c.ticker}>
                    <td>
                      {c.expiration} {c.strike}
                    </td>
                    <td>{c.delta.toFixed(2)}</td>
                    <td>{pct(c.iv)}</td>
                    <td>
                      {c.bid.toFixed(2)}/{c.ask.toFixed(2)}
                    </td>
                    <td>{c.score.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      );
    case "score":
      return (
        <>
          <h2>
            Score {layer.total.toFixed(3)}
            <Info>{`Σ weight × value over the named rule components (each value 0..1)${layer.model ? `, blended with the model ${layer.model.name} ${layer.model.version}` : ""}. Method: ${layer.method}.`}</Info>
          </h2>
          <Suspense fallback={<div className="bone tall" />}>
            <ScoreChart components={layer.components} />
          </Suspense>
          <div className="scroll">
            <table>
              <caption className="sr-only">Score components</caption>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Weight</th>
                  <th scope="col">Value</th>
                  <th scope="col">Adds</th>
                </tr>
              </thead>
              <tbody>
                {layer.components.map((s) => (
                  <tr key={s.name} title={s.explanation}>
                    <td>{s.name}</td>
                    <td>{s.weight.toFixed(2)}</td>
                    <td>{s.value.toFixed(2)}</td>
                    <td>{s.contribution.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      );
    case "sizing": {
      const s = layer.sizing;
      return (
        <>
          <h2>Sizing</h2>
          <p>
            <strong>{s.contracts}</strong> contract(s) at {money(s.pricePerContract)} each = {money(s.premium)}
            <Info>price per contract = ask × multiplier (100 shares); contracts = floor(capital × risk budget ÷ price per contract), capped by liquidity.</Info>
          </p>
          <p>
            Max loss {money(s.maxLoss)} ({s.capitalAtRiskPct.toFixed(2)}% of capital)
            <Info>A long option loses at most its premium: max loss = premium paid, dollars.</Info>
          </p>
          <p>
            Breakeven {money(s.breakeven)}
            <Info>Call: strike + premium per share; put: strike − premium per share (underlying price at expiry, dollars).</Info> · probability of profit {pct(s.probabilityOfProfit)}
            <Info>Risk-neutral probability that the underlying finishes beyond the breakeven at expiry (lognormal, from IV).</Info>
          </p>
          {s.note && <p className="note">{s.note}</p>}
          {s.warnings?.map((w) => (
            <p key={w} className="note">
              {w}
            </p>
          ))}
        </>
      );
    }
    case "rationale":
      return (
        <>
          <h2>Why {layer.fallback && <span className="flag">template fallback</span>}</h2>
          <p>{layer.summary}</p>
          <ul>
            {layer.points.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
          {layer.risks.length > 0 && (
            <>
              <h3>Risks</h3>
              <ul>
                {layer.risks.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </>
          )}
          {layer.provider && <p className="prov">written by {layer.provider}</p>}
        </>
      );
  }
}

export function LayerPanel({ layer }: { layer: Layer }) {
  return (
    <section className="panel" aria-label={LAYER_LABEL[layer.kind]} aria-busy="false" data-layer={layer.kind} data-state="ready">
      <Body layer={layer} />
      <Provenance layer={layer} />
    </section>
  );
}

/** All seven panels in pipeline order: the ones that have arrived, skeletons for the rest while streaming. */
export function LayerPanels({ layers, streaming }: { layers: Partial<Record<LayerKind, Layer>>; streaming: boolean }) {
  return (
    <div className="panels">
      {LAYER_ORDER.map((kind) => {
        const layer = layers[kind];
        if (layer) return <LayerPanel key={kind} layer={layer} />;
        return streaming ? <Skeleton key={kind} kind={kind} /> : null;
      })}
    </div>
  );
}

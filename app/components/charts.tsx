/**
 * Charts, drawn by libraries (uPlot for XY charts, lightweight-charts for prices) loaded only when a chart
 * mounts, so the page's first JavaScript stays small. Each chart is a figure with a text caption; the numbers
 * are also in the panels' tables for screen readers.
 */
import { useEffect, useRef, useState } from "react";
import type { Bar, OptionContract, ScoreComponent, Sizing } from "../../schemas";
import "uplot/dist/uPlot.min.css";

const themeColor = (el: HTMLElement) => getComputedStyle(el).color || "#111";

/** uPlot in a resizable box. `build` returns the options and data for a width. */
type UplotModule = typeof import("uplot");

function useUplot(ref: React.RefObject<HTMLDivElement | null>, build: (width: number, fg: string, lib: UplotModule) => { opts: object; data: number[][] } | null, deps: unknown[]) {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | null = null;
    let observer: ResizeObserver | null = null;
    let cancelled = false;
    void import("uplot").then(({ default: uPlot }) => {
      if (cancelled) return;
      const spec = build(el.clientWidth || 320, themeColor(el), uPlot);
      if (!spec) return;
      plot = new uPlot(spec.opts as never, spec.data as never, el) as never;
      observer = new ResizeObserver(() => plot?.setSize({ width: el.clientWidth || 320, height: (spec.opts as { height: number }).height }));
      observer.observe(el);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}

/** What each named rule component added to the pick's score (weight x value), as bars. */
export function ScoreChart({ components }: { components: ScoreComponent[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useUplot(
    ref,
    (width, fg, lib) => {
      if (!components.length) return null;
      return {
        opts: {
          width,
          height: 180,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false, range: [-0.5, components.length - 0.5] }, y: { range: (_u: unknown, _min: number, max: number) => [0, Math.max(max, 0.05) * 1.1] } },
          axes: [
            { stroke: fg, grid: { show: false }, values: (_u: unknown, splits: number[]) => splits.map((i) => (Number.isInteger(i) ? (components[i]?.name ?? "") : "")), incrs: [1] },
            { stroke: fg, size: 48 },
          ],
          series: [{}, { label: "contribution", stroke: "#0b5cad", fill: "rgba(11,92,173,0.55)", paths: lib.paths.bars!({ size: [0.6, 64] }) }],
        },
        data: [components.map((_, i) => i), components.map((c) => c.contribution)],
      };
    },
    [components],
  );
  const top = [...components].sort((a, b) => b.contribution - a.contribution)[0];
  return (
    <figure className="chart">
      <div ref={ref} role="img" aria-label={`Score contributions: ${components.map((c) => `${c.name} ${c.contribution.toFixed(3)}`).join(", ")}`} data-testid="score-chart" />
      <figcaption>Contribution = weight × value per component{top ? `; ${top.name} adds the most` : ""}.</figcaption>
    </figure>
  );
}

/** Profit or loss at expiry of the sized position (or one contract when the size is zero), premium paid at the ask. */
export function payoffAtExpiry(contract: Pick<OptionContract, "type" | "strike" | "multiplier">, premiumPerShare: number, contracts: number, price: number): number {
  const intrinsic = contract.type === "call" ? Math.max(price - contract.strike, 0) : Math.max(contract.strike - price, 0);
  return (intrinsic - premiumPerShare) * contract.multiplier * Math.max(contracts, 1);
}

export function PayoffChart({ contract, sizing, spot }: { contract: OptionContract; sizing: Sizing; spot: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const premium = sizing.pricePerContract / contract.multiplier;
  const span = Math.max(sizing.expectedMove * 2.5, contract.strike * 0.1);
  useUplot(
    ref,
    (width, fg) => {
      const lo = Math.max(0.01, Math.min(spot, contract.strike) - span);
      const hi = Math.max(spot, contract.strike) + span;
      const xs = Array.from({ length: 121 }, (_, i) => lo + ((hi - lo) * i) / 120);
      return {
        opts: {
          width,
          height: 200,
          legend: { show: false },
          scales: { x: { time: false } },
          axes: [
            { stroke: fg, values: (_u: unknown, s: number[]) => s.map((v) => `$${v.toFixed(0)}`) },
            { stroke: fg, size: 64, values: (_u: unknown, s: number[]) => s.map((v) => `${v < 0 ? "-" : ""}$${Math.abs(v).toLocaleString("en-US", { maximumFractionDigits: 0 })}`) },
          ],
          series: [{}, { label: "P/L at expiry", stroke: "#0a7d32", width: 2 }, { label: "zero", stroke: fg, width: 1, dash: [4, 4] }],
        },
        data: [xs, xs.map((x) => payoffAtExpiry(contract, premium, sizing.contracts, x)), xs.map(() => 0)],
      };
    },
    [contract.ticker, sizing.contracts, premium, spot],
  );
  const qty = Math.max(sizing.contracts, 1);
  return (
    <figure className="chart">
      <div
        ref={ref}
        role="img"
        data-testid="payoff-chart"
        aria-label={`Payoff at expiry of ${qty} ${contract.type} contract(s), strike ${contract.strike}: loses at most ${(premium * contract.multiplier * qty).toFixed(0)} dollars, breaks even at ${sizing.breakeven.toFixed(2)}`}
      />
      <figcaption>
        P/L at expiry = ({contract.type === "call" ? "max(S − K, 0)" : "max(K − S, 0)"} − premium) × {contract.multiplier} × {qty} contract{qty === 1 ? "" : "s"}
        {sizing.contracts === 0 ? " (shown for one contract: the size is zero)" : ""}; breakeven ${sizing.breakeven.toFixed(2)}, spot ${spot.toFixed(2)}.
      </figcaption>
    </figure>
  );
}

/** Daily candles with the one-sigma expected-move band (and the breakeven) drawn as price lines. */
export function PriceChart({ bars, spot, expectedMove, breakeven, source }: { bars: Bar[]; spot: number; expectedMove: number | null; breakeven: number | null; source: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || bars.length === 0) return;
    let chart: { remove(): void } | null = null;
    let cancelled = false;
    import("lightweight-charts")
      .then(({ createChart, CandlestickSeries, LineStyle }) => {
        if (cancelled) return;
        const fg = themeColor(el);
        const c = createChart(el, { autoSize: true, height: 260, layout: { textColor: fg, background: { color: "transparent" } }, grid: { vertLines: { visible: false }, horzLines: { color: "rgba(128,128,128,0.2)" } } });
        const series = c.addSeries(CandlestickSeries, { upColor: "#0a7d32", downColor: "#b00020", wickUpColor: "#0a7d32", wickDownColor: "#b00020", borderVisible: false });
        series.setData(bars.map((b) => ({ time: b.date, open: b.open, high: b.high, low: b.low, close: b.close })));
        if (expectedMove !== null) {
          series.createPriceLine({ price: spot + expectedMove, color: "#0b5cad", lineStyle: LineStyle.Dashed, lineWidth: 1, axisLabelVisible: true, title: "+1σ" });
          series.createPriceLine({ price: spot - expectedMove, color: "#0b5cad", lineStyle: LineStyle.Dashed, lineWidth: 1, axisLabelVisible: true, title: "−1σ" });
        }
        if (breakeven !== null) series.createPriceLine({ price: breakeven, color: "#b26a00", lineStyle: LineStyle.Dotted, lineWidth: 1, axisLabelVisible: true, title: "breakeven" });
        c.timeScale().fitContent();
        chart = c;
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      chart?.remove();
    };
  }, [bars, spot, expectedMove, breakeven]);
  return (
    <figure className="chart">
      <div ref={ref} className="price-chart" role="img" data-testid="price-chart" aria-label={`Daily prices, last ${bars.length} sessions, with the expected move band ${expectedMove === null ? "unavailable" : `${(spot - expectedMove).toFixed(2)} to ${(spot + expectedMove).toFixed(2)}`}`} />
      <figcaption>
        {failed ? "The chart could not load. " : ""}Daily bars ({source}); dashed lines: spot ± expected move (spot × IV × √(days/365), one σ){breakeven !== null ? "; dotted: breakeven" : ""}.
      </figcaption>
    </figure>
  );
}


// Indicators against independent references: TA-Lib 0.6.0 output on 504 real SPY bars (2018-08-29 ..
// 2020-08-28, computed with the official C library), Lean's TA-Lib port files on 500 SPY bars (2013-2015), and
// a Python-stdlib reference for the realized-volatility estimators and IV rank/percentile. Where each file came
// from: test/fixtures/signals/README.md.
import { describe, expect, it } from "vitest";
import talibCsv from "./fixtures/signals/ohlcv/spy_daily_2018-2020_talib-0.6.0_reference.csv?raw";
import leanCsv from "./fixtures/signals/ohlcv/spy_daily_2013-2015_lean_talib_reference.csv?raw";
import volRef from "./fixtures/signals/volatility-reference.json";
import {
  LOOKBACK,
  atrSeries,
  bollingerSeries,
  dmiSeries,
  emaSeries,
  macdSeries,
  natrSeries,
  rsiSeries,
  rsiWilder,
  sma,
  smaSeries,
  stddevSeries,
  trueRangeSeries,
} from "../workers/signals/indicators";
import { closeToCloseVolSeries, ivPercentile, ivRank, parkinsonVolSeries, yangZhangVolSeries } from "../workers/signals/volatility";

/** Columns of a CSV with a header, as strings (these fixtures have no quoted fields). */
function columns(text: string): Record<string, string[]> {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const cols: Record<string, string[]> = Object.fromEntries(header.map((h) => [h, []]));
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    header.forEach((h, i) => cols[h].push(cells[i] ?? ""));
  }
  return cols;
}
const num = (xs: string[]) => xs.map(Number);
/** Reference cells: empty = no output yet (lookback), NaN in our series. */
const ref = (xs: string[]) => xs.map((s) => (s === "" ? NaN : Number(s)));

/** Same NaN pattern, and every value within a relative 1e-9 (absolute near zero). */
function expectSeries(actual: Float64Array | number[], expected: number[], tol = 1e-9) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `index ${i}: expected no value yet, got ${a}`).toBe(true);
      continue;
    }
    const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (!(err <= tol)) expect.fail(`index ${i}: got ${a}, TA-Lib ${e} (relative error ${err})`);
    worst = Math.max(worst, err);
  }
  return worst;
}

const T = columns(talibCsv);
const [open, high, low, close] = [num(T.open), num(T.high), num(T.low), num(T.close)];

describe("indicators vs TA-Lib 0.6.0 on 504 SPY daily bars", () => {
  it("has the file we expect", () => {
    expect(close).toHaveLength(504);
    expect(T.date[0]).toBe("2018-08-29");
    expect(T.date.at(-1)).toBe("2020-08-28");
  });

  it("SMA(20) and EMA(20)", () => {
    expectSeries(smaSeries(close, 20), ref(T.SMA_20));
    expectSeries(emaSeries(close, 20), ref(T.EMA_20));
  });

  it("RSI(14), Wilder", () => {
    expectSeries(rsiSeries(close, 14), ref(T.RSI_14));
    expect(rsiWilder(close, 14)).toBeCloseTo(Number(T.RSI_14.at(-1)), 9);
  });

  it("MACD(12, 26, 9): line, signal, histogram, first value at bar 33", () => {
    const m = macdSeries(close, 12, 26, 9);
    expectSeries(m.macd, ref(T.MACD_12_26_9));
    expectSeries(m.signal, ref(T.MACDSIGNAL_12_26_9));
    expectSeries(m.histogram, ref(T.MACDHIST_12_26_9));
    expect(LOOKBACK.macd(26, 9)).toBe(33);
    expect(Number.isNaN(m.macd[32])).toBe(true);
  });

  it("Bollinger(20, 2) and STDDEV(20, 1)", () => {
    const b = bollingerSeries(close, 20, 2);
    expectSeries(b.upper, ref(T.BBANDS_UPPER_20_2));
    expectSeries(b.middle, ref(T.BBANDS_MIDDLE_20_2));
    expectSeries(b.lower, ref(T.BBANDS_LOWER_20_2));
    expectSeries(stddevSeries(close, 20, 1), ref(T.STDDEV_20_1));
  });

  it("ATR(14) and NATR(14), Wilder", () => {
    expectSeries(atrSeries(high, low, close, 14), ref(T.ATR_14));
    expectSeries(natrSeries(high, low, close, 14), ref(T.NATR_14));
  });

  it("ADX(14), +DI(14), -DI(14), the 2020 crash included", () => {
    const d = dmiSeries(high, low, close, 14);
    expectSeries(d.adx, ref(T.ADX_14));
    expectSeries(d.plusDi, ref(T.PLUS_DI_14));
    expectSeries(d.minusDi, ref(T.MINUS_DI_14));
    expect(LOOKBACK.adx(14)).toBe(27);
  });
});

describe("indicators vs Lean's TA-Lib files on 500 SPY daily bars (2013-2015)", () => {
  const L = columns(leanCsv);
  const [lh, ll, lc] = [num(L.High), num(L.Low), num(L.Close)];
  it("true range, NATR(5) and VAR(10) (= STDDEV(10)²) agree with another period and another market", () => {
    expect(lc).toHaveLength(500);
    expectSeries(trueRangeSeries(lh, ll, lc), ref(L.TR));
    expectSeries(natrSeries(lh, ll, lc, 5), ref(L.NATR_5));
    const variance = Array.from(stddevSeries(lc, 10), (s) => s * s);
    expectSeries(variance, ref(L.VAR_10), 1e-8);
  });
});

describe("realized volatility vs a Python-stdlib reference (fresh window per value)", () => {
  const nan = (xs: (number | null)[]) => xs.map((x) => (x === null ? NaN : x));
  it("close-to-close, Parkinson and Yang-Zhang over 20 sessions, annualised with 252", () => {
    expectSeries(closeToCloseVolSeries(close, 20), nan(volRef.closeToClose), 1e-10);
    expectSeries(parkinsonVolSeries(high, low, 20), nan(volRef.parkinson), 1e-10);
    expectSeries(yangZhangVolSeries(open, high, low, close, 20), nan(volRef.yangZhang), 1e-10);
  });

  it("orders as theory says on a gap-heavy period: Yang-Zhang sees the March 2020 overnight gaps", () => {
    const i = T.date.indexOf("2020-03-31");
    const cc = closeToCloseVolSeries(close, 20)[i];
    const yz = yangZhangVolSeries(open, high, low, close, 20)[i];
    expect(cc).toBeGreaterThan(0.8); // SPY's realized vol in March 2020 was above 80%
    expect(yz).toBeGreaterThan(0.8);
  });

  it("IV rank and IV percentile over 252 sessions at every point of a 400-session history", () => {
    const iv = volRef.iv;
    for (let t = 0; t < iv.length; t++) {
      const hist = iv.slice(0, t + 1);
      const r = ivRank(hist, 252);
      const p = ivPercentile(hist, 252);
      const er = volRef.ivRank[t];
      const ep = volRef.ivPercentile[t];
      if (er === null) expect(r).toBeNull();
      else expect(r!).toBeCloseTo(er, 9);
      if (ep === null) expect(p).toBeNull();
      else expect(p!).toBeCloseTo(ep, 9);
    }
  });

  it("IV rank worked example: 52-week low 20%, high 40%, today 30% -> rank 50; percentile counts days below", () => {
    const hist = [0.2, 0.4, 0.25, 0.35, 0.3];
    expect(ivRank(hist)).toBeCloseTo(50, 12);
    expect(ivPercentile(hist)).toBeCloseTo(50, 12); // 0.20 and 0.25 of four previous days are below 0.30
    expect(ivRank([0.3, 0.3])).toBeNull(); // no range: rank undefined
  });
});

describe("indicator edge cases", () => {
  it("short inputs give no value instead of a wrong one", () => {
    expect(sma([1, 2], 3)).toBeNull();
    expect(Array.from(smaSeries([1, 2], 3)).every(Number.isNaN)).toBe(true);
    expect(rsiWilder([1, 2, 3], 14)).toBeNull();
    expect(Array.from(macdSeries(close.slice(0, 33)).macd).every(Number.isNaN)).toBe(true);
    expect(Array.from(dmiSeries(high.slice(0, 27), low.slice(0, 27), close.slice(0, 27)).adx).every(Number.isNaN)).toBe(true);
  });
  it("flat prices: RSI neutral 50, zero bands and zero volatility", () => {
    const flat = Array(40).fill(100);
    expect(rsiWilder(flat)).toBe(50);
    expect(bollingerSeries(flat).upper[39]).toBe(100);
    expect(closeToCloseVolSeries(flat, 20)[39]).toBe(0);
  });
  it("rejects a nonsense period", () => {
    expect(() => smaSeries(close, 0)).toThrow(RangeError);
    expect(() => closeToCloseVolSeries(close, 1)).toThrow(RangeError);
  });
});

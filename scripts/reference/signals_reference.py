"""Independent reference values for the realized-volatility estimators and IV rank/percentile.

Python standard library only (math, statistics, csv), written from the papers' formulas with a fresh window
per output (no running sums), so it shares no code or algorithm with workers/signals/volatility.ts.
Input: the 504 SPY bars of test/fixtures/signals/ohlcv/spy_daily_2018-2020_talib-0.6.0_reference.csv.
Output: test/fixtures/signals/volatility-reference.json.

    python3 scripts/reference/signals_reference.py
"""
import csv, json, math, statistics, pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "test/fixtures/signals/ohlcv/spy_daily_2018-2020_talib-0.6.0_reference.csv"
OUT = ROOT / "test/fixtures/signals/volatility-reference.json"
N = 20
YEAR = 252

rows = list(csv.DictReader(open(SRC)))
o = [float(r["open"]) for r in rows]
h = [float(r["high"]) for r in rows]
l = [float(r["low"]) for r in rows]
c = [float(r["close"]) for r in rows]

def cc(i):
    rets = [math.log(c[j] / c[j - 1]) for j in range(i - N + 1, i + 1)]
    return math.sqrt(statistics.variance(rets) * YEAR)

def parkinson(i):
    s = sum(math.log(h[j] / l[j]) ** 2 for j in range(i - N + 1, i + 1))
    return math.sqrt(s / (4 * math.log(2) * N) * YEAR)

def yang_zhang(i):
    js = range(i - N + 1, i + 1)
    overnight = [math.log(o[j] / c[j - 1]) for j in js]
    open_close = [math.log(c[j] / o[j]) for j in js]
    rs = [math.log(h[j] / c[j]) * math.log(h[j] / o[j]) + math.log(l[j] / c[j]) * math.log(l[j] / o[j]) for j in js]
    k = 0.34 / (1.34 + (N + 1) / (N - 1))
    v = statistics.variance(overnight) + k * statistics.variance(open_close) + (1 - k) * statistics.fmean(rs)
    return math.sqrt(v * YEAR)

# A deterministic implied-vol history of 400 sessions (fractions), and rank/percentile over 252 sessions at
# every index from 1 on: rank = (x - min) / (max - min), percentile = share of the previous sessions below x.
iv = [round(0.18 + 0.07 * math.sin(t / 23) + 0.03 * math.cos(t / 7) + 0.01 * math.sin(t * 1.3), 6) for t in range(400)]
W = 252
rank, pct = [], []
for t in range(len(iv)):
    win = iv[max(0, t - W + 1): t + 1]
    if len(win) < 2:
        rank.append(None); pct.append(None); continue
    lo, hi = min(win), max(win)
    rank.append(100 * (iv[t] - lo) / (hi - lo) if hi > lo else None)
    prev = win[:-1]
    pct.append(100 * sum(1 for x in prev if x < iv[t]) / len(prev))

json.dump({
    "source": "scripts/reference/signals_reference.py (Python stdlib) on " + SRC.name,
    "window": N,
    "closeToClose": [None if i < N else cc(i) for i in range(len(c))],
    "parkinson": [None if i < N else parkinson(i) for i in range(len(c))],
    "yangZhang": [None if i < N else yang_zhang(i) for i in range(len(c))],
    "iv": iv, "ivWindow": W, "ivRank": rank, "ivPercentile": pct,
}, open(OUT, "w"))
print("wrote", OUT)

#!/usr/bin/env python3
"""
Independent high-precision references for workers/analytics (Black-Scholes-Merton prices and Greeks, implied
vols, the bivariate normal CDF and Bjerksund-Stensland 2002), computed with mpmath at 40 significant digits.

Re-run from the repository root (needs python3 with mpmath >= 1.3; takes about a minute):

    python3 scripts/reference/analytics_reference.py > test/fixtures/analytics-reference.json

Independence: prices use mpmath's ncdf; Greeks are NUMERICAL derivatives of that price (mp.diff at 40 digits),
not the closed forms the TypeScript uses; implied vols are mp.findroot solutions for the exact double price; the
bivariate normal is mp.quad of the density. Inputs are doubles and are converted exactly (mpf(float)).
"""
import json
import math
import mpmath
from mpmath import mp, mpf, ncdf, npdf, exp, log, sqrt, diff, findroot, quad, asin, sin, pi

mp.dps = 40


def bsm(kind, S, K, T, r, q, v):
    S, K, T, r, q, v = map(mpf, (S, K, T, r, q, v))
    sig = v * sqrt(T)
    d1 = (log(S / K) + (r - q) * T) / sig + sig / 2
    d2 = d1 - sig
    if kind == "call":
        return S * exp(-q * T) * ncdf(d1) - K * exp(-r * T) * ncdf(d2)
    return K * exp(-r * T) * ncdf(-d2) - S * exp(-q * T) * ncdf(-d1)


def greeks(kind, S, K, T, r, q, v):
    # Deep in the money a Greek can be 1e-60 of the price: differentiate at 120 digits so that the numerical
    # derivative of a price of order 1 still has 40 correct digits left in a Greek of order 1e-60.
    with mp.workdps(120):
        return _greeks(kind, S, K, T, r, q, v)


def _greeks(kind, S, K, T, r, q, v):
    f = lambda **kw: bsm(kind, kw.get("S", S), kw.get("K", K), kw.get("T", T), kw.get("r", r), kw.get("q", q), kw.get("v", v))
    return {
        "price": float(f()),
        "delta": float(diff(lambda x: f(S=x), mpf(S))),
        "gamma": float(diff(lambda x: f(S=x), mpf(S), 2)),
        "vega": float(diff(lambda x: f(v=x), mpf(v))),
        # theta: dV/dt of calendar time = -dV/dT
        "theta": float(-diff(lambda x: f(T=x), mpf(T))),
        "rho": float(diff(lambda x: f(r=x), mpf(r))),
    }


def european_cases():
    out = []
    for kind in ("call", "put"):
        for S, K in ((100, 50), (100, 80), (100, 95), (100, 100), (100, 105), (100, 125), (100, 200), (650, 560), (650, 700), (12, 20)):
            for T in (1 / 365, 7 / 365, 0.1, 0.5, 2.0):
                for v in (0.08, 0.25, 0.6, 1.5):
                    for r, q in ((0.045, 0.013), (0.0, 0.0), (0.1, 0.05), (0.05, 0.0)):
                        g = greeks(kind, S, K, T, r, q, v)
                        out.append({"kind": kind, "spot": S, "strike": K, "years": T, "rate": r, "dividendYield": q, "vol": v, **g})
    return out


def iv_cases():
    """Price at vol rounded to a double, then the exact vol of that double price (null-expected cases flagged)."""
    out = []
    S, r, q = 100.0, 0.045, 0.013
    for kind in ("call", "put"):
        for m in (0.5, 0.7, 0.85, 0.95, 1.0, 1.05, 1.2, 1.5, 2.0):
            for T in (1 / 365, 5 / 365, 30 / 365, 0.25, 1.0, 3.0):
                for v in (0.03, 0.1, 0.2, 0.4, 0.8, 1.6, 3.0):
                    K = S * m
                    price = float(bsm(kind, S, K, T, r, q, v))
                    sF = mpf(S) * exp(-mpf(q) * mpf(T))
                    kD = mpf(K) * exp(-mpf(r) * mpf(T))
                    intrinsic = max(sF - kD if kind == "call" else kD - sF, 0)
                    tv = mpf(price) - intrinsic
                    row = {"kind": kind, "spot": S, "strike": K, "years": T, "rate": r, "dividendYield": q, "vol": v, "price": price}
                    if tv < mpf("0.005"):
                        row["iv"] = None  # under half a cent tick of time value: must be null
                    else:
                        iv = findroot(lambda x: bsm(kind, S, K, T, r, q, x) - mpf(price), mpf(v), tol=mpf(10) ** -35)
                        vega = diff(lambda x: bsm(kind, S, K, T, r, q, x), iv)
                        row["iv"] = float(iv)
                        # vol change that moves the price by one ulp of the largest number in the parity sum
                        # (price, spot, strike): below ~1e-13 the double price pins the vol to 1e-12.
                        row["ivPerUlp"] = float(math.ulp(max(price, S, K)) / vega)
                    out.append(row)
    return out


def bvn(a, b, rho):
    a, b, rho = mpf(a), mpf(b), mpf(rho)
    # Phi(a) Phi(b) + integral over the correlation of the bivariate density at (a, b) (Plackett's identity).
    f = lambda t: exp(-(a * a + b * b - 2 * a * b * t) / (2 * (1 - t * t))) / (2 * pi * sqrt(1 - t * t))
    return ncdf(a) * ncdf(b) + quad(f, [0, rho])


def bvn_cases():
    rho = math.sqrt((math.sqrt(5) - 1) / 2)
    out = []
    for a in (-3.0, -1.2, 0.0, 0.4, 2.5):
        for b in (-2.0, -0.3, 0.7, 3.1):
            for p in (rho, -rho, 0.3, -0.6):
                out.append({"a": a, "b": b, "rho": p, "value": float(bvn(a, b, p))})
    return out


def bs2002_call(S, K, T, r, b, v):
    S, K, T, r, b, v = map(mpf, (S, K, T, r, b, v))
    t1 = (sqrt(5) - 1) / 2 * T
    rho = sqrt(t1 / T)
    v2 = v * v
    beta = (mpf(1) / 2 - b / v2) + sqrt((b / v2 - mpf(1) / 2) ** 2 + 2 * r / v2)
    binf = beta / (beta - 1) * K
    b0 = max(K, r / (r - b) * K)
    h1 = -(b * t1 + 2 * v * sqrt(t1)) * K * K / ((binf - b0) * b0)
    h2 = -(b * T + 2 * v * sqrt(T)) * K * K / ((binf - b0) * b0)
    I1 = b0 + (binf - b0) * (1 - exp(h1))
    I2 = b0 + (binf - b0) * (1 - exp(h2))
    if S >= I2:
        return S - K
    a1 = (I1 - K) * I1 ** (-beta)
    a2 = (I2 - K) * I2 ** (-beta)

    def ph(t, g, H, I):
        lam = (-r + g * b + g * (g - 1) * v2 / 2) * t
        d = -(log(S / H) + (b + (g - mpf(1) / 2) * v2) * t) / (v * sqrt(t))
        kap = 2 * b / v2 + (2 * g - 1)
        return exp(lam) * S ** g * (ncdf(d) - (I / S) ** kap * ncdf(d - 2 * log(I / S) / (v * sqrt(t))))

    def ps(g, H):
        mu = b + (g - mpf(1) / 2) * v2
        s1, sT = v * sqrt(t1), v * sqrt(T)
        e1 = (log(S / I1) + mu * t1) / s1
        e2 = (log(I2 ** 2 / (S * I1)) + mu * t1) / s1
        e3 = (log(S / I1) - mu * t1) / s1
        e4 = (log(I2 ** 2 / (S * I1)) - mu * t1) / s1
        f1 = (log(S / H) + mu * T) / sT
        f2 = (log(I2 ** 2 / (S * H)) + mu * T) / sT
        f3 = (log(I1 ** 2 / (S * H)) + mu * T) / sT
        f4 = (log(S * I1 ** 2 / (H * I2 ** 2)) + mu * T) / sT
        lam = -r + g * b + g * (g - 1) * v2 / 2
        kap = 2 * b / v2 + (2 * g - 1)
        return exp(lam * T) * S ** g * (
            bvn(-e1, -f1, rho) - (I2 / S) ** kap * bvn(-e2, -f2, rho) - (I1 / S) ** kap * bvn(-e3, -f3, -rho) + (I1 / I2) ** kap * bvn(-e4, -f4, -rho)
        )

    return (a2 * S ** beta - a2 * ph(t1, beta, I2, I2) + ph(t1, 1, I2, I2) - ph(t1, 1, I1, I2) - K * ph(t1, 0, I2, I2) + K * ph(t1, 0, I1, I2)
            + a1 * ph(t1, beta, I1, I2) - a1 * ps(beta, I1) + ps(1, I1) - ps(1, K) - K * ps(0, I1) + K * ps(0, K))


def bs2002_cases():
    out = []
    for kind, S, K, T, r, q, v in (
        ("call", 42, 40, 0.75, 0.04, 0.08, 0.35),
        ("call", 100, 90, 0.5, 0.03, 0.07, 0.25),
        ("call", 100, 110, 1.0, 0.05, 0.1, 0.3),
        ("put", 40, 40, 0.5, 0.05, 0.0, 0.3),
        ("put", 36, 40, 1.0, 0.06, 0.0, 0.2),
        ("put", 100, 110, 1.0, 0.06, 0.01, 0.2),
        ("put", 100, 90, 0.25, 0.045, 0.013, 0.4),
        ("put", 650, 700, 30 / 365, 0.045, 0.013, 0.15),
    ):
        b = r - q
        val = bs2002_call(S, K, T, r, b, v) if kind == "call" else bs2002_call(K, S, T, r - b, -b, v)
        out.append({"kind": kind, "spot": S, "strike": K, "years": T, "rate": r, "dividendYield": q, "vol": v, "bs2002": float(val)})
    return out


def log_ratio_cases():
    # ln(a/b) for the kernels' division-free log (fast-exp.ts, logRatio): spot/strike-like pairs, ratios next to 1
    # (same and neighbouring table points), and the extremes of the double range.
    import random
    rnd = random.Random(4)
    pairs = []
    for _ in range(300):
        a = math.exp(rnd.uniform(0, 8.5))
        pairs.append((a, a * math.exp(rnd.uniform(-3, 3))))
    for k in range(1, 60):
        a = 100 + k * 0.37
        pairs.append((a, a * (1 + (k if k % 2 else -k) * 1e-9)))
        pairs.append((a, a + 0.01 * k))
    pairs += [(1e-300, 3.0), (7.5, 1e300), (1.7e308, 1e-307), (2.2250738585072014e-308, 1.0), (1.5 * 2.0 ** 1023, 1.25), (1.0, 1.0)]
    return [{"a": a, "b": b, "ln": float(log(mpf(a) / mpf(b)))} for a, b in pairs]


if __name__ == "__main__":
    print(json.dumps({
        "generator": "scripts/reference/analytics_reference.py (mpmath %s, %d digits)" % (mpmath.__version__, mp.dps),
        "european": european_cases(),
        "impliedVol": iv_cases(),
        "bivariateNormal": bvn_cases(),
        "bs2002": bs2002_cases(),
        "logRatio": log_ratio_cases(),
    }, indent=None))

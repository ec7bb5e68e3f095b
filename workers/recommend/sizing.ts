import type { OptionContract, Sizing } from "../../schemas";
import { normCdf } from "../analytics";

export const SIZING_VERSION = "sizing/2";

/** At most this share of a series' open interest in one order, unless the displayed ask size is larger. */
export const MAX_SHARE_OF_OPEN_INTEREST = 0.1;

export type SizingInput = {
  contract: OptionContract;
  capital: number;
  maxRiskFraction: number;
  spot: number;
  rate: number;
  dividendYield: number;
  /** Years to the expiry close. */
  years: number;
  /** Opt-in: cap at this fraction of the Kelly bet (0.25 = quarter Kelly). */
  kellyFraction?: number;
  /** The model's probability that buying at the ask pays off at expiry; Kelly uses the risk-neutral one without it. */
  modelProbability?: number | null;
};

const round2 = (x: number) => Math.round(x * 100) / 100;
const money = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/**
 * Lognormal (at the contract's IV, risk-neutral drift) probability that a long option ends beyond `breakeven`,
 * and the expected payoff per share given that it does.
 */
function tail(c: OptionContract, i: SizingInput, breakeven: number): { p: number; payoffIfWin: number } {
  const vol = c.iv ?? 0;
  const sd = vol * Math.sqrt(Math.max(i.years, 0));
  if (!(sd > 0) || !(breakeven > 0)) return { p: 0, payoffIfWin: 0 };
  const fwd = i.spot * Math.exp((i.rate - i.dividendYield) * i.years);
  const d2 = (Math.log(i.spot / breakeven) + (i.rate - i.dividendYield - 0.5 * vol * vol) * i.years) / sd;
  const d1 = d2 + sd;
  if (c.type === "call") {
    const p = normCdf(d2);
    return { p, payoffIfWin: p > 0 ? (fwd * normCdf(d1) - c.strike * p) / p : 0 };
  }
  const p = normCdf(-d2);
  return { p, payoffIfWin: p > 0 ? (c.strike * p - fwd * normCdf(-d1)) / p : 0 };
}

/**
 * Position size of a long option (pure). Contracts = the risk budget (capital x maxRiskFraction) divided by the
 * price of one contract at the ASK (a buyer's realistic fill) times the multiplier, rounded down; then capped by
 * what the market shows (ask size, or 10% of open interest) and, only when asked, by fractional Kelly. The
 * premium therefore never exceeds the budget, and the budget never exceeds the capital.
 * Probability of profit is risk-neutral: the lognormal probability at the contract's IV of ending beyond breakeven.
 */
export function sizePosition(i: SizingInput): Sizing {
  const c = i.contract;
  const warnings: string[] = [];
  const budget = i.capital * Math.min(1, i.maxRiskFraction);
  const pricePerContract = round2(c.ask * c.multiplier);
  const breakeven = round2(c.type === "call" ? c.strike + c.ask : Math.max(0, c.strike - c.ask));
  const vol = c.iv ?? 0;
  const sd = vol * Math.sqrt(Math.max(i.years, 0));
  const { p: pop, payoffIfWin } = tail(c, i, breakeven);
  if (c.bid <= 0) warnings.push("No bid: nobody is buying this contract now, so it may not be sellable before expiry.");

  const budgetContracts = pricePerContract > 0 ? Math.floor(budget / pricePerContract + 1e-9) : 0;
  const liquidityCap = Math.max(c.askSize, Math.floor(c.openInterest * MAX_SHARE_OF_OPEN_INTEREST));
  let contracts = Math.min(budgetContracts, liquidityCap);
  let note: string | null = null;
  if (!(pricePerContract > 0)) {
    note = "No ask: the contract cannot be bought at a price now.";
    contracts = 0;
  } else if (budgetContracts === 0) {
    note = `One contract costs ${money(pricePerContract)}, more than the ${(i.maxRiskFraction * 100).toFixed(0)}% risk budget of ${money(budget)}: add capital or pick a cheaper preset.`;
  } else if (liquidityCap < budgetContracts) {
    note = `Capped at ${liquidityCap} contracts by liquidity (ask size ${c.askSize}, open interest ${c.openInterest}); the risk budget would buy ${budgetContracts}.`;
  }

  let kelly: Sizing["kelly"] = null;
  if (i.kellyFraction !== undefined && pricePerContract > 0) {
    const fromModel = i.modelProbability !== null && i.modelProbability !== undefined;
    const winP = fromModel ? i.modelProbability! : pop;
    const payoffRatio = Math.max(0, (payoffIfWin - c.ask) / c.ask);
    // Kelly for a bet that wins b per unit staked with probability p and otherwise loses the stake.
    const fullKelly = payoffRatio > 0 ? winP - (1 - winP) / payoffRatio : -1;
    const capContracts = fullKelly > 0 ? Math.floor((i.kellyFraction * fullKelly * i.capital) / pricePerContract + 1e-9) : 0;
    const binding = capContracts < contracts;
    if (binding) {
      contracts = capContracts;
      note =
        fullKelly > 0
          ? `Capped at ${capContracts} contract${capContracts === 1 ? "" : "s"} by ${i.kellyFraction} Kelly (full Kelly ${(fullKelly * 100).toFixed(1)}% of capital).`
          : `Kelly sees no edge at the ask (win probability ${(winP * 100).toFixed(1)}%, payoff ratio ${payoffRatio.toFixed(2)}): the Kelly cap allows no contracts.`;
    }
    kelly = { fraction: i.kellyFraction, winProbability: winP, probabilitySource: fromModel ? "model" : "risk-neutral", payoffRatio, fullKelly, capContracts, binding };
  }

  const premium = round2(contracts * pricePerContract);
  return {
    contracts,
    pricePerContract,
    premium,
    maxLoss: premium,
    maxRiskFraction: i.maxRiskFraction,
    capitalAtRiskPct: round2((premium / i.capital) * 100),
    breakeven,
    probabilityOfProfit: pop,
    expectedMove: round2(i.spot * sd),
    note,
    budgetContracts,
    liquidityCap,
    kelly,
    warnings,
  };
}

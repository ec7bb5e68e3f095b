import type { OptionContract, Sizing } from "../../schemas";
import { normCdf } from "../analytics";

export const SIZING_VERSION = "sizing/1";

export type SizingInput = {
  contract: OptionContract;
  capital: number;
  maxRiskFraction: number;
  spot: number;
  rate: number;
  dividendYield: number;
  years: number;
};

/**
 * Position size of a long option: as many contracts as the risk budget (capital x maxRiskFraction) buys at the ASK
 * (a buyer's realistic fill), times the contract multiplier. Probability of profit is risk-neutral: the lognormal
 * probability, at the contract's IV, that the underlying ends beyond the breakeven.
 */
export function sizePosition(i: SizingInput): Sizing {
  const c = i.contract;
  const pricePerContract = round2(c.ask * c.multiplier);
  const budget = i.capital * i.maxRiskFraction;
  const contracts = pricePerContract > 0 ? Math.floor(budget / pricePerContract + 1e-9) : 0;
  const premium = round2(contracts * pricePerContract);
  const breakeven = round2(c.type === "call" ? c.strike + c.ask : Math.max(0, c.strike - c.ask));
  const vol = c.iv ?? 0;
  const sd = vol * Math.sqrt(Math.max(i.years, 0));
  let pop = 0;
  if (sd > 0 && breakeven > 0) {
    const d2 = (Math.log(i.spot / breakeven) + (i.rate - i.dividendYield - 0.5 * vol * vol) * i.years) / sd;
    pop = c.type === "call" ? normCdf(d2) : normCdf(-d2);
  } else if (c.type === "put" && breakeven <= 0) {
    pop = 0;
  }
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
    note:
      contracts === 0
        ? `One contract costs $${pricePerContract.toFixed(2)}, more than the ${(i.maxRiskFraction * 100).toFixed(0)}% risk budget of $${budget.toFixed(2)}: add capital or pick a cheaper preset.`
        : null,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

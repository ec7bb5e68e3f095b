/** Option analytics: pure pricing, Greeks, implied volatility, American exercise, chains, liquidity, filters (no I/O, no clock). */
export { bsGreeks, bsGreeksInto, bsPrice, toDisplayGreeks } from "./black-scholes";
export type { BsGreeks, BsInput } from "./black-scholes";
export { impliedVol, impliedVolRaw } from "./implied-vol";
export { normCdf, normInv, normPdf } from "./normal";
export { americanGreeks, americanImpliedVol, americanPrice, bivariateNormalCdf, bs2002Price, earlyExerciseMatters } from "./american";
export { chainAnalytics, chainAnalyticsColumns, chainRow, expectedMoveFromIv, expectedMoveFromStraddle, probabilityItm, probabilityOfTouch } from "./chain";
export type { ChainColumns, ChainOptions, ChainQuote, ChainRow } from "./chain";
export { LIQUIDITY_WEIGHTS, liquidityComponents, liquidityScore } from "./liquidity";
export type { LiquidityInput } from "./liquidity";
export { DEFAULT_RISK_LIMITS, riskFilter } from "./filters";
export type { FilterableContract, PresetWindow, RejectionReason, RiskLimits } from "./filters";

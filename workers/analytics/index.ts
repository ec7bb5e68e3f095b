/** Option analytics: pure pricing, Greeks and implied volatility (no I/O, no clock). */
export { bsGreeks, bsPrice, toDisplayGreeks } from "./black-scholes";
export type { BsGreeks, BsInput } from "./black-scholes";
export { impliedVol } from "./implied-vol";
export { normCdf, normInv, normPdf } from "./normal";

export { MarketFeed } from "./market-feed";
export { RateLimiter } from "./rate-limiter";
export { SymbolRoom } from "./symbol-room";

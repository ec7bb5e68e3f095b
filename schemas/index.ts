/**
 * The data contracts: single source of truth for every payload that crosses a boundary.
 * `npm run schemas` writes each entry of `contracts` to schemas/json/<name>.schema.json.
 */
import type { z } from "zod";
import { ErrorBody } from "./common";
import { BarSeries, ChainFilter, MarketSnapshot, OptionChain, OptionContract, Quote } from "./market";
import { Recommendation, RecommendationEvent, RecommendationRequest } from "./recommendation";
import { ImportResult, OnlineFeatures, SignalsBundle } from "./signals";
import { DevToken, DevTokenRequest, Profile, ProfileUpdate, Watchlist, WatchlistUpdate } from "./user";
import { EvaluatedFlags, FlagDefinition } from "./flags";
import { SymbolSearchQuery, SymbolSearchResult } from "./symbols";
import { ClientMessage, ServerMessage } from "./ws";
import { MarketEventMessage } from "./queue";

export * from "./common";
export * from "./market";
export * from "./recommendation";
export * from "./signals";
export * from "./user";
export * from "./ws";
export * from "./queue";
export * from "./flags";
export * from "./symbols";

export const contracts = {
  "error-body": ErrorBody,
  quote: Quote,
  "option-contract": OptionContract,
  "option-chain": OptionChain,
  "chain-filter": ChainFilter,
  "market-snapshot": MarketSnapshot,
  "bar-series": BarSeries,
  "recommendation-request": RecommendationRequest,
  recommendation: Recommendation,
  "recommendation-event": RecommendationEvent,
  "signals-bundle": SignalsBundle,
  "import-result": ImportResult,
  "online-features": OnlineFeatures,
  profile: Profile,
  watchlist: Watchlist,
  "profile-update": ProfileUpdate,
  "watchlist-update": WatchlistUpdate,
  "dev-token-request": DevTokenRequest,
  "dev-token": DevToken,
  "flag-definition": FlagDefinition,
  "evaluated-flags": EvaluatedFlags,
  "symbol-search-query": SymbolSearchQuery,
  "symbol-search-result": SymbolSearchResult,
  "ws-server-message": ServerMessage,
  "ws-client-message": ClientMessage,
  "market-event-message": MarketEventMessage,
} satisfies Record<string, z.ZodType>;

import type { FlagValues } from "./gateway/flags";
import type { Principal } from "./gateway/jwt";
import type { Services } from "./services";

/** Hono's environment for every route: the bindings plus what middleware puts on the context. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    services: Services;
    /** The verified caller, or null when anonymous. */
    user: Principal | null;
    /** Feature flags evaluated once for this request. */
    flags: FlagValues;
    /** Stage timings for the Server-Timing header. */
    timings: Array<{ name: string; ms: number }>;
  };
};

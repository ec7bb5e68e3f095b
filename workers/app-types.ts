import type { Services } from "./services";

/** Hono's environment for every route: the bindings plus what middleware puts on the context. */
export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string; services: Services };
};

import { createContext } from "react-router";
import type { Services } from "../workers/services";

/** What the Worker hands every loader and action: the bindings and the services built from them. */
export type ServerContext = {
  cloudflare: { env: Env; ctx: ExecutionContext };
  services: Services;
};

export const serverContext = createContext<ServerContext>();

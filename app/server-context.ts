import { createContext } from "react-router";
import type { Principal } from "../workers/gateway/jwt";
import type { Services } from "../workers/services";

/** What the Worker hands every loader and action: the bindings and the services built from them. */
export type ServerContext = {
  cloudflare: { env: Env; ctx: ExecutionContext };
  services: Services;
  /** The signed-in user from the session cookie (verified like an API token), or null. */
  user: Principal | null;
  /** The request id, for error pages and logs. */
  requestId: string;
  /** Mints a development token for the demo sign-in; null where the dev issuer is off (production). */
  devToken: ((sub: string) => Promise<{ token: string; expiresAt: string }>) | null;
};

export const serverContext = createContext<ServerContext>();

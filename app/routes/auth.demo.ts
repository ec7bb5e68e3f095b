import { redirect } from "react-router";
import { serverContext } from "../server-context";
import { cookie, DEMO_ID_COOKIE, readCookie, SESSION_COOKIE } from "../lib/session.server";
import type { Route } from "./+types/auth.demo";

/**
 * POST /auth/demo: "continue as demo user". A new browser becomes a new demo user; the same browser comes back
 * as the same one (its id in a cookie), so its profile and watchlist are there on return.
 */
export async function action({ request, context }: Route.ActionArgs) {
  const { devToken } = context.get(serverContext);
  if (!devToken) throw new Response("The demo sign-in is off here", { status: 404 });
  const known = readCookie(request, DEMO_ID_COOKIE);
  const sub = known && /^demo-[0-9a-f]{12}$/.test(known) ? known : `demo-${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const { token, expiresAt } = await devToken(sub);
  const headers = new Headers();
  headers.append("Set-Cookie", cookie(request, SESSION_COOKIE, token, { maxAgeS: (Date.parse(expiresAt) - Date.now()) / 1000 }));
  headers.append("Set-Cookie", cookie(request, DEMO_ID_COOKIE, sub, { maxAgeS: 365 * 86_400 }));
  return redirect("/", { headers });
}

export function loader() {
  return redirect("/");
}

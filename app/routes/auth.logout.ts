import { redirect } from "react-router";
import { clearCookie, SESSION_COOKIE } from "../lib/session.server";
import type { Route } from "./+types/auth.logout";

/** POST /auth/logout: forgets the session cookie (a POST, so a link on another site cannot sign you out). */
export async function action({ request }: Route.ActionArgs) {
  return redirect("/", { headers: { "Set-Cookie": clearCookie(request, SESSION_COOKIE) } });
}

export function loader() {
  return redirect("/");
}

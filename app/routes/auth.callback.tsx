import { data, Link, redirect } from "react-router";
import { serverContext } from "../server-context";
import { clearCookie, cookie, idpConfig, OAUTH_COOKIE, readCookie, secondsLeft, SESSION_COOKIE } from "../lib/session.server";
import type { Route } from "./+types/auth.callback";

type TokenResponse = { access_token?: string; id_token?: string; expires_in?: number; error?: string; error_description?: string };

const isJwt = (t: string | undefined): t is string => !!t && t.split(".").length === 3;

/** GET /auth/callback: checks the state, redeems the code with the PKCE verifier, keeps the token in the session cookie. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const idp = idpConfig(context.get(serverContext).cloudflare.env);
  if (!idp) throw new Response("No identity provider is configured", { status: 404 });
  const url = new URL(request.url);
  const fail = (message: string, status = 400) => data({ message }, { status, headers: { "Set-Cookie": clearCookie(request, OAUTH_COOKIE, "/auth") } });
  if (url.searchParams.get("error")) return fail(`The identity provider refused: ${url.searchParams.get("error_description") ?? url.searchParams.get("error")}`);
  const [state, verifier] = (readCookie(request, OAUTH_COOKIE) ?? "").split(".");
  const code = url.searchParams.get("code");
  if (!state || !verifier || url.searchParams.get("state") !== state) return fail("The sign-in expired or did not start here; try again.");
  if (!code) return fail("The identity provider sent no code.");
  let res: Response;
  try {
    res = await fetch(idp.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ grant_type: "authorization_code", client_id: idp.clientId, code, redirect_uri: new URL("/auth/callback", request.url).toString(), code_verifier: verifier }),
    });
  } catch {
    return fail("The identity provider cannot be reached; try again shortly.", 502);
  }
  const body = (await res.json().catch(() => ({}))) as TokenResponse;
  // The API verifies the access token (audience = our API); Cognito-style setups may only give a usable id token.
  const token = isJwt(body.access_token) ? body.access_token : isJwt(body.id_token) ? body.id_token : null;
  if (!res.ok || !token) return fail(`Sign-in failed: ${body.error_description ?? body.error ?? `token endpoint answered ${res.status}`}`, 502);
  const headers = new Headers();
  headers.append("Set-Cookie", cookie(request, SESSION_COOKIE, token, { maxAgeS: secondsLeft(token, body.expires_in ?? 3600) }));
  headers.append("Set-Cookie", clearCookie(request, OAUTH_COOKIE, "/auth"));
  return redirect("/", { headers });
}

export default function Callback({ loaderData }: Route.ComponentProps) {
  return (
    <main className="page">
      <h1>Sign-in did not complete</h1>
      <p role="alert">{loaderData.message}</p>
      <p>
        <Link to="/">Back to the assistant</Link>
      </p>
    </main>
  );
}

import { data, Link, redirect } from "react-router";
import { serverContext } from "../server-context";
import { clearCookie, cookie, idpConfig, OAUTH_COOKIE, readCookie, secondsLeft, SESSION_COOKIE } from "../lib/session.server";
import { profiles } from "../../workers/gateway/auth";
import { AuthError, verifyToken } from "../../workers/gateway/jwt";
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
  // A grant the provider refuses (4xx: invalid_grant for a spent or expired code, a verifier that does not match
  // the challenge, ...) is this sign-in attempt failing, not the provider: 400, not 502 (502 stays for a provider
  // that is down or answers nonsense).
  if (!res.ok) return fail(`Sign-in failed: ${body.error_description ?? body.error ?? `token endpoint answered ${res.status}`}`, res.status >= 400 && res.status < 500 ? 400 : 502);
  // The session keeps a token only after it verifies exactly as the gateway will verify it (keys, iss, aud, exp,
  // the provider's rules). Before, any JWT-shaped token was stored: a forged, expired or wrong-audience token got
  // a session cookie and a redirect home, where the page silently showed the user signed out.
  // The API verifies the access token (audience = our API); Cognito-style setups may only give a usable id token.
  const provider = profiles(context.get(serverContext).cloudflare.env, false)[0];
  if (!provider) return fail("Sign-in failed: the identity provider's keys are not configured (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE).", 502);
  const candidates = [body.access_token, body.id_token].filter(isJwt);
  if (candidates.length === 0) return fail("Sign-in failed: the identity provider sent no token.", 502);
  let token: string | null = null;
  let reason: string | null = null;
  for (const t of candidates) {
    try {
      await verifyToken(t, provider.profile, await provider.keys());
      token = t;
      break;
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      reason ??= e.message; // the access token's reason, the one that matters; safe to show (never the token)
    }
  }
  if (!token) return fail(`Sign-in failed: the identity provider's token was not accepted (${reason}).`, reason === "identity provider keys unavailable" ? 502 : 400);
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

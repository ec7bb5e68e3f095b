import { redirect } from "react-router";
import { serverContext } from "../server-context";
import { cookie, idpConfig, OAUTH_COOKIE, pkceChallenge, randomToken } from "../lib/session.server";
import type { Route } from "./+types/auth.login";

/**
 * GET /auth/login: starts the OAuth 2.0 authorization-code flow with PKCE (RFC 7636) at the configured identity
 * provider (Auth0 or Cognito): a random state and verifier wait in a short-lived HttpOnly cookie for the callback.
 */
export async function loader({ request, context }: Route.LoaderArgs) {
  const idp = idpConfig(context.get(serverContext).cloudflare.env);
  if (!idp) throw new Response("No identity provider is configured (AUTH_AUTHORIZE_URL, AUTH_TOKEN_URL, AUTH_CLIENT_ID)", { status: 404 });
  const state = randomToken(16);
  const verifier = randomToken(48);
  const url = new URL(idp.authorizeUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", idp.clientId);
  url.searchParams.set("redirect_uri", new URL("/auth/callback", request.url).toString());
  url.searchParams.set("scope", "openid profile email");
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await pkceChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  // Auth0 issues a JWT access token for our API only when asked for its audience.
  if (idp.audience) url.searchParams.set("audience", idp.audience);
  return redirect(url.toString(), { headers: { "Set-Cookie": cookie(request, OAUTH_COOKIE, `${state}.${verifier}`, { maxAgeS: 600, path: "/auth" }) } });
}

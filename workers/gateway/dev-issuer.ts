/**
 * The local development issuer: so the app works with no identity provider. Its ES256 key pair lives in KV
 * (created on first use), its public keys are published as a JWKS, and it signs short-lived tokens for any
 * subject. Never on in production (appConfig refuses DEV_AUTH there).
 */
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from "jose";

export const DEV_ISSUER = "urn:options-assistant:dev-issuer";
export const DEV_AUDIENCE = "options-assistant";
const KV_KEY = "auth:dev-issuer:v1";
export const DEV_TOKEN_TTL_S = 3600;

type StoredKey = { kid: string; privateJwk: JWK; publicJwk: JWK };

async function loadOrCreate(kv: KVNamespace): Promise<StoredKey> {
  const existing = await kv.get<StoredKey>(KV_KEY, "json");
  if (existing) return existing;
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `dev-${crypto.randomUUID().slice(0, 8)}`;
  const stored: StoredKey = { kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } };
  await kv.put(KV_KEY, JSON.stringify(stored));
  // Two first requests racing may both create a key: the one stored last wins and is what everyone reads next.
  return (await kv.get<StoredKey>(KV_KEY, "json")) ?? stored;
}

export async function devJwks(kv: KVNamespace): Promise<JSONWebKeySet> {
  return { keys: [(await loadOrCreate(kv)).publicJwk] };
}

export async function mintDevToken(kv: KVNamespace, sub: string, roles: string[], nowS = Math.floor(Date.now() / 1000)): Promise<{ token: string; expiresAt: string }> {
  const key = await loadOrCreate(kv);
  const privateKey = await importJWK(key.privateJwk, "ES256");
  const exp = nowS + DEV_TOKEN_TTL_S;
  const token = await new SignJWT({ roles })
    .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(sub)
    .setIssuedAt(nowS)
    .setNotBefore(nowS)
    .setExpirationTime(exp)
    .sign(privateKey);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

// GitHub App authentication as GitHub does it: the app signs a short-lived JWT (RS256, `iss` = app
// id) with its private key and exchanges it for an installation token
// (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app).
import { createPublicKey, randomBytes, verify } from "node:crypto";
import type { SimApp } from "./types.js";

/** The app whose valid JWT `token` is, or null. */
export function verifyAppJwt(token: string, apps: readonly SimApp[], nowSeconds: number): SimApp | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  let claims: { iss?: unknown; exp?: unknown; iat?: unknown; alg?: unknown };
  try {
    const parsedHeader = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: unknown };
    if (parsedHeader.alg !== "RS256") return null;
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return null;
  }
  const app = apps.find((candidate) => String(candidate.appId) === String(claims.iss));
  if (!app) return null;
  const signed = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), createPublicKey(app.publicKey), Buffer.from(signature, "base64url"));
  if (!signed) return null;
  // GitHub: exp at most 10 minutes ahead; iat not in the future (60 s of clock drift allowed).
  if (typeof claims.exp !== "number" || claims.exp <= nowSeconds || claims.exp > nowSeconds + 600 + 60) return null;
  if (typeof claims.iat !== "number" || claims.iat > nowSeconds + 60) return null;
  return app;
}

export function newInstallationToken(): string {
  return `ghs_${randomBytes(18).toString("base64url")}`;
}

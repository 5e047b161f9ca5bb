// The console's credential. Local stack: the bearer token, typed in once per browser session and kept
// in sessionStorage (never in a URL). jwt: OpenID Connect authorization code with PKCE against the
// issuer the console's config names; the access token is kept in sessionStorage too. iam: none (a
// browser cannot sign SigV4).

export type ConsoleAuth =
  | { mode: "token" }
  | { mode: "iam" }
  | { mode: "jwt"; clientId: string; authorizationEndpoint: string; tokenEndpoint: string; logoutEndpoint?: string; scopes: string[] };

const TOKEN_KEY = "hh-gitops.credential";
const PKCE_KEY = "hh-gitops.pkce";

let listeners: ((reason: string) => void)[] = [];

export function credential(): string | null {
  try {
    const stored = sessionStorage.getItem(TOKEN_KEY);
    if (!stored) return null;
    const { token, expiresAt } = JSON.parse(stored) as { token: string; expiresAt?: number };
    if (expiresAt && Date.now() > expiresAt) {
      sessionStorage.removeItem(TOKEN_KEY);
      return null;
    }
    return token;
  } catch {
    return null;
  }
}

export function remember(token: string, expiresInSeconds?: number): void {
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, ...(expiresInSeconds ? { expiresAt: Date.now() + expiresInSeconds * 1000 } : {}) }));
}

export function forget(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The API answered 401: the credential is gone; the app shows the sign-in again with the reason. */
export function signedOut(reason: string): void {
  forget();
  for (const l of listeners) l(reason);
}

export function onSignedOut(listener: (reason: string) => void): void {
  listeners = [...listeners, listener];
}

export async function loadConfig(): Promise<ConsoleAuth> {
  const res = await fetch(new URL("console/config.json", new URL(".", location.href.replace(/#.*$/, ""))), { credentials: "omit" });
  if (!res.ok) throw new Error(`console/config.json: HTTP ${res.status}`);
  return ((await res.json()) as { auth: ConsoleAuth }).auth;
}

// ---- OpenID Connect, authorization code + PKCE (RFC 7636) ---------------------------------------

const redirectUri = () => `${location.origin}${location.pathname}`;

function randomText(bytes = 32): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(b);
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function beginSignIn(auth: Extract<ConsoleAuth, { mode: "jwt" }>): Promise<void> {
  const verifier = randomText(48);
  const state = randomText(16);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL(auth.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: auth.scopes.join(" "),
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

/** After the issuer redirected back with ?code=&state=: exchanges the code, then removes it from the URL. */
export async function completeSignIn(auth: Extract<ConsoleAuth, { mode: "jwt" }>): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  const error = params.get("error");
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null") as { verifier: string; state: string; hash: string } | null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, "", `${location.pathname}${pending?.hash ?? ""}`);
  if (error) return `sign-in failed: ${params.get("error_description") ?? error}`;
  if (!pending || pending.state !== params.get("state")) return "sign-in failed: the answer does not belong to this sign-in (state)";
  const res = await fetch(auth.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", client_id: auth.clientId, code: code!, redirect_uri: redirectUri(), code_verifier: pending.verifier }),
    credentials: "omit",
  });
  if (!res.ok) return `sign-in failed: the token endpoint answered ${res.status}`;
  const tokens = (await res.json()) as { access_token?: string; expires_in?: number };
  if (!tokens.access_token) return "sign-in failed: no access token in the answer";
  remember(tokens.access_token, tokens.expires_in);
  return "";
}

export function signOutUrl(auth: ConsoleAuth): string | null {
  if (auth.mode !== "jwt" || !auth.logoutEndpoint) return null;
  const url = new URL(auth.logoutEndpoint);
  url.search = new URLSearchParams({ client_id: auth.clientId, logout_uri: redirectUri() }).toString();
  return url.toString();
}

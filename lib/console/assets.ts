// The console's static assets as the API serves them (DESIGN §16): built by `npm run console`
// (infra/tools/console-build.ts) into assets.generated.json, which esbuild bundles into the function
// like code. Hashed files are immutable; the page itself and its config are always revalidated.
import type { ConsoleAuth } from "../config/console.js";
import generated from "./assets.generated.json" with { type: "json" };

export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: string;
  /** Named by its content hash: cacheable forever. */
  readonly immutable: boolean;
}

export interface ConsoleAssets {
  /** The page, served at `/`. */
  readonly index: ConsoleAsset;
  /** The files under /console/, by file name. */
  readonly files: Readonly<Record<string, ConsoleAsset>>;
}

export const consoleAssets: ConsoleAssets = generated as ConsoleAssets;

/** The console's own document: how it signs API calls. */
export const CONFIG_FILE = "config.json";

export interface StaticResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const IMMUTABLE = "public, max-age=31536000, immutable";

function origin(url: string): string {
  return new URL(url).origin;
}

/**
 * Strict: scripts and styles only from this origin (no inline script or style), no framing, no plugins;
 * fetches to this API and, in jwt mode, to the token endpoint (the code exchange of PKCE).
 */
export function contentSecurityPolicy(auth: ConsoleAuth): string {
  const connect = ["'self'", ...(auth.mode === "jwt" ? [origin(auth.tokenEndpoint)] : [])];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${[...new Set(connect)].join(" ")}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function securityHeaders(auth: ConsoleAuth): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(auth),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  };
}

/** The answer for `/` (file undefined) or `/console/<file>`; null when there is no such file. */
export function consoleResponse(file: string | undefined, auth: ConsoleAuth, assets: ConsoleAssets = consoleAssets): StaticResponse | null {
  if (file === undefined) {
    return { status: 200, headers: { "content-type": assets.index.contentType, "cache-control": "no-cache", ...securityHeaders(auth) }, body: assets.index.body };
  }
  if (file === CONFIG_FILE) {
    return { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store", ...securityHeaders(auth) }, body: JSON.stringify({ auth }) };
  }
  const asset = Object.hasOwn(assets.files, file) ? assets.files[file] : undefined;
  if (!asset) return null;
  return {
    status: 200,
    headers: { "content-type": asset.contentType, "cache-control": asset.immutable ? IMMUTABLE : "no-cache", ...securityHeaders(auth) },
    body: asset.body,
  };
}

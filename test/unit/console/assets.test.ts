// The console's built files are committed (lib/console/assets.generated.json) so that a clean clone
// serves the console without a build step; this keeps them equal to the sources, and checks how the
// function serves them: hashed names cached forever, a strict CSP, no inline script.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { consoleAssets, consoleResponse, contentSecurityPolicy } from "../../../lib/console/assets.js";
import { parseConsoleAuth } from "../../../lib/config/console.js";
import { GENERATED_FILE, renderConsoleAssets } from "../../../infra/tools/console-build.js";

describe("console assets", () => {
  it("are what `npm run console` builds from console/ (run it after changing the console)", async () => {
    expect(readFileSync(GENERATED_FILE, "utf8") === (await renderConsoleAssets()), "lib/console/assets.generated.json is stale: npm run console").toBe(true);
  });

  it("name every script and stylesheet the page loads by its content hash, and hold no inline script or style", () => {
    const page = consoleAssets.index.body;
    const refs = [...page.matchAll(/(?:src|href)="console\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.sort()).toEqual(Object.keys(consoleAssets.files).sort());
    for (const name of refs) expect(name).toMatch(/^app\.[0-9a-f]{12}\.(js|css)$/);
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/\sstyle=|\son[a-z]+=/i);
  });

  it("serves hashed files as immutable and the page and config as revalidated, all under the CSP", () => {
    const auth = parseConsoleAuth({});
    const name = Object.keys(consoleAssets.files).find((f) => f.endsWith(".js"))!;
    const script = consoleResponse(name, auth)!;
    expect(script.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    const page = consoleResponse(undefined, auth)!;
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.headers["content-security-policy"]).not.toContain("unsafe");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect(JSON.parse(consoleResponse("config.json", auth)!.body)).toEqual({ auth: { mode: "token" } });
    expect(consoleResponse("config.json", auth)!.headers["cache-control"]).toBe("no-store");
    expect(consoleResponse("nope.js", auth)).toBeNull();
    expect(consoleResponse("__proto__", auth)).toBeNull();
  });

  it("lets the page fetch the OIDC token endpoint in jwt mode, and nothing else beyond itself", () => {
    const auth = parseConsoleAuth({
      HH_GITOPS_CONSOLE_AUTH: "jwt",
      HH_GITOPS_OIDC_CLIENT_ID: "abc",
      HH_GITOPS_OIDC_AUTHORIZATION_ENDPOINT: "https://login.example.com/oauth2/authorize",
      HH_GITOPS_OIDC_TOKEN_ENDPOINT: "https://login.example.com/oauth2/token",
    });
    expect(contentSecurityPolicy(auth)).toContain("connect-src 'self' https://login.example.com;");
    expect(() => parseConsoleAuth({ HH_GITOPS_CONSOLE_AUTH: "jwt" })).toThrow(/HH_GITOPS_OIDC_CLIENT_ID/);
  });
});

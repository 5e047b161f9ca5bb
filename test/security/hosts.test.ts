// Finding: the github provider sent its token over plain HTTP to any apiUrl, and Git remotes and
// redirects could lead anywhere. Now git.apiUrl, https Git URLs and every redirect hop must be https on
// HH_GITOPS_ALLOWED_HOSTS (loopback, over http too, only in the local deployment). 127.0.0.2 stands
// for the attacker's host: reachable here, but neither loopback as the policy names it nor allowed.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fastRetryWiring } from "../support/local-stack.js";
import { captureOutput, startCaptureServer, startRedirector, startTestStack, storeFabricDirectly, syncAndWait, type CaptureServer, type TestStack } from "./support.js";

// The handlers log at DEBUG into a capture (the logger reads its level when first imported, hence
// hoisted): what the logs would hold is asserted, not shown.
vi.hoisted(() => {
  process.env.HH_GITOPS_LOG_LEVEL = "DEBUG";
});
const output = captureOutput();
afterAll(() => output.restore());

const TOKEN = "ghp_token_that_must_stay_home_7c1";

describe("hosts on the allow-list (local stack)", () => {
  let stack: TestStack;
  let attacker: CaptureServer;
  let redirector: CaptureServer;

  beforeAll(async () => {
    attacker = await startCaptureServer("127.0.0.2");
    redirector = await startRedirector(attacker.url);
    stack = await startTestStack({ env: { HH_GITOPS_SECRET_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await stack.close();
    await redirector.close();
    await attacker.close();
  });

  it("refuses hosts off the list at registration, naming the field and HH_GITOPS_ALLOWED_HOSTS", async () => {
    const cases = [
      [{ provider: "github", owner: "acme", repo: "net", apiUrl: `${attacker.url}/api/v3`, credentials: "env:HH_GITOPS_SECRET_TOKEN" }, "/git/apiUrl", /plain http to host 127\.0\.0\.2; https is required/],
      [{ provider: "github", owner: "acme", repo: "net", apiUrl: "https://evil.example/api/v3", credentials: "env:HH_GITOPS_SECRET_TOKEN" }, "/git/apiUrl", /host evil\.example, which is not in HH_GITOPS_ALLOWED_HOSTS/],
      [{ provider: "git", url: "https://evil.example/acme/net.git", credentials: "env:HH_GITOPS_SECRET_TOKEN" }, "/git/url", /not in HH_GITOPS_ALLOWED_HOSTS/],
      [{ provider: "git", url: `${attacker.url}/net.git` }, "/git/url", /plain http to host 127\.0\.0\.2; https is required/],
    ] as const;
    for (const [i, [git, pointer, message]] of cases.entries()) {
      const res = await stack.api("/fabrics", { method: "POST", body: { name: `h-${i}`, git } });
      expect(res.status, pointer).toBe(422);
      expect(res.body.errors, pointer).toEqual([{ pointer, message: expect.stringMatching(message) }]);
    }
    expect(attacker.requests).toEqual([]);
  });

  it("checks every redirect hop: a GitHub API that redirects to another host fails the run, and the token goes nowhere", async () => {
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "gh-redirect", git: { provider: "github", owner: "acme", repo: "net", apiUrl: redirector.url, credentials: "env:HH_GITOPS_SECRET_TOKEN" } },
    });
    expect(res.status).toBe(201);
    const from = output.text().length;
    const run = await syncAndWait(stack, "gh-redirect");
    const logs = output.text().slice(from);
    expect(logs).toContain("HostNotAllowedError");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/HostNotAllowedError: redirect refused: the URL uses plain http to host 127\.0\.0\.2; https is required/);
    expect(attacker.requests).toEqual([]);
    // The refusal is final: Octokit's retry plugin does not ask again.
    expect(redirector.requests.length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(run) + logs).not.toContain(TOKEN);
  });

  it("checks every redirect hop of a Git remote too", async () => {
    redirector.requests.length = 0;
    await storeFabricDirectly({ id: "git-redirect", git: { provider: "git", url: `${redirector.url}/net.git`, branch: "main", credentials: "env:HH_GITOPS_SECRET_TOKEN", directory: "gitops/x" } });
    const run = await syncAndWait(stack, "git-redirect");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/HostNotAllowedError: redirect refused: the URL uses plain http to host 127\.0\.0\.2/);
    expect(redirector.requests.length).toBeGreaterThan(0);
    expect(attacker.requests).toEqual([]);
  });

  it("refuses at run time what the table holds anyway (a plain-http API on another host)", async () => {
    await storeFabricDirectly({ id: "gh-stored", git: { provider: "github", owner: "acme", repo: "net", apiUrl: `${attacker.url}/api`, credentials: "env:HH_GITOPS_SECRET_TOKEN", branch: "main", directory: "gitops/x" } });
    const run = await syncAndWait(stack, "gh-stored");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/HostNotAllowedError: git.apiUrl refused: the URL uses plain http to host 127\.0\.0\.2/);
    expect(attacker.requests).toEqual([]);
  });
});

describe("hosts in the cloud deployment: https only, no loopback", () => {
  let stack: TestStack;
  let capture: CaptureServer;

  beforeAll(async () => {
    capture = await startCaptureServer();
    // No consumers: the init runs registrations start are queued, never run (they would call out).
    stack = await startTestStack({ wiring: { ...fastRetryWiring, consumers: [] }, env: { HH_GITOPS_DEPLOYMENT: "cloud", HH_GITOPS_ALLOWED_HOSTS: "github.com,api.github.com,ghe.example.com" } });
  });
  afterAll(async () => {
    await stack.close();
    await capture.close();
  });

  it("refuses plain http and hosts off the list; accepts a listed GitHub Enterprise host", async () => {
    const register = (name: string, apiUrl: string) =>
      stack.api("/fabrics", { method: "POST", body: { name, git: { provider: "github", owner: "acme", repo: "net", apiUrl, credentials: `aws-sm:hedgehog-gitops/${name}/token` } } });
    const plain = await register("c-1", `${capture.url}/api`);
    expect(plain.status).toBe(422);
    expect(plain.body.errors).toEqual([{ pointer: "/git/apiUrl", message: "uses plain http to host 127.0.0.1; https is required" }]);
    const loopback = await register("c-2", capture.url.replace("http:", "https:"));
    expect(loopback.body.errors[0].message).toMatch(/host 127\.0\.0\.1, which is not in HH_GITOPS_ALLOWED_HOSTS \(github\.com, api\.github\.com, ghe\.example\.com\)/);
    expect((await register("c-3", "https://ghe.example.com/api/v3")).status).toBe(201);
    expect(capture.requests).toEqual([]);
  });
});

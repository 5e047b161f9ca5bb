// The GitHub traffic a stage invocation reports in its metrics (GitHubRequests, GitHubRateLimitRemaining;
// lib/git/github-traffic.ts): every answer of the simulated GitHub is counted once, retries included, and
// the lowest x-ratelimit-remaining among them is kept.
import { afterAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../../infra/local/github-sim/index.js";
import { createGitProvider, openGitHubTrafficWindow, type GitProvider } from "../../../lib/git/index.js";
import { TempRepos } from "../../support/git-repos.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";

const TOKEN = "ghp_traffic_test_token";
const DIR = "gitops/hedgehog/fab";
const repos = new TempRepos();
let sim: GitHubSim;
let provider: GitProvider;

afterAll(async () => {
  await provider?.close();
  await sim?.close();
  await repos.removeAll();
});

describe("GitHub traffic of a stage invocation", () => {
  it("counts every answer, a retried 502 too, and keeps the lowest rate-limit remaining", async () => {
    sim = await startGitHubSim({ token: TOKEN, rateLimit: 1000 });
    const gitdir = await repos.bare("main");
    await repos.seed(gitdir, "main", { [`${DIR}/raw/wiring.yaml`]: "kind: Switch\n" });
    sim.addRepository({ owner: "acme", repo: "traffic", gitdir });
    provider = await createGitProvider(
      { provider: "github", owner: "acme", repo: "traffic", apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
      { secrets: localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN }), ...LOCAL_GIT_TRUST, github: { retryAfterBaseValue: 5, spaceWrites: false } },
    );
    const before = openGitHubTrafficWindow();
    expect(before.close()).toEqual({ requests: 0, rateLimitRemaining: null });

    sim.resetLog();
    sim.injectFault({ kind: "server-error", status: 502, match: { route: "/repos/{owner}/{repo}/git/ref/{ref}" } });
    const window = openGitHubTrafficWindow();
    const head = await provider.head("main");
    await provider.readTree(head!.sha, DIR);
    const traffic = window.close();

    expect(sim.requests.map((r) => r.status)).toContain(502);
    expect(traffic.requests).toBe(sim.requests.length);
    expect(traffic.requests).toBeGreaterThanOrEqual(3);
    expect(traffic.rateLimitRemaining).toBe(sim.rateLimit.remaining);
    expect(traffic.rateLimitRemaining).toBeLessThan(1000);
    // A closed window counts nothing more.
    await provider.readTree(head!.sha, DIR);
    expect(window.close()).toEqual(traffic);
  });
});

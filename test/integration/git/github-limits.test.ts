// The github provider against a simulated GitHub that enforces GitHub's limits (GITHUB_LIMITS: tree
// request size, content creation per minute and hour, points, concurrency). Time is scaled down
// together: the simulator counts a second as 20 ms (a minute: 1.2 s), the client as 25 ms (the
// secondary-limit test: 100 and 125 ms).
import { afterAll, describe, expect, it } from "vitest";
import { GITHUB_LIMITS, startGitHubSim, type GitHubSim, type GitHubSimLimits } from "../../../infra/local/github-sim/index.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";
import { createGitProvider, gitBlobSha, type GitHubClientTuning, type GitHubProviderLimits, type GitProvider } from "../../../lib/git/index.js";
import { gitIn, lsTree, TempRepos } from "../../support/git-repos.js";

const TOKEN = "ghp_limits_test_token";
const NOW = new Date("2024-05-01T12:00:00Z");
const TUNING: GitHubClientTuning = { retryAfterBaseValue: 25, spaceWrites: false };
const DIR = "gitops/hedgehog/fab";

const repos = new TempRepos();
const sims: GitHubSim[] = [];
const providers: GitProvider[] = [];
let count = 0;

async function limitedFabric(
  limits: GitHubSimLimits,
  tuning: GitHubClientTuning & { limits?: GitHubProviderLimits } = TUNING,
  retryAfterUnitMs = 20,
): Promise<{ provider: GitProvider; sim: GitHubSim; gitdir: string; head: string }> {
  const sim = await startGitHubSim({ token: TOKEN, retryAfterUnitMs, limits });
  sims.push(sim);
  const gitdir = await repos.bare("main");
  const head = await repos.seed(gitdir, "main", { [`${DIR}/raw/wiring.yaml`]: "kind: Switch\n" });
  const repo = `limited-${++count}`;
  sim.addRepository({ owner: "acme", repo, gitdir });
  const provider = await createGitProvider(
    { provider: "github", owner: "acme", repo, apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
    { secrets: localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN }), ...LOCAL_GIT_TRUST, github: tuning },
  );
  providers.push(provider);
  return { provider, sim, gitdir, head };
}

function manyFiles(n: number): { path: string; content: string }[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `server-${String(i).padStart(5, "0")}`;
    return { path: `${DIR}/managed/servers/${name}.yaml`, content: `apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata:\n  name: ${name}\nspec:\n  description: server ${i}\n` };
  });
}

const routes = (sim: GitHubSim) => sim.requests.map((r) => `${r.method} ${r.route} ${r.status}${r.limited ? ` ${r.limited}` : ""}`);

afterAll(async () => {
  await Promise.all(providers.map((provider) => provider.close()));
  await Promise.all(sims.map((sim) => sim.close()));
  await repos.removeAll();
});

describe("github provider within GitHub's limits", () => {
  it("commits 3,000 files as ONE commit built from several tree requests, each within GitHub's size limits", async () => {
    const { provider, sim, gitdir, head } = await limitedFabric(GITHUB_LIMITS);
    const files = manyFiles(3_000);
    sim.resetLog();
    const sha = await provider.commit({
      parent: head,
      branch: "main",
      changes: [{ path: `${DIR}/raw/wiring.yaml`, content: null }, ...files],
      message: "ingest 3,000",
      now: NOW,
    });

    const trees = sim.requests.filter((r) => r.route === "/repos/{owner}/{repo}/git/trees" && r.method === "POST");
    expect(trees.length).toBeGreaterThanOrEqual(4);
    for (const tree of trees) {
      expect(tree.status).toBe(201);
      expect(tree.treeRequest?.entries).toBeLessThanOrEqual(GITHUB_LIMITS.treeRequestEntries);
      expect(tree.treeRequest?.bytes).toBeLessThanOrEqual(GITHUB_LIMITS.treeRequestBytes);
    }
    // Nothing refused, one commit object and one ref update.
    expect(sim.requests.filter((r) => r.status >= 400)).toEqual([]);
    expect(routes(sim).filter((r) => r.startsWith("POST /repos/{owner}/{repo}/git/commits"))).toEqual(["POST /repos/{owner}/{repo}/git/commits 201"]);
    expect(routes(sim).filter((r) => r.includes("/git/refs"))).toEqual(["PATCH /repos/{owner}/{repo}/git/refs/{ref} 200"]);

    expect((await gitIn(gitdir, ["rev-list", "--count", "main"])).trim()).toBe("2");
    expect((await gitIn(gitdir, ["rev-parse", "main"])).trim()).toBe(sha);
    const tree = await lsTree(gitdir, sha);
    expect(tree.size).toBe(3_000);
    for (const file of files) expect(tree.get(file.path)?.sha, file.path).toBe(gitBlobSha(new TextEncoder().encode(file.content)));
  });

  it("halves the tree requests where GitHub answers 502 for too large a tree, and still makes one commit", async () => {
    const { provider, sim, gitdir, head } = await limitedFabric(
      { treeRequestEntries: 300, treeTooLargeStatus: 502 },
      { ...TUNING, limits: { treeRequestEntries: 1_000 } },
    );
    sim.resetLog();
    const sha = await provider.commit({ parent: head, branch: "main", changes: manyFiles(1_000), message: "too large at first", now: NOW });
    const trees = sim.requests.filter((r) => r.route === "/repos/{owner}/{repo}/git/trees" && r.method === "POST");
    // 1,000 → 502 (not resent as it was) → 500 → 502 → 250 ×4 → 201.
    expect(trees.map((r) => `${r.treeRequest?.entries} ${r.status}`)).toEqual(["1000 502", "500 502", "250 201", "250 201", "250 201", "250 201"]);
    expect((await gitIn(gitdir, ["rev-list", "--count", "main"])).trim()).toBe("2");
    expect((await lsTree(gitdir, sha)).size).toBe(1_001);
  });

  it("paces its writes to the content-creation budget, so GitHub never has to refuse one", async () => {
    // GitHub allows 8 content-creating requests a (scaled) minute here; the client budgets 6.
    const { provider, sim, gitdir, head } = await limitedFabric(
      { ...GITHUB_LIMITS, contentCreationPerMinute: 8 },
      { ...TUNING, writesPerMinute: 6, limits: { treeRequestEntries: 100 } },
    );
    sim.resetLog();
    await provider.commit({ parent: head, branch: "main", changes: manyFiles(800), message: "paced", now: NOW });
    // 8 tree requests + commit + ref update = 10 writes: the 7th waited for the window to move on.
    const writes = sim.requests.filter((r) => r.createsContent);
    expect(writes).toHaveLength(10);
    expect(sim.requests.filter((r) => r.status >= 400).map((r) => `${r.route} ${r.status} ${r.limited}`)).toEqual([]);
    expect((await gitIn(gitdir, ["rev-list", "--count", "main"])).trim()).toBe("2");
  });

  it("waits out GitHub's secondary-limit 403 as long as retry-after says, and the commit succeeds", async () => {
    // The client's own budget is generous, so GitHub's limit (3 a minute) is what stops it. A longer
    // scaled minute (6 s) here: the four writes must fall into one minute even on a loaded machine.
    const { provider, sim, gitdir, head } = await limitedFabric(
      { ...GITHUB_LIMITS, contentCreationPerMinute: 3 },
      { ...TUNING, retryAfterBaseValue: 125, writesPerMinute: 1_000, limits: { treeRequestEntries: 500 } },
      100,
    );
    sim.resetLog();
    const sha = await provider.commit({ parent: head, branch: "main", changes: manyFiles(1_000), message: "limited", now: NOW });
    expect(routes(sim)).toEqual([
      "GET /repos/{owner}/{repo}/git/commits/{sha} 200",
      "POST /repos/{owner}/{repo}/git/trees 201",
      "POST /repos/{owner}/{repo}/git/trees 201",
      "POST /repos/{owner}/{repo}/git/commits 201",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref} 403 content-per-minute",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref} 200",
    ]);
    expect((await gitIn(gitdir, ["rev-parse", "main"])).trim()).toBe(sha);
    expect((await gitIn(gitdir, ["rev-list", "--count", "main"])).trim()).toBe("2");
  });
});

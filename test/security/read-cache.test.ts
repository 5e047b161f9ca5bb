// Finding: the Git read cache was keyed by blob sha across all repositories and credentials. A sha is
// not a secret: any fabric whose server (or listing) named the sha of another fabric's file got that
// file from the cache, without its own server ever having it. Now the cache is per repository and
// credential (lib/git/read-cache.ts). The module is tested directly: the workers keep one such cache
// per process (lib/pipeline/connectors.ts), shared by every fabric.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import { createGitProvider, gitBlobSha, GitAuthenticationError, GitNotFoundError, GitReadCache, type GitProvider } from "../../lib/git/index.js";
import { TempRepos } from "../support/git-repos.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../support/trust.js";
import { startCaptureServer, type CaptureServer } from "./support.js";

const SECRET_FILE = "password: victim-secret-3a9f\n";
const SHA = gitBlobSha(new TextEncoder().encode(SECRET_FILE));
const TUNING = { retryAfterBaseValue: 1, spaceWrites: false, retries: 0 } as const;

describe("the Git read cache", () => {
  let sim: GitHubSim;
  let attacker: CaptureServer;
  const repos = new TempRepos();
  const cache = new GitReadCache();
  const secrets = localSecrets({ HH_GITOPS_SECRET_VICTIM: "victim-token", HH_GITOPS_SECRET_ATTACKER: "attacker-token" });
  const provider = (apiUrl: string, repo: string, token: "VICTIM" | "ATTACKER"): Promise<GitProvider> =>
    createGitProvider(
      { provider: "github", owner: "acme", repo, apiUrl, credentials: `env:HH_GITOPS_SECRET_${token}`, branch: "main" },
      { secrets, ...LOCAL_GIT_TRUST, cache, github: TUNING },
    );

  beforeAll(async () => {
    sim = await startGitHubSim({ token: "victim-token", retryAfterUnitMs: 1 });
    const gitdir = await repos.bare("main");
    await repos.seed(gitdir, "main", { "secrets/db.yaml": SECRET_FILE });
    sim.addRepository({ owner: "acme", repo: "victim", gitdir });
    // The attacker's "GitHub": it has none of the victim's objects.
    attacker = await startCaptureServer("127.0.0.1", (_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
    });
    // The victim's fabric reads its file: its content is now in the process's cache.
    const victim = await provider(sim.url, "victim", "VICTIM");
    const head = (await victim.head("main"))!.sha;
    const [entry] = await victim.readTree(head, "secrets");
    expect(entry?.sha).toBe(SHA);
    expect(new TextDecoder().decode((await victim.readBlobs([SHA])).get(SHA))).toBe(SECRET_FILE);
  });
  afterAll(async () => {
    await sim.close();
    await attacker.close();
    await repos.removeAll();
  });

  it("does not hand a blob to another repository that merely names its sha: that fabric's own server is asked", async () => {
    const evil = await provider(attacker.url, "evil", "ATTACKER");
    const read = evil.readBlobs([SHA]);
    await expect(read).rejects.toBeInstanceOf(GitNotFoundError);
    expect(attacker.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /repos/acme/evil/git/blobs/${SHA}`]);
  });

  it("does not hand it to the same repository read with another credential: GitHub decides what that one may see", async () => {
    const other = await provider(sim.url, "victim", "ATTACKER");
    await expect(other.readBlobs([SHA])).rejects.toBeInstanceOf(GitAuthenticationError);
  });

  it("still serves the victim's own fabric from the cache", async () => {
    const requestsBefore = sim.requests.length;
    const again = await provider(sim.url, "victim", "VICTIM");
    expect(new TextDecoder().decode((await again.readBlobs([SHA])).get(SHA))).toBe(SECRET_FILE);
    expect(sim.requests.length).toBe(requestsBefore);
  });
});

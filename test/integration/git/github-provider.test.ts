// The github provider against the simulated GitHub, where GitHub's own behaviour matters: request
// costs, rate limits, faults, truncated trees, tarballs, large trees and GitHub App auth. Time is
// scaled down together: the simulator counts a retry-after second as 20 ms, the client as 25 ms.
import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim, type GitHubSimOptions } from "../../../infra/local/github-sim/index.js";
import {
  ConflictError,
  createGitProvider,
  GitAuthenticationError,
  GitNotFoundError,
  GitUnavailableError,
  RateLimitedError,
  type GitHubClientTuning,
  type GitHubProviderLimits,
  type GitProvider,
} from "../../../lib/git/index.js";
import { createSecretStore } from "../../../lib/secrets/index.js";
import { branchSha, gitIn, lsTree, TempRepos } from "../../support/git-repos.js";
import { LOCAL_GIT_TRUST, localSecretPolicy, localSecrets } from "../../support/trust.js";

const TOKEN = "ghp_simulated_token_value";
const NOW = new Date("2024-05-01T12:00:00Z");
const TUNING: GitHubClientTuning = { retryAfterBaseValue: 25, spaceWrites: false, retries: 3 };

const repos = new TempRepos();
const sims: GitHubSim[] = [];
const providers: GitProvider[] = [];
let sim: GitHubSim;
let count = 0;

async function startSim(options: Partial<GitHubSimOptions> = {}): Promise<GitHubSim> {
  const started = await startGitHubSim({ token: TOKEN, retryAfterUnitMs: 20, ...options });
  sims.push(started);
  return started;
}

async function fabric(
  options: { sim?: GitHubSim; files?: Record<string, string>; token?: string; tuning?: GitHubClientTuning & { limits?: GitHubProviderLimits } } = {},
): Promise<{ provider: GitProvider; gitdir: string; sim: GitHubSim; head: string | null }> {
  const target = options.sim ?? sim;
  const gitdir = await repos.bare("main");
  const head = options.files ? await repos.seed(gitdir, "main", options.files) : null;
  const repo = `fabric-${++count}`;
  target.addRepository({ owner: "acme", repo, gitdir });
  const provider = await createGitProvider(
    { provider: "github", owner: "acme", repo, apiUrl: target.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
    { secrets: localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: options.token ?? TOKEN }), ...LOCAL_GIT_TRUST, github: options.tuning ?? TUNING },
  );
  providers.push(provider);
  return { provider, gitdir, sim: target, head };
}

const routes = (target: GitHubSim) => target.requests.map((request) => `${request.method} ${request.route} ${request.status}${request.fault ? ` ${request.fault}` : ""}`);

beforeAll(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close()));
});
afterAll(async () => {
  await Promise.all(sims.map((started) => started.close()));
  await repos.removeAll();
});

describe("github provider: request costs", () => {
  it("checks an unchanged head with one conditional request that uses no quota", async () => {
    const { provider, head } = await fabric({ files: { "a.txt": "a\n" } });
    await provider.head("main");
    sim.resetLog();
    const before = sim.rateLimit.remaining;
    expect(await provider.head("main")).toEqual({ sha: head, changed: false });
    expect(routes(sim)).toEqual(["GET /repos/{owner}/{repo}/git/ref/{ref} 304"]);
    expect(sim.rateLimit.remaining).toBe(before);
  });

  it("reads many blobs of a commit through one tarball, and cached blobs cost nothing", async () => {
    const files: Record<string, string> = { "elsewhere.txt": "not wanted\n" };
    for (let i = 0; i < 30; i++) files[`fab/raw/doc-${i}.yaml`] = `name: doc-${i}\n`;
    const { provider, head } = await fabric({ files });
    const entries = await provider.readTree(head as string, "fab");
    sim.resetLog();
    const blobs = await provider.readBlobs(entries.map((entry) => entry.sha));
    expect(blobs.size).toBe(30);
    expect(new TextDecoder().decode(blobs.get(entries[0]?.sha as string))).toMatch(/^name: doc-/);
    expect(routes(sim)).toEqual(["GET /repos/{owner}/{repo}/tarball/{ref} 302", "GET /_codeload/{owner}/{repo}/legacy.tar.gz/{sha} 200"]);

    sim.resetLog();
    await provider.readBlobs(entries.map((entry) => entry.sha));
    expect(sim.requests).toEqual([]);
  });

  it("fetches one by one what the tarball leaves out or changes (export-ignore, export-subst)", async () => {
    const files: Record<string, string> = {
      ".gitattributes": "fab/raw/hidden-*.yaml export-ignore\nfab/raw/subst.yaml export-subst\n",
      "fab/raw/hidden-1.yaml": "hidden\n",
      "fab/raw/subst.yaml": "commit: $Format:%H$\n",
    };
    for (let i = 0; i < 25; i++) files[`fab/raw/doc-${i}.yaml`] = `name: doc-${i}\n`;
    const { provider, head } = await fabric({ files });
    const entries = await provider.readTree(head as string, "fab");
    sim.resetLog();
    const blobs = await provider.readBlobs(entries.map((entry) => entry.sha));
    const byPath = new Map(entries.map((entry) => [entry.path, new TextDecoder().decode(blobs.get(entry.sha))]));
    expect(byPath.get("fab/raw/hidden-1.yaml")).toBe("hidden\n");
    expect(byPath.get("fab/raw/subst.yaml")).toBe("commit: $Format:%H$\n");
    expect(routes(sim).filter((route) => route.startsWith("GET /repos/{owner}/{repo}/git/blobs/"))).toHaveLength(2);
    expect(routes(sim).filter((route) => route.includes("tarball"))).toHaveLength(1);
  });

  it("reads a few blobs one by one", async () => {
    const { provider, head } = await fabric({ files: { "fab/a.yaml": "a\n", "fab/b.yaml": "b\n" } });
    const entries = await provider.readTree(head as string, "fab");
    sim.resetLog();
    await provider.readBlobs(entries.map((entry) => entry.sha));
    expect(routes(sim)).toEqual(["GET /repos/{owner}/{repo}/git/blobs/{sha} 200", "GET /repos/{owner}/{repo}/git/blobs/{sha} 200"]);
  });

  it("uploads binary files as blobs, sends text inline, and does not upload what the repository already holds", async () => {
    const { provider, head, gitdir } = await fabric({ files: { "fab/raw/keep.yaml": "kind: VPC\n" } });
    await provider.readTree(head as string, "fab");
    sim.resetLog();
    const binary = Uint8Array.from([0, 159, 146, 150]);
    const sha = await provider.commit({
      parent: head,
      branch: "main",
      changes: [
        { path: "fab/raw/keep.yaml", content: null },
        { path: "fab/unmanaged/keep.yaml", content: "kind: VPC\n" },
        { path: "fab/image.bin", content: binary },
      ],
      message: "move",
      now: NOW,
    });
    expect(routes(sim)).toEqual([
      "POST /repos/{owner}/{repo}/git/blobs 201",
      "POST /repos/{owner}/{repo}/git/trees 201",
      "POST /repos/{owner}/{repo}/git/commits 201",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref} 200",
    ]);
    expect([...(await lsTree(gitdir, sha)).keys()].sort()).toEqual(["fab/image.bin", "fab/unmanaged/keep.yaml"]);
  });
});

describe("github provider: faults", () => {
  it("recovers from a secondary rate limit (429), waiting as long as retry-after asks", async () => {
    const { provider, head, gitdir } = await fabric({ files: { "a.txt": "a\n" } });
    sim.resetLog();
    sim.injectFault({ kind: "too-many-requests", retryAfterSeconds: 3, match: { method: "POST", route: "/repos/{owner}/{repo}/git/trees" } });
    const sha = await provider.commit({ parent: head, branch: "main", changes: [{ path: "b.txt", content: "b\n" }], message: "b", now: NOW });
    expect(await branchSha(gitdir, "main")).toBe(sha);
    expect(routes(sim)).toEqual([
      "GET /repos/{owner}/{repo}/git/commits/{sha} 200",
      "POST /repos/{owner}/{repo}/git/trees 429 too-many-requests",
      "POST /repos/{owner}/{repo}/git/trees 201",
      "POST /repos/{owner}/{repo}/git/commits 201",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref} 200",
    ]);
  });

  it("recovers from a 502 and from a dropped connection", async () => {
    const { provider, head, gitdir } = await fabric({ files: { "a.txt": "a\n" } });
    sim.resetLog();
    sim.injectFault({ kind: "server-error", status: 502, match: { route: "/repos/{owner}/{repo}/git/ref/{ref}" } });
    sim.injectFault({ kind: "connection-reset", match: { method: "POST", route: "/repos/{owner}/{repo}/git/commits" } });
    expect((await provider.head("main"))?.sha).toBe(head);
    const sha = await provider.commit({ parent: head, branch: "main", changes: [{ path: "b.txt", content: "b\n" }], message: "b", now: NOW });
    expect(await branchSha(gitdir, "main")).toBe(sha);
    expect(routes(sim)).toEqual([
      "GET /repos/{owner}/{repo}/git/ref/{ref} 502 server-error",
      "GET /repos/{owner}/{repo}/git/ref/{ref} 200",
      "GET /repos/{owner}/{repo}/git/commits/{sha} 200",
      "POST /repos/{owner}/{repo}/git/trees 201",
      "POST /repos/{owner}/{repo}/git/commits 0 connection-reset",
      "POST /repos/{owner}/{repo}/git/commits 201",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref} 200",
    ]);
    await gitIn(gitdir, ["fsck", "--full", "--strict", "--no-progress"]);
  });

  it("re-raises ConflictError when the branch moves between the read and the ref update; the repository stays intact", async () => {
    const { provider, head, gitdir } = await fabric({ files: { "fab/a.yaml": "a\n" } });
    expect((await provider.head("main"))?.sha).toBe(head);
    sim.injectFault({ kind: "branch-race" });
    const attempt = provider.commit({ parent: head, branch: "main", changes: [{ path: "fab/b.yaml", content: "b\n" }], message: "b", now: NOW });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);

    const tip = await branchSha(gitdir, "main");
    expect(tip).not.toBe(head);
    expect((await gitIn(gitdir, ["log", "-1", "--format=%s", "main"])).trim()).toBe("a concurrent push");
    expect((await gitIn(gitdir, ["rev-parse", "main^"])).trim()).toBe(head);
    expect((await lsTree(gitdir, tip as string)).has("fab/b.yaml")).toBe(false);
    await gitIn(gitdir, ["fsck", "--full", "--strict", "--no-progress"]);

    // Re-read and re-plan, as the pipeline does on a retry.
    const moved = await provider.head("main");
    expect(moved).toEqual({ sha: tip, changed: true });
    const sha = await provider.commit({ parent: tip, branch: "main", changes: [{ path: "fab/b.yaml", content: "b\n" }], message: "b", now: NOW });
    expect((await lsTree(gitdir, sha)).has("fab/b.yaml")).toBe(true);
  });

  it("fails with retryable errors when GitHub keeps failing or asks to wait too long", async () => {
    // Its own simulator: the hour-long retry-after below would hold up every later test.
    const own = await startSim();
    const { provider } = await fabric({ sim: own, files: { "a.txt": "a\n" }, tuning: { ...TUNING, retries: 2, maxRateLimitWaitSeconds: 60 } });
    own.injectFault({ kind: "server-error", status: 503, times: 3 });
    const unavailable = provider.head("main");
    await expect(unavailable).rejects.toBeInstanceOf(GitUnavailableError);
    await expect(unavailable).rejects.toMatchObject({ retryable: true });
    expect(routes(own)).toEqual(Array(3).fill("GET /repos/{owner}/{repo}/git/ref/{ref} 503 server-error"));

    own.injectFault({ kind: "too-many-requests", retryAfterSeconds: 3600 });
    const limited = provider.head("main");
    await expect(limited).rejects.toBeInstanceOf(RateLimitedError);
    await expect(limited).rejects.toMatchObject({ retryable: true, retryAfterSeconds: 3600 });
  });

  it("reports an exhausted primary rate limit as RateLimitedError", async () => {
    const small = await startSim({ rateLimit: 2 });
    const { provider } = await fabric({ sim: small, files: { "a.txt": "a\n" } });
    await provider.head("other"); // 404 + repository check: 2 requests
    const attempt = provider.head("main");
    await expect(attempt).rejects.toBeInstanceOf(RateLimitedError);
    expect(small.requests.at(-1)?.status).toBe(403);
  });
});

describe("github provider: access", () => {
  it("fails terminally on a bad token without revealing it", async () => {
    const { provider } = await fabric({ files: { "a.txt": "a\n" }, token: "ghp_wrong_token_123" });
    const attempt = provider.head("main");
    await expect(attempt).rejects.toBeInstanceOf(GitAuthenticationError);
    await expect(attempt).rejects.toMatchObject({ retryable: false });
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(`${error.message} ${error.stack}`).not.toContain("ghp_wrong_token_123");
  });

  it("fails terminally for a repository that does not exist", async () => {
    const provider = await createGitProvider(
      { provider: "github", owner: "acme", repo: "no-such-repo", apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
      { secrets: localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN }), ...LOCAL_GIT_TRUST, github: TUNING },
    );
    await expect(provider.head("main")).rejects.toBeInstanceOf(GitNotFoundError);
  });

  it("authenticates as a GitHub App installation with a key from a secret file", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const appSim = await startSim({ apps: [{ appId: 4242, publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(), installationId: 77 }] });
    const gitdir = await repos.bare("main");
    const head = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    appSim.addRepository({ owner: "acme", repo: "app-repo", gitdir });
    const secretsDir = await repos.dir();
    const secretFile = join(secretsDir, "github-app.json");
    // GitHub hands out PKCS#1 keys ("BEGIN RSA PRIVATE KEY").
    await writeFile(secretFile, JSON.stringify({ appId: 4242, installationId: 77, privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString() }));
    const provider = await createGitProvider(
      { provider: "github", owner: "acme", repo: "app-repo", apiUrl: appSim.url, credentials: `file:${secretFile}`, branch: "main" },
      { secrets: createSecretStore({ policy: localSecretPolicy(secretsDir), env: {} }).forFabric("test-fabric"), ...LOCAL_GIT_TRUST, github: TUNING },
    );
    providers.push(provider);
    expect((await provider.head("main"))?.sha).toBe(head);
    await provider.readTree(head, "");
    expect(routes(appSim)).toEqual([
      "POST /app/installations/{installation_id}/access_tokens 201",
      "GET /repos/{owner}/{repo}/git/ref/{ref} 200",
      "GET /repos/{owner}/{repo}/git/trees/{sha} 200",
    ]);
  });
});

describe("github provider: large repositories and change sets", () => {
  it("lists a directory by walking its subtrees when GitHub truncates the recursive listing", async () => {
    const small = await startSim({ recursiveTreeLimit: 6 });
    const files: Record<string, string> = {};
    for (let i = 0; i < 8; i++) files[`aaa/noise-${i}.txt`] = `${i}\n`;
    for (let i = 0; i < 4; i++) files[`gitops/fab/managed/vpcs/vpc-${i}.yaml`] = `${i}\n`;
    for (let i = 0; i < 4; i++) files[`gitops/fab/raw/r-${i}.yaml`] = `${i}\n`;
    const { provider, head, gitdir } = await fabric({ sim: small, files });
    const expected = [...(await lsTree(gitdir, head as string))]
      .filter(([path]) => path.startsWith("gitops/fab/"))
      .map(([path, { sha, mode }]) => ({ path, sha, mode, type: "blob" }));
    small.resetLog();
    expect(await provider.readTree(head as string, "gitops/fab")).toEqual(expected);
    expect(small.requests.length).toBeGreaterThan(1);
    expect(small.requests.every((request) => request.route === "/repos/{owner}/{repo}/git/trees/{sha}" && request.status === 200)).toBe(true);
  });

  it("builds a tree too large for one request in steps, halving where GitHub times out", async () => {
    const strict = await startSim({ limits: { treeRequestBytes: 6_000 } });
    const { provider, head, gitdir } = await fabric({
      sim: strict,
      files: { "a.txt": "a\n" },
      tuning: { ...TUNING, limits: { treeRequestBytes: 10_000 } },
    });
    const changes = Array.from({ length: 120 }, (_, i) => ({ path: `fab/managed/vpcs/vpc-${String(i).padStart(3, "0")}.yaml`, content: `kind: VPC\nmetadata:\n  name: vpc-${i}\n` }));
    strict.resetLog();
    const sha = await provider.commit({ parent: head, branch: "main", changes, message: "many", now: NOW });
    const trees = strict.requests.filter((request) => request.route === "/repos/{owner}/{repo}/git/trees");
    expect(trees.some((request) => request.status === 422)).toBe(true);
    expect(trees.filter((request) => request.status === 201).length).toBeGreaterThanOrEqual(3);
    const tree = await lsTree(gitdir, sha);
    expect(tree.size).toBe(121);
    expect((await gitIn(gitdir, ["rev-list", "--count", "main"])).trim()).toBe("2");
  });
});

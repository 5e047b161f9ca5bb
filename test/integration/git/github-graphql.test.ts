// Blob reads in GraphQL batches: the github provider's path for a repository past the tarball limit
// (64 MiB by default; forced down here), against the simulated GitHub, and every query it sends
// checked against GitHub's GraphQL schema (@octokit/graphql-schema).
import { validate } from "@octokit/graphql-schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../../infra/local/github-sim/index.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";
import { createGitProvider, gitBlobSha, type GitHubClientTuning, type GitHubProviderLimits, type GitProvider } from "../../../lib/git/index.js";
import { blobBatchQuery } from "../../../lib/git/github/graphql-blobs.js";
import { TempRepos } from "../../support/git-repos.js";

const TOKEN = "ghp_graphql_test_token";
const TUNING: GitHubClientTuning = { retryAfterBaseValue: 25, spaceWrites: false };
const DIR = "gitops/hedgehog/fab";

const repos = new TempRepos();
let sim: GitHubSim;
let count = 0;
const providers: GitProvider[] = [];

async function fabric(files: Record<string, string | Uint8Array>, limits: GitHubProviderLimits): Promise<{ provider: GitProvider; gitdir: string; head: string }> {
  const gitdir = await repos.bare("main");
  const head = await repos.seed(gitdir, "main", files);
  const repo = `graphql-${++count}`;
  sim.addRepository({ owner: "acme", repo, gitdir });
  const provider = await createGitProvider(
    { provider: "github", owner: "acme", repo, apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
    { secrets: localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN }), ...LOCAL_GIT_TRUST, github: { ...TUNING, limits } },
  );
  providers.push(provider);
  return { provider, gitdir, head };
}

/** The bytes git itself holds for `sha`. */
async function catFile(gitdir: string, sha: string): Promise<Buffer> {
  const { execFile } = await import("node:child_process");
  return new Promise((resolve, reject) =>
    execFile("git", ["--git-dir", gitdir, "cat-file", "blob", sha], { encoding: "buffer", maxBuffer: 1 << 26 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}

/** The simulator's requests from `mark` on, counted by route and status. */
const byRoute = (mark: number) => {
  const counts: Record<string, number> = {};
  for (const request of sim.requests.slice(mark)) counts[`${request.method} ${request.route} ${request.status}`] = (counts[`${request.method} ${request.route} ${request.status}`] ?? 0) + 1;
  return counts;
};

beforeAll(async () => {
  sim = await startGitHubSim({ token: TOKEN, retryAfterUnitMs: 20 });
});
afterAll(async () => {
  await Promise.all(providers.map((provider) => provider.close()));
  await sim.close();
  await repos.removeAll();
});

describe("github provider: blob reads in GraphQL batches", () => {
  it("reads a repository over the tarball limit in batches of 100, exactly, with REST only for what GraphQL cannot carry", async () => {
    const files: Record<string, string | Uint8Array> = { "elsewhere/noise.txt": "not wanted\n" };
    for (let i = 0; i < 230; i++) files[`${DIR}/raw/doc-${String(i).padStart(3, "0")}.yaml`] = `name: doc-${i}\ndescription: "ünïcödé ✓ ${i}"\r\n`;
    files[`${DIR}/raw/image.bin`] = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
    files[`${DIR}/raw/latin1.yaml`] = Uint8Array.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]); // "name: é" in Latin-1
    files[`${DIR}/raw/huge.yaml`] = `# ${"x".repeat(600_000)}\n`; // past GitHub's 512,000-byte text cut
    files[`${DIR}/raw/empty.yaml`] = "";
    const { provider, gitdir, head } = await fabric(files, { tarballMaxBytes: 1_000 });
    const entries = await provider.readTree(head, DIR);
    expect(entries).toHaveLength(234);

    const mark = sim.requests.length;
    const blobs = await provider.readBlobs(entries.map((entry) => entry.sha));
    // Each content hashes to the sha git lists for its path (so it is git's bytes), and the ones
    // GraphQL cannot carry are compared with git's own output as well.
    for (const entry of entries) expect(gitBlobSha(blobs.get(entry.sha) as Uint8Array), entry.path).toBe(entry.sha);
    for (const entry of entries.filter((e) => /image\.bin|latin1|huge|empty/.test(e.path))) {
      expect(Buffer.from(blobs.get(entry.sha) as Uint8Array).equals(await catFile(gitdir, entry.sha)), entry.path).toBe(true);
    }
    expect(blobs.size).toBe(234);

    const routes = byRoute(mark);
    expect(Object.keys(routes).some((route) => route.includes("tarball"))).toBe(false);
    // 233 blobs fit GraphQL (all but the one known to be cut): 3 queries of at most 100.
    expect(routes["POST /graphql 200"]).toBe(3);
    // The binary, the Latin-1 one (its text is not its bytes) and the cut one, one by one.
    expect(routes["GET /repos/{owner}/{repo}/git/blobs/{sha} 200"]).toBe(3);
    expect(sim.requests.length - mark).toBe(6);

    // Cached now: a second read costs nothing.
    const again = sim.requests.length;
    await provider.readBlobs(entries.map((entry) => entry.sha));
    expect(sim.requests.length).toBe(again);
  });

  it("uses GraphQL, not the tarball, when the repository is much larger than what is wanted", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`${DIR}/raw/doc-${i}.yaml`] = `name: doc-${i}\n`;
    for (let i = 0; i < 40; i++) files[`other/big-${i}.txt`] = `${"y".repeat(2_000)}\n`;
    const { provider, head } = await fabric(files, {});
    const entries = await provider.readTree(head, `${DIR}/raw`);
    const mark = sim.requests.length;
    expect((await provider.readBlobs(entries.map((entry) => entry.sha))).size).toBe(40);
    expect(byRoute(mark)).toEqual({ "POST /graphql 200": 1 });
  });

  it("takes the tarball where it saves GraphQL requests for few extra bytes, and GraphQL where the extra bytes are many", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 150; i++) files[`${DIR}/managed/vpcs/vpc-${i}.yaml`] = `name: vpc-${i}\n`;
    for (let i = 0; i < 10; i++) files[`other/big-${i}.txt`] = `${"z".repeat(1_000)}\n`;
    // 150 wanted blobs: two GraphQL requests, or one tarball carrying ~10 KB more than wanted.
    const cheap = await fabric(files, { tarballBytesPerSavedRequest: 20_000 });
    const costly = await fabric(files, { tarballBytesPerSavedRequest: 5_000 });
    for (const [{ provider, head }, expected] of [
      [cheap, { "GET /repos/{owner}/{repo}/tarball/{ref} 302": 1, "GET /_codeload/{owner}/{repo}/legacy.tar.gz/{sha} 200": 1 }],
      [costly, { "POST /graphql 200": 2 }],
    ] as const) {
      const entries = await provider.readTree(head, DIR);
      const mark = sim.requests.length;
      expect((await provider.readBlobs(entries.map((entry) => entry.sha))).size).toBe(150);
      expect(byRoute(mark)).toEqual(expected);
    }
  });

  it("sends only queries that GitHub's GraphQL schema accepts", async () => {
    const sent = sim.requests.filter((request) => request.route === "/graphql").map((request) => request.graphqlQuery as string);
    expect(sent).toHaveLength(6);
    const largest = blobBatchQuery(Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(40, "a")));
    for (const query of [...sent, largest]) expect(validate(query).map((error) => error.message)).toEqual([]);
    // The check itself rejects what GitHub would.
    expect(validate(largest.replace("isTruncated", "isCut")).length).toBeGreaterThan(0);
  });

  it("the simulated GitHub answers the provider's query with GraphQL's rate-limit headers, and refuses any other", async () => {
    const { head } = await fabric({ "a.txt": "a\n" }, {});
    const post = (query: string) =>
      fetch(`${sim.url}/graphql`, {
        method: "POST",
        headers: { authorization: `bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ query, variables: { owner: "acme", name: `graphql-${count}` } }),
      });
    const first = await post(blobBatchQuery([head]));
    const second = await post(blobBatchQuery([head, head.replace(/^./, "0")]));
    expect(first.headers.get("x-ratelimit-resource")).toBe("graphql");
    // A query without connections costs one point, however many aliases it has.
    expect(Number(second.headers.get("x-ratelimit-used")) - Number(first.headers.get("x-ratelimit-used"))).toBe(1);
    expect(Number(second.headers.get("x-ratelimit-remaining"))).toBe(Number(second.headers.get("x-ratelimit-limit")) - Number(second.headers.get("x-ratelimit-used")));
    // The commit is not a blob: an empty object, as GitHub answers a fragment that does not apply.
    expect(await second.json()).toEqual({ data: { repository: { b0: {}, b1: null } } });

    const other = await post(`query { viewer { login } }`);
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ errors: [expect.objectContaining({ message: expect.any(String) })] });
  });

  it("fails terminally, naming the repository, when GitHub cannot resolve it", async () => {
    const provider = await createGitProvider(
      { provider: "github", owner: "acme", repo: "gone", apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
      { secrets: localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN }), ...LOCAL_GIT_TRUST, github: TUNING },
    );
    providers.push(provider);
    const shas = Array.from({ length: 6 }, (_, i) => String(i).repeat(40));
    await expect(provider.readBlobs(shas)).rejects.toMatchObject({ name: "GitNotFoundError", retryable: false, message: expect.stringContaining("acme/gone") });
  });
});

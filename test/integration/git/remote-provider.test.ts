// The git provider on a smart-HTTP remote: credentials, an unreachable server, older commits and
// cleaning up the temporary clone.
import { readdir } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, createGitProvider, GitAuthenticationError, GitUnreachableError, type GitProvider, type GitProviderSettings } from "../../../lib/git/index.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";
import { startGitHttpBackend, type GitHttpBackend } from "../../support/git-http-backend.js";
import { branchSha, gitIn, TempRepos } from "../../support/git-repos.js";

const TOKEN = "remote-secret-token";
const repos = new TempRepos();
let server: GitHttpBackend;
let root: string;
let count = 0;
const opened: GitProvider[] = [];

beforeAll(async () => {
  root = await repos.dir("hh-git-root-");
  server = await startGitHttpBackend({ root, token: TOKEN });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((provider) => provider.close()));
});
afterAll(async () => {
  await server.close();
  await repos.removeAll();
});

async function remote(token: string | null, workDir?: string) {
  const name = `r-${++count}.git`;
  const gitdir = await repos.bare("main", root, name);
  const settings: GitProviderSettings = { provider: "git", url: server.repoUrl(name), branch: "main", ...(token !== null ? { credentials: "env:HH_GITOPS_SECRET_TOKEN" } : {}) };
  const provider = await createGitProvider(settings, { secrets: localSecrets(token !== null ? { HH_GITOPS_SECRET_TOKEN: token } : {}), ...LOCAL_GIT_TRUST, ...(workDir ? { workDir } : {}) });
  opened.push(provider);
  return { provider, gitdir };
}

describe("git provider on a smart-HTTP remote", () => {
  it("fails terminally with wrong or missing credentials, without revealing them", async () => {
    const wrong = await remote("not-the-token-xyz");
    const attempt = wrong.provider.head("main");
    await expect(attempt).rejects.toBeInstanceOf(GitAuthenticationError);
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(`${error.message} ${error.stack}`).not.toContain("not-the-token-xyz");
    await expect((await remote(null)).provider.head("main")).rejects.toBeInstanceOf(GitAuthenticationError);
  });

  it("reports a server nobody listens at as unreachable, naming it: terminal, not retried for an hour (issue #12)", async () => {
    const provider = await createGitProvider({ provider: "git", url: "http://127.0.0.1:9/nothing.git", branch: "main" }, { secrets: localSecrets(), ...LOCAL_GIT_TRUST });
    const attempt = provider.head("main");
    await expect(attempt).rejects.toBeInstanceOf(GitUnreachableError);
    await expect(attempt).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/http:\/\/127\.0\.0\.1:9\/nothing\.git.*connection refused \(ECONNREFUSED\)/) });
  });

  it("reads the tree of a commit behind the branch tip", async () => {
    const { provider, gitdir } = await remote(TOKEN);
    const old = await repos.seed(gitdir, "main", { "fab/a.yaml": "old\n" });
    await repos.seed(gitdir, "main", { "fab/a.yaml": "new\n" });
    await repos.seed(gitdir, "main", { "fab/a.yaml": "newer\n" });
    await provider.head("main");
    const entries = await provider.readTree(old, "fab");
    const blobs = await provider.readBlobs(entries.map((entry) => entry.sha));
    expect(new TextDecoder().decode(blobs.get(entries[0]?.sha as string))).toBe("old\n");
  });

  it("treats a branch rewound behind the parent as moved, though the push would be a fast-forward", async () => {
    const { provider, gitdir } = await remote(TOKEN);
    const first = await repos.seed(gitdir, "main", { "a.txt": "1\n" });
    const second = await repos.seed(gitdir, "main", { "a.txt": "2\n" });
    await provider.readTree(second, "");
    await gitIn(gitdir, ["update-ref", "refs/heads/main", first]);
    const attempt = provider.commit({ parent: second, branch: "main", changes: [{ path: "b.txt", content: "b\n" }], message: "b" });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    expect(await branchSha(gitdir, "main")).toBe(first);
  });

  it("removes its temporary clone on close", async () => {
    const workDir = await repos.dir("hh-git-clones-");
    const { provider, gitdir } = await remote(TOKEN, workDir);
    const head = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    await provider.readTree(head, "");
    expect(await readdir(workDir)).toHaveLength(1);
    await provider.close();
    expect(await readdir(workDir)).toEqual([]);
  });
});

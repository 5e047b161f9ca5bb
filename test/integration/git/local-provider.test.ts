// The git provider on a local bare repository, where sharing the repository with other writers and
// with git's own housekeeping matters.
import { writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConflictError, createGitProvider, GitNotFoundError, InvalidGitSettingsError, RefLockedError, type GitProvider } from "../../../lib/git/index.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";
import { branchSha, git, gitIn, lsTree, TempRepos } from "../../support/git-repos.js";

const repos = new TempRepos();
const NOW = new Date("2024-05-01T12:00:00Z");
const secrets = localSecrets();
afterAll(() => repos.removeAll());

function local(gitdir: string): Promise<GitProvider> {
  return createGitProvider({ provider: "git", url: gitdir, branch: "main" }, { secrets, ...LOCAL_GIT_TRUST });
}

describe("git provider on a local bare repository", () => {
  it("waits for no one: a ref held by another writer fails with RefLockedError and stays as it is", async () => {
    const gitdir = await repos.bare("main");
    const parent = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    const provider = await local(gitdir);
    const lock = join(gitdir, "refs/heads/main.lock");
    await writeFile(lock, "");
    const attempt = provider.commit({ parent, branch: "main", changes: [{ path: "b.txt", content: "b\n" }], message: "b", now: NOW });
    await expect(attempt).rejects.toBeInstanceOf(RefLockedError);
    await expect(attempt).rejects.toMatchObject({ retryable: true });
    expect(await branchSha(gitdir, "main")).toBe(parent);
    await rm(lock);
    const sha = await provider.commit({ parent, branch: "main", changes: [{ path: "b.txt", content: "b\n" }], message: "b", now: NOW });
    expect(await branchSha(gitdir, "main")).toBe(sha);
  });

  it("lets exactly one of two writers on the same parent win", async () => {
    const gitdir = await repos.bare("main");
    const parent = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    const [one, two] = [await local(gitdir), await local(gitdir)];
    const results = await Promise.allSettled([
      one.commit({ parent, branch: "main", changes: [{ path: "one.txt", content: "1\n" }], message: "one", now: NOW }),
      two.commit({ parent, branch: "main", changes: [{ path: "two.txt", content: "2\n" }], message: "two", now: NOW }),
    ]);
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const reason = (lost[0] as PromiseRejectedResult).reason as Error;
    expect(reason instanceof ConflictError || reason instanceof RefLockedError).toBe(true);
    expect(await branchSha(gitdir, "main")).toBe((won[0] as PromiseFulfilledResult<string>).value);
    expect((await gitIn(gitdir, ["rev-list", "--count", "main"])).trim()).toBe("2");
  });

  it("treats a branch rewound behind the parent as moved", async () => {
    const gitdir = await repos.bare("main");
    const first = await repos.seed(gitdir, "main", { "a.txt": "1\n" });
    const second = await repos.seed(gitdir, "main", { "a.txt": "2\n" });
    const provider = await local(gitdir);
    await gitIn(gitdir, ["update-ref", "refs/heads/main", first]);
    await expect(provider.commit({ parent: second, branch: "main", changes: [{ path: "b.txt", content: "b\n" }], message: "b", now: NOW })).rejects.toBeInstanceOf(ConflictError);
    expect(await branchSha(gitdir, "main")).toBe(first);
  });

  it("reads and writes a repository after git gc packed its refs and objects", async () => {
    const gitdir = await repos.bare("main");
    const parent = await repos.seed(gitdir, "main", { "fab/a.yaml": "a\n", "fab/b.yaml": "b\n" });
    await gitIn(gitdir, ["gc", "--quiet", "--prune=now"]);
    await gitIn(gitdir, ["pack-refs", "--all"]);
    const provider = await local(gitdir);
    expect((await provider.head("main"))?.sha).toBe(parent);
    const entries = await provider.readTree(parent, "fab");
    const blobs = await provider.readBlobs(entries.map((entry) => entry.sha));
    expect([...blobs.values()].map((content) => new TextDecoder().decode(content)).sort()).toEqual(["a\n", "b\n"]);
    const sha = await provider.commit({ parent, branch: "main", changes: [{ path: "fab/a.yaml", content: null }], message: "drop a", now: NOW });
    expect(await branchSha(gitdir, "main")).toBe(sha);
    expect([...(await lsTree(gitdir, sha)).keys()]).toEqual(["fab/b.yaml"]);
    await gitIn(gitdir, ["fsck", "--full", "--strict", "--no-progress"]);
  });

  it("makes the first branch of an empty repository its default, so a plain clone checks it out", async () => {
    const gitdir = await repos.bare("master");
    const provider = await local(gitdir);
    await provider.commit({ parent: null, branch: "main", changes: [{ path: "fab/README.md", content: "# fab\n" }], message: "init", now: NOW });
    const work = join(await repos.dir(), "clone");
    await git(["clone", "--quiet", gitdir, work]);
    expect((await git(["symbolic-ref", "HEAD"], { cwd: work })).trim()).toBe("refs/heads/main");
    expect((await git(["show", "HEAD:fab/README.md"], { cwd: work }))).toBe("# fab\n");
  });

  it("refuses, when the provider is made, a path that is not a bare repository under the repository root", async () => {
    await expect(local(join(await repos.dir(), "nothing-here.git"))).rejects.toThrow(/git.url does not exist under/);
    const work = join(await repos.dir(), "work");
    await git(["init", "--quiet", work]);
    await expect(local(join(work, ".git"))).rejects.toThrow(/is not a bare repository/);
    await expect(local(work)).rejects.toThrow(/is not a Git repository/);
    await expect(local("/etc")).rejects.toThrow(/must be a bare repository under/);
    await expect(local(await repos.dir())).rejects.toBeInstanceOf(InvalidGitSettingsError);
  });

  it("reports a repository that disappeared as not found", async () => {
    const gitdir = await repos.bare("main");
    const provider = await local(gitdir);
    await rm(gitdir, { recursive: true, force: true });
    await expect(provider.head("main")).rejects.toBeInstanceOf(GitNotFoundError);
  });
});

// compareAndSwapRef on a real bare repository, checked with the git CLI: the value under the lock
// decides, a mismatch leaves everything as it was, and someone else's lock is never touched.
import { access, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConflictError, RefLockedError } from "../../../lib/git/errors.js";
import { compareAndSwapRef } from "../../../lib/git/isogit/ref-lock.js";
import { branchSha, gitIn, TempRepos } from "../../support/git-repos.js";

const repos = new TempRepos();
afterAll(() => repos.removeAll());

const exists = (path: string) => access(path).then(() => true, () => false);

describe("compareAndSwapRef", () => {
  it("moves the ref when it still holds the expected value, as git sees it", async () => {
    const gitdir = await repos.bare("main");
    const a = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    const b = await repos.seed(gitdir, "main", { "a.txt": "b\n" });
    await compareAndSwapRef({ gitdir, ref: "refs/heads/main", expected: b, next: a, readCurrent: async () => branchSha(gitdir, "main") });
    expect(await branchSha(gitdir, "main")).toBe(a);
    expect(await exists(join(gitdir, "refs/heads/main.lock"))).toBe(false);
  });

  it("refuses when the value read under the lock is not the expected one", async () => {
    const gitdir = await repos.bare("main");
    const a = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    const b = await repos.seed(gitdir, "main", { "a.txt": "b\n" });
    await expect(
      compareAndSwapRef({ gitdir, ref: "refs/heads/main", expected: a, next: a, readCurrent: async () => branchSha(gitdir, "main") }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      compareAndSwapRef({ gitdir, ref: "refs/heads/new", expected: null, next: a, readCurrent: async () => b }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await branchSha(gitdir, "main")).toBe(b);
    expect(await branchSha(gitdir, "new")).toBeNull();
    expect(await exists(join(gitdir, "refs/heads/main.lock"))).toBe(false);
    expect(await exists(join(gitdir, "refs/heads/new.lock"))).toBe(false);
  });

  it("leaves another writer's lock alone, and git's own update-ref respects ours", async () => {
    const gitdir = await repos.bare("main");
    const a = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    const lock = join(gitdir, "refs/heads/main.lock");
    await writeFile(lock, "");
    await expect(compareAndSwapRef({ gitdir, ref: "refs/heads/main", expected: a, next: a, readCurrent: async () => a })).rejects.toBeInstanceOf(RefLockedError);
    expect(await exists(lock)).toBe(true);
    await expect(gitIn(gitdir, ["update-ref", "refs/heads/main", a])).rejects.toThrow(/lock/);
  });
});

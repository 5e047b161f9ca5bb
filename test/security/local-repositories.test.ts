// Finding: git.url could be any Git directory the server can reach, including the .git of a working
// repository, whose checked-out branch the engine then committed onto. Now a local repository must be a
// bare repository under HH_GITOPS_REPO_ROOT after every symbolic link is followed — checked at
// registration and again when a worker opens it.
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, gitIn, TempRepos } from "../support/git-repos.js";
import { startTestStack, storeFabricDirectly, syncAndWait, type TestStack } from "./support.js";

describe("local repositories (local stack)", () => {
  let stack: TestStack;
  const temp = new TempRepos();
  let root: string;
  let outsideBare: string;
  let work: string;
  let workHead: string;

  beforeAll(async () => {
    const base = await temp.dir();
    root = join(base, "repos");
    mkdirSync(root);
    outsideBare = await temp.bare("main", base, "outside.git");
    await temp.seed(outsideBare, "main", { "README.md": "outside\n" });
    // Someone's working repository under the root, with main checked out.
    work = join(root, "work");
    await git(["init", "--quiet", "--initial-branch=main", work]);
    await git(["commit", "--quiet", "--allow-empty", "-m", "their work"], { cwd: work });
    workHead = (await git(["rev-parse", "HEAD"], { cwd: work })).trim();
    symlinkSync(outsideBare, join(root, "link.git"));
    stack = await startTestStack({ repoRoot: root });
  });
  afterAll(async () => {
    await stack.close();
    await temp.removeAll();
  });

  it("refuses at registration, with 422 naming /git/url: a working repository's .git, a path outside the root, a link leading out", async () => {
    const cases = [
      [join(work, ".git"), /is not a bare repository/],
      [work, /is not a Git repository/],
      [outsideBare, /must be a bare repository under .* \(HH_GITOPS_REPO_ROOT\)/],
      [join(root, "link.git"), /leads outside .* through a symbolic link/],
      [`${root}/../outside.git`, /must be a bare repository under/],
      ["/etc", /must be a bare repository under/],
    ] as const;
    for (const [i, [url, message]] of cases.entries()) {
      const res = await stack.api("/fabrics", { method: "POST", body: { name: `r-${i}`, git: { provider: "git", url } } });
      expect(res.status, url).toBe(422);
      expect(res.body.errors, url).toEqual([{ pointer: "/git/url", message: expect.stringMatching(message) }]);
    }
    // Outside the root nothing is looked at: an existing and a missing path get the same answer.
    const [existing, missing] = await Promise.all(
      ["/etc/hostname", "/no/such/path.git"].map((url) => stack.api("/fabrics", { method: "POST", body: { name: "probe", git: { provider: "git", url } } })),
    );
    expect(existing!.body.errors).toEqual(missing!.body.errors);
  });

  it("refuses a working repository's .git again when the table holds it: the run fails, its branch is untouched", async () => {
    await storeFabricDirectly({ id: "stored-work", git: { provider: "git", url: join(work, ".git"), branch: "main", directory: "gitops/hedgehog/x" } });
    const run = await syncAndWait(stack, "stored-work");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/InvalidGitSettingsError: git.url is not a bare repository/);
    expect((await git(["rev-parse", "HEAD"], { cwd: work })).trim()).toBe(workHead);
    expect(await git(["status", "--porcelain"], { cwd: work })).toBe("");
    const fabric = (await stack.api("/fabrics/stored-work")).body;
    expect(fabric.directory).toMatchObject({ status: "error", error: expect.stringMatching(/not a bare repository/) });
  });

  it("works with a bare repository under the root", async () => {
    const bare = await temp.bare("main", root, "fabric.git");
    const res = await stack.api("/fabrics", { method: "POST", body: { name: "good", git: { provider: "git", url: bare } } });
    expect(res.status).toBe(201);
    const run = await syncAndWait(stack, "good");
    expect(run.status).toBe("succeeded");
    expect(await gitIn(bare, ["log", "--format=%s", "main"])).toMatch(/hedgehog-gitops: initialize/);
  });
});

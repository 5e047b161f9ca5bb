// Finding: directory ".git" or "a/.GIT" was accepted with 201, and the fabric then stayed
// "initializing" forever. Now the API checks the directory with the providers' own path rules, and
// every failure of the init stage is recorded on the fabric.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitIn, TempRepos } from "../support/git-repos.js";
import { startTestStack, storeFabricDirectly, syncAndWait, type TestStack } from "./support.js";

describe("the fabric directory (local stack)", () => {
  let stack: TestStack;
  const temp = new TempRepos();
  let bare: string;

  beforeAll(async () => {
    stack = await startTestStack();
    bare = await temp.bare("main");
    await temp.seed(bare, "main", { "README.md": "fabric\n" });
  });
  afterAll(async () => {
    await stack.close();
    await temp.removeAll();
  });

  it("refuses a .git segment in any case, backslashes and control characters: 422 naming /git/directory", async () => {
    for (const [i, directory] of [".git", "a/.GIT", "gitops/.Git/fabric", "a\\b", "a\u0001b", "a/\u007f"].entries()) {
      const res = await stack.api("/fabrics", { method: "POST", body: { name: `d-${i}`, git: { provider: "git", url: bare, directory } } });
      expect(res.status, JSON.stringify(directory)).toBe(422);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer), JSON.stringify(directory)).toContain("/git/directory");
    }
    const ok = await stack.api("/fabrics", { method: "POST", body: { name: "d-ok", git: { provider: "git", url: bare, directory: "gitops/hedgehog/d-ok" } } });
    expect(ok.status).toBe(201);
    const patch = await stack.api("/fabrics/d-ok", { method: "PATCH", body: { git: { provider: "git", url: bare, directory: "a/.GIT" } } });
    expect(patch.status).toBe(422);
    expect(patch.body.errors).toEqual([{ pointer: "/git/directory", message: "contains a .git segment" }]);
  });

  it("records an init failure on the fabric (status error with the message), never leaving it initializing", async () => {
    // A repository of its own: the init run of "d-ok" above commits onto the first one in the background.
    const untouched = await temp.bare("main");
    await temp.seed(untouched, "main", { "README.md": "fabric\n" });
    const head = (await gitIn(untouched, ["rev-parse", "main"])).trim();
    await storeFabricDirectly({ id: "stored-dotgit", git: { provider: "git", url: untouched, branch: "main", directory: "a/.GIT" } });
    const run = await syncAndWait(stack, "stored-dotgit");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/InvalidChangeError: directory "a\/\.GIT" contains a \.git segment/);
    const fabric = (await stack.api("/fabrics/stored-dotgit")).body;
    expect(fabric.directory).toMatchObject({ status: "error", error: 'directory "a/.GIT" contains a .git segment' });
    expect((await gitIn(untouched, ["rev-parse", "main"])).trim()).toBe(head);
  });
});

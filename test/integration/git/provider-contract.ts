// The GitProvider contract, one suite for every provider. Each test gets a fresh bare repository
// behind the provider under test and checks the outcome with the real git CLI on that repository.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, GitNotFoundError, HEDGEHOG_COMMITTER, InvalidChangeError, type GitProvider } from "../../../lib/git/index.js";
import { branchSha, gitBytes, gitIn, lsTree, TempRepos } from "../../support/git-repos.js";

export interface ContractRepository {
  readonly provider: GitProvider;
  /** The bare repository the provider reads and writes, for inspection with the git CLI. */
  readonly gitdir: string;
}

export interface ContractBackend {
  /** A provider for a new, empty bare repository whose HEAD names "main". */
  newRepository(repos: TempRepos): Promise<ContractRepository>;
  /** Whether the remote has pull requests (GitHub) or only branches (a plain Git remote). */
  readonly pullRequests: boolean;
  close(): Promise<void>;
}

const NOW = new Date("2024-05-01T12:00:00Z");
const AUTHOR = { name: "Fabric Operator", email: "operator@example.com" };
/** Not UTF-8, with NUL bytes: must go through every provider unchanged. */
const BINARY = Uint8Array.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x00, 0xc3, 0x28, 0x7f, 0x01]);

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function blobAt(gitdir: string, commit: string, path: string): Promise<Buffer> {
  return gitBytes(gitdir, ["cat-file", "blob", `${commit}:${path}`]);
}

async function fsck(gitdir: string): Promise<void> {
  await expect(gitIn(gitdir, ["fsck", "--full", "--strict", "--no-progress"])).resolves.toBeDefined();
}

export function describeGitProviderContract(name: string, start: () => Promise<ContractBackend>): void {
  describe(`GitProvider contract: ${name}`, () => {
    let backend: ContractBackend;
    const repos = new TempRepos();
    const opened: GitProvider[] = [];
    const newRepository = async (): Promise<ContractRepository> => {
      const repository = await backend.newRepository(repos);
      opened.push(repository.provider);
      return repository;
    };

    beforeAll(async () => {
      backend = await start();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((provider) => provider.close()));
    });
    afterAll(async () => {
      await backend?.close();
      await repos.removeAll();
    });

    it("starts an empty repository: no head, then one first commit with every file", async () => {
      const { provider, gitdir } = await newRepository();
      expect(await provider.head("main")).toBeNull();

      const files: Record<string, Uint8Array> = {
        "gitops/fab/raw/README.md": bytes("# raw\n"),
        "gitops/fab/raw/pending/.gitkeep": new Uint8Array(0),
        "gitops/fab/raw/with space/a file.yaml": bytes("kind: VPC\n"),
        "gitops/fab/managed/vpcs/vpc-1.yaml": bytes("apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\n"),
        "gitops/fab/managed/image.bin": BINARY,
      };
      const sha = await provider.commit({
        parent: null,
        branch: "main",
        changes: Object.entries(files).map(([path, content]) => ({ path, content })),
        message: "Initialize the GitOps layout",
        author: AUTHOR,
        now: NOW,
      });

      expect(await branchSha(gitdir, "main")).toBe(sha);
      const tree = await lsTree(gitdir, sha);
      expect([...tree.keys()].sort()).toEqual(Object.keys(files).sort());
      for (const [path, content] of Object.entries(files)) {
        expect(tree.get(path)?.mode).toBe("100644");
        expect(new Uint8Array(await blobAt(gitdir, sha, path))).toEqual(content);
      }
      // Every commit on the new branch is ours (GitHub needs two steps for an empty repository).
      const log = (await gitIn(gitdir, ["log", "--format=%cn <%ce>|%an <%ae>|%s", sha])).trim().split("\n");
      expect(log.length).toBeGreaterThanOrEqual(1);
      for (const line of log) {
        expect(line).toBe(`${HEDGEHOG_COMMITTER.name} <${HEDGEHOG_COMMITTER.email}>|${AUTHOR.name} <${AUTHOR.email}>|Initialize the GitOps layout`);
      }
      expect(await provider.head("main")).toEqual({ sha, changed: false });
      await fsck(gitdir);
    });

    it("reports a branch head as changed only when it moved", async () => {
      const { provider, gitdir } = await newRepository();
      const first = await repos.seed(gitdir, "main", { "a.txt": "1\n" });
      expect(await provider.head("main")).toEqual({ sha: first, changed: true });
      expect(await provider.head("main")).toEqual({ sha: first, changed: false });
      const second = await repos.seed(gitdir, "main", { "a.txt": "2\n" });
      expect(await provider.head("main")).toEqual({ sha: second, changed: true });
      expect(await provider.head("other")).toBeNull();
    });

    it("lists a directory like git ls-tree: repository-relative paths, blob shas and modes", async () => {
      const { provider, gitdir } = await newRepository();
      const commit = await repos.seed(gitdir, "main", {
        "README.md": "outside\n",
        "gitops/fabx/ignored.yaml": "a sibling that only shares a prefix\n",
        "gitops/fab/raw/vpc.yaml": "kind: VPC\n",
        "gitops/fab/raw/with space/and more.yml": "kind: Switch\n",
        "gitops/fab/raw/ünïcode.yaml": "kind: Server\n",
        "gitops/fab/raw/link.yaml": { symlink: "vpc.yaml" },
        "gitops/fab/tools/run.sh": { executable: "#!/bin/sh\n" },
        "gitops/fab/managed/deep/er/still.yaml": "x: 1\n",
      });
      const everything = await lsTree(gitdir, commit);
      const expected = (prefix: string) =>
        [...everything]
          .filter(([path]) => prefix === "" || path.startsWith(`${prefix}/`))
          .map(([path, { mode, sha }]) => ({ path, sha, mode, type: "blob" }))
          .sort((a, b) => (a.path < b.path ? -1 : 1));

      expect(await provider.readTree(commit, "gitops/fab")).toEqual(expected("gitops/fab"));
      expect(await provider.readTree(commit, "./gitops/fab/")).toEqual(expected("gitops/fab"));
      expect(await provider.readTree(commit, "")).toEqual(expected(""));
      expect(await provider.readTree(commit, "gitops/fab/raw/with space")).toEqual(expected("gitops/fab/raw/with space"));
      expect(await provider.readTree(commit, "gitops/nothing-here")).toEqual([]);
      const modes = new Map((await provider.readTree(commit, "gitops/fab")).map((entry) => [entry.path, entry.mode]));
      expect(modes.get("gitops/fab/raw/link.yaml")).toBe("120000");
      expect(modes.get("gitops/fab/tools/run.sh")).toBe("100755");
    });

    it("reads blobs by sha with their exact bytes, many at once", async () => {
      const { provider, gitdir } = await newRepository();
      const files: Record<string, string | Uint8Array> = { "fab/raw/image.bin": BINARY, "fab/raw/empty.yaml": "" };
      for (let i = 0; i < 30; i++) files[`fab/raw/doc-${String(i).padStart(2, "0")}.yaml`] = `kind: VPC\nmetadata:\n  name: vpc-${i}\n`;
      const commit = await repos.seed(gitdir, "main", files);
      const entries = await provider.readTree(commit, "fab");
      const blobs = await provider.readBlobs([...entries.map((entry) => entry.sha), entries[0]?.sha ?? ""]);
      expect(blobs.size).toBe(new Set(entries.map((entry) => entry.sha)).size);
      for (const entry of entries) {
        expect(new Uint8Array(blobs.get(entry.sha) ?? [])).toEqual(new Uint8Array(await blobAt(gitdir, commit, entry.path)));
      }
      await expect(provider.readBlobs(["0123456789abcdef0123456789abcdef01234567"])).rejects.toBeInstanceOf(GitNotFoundError);
    });

    it("makes one commit that adds, updates and deletes files, with spaces in paths and binary content", async () => {
      const { provider, gitdir } = await newRepository();
      const parent = await repos.seed(gitdir, "main", {
        "keep.txt": "untouched\n",
        "fab/raw/a.yaml": "old a\n",
        "fab/raw/b.yaml": "delete me\n",
        "fab/raw/sub dir/only.yaml": "the only file here\n",
      });
      const head = await provider.head("main");
      expect(head?.sha).toBe(parent);

      const sha = await provider.commit({
        parent,
        branch: "main",
        changes: [
          { path: "fab/raw/a.yaml", content: "new a\n" },
          { path: "fab/raw/b.yaml", content: null },
          { path: "fab/raw/sub dir/only.yaml", content: null },
          { path: "fab/managed/vpcs/new vpc.yaml", content: "kind: VPC\n" },
          { path: "fab/managed/blob.bin", content: BINARY },
        ],
        message: "Ingest 3 files\n\nmoved raw/a.yaml, raw/b.yaml",
        author: AUTHOR,
        now: NOW,
      });

      expect(await branchSha(gitdir, "main")).toBe(sha);
      expect((await gitIn(gitdir, ["rev-parse", `${sha}^`])).trim()).toBe(parent);
      expect([...(await lsTree(gitdir, sha)).keys()].sort()).toEqual(["fab/managed/blob.bin", "fab/managed/vpcs/new vpc.yaml", "fab/raw/a.yaml", "keep.txt"]);
      expect((await blobAt(gitdir, sha, "fab/raw/a.yaml")).toString()).toBe("new a\n");
      expect((await blobAt(gitdir, sha, "fab/managed/vpcs/new vpc.yaml")).toString()).toBe("kind: VPC\n");
      expect(new Uint8Array(await blobAt(gitdir, sha, "fab/managed/blob.bin"))).toEqual(BINARY);
      expect((await blobAt(gitdir, sha, "keep.txt")).toString()).toBe("untouched\n");
      // The emptied folder is gone, as git has no empty folders.
      expect((await gitIn(gitdir, ["ls-tree", "--name-only", `${sha}:fab/raw`])).split("\n")).not.toContain("sub dir");

      const seconds = String(NOW.getTime() / 1000);
      const [authorLine, committerLine, authorTime, committerTime] = (await gitIn(gitdir, ["show", "-s", "--format=%an <%ae>%n%cn <%ce>%n%at%n%ct", sha])).trim().split("\n");
      expect(authorLine).toBe(`${AUTHOR.name} <${AUTHOR.email}>`);
      expect(committerLine).toBe(`${HEDGEHOG_COMMITTER.name} <${HEDGEHOG_COMMITTER.email}>`);
      expect([authorTime, committerTime]).toEqual([seconds, seconds]);
      expect((await gitIn(gitdir, ["show", "-s", "--format=%B", sha])).trim()).toBe("Ingest 3 files\n\nmoved raw/a.yaml, raw/b.yaml");

      const after = await provider.readTree(sha, "fab");
      expect(after.map((entry) => entry.path)).toEqual(["fab/managed/blob.bin", "fab/managed/vpcs/new vpc.yaml", "fab/raw/a.yaml"]);
      expect(await provider.head("main")).toEqual({ sha, changed: false });
      await fsck(gitdir);
    });

    it("refuses with a retryable ConflictError when the branch moved, and leaves it as it is", async () => {
      const { provider, gitdir } = await newRepository();
      const seen = await repos.seed(gitdir, "main", { "a.txt": "1\n" });
      expect((await provider.head("main"))?.sha).toBe(seen);
      const moved = await repos.seed(gitdir, "main", { "a.txt": "2\n" }, "someone else");

      const attempt = provider.commit({ parent: seen, branch: "main", changes: [{ path: "b.txt", content: "mine\n" }], message: "late", now: NOW });
      await expect(attempt).rejects.toBeInstanceOf(ConflictError);
      await expect(attempt).rejects.toMatchObject({ retryable: true });
      expect(await branchSha(gitdir, "main")).toBe(moved);

      // A branch believed absent that exists is a conflict as well.
      await expect(provider.commit({ parent: null, branch: "main", changes: [{ path: "c.txt", content: "x\n" }], message: "first?", now: NOW })).rejects.toBeInstanceOf(ConflictError);
      expect(await branchSha(gitdir, "main")).toBe(moved);
      await fsck(gitdir);
    });

    it("creates a new branch next to existing ones without touching them", async () => {
      const { provider, gitdir } = await newRepository();
      const main = await repos.seed(gitdir, "main", { "a.txt": "main\n" });
      expect(await provider.head("gitops/fab")).toBeNull();
      const sha = await provider.commit({ parent: null, branch: "gitops/fab", changes: [{ path: "fab/x.yaml", content: "x\n" }], message: "new branch", now: NOW });
      expect(await branchSha(gitdir, "gitops/fab")).toBe(sha);
      expect([...(await lsTree(gitdir, sha)).keys()]).toEqual(["fab/x.yaml"]);
      expect(await branchSha(gitdir, "main")).toBe(main);
    });

    it("makes no commit when the changes leave the tree as it is", async () => {
      const { provider, gitdir } = await newRepository();
      const parent = await repos.seed(gitdir, "main", { "fab/a.yaml": "same\n" });
      expect(await provider.commit({ parent, branch: "main", changes: [{ path: "fab/a.yaml", content: "same\n" }], message: "noop", now: NOW })).toBe(parent);
      expect(await provider.commit({ parent, branch: "main", changes: [], message: "noop", now: NOW })).toBe(parent);
      expect(await branchSha(gitdir, "main")).toBe(parent);
      expect((await gitIn(gitdir, ["rev-list", "--count", "main"])).trim()).toBe("1");
    });

    it("gives the same commits for the same requests (deterministic trees and commits)", async () => {
      const one = await newRepository();
      const two = await newRepository();
      const shas: string[][] = [];
      for (const { provider } of [one, two]) {
        const first = await provider.commit({
          parent: null,
          branch: "main",
          changes: [
            { path: "fab/managed/vpcs/b.yaml", content: "b\n" },
            { path: "fab/managed/vpcs/a.yaml", content: "a\n" },
          ],
          message: "init",
          now: NOW,
        });
        const second = await provider.commit({ parent: first, branch: "main", changes: [{ path: "fab/managed/vpcs/a.yaml", content: null }], message: "drop a", now: NOW });
        shas.push([first, second]);
      }
      expect(shas[0]).toEqual(shas[1]);
    });

    it("creates a branch at a commit; again is a no-op; elsewhere is a ConflictError; commits then go on that branch only", async () => {
      const { provider, gitdir } = await newRepository();
      const main = await repos.seed(gitdir, "main", { "fab/a.yaml": "a\n" });
      expect((await provider.head("main"))?.sha).toBe(main);
      await provider.createBranch("hedgehog-gitops/drafts-1", main);
      expect(await branchSha(gitdir, "hedgehog-gitops/drafts-1")).toBe(main);
      await provider.createBranch("hedgehog-gitops/drafts-1", main);
      const moved = await provider.commit({ parent: main, branch: "hedgehog-gitops/drafts-1", changes: [{ path: "fab/b.yaml", content: "b\n" }], message: "on the branch", now: NOW });
      expect(await branchSha(gitdir, "hedgehog-gitops/drafts-1")).toBe(moved);
      expect(await branchSha(gitdir, "main")).toBe(main);
      await expect(provider.createBranch("hedgehog-gitops/drafts-1", main)).rejects.toBeInstanceOf(ConflictError);
      expect(await branchSha(gitdir, "hedgehog-gitops/drafts-1")).toBe(moved);
      await fsck(gitdir);
    });

    it("names the last commit that changed a file (added, changed or removed it), or none", async () => {
      const { provider, gitdir } = await newRepository();
      // seed() replaces the whole tree: each step lists every file.
      const added = await repos.seed(gitdir, "main", { "fab/a.yaml": "a\n", "fab/b.yaml": "b\n" }, "add a and b");
      const changed = await repos.seed(gitdir, "main", { "fab/a.yaml": "a2\n", "fab/b.yaml": "b\n" }, "change a");
      await repos.seed(gitdir, "main", { "fab/a.yaml": "a2\n", "fab/b.yaml": "b\n", "other.txt": "x\n" }, "unrelated");
      const removed = await repos.seed(gitdir, "main", { "fab/a.yaml": "a2\n", "other.txt": "x\n" }, "remove b");
      const tip = await repos.seed(gitdir, "main", { "fab/a.yaml": "a2\n", "other.txt": "y\n" }, "unrelated again");
      expect((await provider.head("main"))?.sha).toBe(tip);
      expect(await provider.lastCommitTouching(tip, "fab/a.yaml")).toMatchObject({ sha: changed, subject: "change a", author: expect.stringMatching(/<.+@.+>$/) });
      expect(await provider.lastCommitTouching(tip, "fab/b.yaml")).toMatchObject({ sha: removed, subject: "remove b" });
      expect(await provider.lastCommitTouching(changed, "fab/b.yaml")).toMatchObject({ sha: added });
      expect(await provider.lastCommitTouching(tip, "fab/never.yaml")).toBeNull();
    });

    it("opens a pull request of a branch, finding the open one when asked again, or says the remote has only branches", async () => {
      const { provider, gitdir } = await newRepository();
      const main = await repos.seed(gitdir, "main", { "fab/a.yaml": "a\n" });
      expect((await provider.head("main"))?.sha).toBe(main);
      await provider.createBranch("hedgehog-gitops/drafts-2", main);
      await provider.commit({ parent: main, branch: "hedgehog-gitops/drafts-2", changes: [{ path: "fab/a.yaml", content: "a2\n" }], message: "publish", now: NOW });
      const request = { head: "hedgehog-gitops/drafts-2", base: "main", title: "hedgehog-gitops: publish 1 draft", body: "- changed fab/a.yaml" };
      const opened = await provider.openPullRequest(request);
      if (!backend.pullRequests) {
        expect(opened).toBeNull();
        return;
      }
      expect(opened).toMatchObject({ number: expect.any(Number), url: expect.stringMatching(/\/pull\/\d+$/) });
      expect(await provider.openPullRequest(request)).toEqual(opened);
      expect(await branchSha(gitdir, "main")).toBe(main);
    });

    it("refuses invalid changes with InvalidChangeError before writing anything", async () => {
      const { provider, gitdir } = await newRepository();
      const parent = await repos.seed(gitdir, "main", { "fab/a.yaml": "a\n" });
      const attempt = (changes: { path: string; content: string | null }[]) => provider.commit({ parent, branch: "main", changes, message: "bad", now: NOW });
      for (const path of ["../escape.yaml", "/absolute.yaml", "fab//double.yaml", "fab/.git/config", "fab/./dot.yaml", "fab/", ""]) {
        await expect(attempt([{ path, content: "x\n" }])).rejects.toBeInstanceOf(InvalidChangeError);
      }
      await expect(attempt([{ path: "fab/b.yaml", content: "1" }, { path: "fab/b.yaml", content: "2" }])).rejects.toBeInstanceOf(InvalidChangeError);
      await expect(attempt([{ path: "fab/missing.yaml", content: null }])).rejects.toBeInstanceOf(InvalidChangeError);
      await expect(attempt([{ path: "fab/a.yaml/below.yaml", content: "x" }])).rejects.toBeInstanceOf(InvalidChangeError);
      expect(await branchSha(gitdir, "main")).toBe(parent);
    });
  });
}

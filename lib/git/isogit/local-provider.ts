// GitProvider over a bare repository on the local disk (the local stack's default): objects are
// read and written in place with isomorphic-git (`gitdir`), and the branch moves by compare-and-swap
// under git's ref lock.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import * as git from "isomorphic-git";
import { prepareCommit } from "../changes.js";
import { mapWithLimit } from "../concurrency.js";
import { ConflictError, GitNotFoundError, InvalidChangeError } from "../errors.js";
import { assertBranchName, normalizeDirectory } from "../paths.js";
import { HEDGEHOG_COMMITTER, type BranchHead, type CommitRequest, type CommitSummary, type GitProvider, type PullRequestRef, type TreeEntry } from "../provider.js";
import { atomicFs } from "./atomic-fs.js";
import { GitDirectory } from "./git-directory.js";
import { compareAndSwapRef } from "./ref-lock.js";

/** How far back lastCommitTouching looks: far enough for a draft's lifetime, bounded for a long history. */
export const HISTORY_SEARCH_LIMIT = 1000;

export class LocalRepositoryProvider implements GitProvider {
  private readonly repository: GitDirectory;
  private readonly lastSeen = new Map<string, string>();
  private checked = false;

  constructor(private readonly gitdir: string) {
    this.repository = new GitDirectory(gitdir);
  }

  async head(branch: string): Promise<BranchHead | null> {
    assertBranchName(branch);
    await this.assertRepository();
    const sha = await this.repository.branchTip(branch);
    const previous = this.lastSeen.get(branch);
    if (sha === null) {
      this.lastSeen.delete(branch);
      return null;
    }
    this.lastSeen.set(branch, sha);
    return { sha, changed: previous !== sha };
  }

  async readTree(commit: string, directory: string): Promise<TreeEntry[]> {
    const dir = normalizeDirectory(directory);
    await this.assertRepository();
    return this.repository.listTree(commit, dir);
  }

  async readBlobs(shas: Iterable<string>): Promise<Map<string, Uint8Array>> {
    await this.assertRepository();
    const unique = [...new Set(shas)];
    const contents = await mapWithLimit(unique, 16, async (sha) => {
      const content = await this.repository.readBlob(sha);
      if (content === null) throw new GitNotFoundError(`blob ${sha} does not exist in ${this.gitdir}`);
      return [sha, content] as const;
    });
    return new Map(contents);
  }

  async commit(request: CommitRequest): Promise<string> {
    assertBranchName(request.branch);
    const prepared = prepareCommit(request, HEDGEHOG_COMMITTER);
    await this.assertRepository();
    const { parent, branch } = prepared;
    if (prepared.changes.length === 0) {
      if (parent !== null) return parent;
      throw new InvalidChangeError(`nothing to commit: branch ${branch} has no commit and no file is given`);
    }
    // Checked early to skip the object writes when the answer is known; checked again under the lock.
    const current = await this.repository.branchTip(branch);
    if (current !== parent) throw new ConflictError(`branch ${branch} of ${this.gitdir} moved since ${parent ?? "it was found absent"} (now ${current ?? "absent"})`);
    const baseTree = parent === null ? null : await this.repository.treeOf(parent);
    const tree = await this.repository.writeTree(baseTree, prepared.changes);
    if (parent !== null && tree === baseTree) return parent;
    const sha = await this.repository.writeCommit(prepared, tree, parent === null ? [] : [parent]);
    await compareAndSwapRef({
      gitdir: this.gitdir,
      ref: `refs/heads/${branch}`,
      expected: parent,
      next: sha,
      readCurrent: () => this.repository.branchTip(branch),
    });
    if (parent === null) await this.pointHeadAtFirstBranch(branch);
    this.lastSeen.set(branch, sha);
    return sha;
  }

  async createBranch(branch: string, sha: string): Promise<void> {
    assertBranchName(branch);
    await this.assertRepository();
    if (!(await this.repository.hasCommit(sha))) throw new GitNotFoundError(`commit ${sha} does not exist in ${this.gitdir}`);
    const current = await this.repository.branchTip(branch);
    if (current === sha) return;
    if (current !== null) throw new ConflictError(`branch ${branch} of ${this.gitdir} exists at ${current}, not ${sha}`);
    await compareAndSwapRef({ gitdir: this.gitdir, ref: `refs/heads/${branch}`, expected: null, next: sha, readCurrent: () => this.repository.branchTip(branch) });
    this.lastSeen.set(branch, sha);
  }

  async lastCommitTouching(commit: string, path: string): Promise<CommitSummary | null> {
    await this.assertRepository();
    const found = await this.repository.lastCommitTouching(commit, path, HISTORY_SEARCH_LIMIT);
    return found === "incomplete" ? null : found;
  }

  /** A bare repository has no pull requests: the branch is what there is to merge. */
  async openPullRequest(): Promise<PullRequestRef | null> {
    return null;
  }

  async close(): Promise<void> {}

  private async assertRepository(): Promise<void> {
    if (this.checked) return;
    try {
      await stat(join(this.gitdir, "objects"));
      await stat(join(this.gitdir, "HEAD"));
    } catch (error) {
      throw new GitNotFoundError(`${this.gitdir} is not a git repository`, { cause: error });
    }
    this.checked = true;
  }

  /**
   * Like GitHub, the first branch pushed to an empty repository becomes its default: HEAD is pointed
   * at it when HEAD names a branch that does not exist and no other branch does, so that a plain
   * `git clone` checks out what we committed.
   */
  private async pointHeadAtFirstBranch(branch: string): Promise<void> {
    const head = (await readFile(join(this.gitdir, "HEAD"), "utf8")).trim();
    const target = /^ref: (refs\/heads\/.+)$/.exec(head)?.[1];
    if (!target || target === `refs/heads/${branch}`) return;
    const branches = await git.listBranches({ fs: atomicFs, gitdir: this.gitdir });
    if (branches.length !== 1 || branches[0] !== branch) return;
    await git.writeRef({ fs: atomicFs, gitdir: this.gitdir, ref: "HEAD", value: `refs/heads/${branch}`, symbolic: true, force: true });
  }
}

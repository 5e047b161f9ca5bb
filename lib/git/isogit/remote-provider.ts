// GitProvider over any Git remote speaking smart HTTP(S): heads come from one ref advertisement,
// objects from a shallow single-branch fetch into a private temporary bare repository, and a commit is
// built there and pushed. The push is a compare-and-swap: isomorphic-git sends the ref's advertised
// value as the old value, which the server checks under its ref lock, and our pre-push hook refuses
// unless that value is the commit's parent.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as git from "isomorphic-git";
import type { HttpClient } from "isomorphic-git";
import { prepareCommit } from "../changes.js";
import { ConflictError, GitAuthenticationError, GitNotFoundError, InvalidChangeError } from "../errors.js";
import { assertBranchName, normalizeDirectory } from "../paths.js";
import { HEDGEHOG_COMMITTER, type BranchHead, type CommitRequest, type CommitSummary, type GitProvider, type PullRequestRef, type TreeEntry } from "../provider.js";
import { atomicFs } from "./atomic-fs.js";
import { GitDirectory, isIsomorphicGitError } from "./git-directory.js";
import { displayUrl, toRemoteError } from "./remote-errors.js";

const ZERO_SHA = "0000000000000000000000000000000000000000";
const OUTGOING_REF = "refs/hedgehog-gitops/outgoing";
/** How far back a commit may lie behind its branch's tip and still be fetched (readTree of an older commit). */
const DEEPEN_DEPTH = 64;

export interface RemoteCredentials {
  readonly username: string;
  readonly password: string;
}

export interface RemoteRepositoryOptions {
  readonly url: string;
  readonly credentials?: RemoteCredentials;
  /** The branch fetched for readTree/readBlobs before any head() call named one. */
  readonly defaultBranch: string;
  /** Where the temporary clone goes (default os.tmpdir()). */
  readonly workDir?: string;
  /** The HTTP client every request goes through: guardedGitHttp, which keeps to the host allow-list. */
  readonly http: HttpClient;
}

export class RemoteRepositoryProvider implements GitProvider {
  private readonly url: string;
  private readonly shownUrl: string;
  private readonly lastSeen = new Map<string, string>();
  private branchToFetch: string;
  private clone: Promise<GitDirectory> | undefined;
  private closed = false;

  constructor(private readonly options: RemoteRepositoryOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.shownUrl = displayUrl(this.url);
    this.branchToFetch = options.defaultBranch;
  }

  async head(branch: string): Promise<BranchHead | null> {
    assertBranchName(branch);
    this.branchToFetch = branch;
    try {
      const refs = await git.listServerRefs({ http: this.options.http, url: this.url, prefix: `refs/heads/${branch}`, ...this.auth() });
      const sha = refs.find((ref) => ref.ref === `refs/heads/${branch}`)?.oid ?? null;
      const previous = this.lastSeen.get(branch);
      if (sha === null) {
        this.lastSeen.delete(branch);
        return null;
      }
      this.lastSeen.set(branch, sha);
      return { sha, changed: previous !== sha };
    } catch (error) {
      throw toRemoteError(error, `reading branch ${branch} of ${this.shownUrl}`);
    }
  }

  async readTree(commit: string, directory: string): Promise<TreeEntry[]> {
    const dir = normalizeDirectory(directory);
    try {
      const repository = await this.ensureCommit(commit, this.branchToFetch);
      return await repository.listTree(commit, dir);
    } catch (error) {
      throw toRemoteError(error, `reading the tree of ${commit} from ${this.shownUrl}`);
    }
  }

  async readBlobs(shas: Iterable<string>): Promise<Map<string, Uint8Array>> {
    const result = new Map<string, Uint8Array>();
    try {
      const repository = await this.repository();
      let missing: string[] = [];
      for (const sha of new Set(shas)) {
        const content = await repository.readBlob(sha);
        if (content) result.set(sha, content);
        else missing.push(sha);
      }
      if (missing.length > 0) {
        // Blobs come with the commits that hold them; fetch the branch tip once and look again.
        await this.fetch(repository, this.branchToFetch, 1);
        const stillMissing: string[] = [];
        for (const sha of missing) {
          const content = await repository.readBlob(sha);
          if (content) result.set(sha, content);
          else stillMissing.push(sha);
        }
        missing = stillMissing;
      }
      if (missing.length > 0) throw new GitNotFoundError(`blob(s) ${missing.slice(0, 3).join(", ")} not found in ${this.shownUrl}`);
      return result;
    } catch (error) {
      throw toRemoteError(error, `reading blobs from ${this.shownUrl}`);
    }
  }

  async commit(request: CommitRequest): Promise<string> {
    assertBranchName(request.branch);
    const prepared = prepareCommit(request, HEDGEHOG_COMMITTER);
    const { parent, branch } = prepared;
    if (prepared.changes.length === 0) {
      if (parent !== null) return parent;
      throw new InvalidChangeError(`nothing to commit: branch ${branch} has no commit and no file is given`);
    }
    try {
      const repository = parent === null ? await this.repository() : await this.ensureCommit(parent, branch);
      const baseTree = parent === null ? null : await repository.treeOf(parent);
      const tree = await repository.writeTree(baseTree, prepared.changes);
      if (parent !== null && tree === baseTree) return parent;
      const sha = await repository.writeCommit(prepared, tree, parent === null ? [] : [parent]);
      await git.writeRef({ fs: atomicFs, gitdir: repository.gitdir, ref: OUTGOING_REF, value: sha, force: true });
      await git.push({
        fs: atomicFs,
        http: this.options.http,
        gitdir: repository.gitdir,
        url: this.url,
        ref: OUTGOING_REF,
        remoteRef: `refs/heads/${branch}`,
        ...this.auth(),
        onPrePush: ({ remoteRef }) => {
          const expected = parent ?? ZERO_SHA;
          if (remoteRef.oid !== expected) {
            const now = remoteRef.oid === ZERO_SHA ? "absent" : remoteRef.oid;
            throw new ConflictError(`branch ${branch} of ${this.shownUrl} moved since ${parent ?? "it was found absent"} (now ${now})`);
          }
          return true;
        },
      });
      this.lastSeen.set(branch, sha);
      return sha;
    } catch (error) {
      throw toRemoteError(error, `pushing to branch ${branch} of ${this.shownUrl}`);
    }
  }

  async createBranch(branch: string, sha: string): Promise<void> {
    assertBranchName(branch);
    try {
      // Not head(): that would make `branch` the one fetched for later reads.
      const refs = await git.listServerRefs({ http: this.options.http, url: this.url, prefix: `refs/heads/${branch}`, ...this.auth() });
      const existing = refs.find((ref) => ref.ref === `refs/heads/${branch}`)?.oid ?? null;
      if (existing === sha) return;
      if (existing !== null) throw new ConflictError(`branch ${branch} of ${this.shownUrl} exists at ${existing}, not ${sha}`);
      const repository = await this.ensureCommit(sha, this.branchToFetch);
      await git.writeRef({ fs: atomicFs, gitdir: repository.gitdir, ref: OUTGOING_REF, value: sha, force: true });
      await git.push({
        fs: atomicFs,
        http: this.options.http,
        gitdir: repository.gitdir,
        url: this.url,
        ref: OUTGOING_REF,
        remoteRef: `refs/heads/${branch}`,
        ...this.auth(),
        onPrePush: ({ remoteRef }) => {
          if (remoteRef.oid !== ZERO_SHA) throw new ConflictError(`branch ${branch} of ${this.shownUrl} was created meanwhile (at ${remoteRef.oid})`);
          return true;
        },
      });
      this.lastSeen.set(branch, sha);
    } catch (error) {
      throw toRemoteError(error, `creating branch ${branch} of ${this.shownUrl}`);
    }
  }

  async lastCommitTouching(commit: string, path: string): Promise<CommitSummary | null> {
    try {
      const repository = await this.ensureCommit(commit, this.branchToFetch);
      let found = await repository.lastCommitTouching(commit, path, DEEPEN_DEPTH);
      if (found === "incomplete") {
        // The clone is shallow: fetch the branch's recent history once and look again.
        await this.fetch(repository, this.branchToFetch, DEEPEN_DEPTH);
        found = await repository.lastCommitTouching(commit, path, DEEPEN_DEPTH);
      }
      return found === "incomplete" ? null : found;
    } catch (error) {
      throw toRemoteError(error, `reading the history of ${path} in ${this.shownUrl}`);
    }
  }

  /** A plain Git remote has no pull requests: the branch is what there is to merge. */
  async openPullRequest(): Promise<PullRequestRef | null> {
    return null;
  }

  async close(): Promise<void> {
    this.closed = true;
    const clone = this.clone;
    this.clone = undefined;
    if (clone) await rm((await clone).gitdir, { recursive: true, force: true });
  }

  private auth(): Pick<Parameters<typeof git.push>[0], "onAuth" | "onAuthFailure"> {
    const credentials = this.options.credentials;
    return {
      // Credentials go out only when the server asks for them (401), like git's credential helpers.
      onAuth: () => {
        if (!credentials) throw new GitAuthenticationError(`the Git server at ${this.shownUrl} asks for credentials and none are configured`);
        return { username: credentials.username, password: credentials.password };
      },
      onAuthFailure: () => {
        throw new GitAuthenticationError(`the Git server at ${this.shownUrl} rejected the credentials (401)`);
      },
    };
  }

  private repository(): Promise<GitDirectory> {
    if (this.closed) throw new Error("the provider is closed");
    this.clone ??= (async () => {
      const gitdir = await mkdtemp(join(this.options.workDir ?? tmpdir(), "hedgehog-gitops-"));
      await git.init({ fs: atomicFs, gitdir, bare: true });
      // Fetched branches land in refs/remotes/origin/*, as in a clone.
      await git.addRemote({ fs: atomicFs, gitdir, remote: "origin", url: this.url });
      return new GitDirectory(gitdir);
    })();
    return this.clone;
  }

  /** Our clone with `commit` in it: fetched with the branch tip, or from a little further back. */
  private async ensureCommit(commit: string, branch: string): Promise<GitDirectory> {
    const repository = await this.repository();
    if (await repository.hasCommit(commit)) return repository;
    await this.fetch(repository, branch, 1);
    if (await repository.hasCommit(commit)) return repository;
    await this.fetch(repository, branch, DEEPEN_DEPTH);
    if (await repository.hasCommit(commit)) return repository;
    throw new GitNotFoundError(`commit ${commit} is not among the last ${DEEPEN_DEPTH} commits of branch ${branch} of ${this.shownUrl}`);
  }

  private async fetch(repository: GitDirectory, branch: string, depth: number): Promise<void> {
    try {
      await git.fetch({
        fs: atomicFs,
        http: this.options.http,
        gitdir: repository.gitdir,
        url: this.url,
        ref: branch,
        singleBranch: true,
        depth,
        tags: false,
        ...this.auth(),
      });
    } catch (error) {
      if (isIsomorphicGitError(error, "NotFoundError")) throw new GitNotFoundError(`branch ${branch} does not exist in ${this.shownUrl}`, { cause: error });
      throw error;
    }
  }
}

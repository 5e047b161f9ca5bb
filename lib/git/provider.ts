// The one interface the engine uses to talk to a fabric's repository. Implementations: github
// (Octokit, Git Data API) and git (isomorphic-git: a local bare repository or an HTTP(S) remote).

/** Who made a commit. */
export interface GitIdentity {
  readonly name: string;
  readonly email: string;
}

/**
 * The committer of every commit we make. A push webhook whose commits all carry this committer is our
 * own write coming back and starts no run. The noreply domain keeps GitHub from linking it to a person.
 */
export const HEDGEHOG_COMMITTER: GitIdentity = Object.freeze({
  name: "hedgehog-gitops",
  email: "hedgehog-gitops@users.noreply.github.com",
});

/** Git file modes as they appear in trees. */
export type FileMode = "100644" | "100755" | "120000" | "160000";

/** One file of a tree listing. `type: "commit"` is a submodule (mode 160000); a symlink is a blob with mode 120000. */
export interface TreeEntry {
  /** Repository-relative, "/"-separated, no leading slash. */
  readonly path: string;
  readonly sha: string;
  readonly mode: FileMode;
  readonly type: "blob" | "commit";
  /**
   * Set when git, GitHub or a checkout cannot use the path (a backslash, a ".." or ".git" segment, ...):
   * the entry is listed so that it can be reported, but it is never read and never written.
   */
  readonly unsafe?: string;
}

/** The tip of a branch; `changed` is false when it equals the tip this provider last saw or wrote. */
export interface BranchHead {
  readonly sha: string;
  readonly changed: boolean;
}

/** Content to write at `path` (strings are UTF-8), or `null` to delete the file at `path`. */
export interface FileChange {
  readonly path: string;
  readonly content: Uint8Array | string | null;
}

export interface CommitRequest {
  /** The commit the changes were planned on; `null` when the branch does not exist yet (empty repository). */
  readonly parent: string | null;
  readonly branch: string;
  readonly changes: readonly FileChange[];
  readonly message: string;
  /** Defaults to HEDGEHOG_COMMITTER. The committer is always HEDGEHOG_COMMITTER. */
  readonly author?: GitIdentity;
  /** Author and committer time; defaults to the current time. Tests pass it for reproducible commits. */
  readonly now?: Date;
}

/** A commit as write-back names it (the one that last changed a file). */
export interface CommitSummary {
  readonly sha: string;
  /** The first line of its message. */
  readonly subject: string;
  /** "Name <email>" of its author. */
  readonly author: string;
  /** Author time, ISO 8601. */
  readonly date: string;
}

export interface PullRequestRequest {
  /** The branch with the changes. */
  readonly head: string;
  /** The branch they are to be merged into. */
  readonly base: string;
  readonly title: string;
  readonly body: string;
}

export interface PullRequestRef {
  readonly number: number;
  /** Where a person opens it (html_url). */
  readonly url: string;
}

export interface GitProvider {
  /** The branch's tip, or null when the branch (or the whole repository) has no commit yet. */
  head(branch: string): Promise<BranchHead | null>;

  /**
   * Files under `directory` ("" for the whole repository) at `commit`, sorted by path, paths
   * repository-relative. A directory that does not exist yields an empty list.
   */
  readTree(commit: string, directory: string): Promise<TreeEntry[]>;

  /** Contents by blob sha. Every requested sha is in the result, or the call fails. */
  readBlobs(shas: Iterable<string>): Promise<Map<string, Uint8Array>>;

  /**
   * One commit on `branch` with all `changes` on top of `parent`; returns its sha. Files are written
   * with mode 100644. When the changes leave the tree as it is, nothing is committed and `parent` is
   * returned. Throws ConflictError when the branch no longer points at `parent`.
   */
  commit(request: CommitRequest): Promise<string>;

  /**
   * Creates `branch` pointing at the commit `sha`. Succeeds when the branch already points there (a
   * retry); throws ConflictError when it exists and points elsewhere.
   */
  createBranch(branch: string, sha: string): Promise<void>;

  /**
   * The newest commit reachable from `commit` (following first parents) that changed the file at
   * `path` (added, modified or removed it); null when none is found within the history the provider
   * can see (a shallow clone, a search bound).
   */
  lastCommitTouching(commit: string, path: string): Promise<CommitSummary | null>;

  /**
   * Opens a pull request of `head` into `base`, or finds the open one that exists for `head`. Null
   * when the remote has no pull requests (a plain Git remote): the branch is all there is.
   */
  openPullRequest(request: PullRequestRequest): Promise<PullRequestRef | null>;

  /** Releases what the provider holds (temporary clones). The provider is unusable afterwards. */
  close(): Promise<void>;
}

// GitProvider over GitHub's REST API (Git Data API). Costs are kept to what changed:
//   head      one conditional GET of the ref; a 304 costs no rate-limit quota
//   readTree  one recursive tree GET (a walk of the directory only when GitHub truncates it)
//   readBlobs cached by sha; many missing blobs of one commit come in one tarball download
//   commit    POST git/trees (chunked when large) + POST git/commits + PATCH git/refs (force: false)
import { Buffer } from "node:buffer";
import { gitBlobSha } from "../blob-sha.js";
import { isWrite, prepareCommit, type PreparedChange, type PreparedCommit } from "../changes.js";
import { mapWithLimit } from "../concurrency.js";
import { ConflictError, CorruptArchiveError, GitNotFoundError, GitUnavailableError, InvalidChangeError } from "../errors.js";
import { assertBranchName, isInDirectory, normalizeDirectory, pathProblem } from "../paths.js";
import { HEDGEHOG_COMMITTER, type BranchHead, type CommitRequest, type FileMode, type GitProvider, type TreeEntry } from "../provider.js";
import { GitReadCache, RepositoryReadCache } from "../read-cache.js";
import type { GitHubClient } from "./client.js";
import { hasStatus, isEmptyRepository, toGitError } from "./http-errors.js";
import { blobsFromTarball } from "./tarball.js";
import { chunkTreeEntries, treeEntries, type TreeRequestEntry } from "./tree-entries.js";

export interface GitHubProviderLimits {
  /** From this many missing blobs of one commit, readBlobs downloads the commit's tarball instead (default 5). */
  readonly tarballMinBlobs?: number;
  /** ...but only when the commit's files add up to at most this many bytes (default 64 MiB). */
  readonly tarballMaxBytes?: number;
  /** Upper bounds of one create-tree request body (defaults 4 MiB and 10,000 entries). */
  readonly treeRequestBytes?: number;
  readonly treeRequestEntries?: number;
  /** Blob reads in flight at once (default 8). */
  readonly blobConcurrency?: number;
}

export interface GitHubProviderOptions {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  /** Share one cache per process to keep heads (ETags) and blob contents across invocations. */
  readonly cache?: GitReadCache;
  readonly limits?: GitHubProviderLimits;
}

interface GitHubTreeItem {
  readonly path: string;
  readonly mode: string;
  readonly type: string;
  readonly sha: string;
  readonly size?: number;
}

const FILE_MODES: ReadonlySet<string> = new Set(["100644", "100755", "120000", "160000"]);

function toTreeEntry(item: GitHubTreeItem, path: string): TreeEntry | null {
  if (item.type !== "blob" && item.type !== "commit") return null;
  // Very old repositories can carry 100664 and similar; git itself reads them as 100644.
  const mode = (FILE_MODES.has(item.mode) ? item.mode : item.type === "commit" ? "160000" : "100644") as FileMode;
  // GitHub stores names git checkouts refuse (a backslash, ...): listed as unsafe, never read or written.
  const problem = pathProblem(path);
  return { path, sha: item.sha, mode, type: item.type, ...(problem ? { unsafe: problem } : {}) };
}

/** ISO 8601 in whole seconds, as git stores time. */
function gitDate(when: Date): string {
  return new Date(Math.floor(when.getTime() / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

export class GitHubProvider implements GitProvider {
  private readonly client: GitHubClient;
  private readonly owner: string;
  private readonly repo: string;
  private readonly name: string;
  private readonly cache: GitReadCache;
  private readonly known: RepositoryReadCache;
  private readonly limits: Required<GitHubProviderLimits>;

  constructor(options: GitHubProviderOptions) {
    this.client = options.client;
    this.owner = options.owner;
    this.repo = options.repo;
    this.name = `${options.owner}/${options.repo}`;
    this.cache = options.cache ?? new GitReadCache();
    this.known = this.cache.forRepository(`github:${options.client.request.endpoint.DEFAULTS.baseUrl}/${this.name}`);
    this.limits = {
      // Past a handful of blobs one archive download costs fewer requests than a GET per blob.
      tarballMinBlobs: options.limits?.tarballMinBlobs ?? 5,
      tarballMaxBytes: options.limits?.tarballMaxBytes ?? 64 * 1024 * 1024,
      // GitHub documents no cap on a create-tree body; an oversized one answers 422 "timed out", and
      // commit() then halves the chunk. These bounds keep a 5,000-resource ingest to one request.
      treeRequestBytes: options.limits?.treeRequestBytes ?? 4 * 1024 * 1024,
      treeRequestEntries: options.limits?.treeRequestEntries ?? 10_000,
      blobConcurrency: options.limits?.blobConcurrency ?? 8,
    };
  }

  async head(branch: string): Promise<BranchHead | null> {
    assertBranchName(branch);
    const known = this.known.heads.get(branch);
    try {
      const response = await this.client.rest.git.getRef({
        owner: this.owner,
        repo: this.repo,
        ref: `heads/${branch}`,
        headers: known?.etag ? { "if-none-match": known.etag } : {},
      });
      const sha = response.data.object.sha;
      const etag = response.headers.etag;
      this.known.heads.set(branch, etag ? { sha, etag } : { sha });
      return { sha, changed: known?.sha !== sha };
    } catch (error) {
      // https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
      if (known && hasStatus(error, 304)) return { sha: known.sha, changed: false };
      // A 404 is also what GitHub answers for a repository we may not see; tell those apart.
      if (hasStatus(error, 404)) await this.assertRepositoryVisible();
      if (hasStatus(error, 404) || isEmptyRepository(error)) {
        this.known.heads.delete(branch);
        return null;
      }
      throw toGitError(error, `reading branch ${branch} of ${this.name}`);
    }
  }

  async readTree(commit: string, directory: string): Promise<TreeEntry[]> {
    const dir = normalizeDirectory(directory);
    const key = RepositoryReadCache.listingKey(commit, dir);
    const cached = this.known.listings.get(key);
    if (cached) return [...cached];
    const action = `reading the tree of ${commit} in ${this.name}`;
    try {
      const root = await this.getTree(commit, true);
      const entries = root.truncated ? await this.walkTruncated(root, dir) : this.filter(root.tree, dir, "");
      const totalBlobBytes = root.truncated ? null : root.tree.reduce((sum, item) => sum + (item.type === "blob" ? (item.size ?? 0) : 0), 0);
      this.known.commits.set(commit, { tree: root.sha, totalBlobBytes });
      entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.known.listings.set(key, entries);
      for (const entry of entries) if (entry.type === "blob") this.known.blobHomes.set(entry.sha, { commit, path: entry.path });
      return [...entries];
    } catch (error) {
      if (isEmptyRepository(error) || hasStatus(error, 422)) {
        throw new GitNotFoundError(`commit ${commit} does not exist in ${this.name}`, { cause: error });
      }
      throw toGitError(error, action);
    }
  }

  async readBlobs(shas: Iterable<string>): Promise<Map<string, Uint8Array>> {
    const result = new Map<string, Uint8Array>();
    const missing: string[] = [];
    for (const sha of new Set(shas)) {
      const content = this.cache.blobs.get(sha);
      if (content) result.set(sha, content);
      else missing.push(sha);
    }
    if (missing.length === 0) return result;
    try {
      let remaining = missing;
      for (const [commit, wanted] of this.groupByCommit(missing)) {
        if (!this.tarballPaysOff(commit, wanted.size)) continue;
        const found = await this.readTarball(commit, wanted).catch((error: unknown) => {
          // A cut-off archive is no reason to fail the read: the blobs come one by one instead.
          if (error instanceof CorruptArchiveError) return new Map<string, Uint8Array>();
          throw error;
        });
        for (const [sha, content] of found) this.keep(result, sha, content);
        remaining = remaining.filter((sha) => !found.has(sha));
      }
      await mapWithLimit(remaining, this.limits.blobConcurrency, async (sha) => this.keep(result, sha, await this.getBlob(sha)));
      return result;
    } catch (error) {
      throw toGitError(error, `reading ${missing.length} blob(s) of ${this.name}`);
    }
  }

  async commit(request: CommitRequest): Promise<string> {
    assertBranchName(request.branch);
    const prepared = prepareCommit(request, HEDGEHOG_COMMITTER);
    if (prepared.changes.length === 0) {
      if (prepared.parent !== null) return prepared.parent;
      throw new InvalidChangeError(`nothing to commit: branch ${prepared.branch} has no commit and no file is given`);
    }
    try {
      return prepared.parent === null ? await this.commitFirst(prepared) : await this.commitOn(prepared, prepared.parent);
    } catch (error) {
      throw toGitError(error, `committing to branch ${prepared.branch} of ${this.name}`);
    }
  }

  async close(): Promise<void> {}

  // ---- reads -------------------------------------------------------------------------------

  private async getTree(sha: string, recursive: boolean): Promise<{ sha: string; truncated: boolean; tree: GitHubTreeItem[] }> {
    const response = await this.client.rest.git.getTree({
      owner: this.owner,
      repo: this.repo,
      tree_sha: sha,
      ...(recursive ? { recursive: "1" } : {}),
    });
    return response.data;
  }

  private filter(items: readonly GitHubTreeItem[], dir: string, prefix: string): TreeEntry[] {
    const entries: TreeEntry[] = [];
    for (const item of items) {
      const path = prefix ? `${prefix}/${item.path}` : item.path;
      if (!isInDirectory(path, dir)) continue;
      const entry = toTreeEntry(item, path);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /**
   * GitHub cuts recursive listings at 100,000 entries or 7 MB (`truncated: true`,
   * https://docs.github.com/en/rest/git/trees#get-a-tree). Find the directory's own tree and list
   * only that, descending level by level wherever a listing is still truncated.
   */
  private async walkTruncated(root: { sha: string; tree: GitHubTreeItem[] }, dir: string): Promise<TreeEntry[]> {
    let dirSha: string | undefined = dir === "" ? root.sha : root.tree.find((item) => item.type === "tree" && item.path === dir)?.sha;
    if (dirSha === undefined) {
      dirSha = root.sha;
      for (const segment of dir.split("/")) {
        const level = await this.getTree(dirSha, false);
        const next = level.tree.find((item) => item.type === "tree" && item.path === segment);
        if (!next) return [];
        dirSha = next.sha;
      }
    }
    return this.listSubtree(dirSha, dir);
  }

  private async listSubtree(sha: string, prefix: string): Promise<TreeEntry[]> {
    const listing = await this.getTree(sha, true);
    if (!listing.truncated) return this.filter(listing.tree, "", prefix);
    const level = await this.getTree(sha, false);
    const entries = this.filter(level.tree, "", prefix);
    for (const item of level.tree) {
      if (item.type === "tree") entries.push(...(await this.listSubtree(item.sha, prefix ? `${prefix}/${item.path}` : item.path)));
    }
    return entries;
  }

  private groupByCommit(shas: readonly string[]): Map<string, Map<string, string>> {
    const groups = new Map<string, Map<string, string>>();
    for (const sha of shas) {
      const home = this.known.blobHomes.get(sha);
      if (!home) continue;
      let wanted = groups.get(home.commit);
      if (!wanted) groups.set(home.commit, (wanted = new Map()));
      wanted.set(home.path, sha);
    }
    return groups;
  }

  private tarballPaysOff(commit: string, blobCount: number): boolean {
    const total = this.known.commits.get(commit)?.totalBlobBytes;
    return blobCount >= this.limits.tarballMinBlobs && total !== null && total !== undefined && total <= this.limits.tarballMaxBytes;
  }

  private async readTarball(commit: string, wanted: ReadonlyMap<string, string>): Promise<Map<string, Uint8Array>> {
    // GitHub answers with a redirect to codeload.github.com, which fetch follows.
    const response = await this.client.rest.repos.downloadTarballArchive({ owner: this.owner, repo: this.repo, ref: commit });
    const data = response.data as unknown;
    if (!(data instanceof ArrayBuffer)) throw new GitUnavailableError(`the tarball of ${commit} in ${this.name} did not arrive as binary data`);
    return blobsFromTarball(new Uint8Array(data), wanted);
  }

  private async getBlob(sha: string): Promise<Uint8Array> {
    const response = await this.client.rest.git.getBlob({ owner: this.owner, repo: this.repo, file_sha: sha });
    const content = Uint8Array.from(Buffer.from(response.data.content, response.data.encoding === "base64" ? "base64" : "utf8"));
    if (gitBlobSha(content) !== sha) throw new GitUnavailableError(`blob ${sha} of ${this.name} arrived with different content`);
    return content;
  }

  private keep(result: Map<string, Uint8Array>, sha: string, content: Uint8Array): void {
    this.cache.blobs.set(sha, content);
    result.set(sha, content);
  }

  // ---- writes ------------------------------------------------------------------------------

  private async commitOn(prepared: PreparedCommit, parent: string): Promise<string> {
    const baseTree = await this.treeOf(parent);
    const tree = await this.writeTree(baseTree, prepared.changes);
    if (tree === baseTree) return parent;
    const sha = await this.writeCommit(prepared, tree, [parent]);
    try {
      await this.client.rest.git.updateRef({ owner: this.owner, repo: this.repo, ref: `heads/${prepared.branch}`, sha, force: false });
    } catch (error) {
      if (!hasStatus(error, 422, /fast.forward|does not exist|not found/i)) throw error;
      await this.assertBranchAt(prepared.branch, sha, `branch ${prepared.branch} of ${this.name} moved since ${parent}`, error);
    }
    this.remember(prepared, sha, tree);
    return sha;
  }

  /** The branch does not exist yet: a root commit and POST git/refs, which fails if it appeared meanwhile. */
  private async commitFirst(prepared: PreparedCommit): Promise<string> {
    const deletion = prepared.changes.find((change) => !isWrite(change));
    if (deletion) throw new InvalidChangeError(`cannot delete ${JSON.stringify(deletion.path)}: branch ${prepared.branch} has no commit yet`);
    let tree: string;
    try {
      tree = await this.writeTree(null, prepared.changes);
    } catch (error) {
      if (isEmptyRepository(error)) return this.commitIntoEmptyRepository(prepared);
      throw error;
    }
    const sha = await this.writeCommit(prepared, tree, []);
    try {
      await this.client.rest.git.createRef({ owner: this.owner, repo: this.repo, ref: `refs/heads/${prepared.branch}`, sha });
    } catch (error) {
      if (!hasStatus(error, 422, /already exists/i)) throw error;
      await this.assertBranchAt(prepared.branch, sha, `branch ${prepared.branch} of ${this.name} was created meanwhile`, error);
    }
    this.remember(prepared, sha, tree);
    return sha;
  }

  /**
   * GitHub's Git Data API refuses every call on a repository without commits (409 "Git Repository is
   * empty."). The contents API does not: it creates the first file, and with it the branch; the rest
   * of the change set follows as a second commit on top.
   */
  private async commitIntoEmptyRepository(prepared: PreparedCommit): Promise<string> {
    const [first, ...rest] = prepared.changes.filter(isWrite);
    if (!first) throw new InvalidChangeError("nothing to commit");
    const date = gitDate(prepared.when);
    let response;
    try {
      response = await this.client.rest.repos.createOrUpdateFileContents({
        owner: this.owner,
        repo: this.repo,
        path: first.path,
        branch: prepared.branch,
        message: prepared.message,
        content: Buffer.from(first.content).toString("base64"),
        author: { ...prepared.author, date },
        committer: { ...HEDGEHOG_COMMITTER, date },
      });
    } catch (error) {
      // 409/422: the file (so the repository) appeared since we looked.
      if (hasStatus(error, 409) || hasStatus(error, 422)) throw new ConflictError(`repository ${this.name} is no longer empty`, { cause: error });
      throw error;
    }
    const sha = response.data.commit.sha;
    const tree = response.data.commit.tree?.sha;
    if (!sha || !tree) throw new GitUnavailableError(`GitHub did not report the first commit of ${this.name}`);
    if ((response.data.commit.parents ?? []).length > 0) {
      // Someone created the branch between our look and this write; our file landed on their commit.
      throw new ConflictError(`branch ${prepared.branch} of ${this.name} was created meanwhile`);
    }
    this.remember({ ...prepared, changes: [first] }, sha, tree);
    return rest.length === 0 ? sha : this.commitOn({ ...prepared, parent: sha, changes: rest }, sha);
  }

  private async treeOf(commit: string): Promise<string> {
    const known = this.known.commits.get(commit);
    if (known) return known.tree;
    try {
      const response = await this.client.rest.git.getCommit({ owner: this.owner, repo: this.repo, commit_sha: commit });
      this.known.commits.set(commit, { tree: response.data.tree.sha, totalBlobBytes: null });
      return response.data.tree.sha;
    } catch (error) {
      if (hasStatus(error, 404) || hasStatus(error, 422)) throw new GitNotFoundError(`parent ${commit} does not exist in ${this.name}`, { cause: error });
      throw error;
    }
  }

  private async writeTree(baseTree: string | null, changes: readonly PreparedChange[]): Promise<string> {
    const { entries, uploads } = treeEntries(changes, (sha) => this.known.blobHomes.has(sha));
    await mapWithLimit(uploads, 4, async (upload) => {
      const response = await this.client.rest.git.createBlob({
        owner: this.owner,
        repo: this.repo,
        content: Buffer.from(upload.content).toString("base64"),
        encoding: "base64",
      });
      if (response.data.sha !== upload.sha) throw new GitUnavailableError(`GitHub stored ${upload.path} under an unexpected sha`);
    });
    let tree = baseTree;
    for (const chunk of chunkTreeEntries(entries, { maxBytes: this.limits.treeRequestBytes, maxEntries: this.limits.treeRequestEntries })) {
      tree = await this.createTree(tree, chunk);
    }
    if (tree === null) throw new InvalidChangeError("nothing to commit");
    return tree;
  }

  private async createTree(baseTree: string | null, entries: readonly TreeRequestEntry[]): Promise<string> {
    try {
      const response = await this.client.rest.git.createTree({
        owner: this.owner,
        repo: this.repo,
        tree: [...entries],
        ...(baseTree ? { base_tree: baseTree } : {}),
      });
      return response.data.sha;
    } catch (error) {
      // "Sorry, your request timed out. It's likely that your input was too large to process.
      // Consider building the tree incrementally": halve the request and build it in two steps.
      if (hasStatus(error, 422, /timed out/i) && entries.length > 1) {
        const middle = Math.ceil(entries.length / 2);
        const first = await this.createTree(baseTree, entries.slice(0, middle));
        return this.createTree(first, entries.slice(middle));
      }
      if (hasStatus(error, 422)) {
        const message = (error.response?.data as { message?: string } | undefined)?.message ?? "invalid tree";
        throw new InvalidChangeError(`GitHub refused the tree for ${this.name}: ${message}`, { cause: error });
      }
      throw error;
    }
  }

  private async writeCommit(prepared: PreparedCommit, tree: string, parents: string[]): Promise<string> {
    const date = gitDate(prepared.when);
    const response = await this.client.rest.git.createCommit({
      owner: this.owner,
      repo: this.repo,
      message: prepared.message,
      tree,
      parents,
      author: { name: prepared.author.name, email: prepared.author.email, date },
      committer: { name: HEDGEHOG_COMMITTER.name, email: HEDGEHOG_COMMITTER.email, date },
    });
    return response.data.sha;
  }

  /**
   * After a refused ref write: if the branch is at `sha` anyway, an earlier attempt of ours succeeded
   * and only its answer was lost (the request was retried); otherwise someone else moved it.
   */
  private async assertBranchAt(branch: string, sha: string, conflict: string, cause: unknown): Promise<void> {
    let current: string | null;
    try {
      const response = await this.client.rest.git.getRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}` });
      current = response.data.object.sha;
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
      current = null;
    }
    if (current !== sha) throw new ConflictError(`${conflict} (now ${current ?? "absent"})`, { cause });
  }

  private remember(prepared: PreparedCommit, sha: string, tree: string): void {
    this.known.heads.set(prepared.branch, { sha });
    this.known.commits.set(sha, { tree, totalBlobBytes: null });
    for (const change of prepared.changes.filter(isWrite)) {
      this.cache.blobs.set(change.sha, change.content);
      this.known.blobHomes.set(change.sha, { commit: sha, path: change.path });
    }
  }

  private async assertRepositoryVisible(): Promise<void> {
    try {
      await this.client.rest.repos.get({ owner: this.owner, repo: this.repo });
    } catch (error) {
      if (hasStatus(error, 404)) {
        throw new GitNotFoundError(`repository ${this.name} does not exist or is not visible with these credentials`, { cause: error });
      }
      throw error;
    }
  }
}

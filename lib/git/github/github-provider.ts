// GitProvider over GitHub's REST API (Git Data API) and, for batched blob reads, its GraphQL API.
// Costs are kept to what changed:
//   head      one conditional GET of the ref; a 304 costs no rate-limit quota
//   readTree  one recursive tree GET (a walk of the directory only when GitHub truncates it)
//   readBlobs cached by sha per repository and credential; many missing blobs come in one tarball download or in GraphQL batches
//             of ~100 (see tarballPaysOff), a few (and what GraphQL cannot carry) one by one
//   commit    POST git/trees in bounded chunks chained by base_tree + one POST git/commits + one
//             PATCH git/refs (force: false)
import { Buffer } from "node:buffer";
import { gitBlobSha } from "../blob-sha.js";
import { isWrite, prepareCommit, type PreparedChange, type PreparedCommit } from "../changes.js";
import { mapWithLimit } from "../concurrency.js";
import { ConflictError, CorruptArchiveError, GitNotFoundError, GitUnavailableError, InvalidChangeError } from "../errors.js";
import { assertBranchName, isInDirectory, normalizeDirectory, pathProblem } from "../paths.js";
import {
  HEDGEHOG_COMMITTER,
  type BranchHead,
  type CommitRequest,
  type CommitSummary,
  type FileMode,
  type GitProvider,
  type PullRequestRef,
  type PullRequestRequest,
  type TreeEntry,
} from "../provider.js";
import { GitReadCache, RepositoryReadCache } from "../read-cache.js";
import type { GitHubClient } from "./client.js";
import { blobBatchQuery, blobsFromAnswer, GRAPHQL_BLOB_TEXT_BYTES, planBlobBatches, type BlobBatchAnswer } from "./graphql-blobs.js";
import { graphqlToGitError, hasStatus, isEmptyRepository, isRequestError, toGitError } from "./http-errors.js";
import { blobsFromTarball } from "./tarball.js";
import { chunkTreeEntries, treeEntries, type TreeRequestEntry } from "./tree-entries.js";

export interface GitHubProviderLimits {
  /** From this many missing blobs, readBlobs reads in bulk (a tarball or GraphQL batches) instead of one by one (default 5). */
  readonly tarballMinBlobs?: number;
  /** A tarball only for a commit whose files add up to at most this many bytes (default 64 MiB): it is held in memory. */
  readonly tarballMaxBytes?: number;
  /** ...that carries at most this many times the bytes wanted from it (default 2; see tarballPaysOff)... */
  readonly tarballMaxOverfetch?: number;
  /** ...or whose extra bytes stay within this much per GraphQL request it saves (default 8 MiB). */
  readonly tarballBytesPerSavedRequest?: number;
  /** Upper bounds of one create-tree request (defaults 1 MiB of body and 1,000 entries). */
  readonly treeRequestBytes?: number;
  readonly treeRequestEntries?: number;
  /** Blobs and known blob bytes in one GraphQL query (defaults 100 and 4 MiB). */
  readonly graphqlBatchBlobs?: number;
  readonly graphqlBatchBytes?: number;
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
  /** Create-tree bounds in force: the configured ones, lowered when GitHub could not take a request that size. */
  private treeChunk: { maxEntries: number; maxBytes: number };

  constructor(options: GitHubProviderOptions) {
    this.client = options.client;
    this.owner = options.owner;
    this.repo = options.repo;
    this.name = `${options.owner}/${options.repo}`;
    this.cache = options.cache ?? new GitReadCache();
    this.known = this.cache.forRepository(`github:${options.client.request.endpoint.DEFAULTS.baseUrl}/${this.name}`);
    this.limits = {
      // Past a handful of blobs one bulk request costs fewer requests than a GET per blob.
      tarballMinBlobs: options.limits?.tarballMinBlobs ?? 5,
      tarballMaxBytes: options.limits?.tarballMaxBytes ?? 64 * 1024 * 1024,
      tarballMaxOverfetch: options.limits?.tarballMaxOverfetch ?? 2,
      tarballBytesPerSavedRequest: options.limits?.tarballBytesPerSavedRequest ?? 8 * 1024 * 1024,
      // GitHub documents no cap on a create-tree request, only that it stops any request after 10
      // seconds (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts):
      // a large inline tree answers 422 "Sorry, your request timed out ... Consider building the tree
      // incrementally", or 502. We build it incrementally from the start, in chunks of at most 1,000
      // entries and 1 MiB (a 20,000-file ingest in ~20 tree requests), and halve the chunk whenever
      // GitHub cannot take one (writeTree).
      treeRequestBytes: options.limits?.treeRequestBytes ?? 1024 * 1024,
      treeRequestEntries: options.limits?.treeRequestEntries ?? 1_000,
      // ~100 aliases a query is common practice and GitHub's own limit for `first`/`last` on
      // connections; 4 MiB of blob text keeps an answer well inside GitHub's 10-second budget.
      graphqlBatchBlobs: options.limits?.graphqlBatchBlobs ?? 100,
      graphqlBatchBytes: options.limits?.graphqlBatchBytes ?? 4 * 1024 * 1024,
      blobConcurrency: options.limits?.blobConcurrency ?? 8,
    };
    this.treeChunk = { maxEntries: this.limits.treeRequestEntries, maxBytes: this.limits.treeRequestBytes };
  }

  async head(branch: string): Promise<BranchHead | null> {
    assertBranchName(branch);
    const known = this.known.heads.get(branch);
    try {
      const response = await this.client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
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
      const sizes = new Map<string, number>();
      const root = await this.getTree(commit, true);
      const entries = root.truncated ? await this.walkTruncated(root, dir, sizes) : this.filter(root.tree, dir, "", sizes);
      const totalBlobBytes = root.truncated ? null : root.tree.reduce((sum, item) => sum + (item.type === "blob" ? (item.size ?? 0) : 0), 0);
      this.known.commits.set(commit, { tree: root.sha, totalBlobBytes });
      entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.known.listings.set(key, entries);
      for (const entry of entries) {
        if (entry.type !== "blob") continue;
        const size = sizes.get(entry.sha);
        this.known.blobHomes.set(entry.sha, size === undefined ? { commit, path: entry.path } : { commit, path: entry.path, size });
      }
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
      const content = this.known.blobs.get(sha);
      if (content) result.set(sha, content);
      else missing.push(sha);
    }
    if (missing.length === 0) return result;
    const action = `reading ${missing.length} blob(s) of ${this.name}`;
    try {
      let remaining = missing;
      if (remaining.length >= this.limits.tarballMinBlobs) {
        for (const [commit, wanted] of this.groupByCommit(missing)) {
          if (!this.tarballPaysOff(commit, wanted)) continue;
          const found = await this.readTarball(commit, wanted).catch((error: unknown) => {
            // A cut-off archive is no reason to fail the read: the blobs come another way instead.
            if (error instanceof CorruptArchiveError) return new Map<string, Uint8Array>();
            throw error;
          });
          for (const [sha, content] of found) this.keep(result, sha, content);
          remaining = remaining.filter((sha) => !found.has(sha));
        }
      }
      if (remaining.length >= this.limits.tarballMinBlobs) remaining = await this.readByGraphql(remaining, result, action);
      await mapWithLimit(remaining, this.limits.blobConcurrency, async (sha) => this.keep(result, sha, await this.getBlob(sha)));
      return result;
    } catch (error) {
      throw toGitError(error, action);
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

  async createBranch(branch: string, sha: string): Promise<void> {
    assertBranchName(branch);
    try {
      await this.client.request("POST /repos/{owner}/{repo}/git/refs", { owner: this.owner, repo: this.repo, ref: `refs/heads/${branch}`, sha });
    } catch (error) {
      if (!hasStatus(error, 422, /already exists/i)) throw toGitError(error, `creating branch ${branch} of ${this.name}`);
      // A retry of ours whose first answer was lost, or someone else's branch of the same name.
      await this.assertBranchAt(branch, sha, `branch ${branch} of ${this.name} exists and does not point at ${sha}`, error);
    }
    this.known.heads.set(branch, { sha });
  }

  /** One request: the repository's commits from `commit` that touched `path`, newest first, the first of them. */
  async lastCommitTouching(commit: string, path: string): Promise<CommitSummary | null> {
    try {
      const response = await this.client.request("GET /repos/{owner}/{repo}/commits", { owner: this.owner, repo: this.repo, sha: commit, path, per_page: 1 });
      const found = response.data[0];
      if (!found) return null;
      const author = found.commit.author;
      return {
        sha: found.sha,
        subject: found.commit.message.split("\n")[0] ?? "",
        author: `${author?.name ?? "unknown"} <${author?.email ?? "unknown"}>`,
        date: author?.date ? new Date(author.date).toISOString() : "",
      };
    } catch (error) {
      throw toGitError(error, `reading the history of ${path} in ${this.name}`);
    }
  }

  async openPullRequest(request: PullRequestRequest): Promise<PullRequestRef> {
    assertBranchName(request.head);
    assertBranchName(request.base);
    const action = `opening a pull request of ${request.head} into ${request.base} in ${this.name}`;
    try {
      const response = await this.client.request("POST /repos/{owner}/{repo}/pulls", { owner: this.owner, repo: this.repo, head: request.head, base: request.base, title: request.title, body: request.body });
      return { number: response.data.number, url: response.data.html_url };
    } catch (error) {
      // "A pull request already exists for owner:branch." — ours, opened by an attempt whose answer was lost.
      if (!hasStatus(error, 422) || !/already exists/i.test(JSON.stringify((error.response?.data as unknown) ?? ""))) throw toGitError(error, action);
    }
    try {
      const open = await this.client.request("GET /repos/{owner}/{repo}/pulls", { owner: this.owner, repo: this.repo, head: `${this.owner}:${request.head}`, base: request.base, state: "open", per_page: 1 });
      const existing = open.data[0];
      if (!existing) throw new ConflictError(`GitHub says a pull request of ${request.head} exists in ${this.name}, but none is open`);
      return { number: existing.number, url: existing.html_url };
    } catch (error) {
      throw toGitError(error, action);
    }
  }

  async close(): Promise<void> {}

  // ---- reads -------------------------------------------------------------------------------

  private async getTree(sha: string, recursive: boolean): Promise<{ sha: string; truncated: boolean; tree: GitHubTreeItem[] }> {
    const response = await this.client.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      owner: this.owner,
      repo: this.repo,
      tree_sha: sha,
      ...(recursive ? { recursive: "1" } : {}),
    });
    return response.data;
  }

  private filter(items: readonly GitHubTreeItem[], dir: string, prefix: string, sizes: Map<string, number>): TreeEntry[] {
    const entries: TreeEntry[] = [];
    for (const item of items) {
      const path = prefix ? `${prefix}/${item.path}` : item.path;
      if (!isInDirectory(path, dir)) continue;
      const entry = toTreeEntry(item, path);
      if (!entry) continue;
      entries.push(entry);
      if (item.size !== undefined) sizes.set(item.sha, item.size);
    }
    return entries;
  }

  /**
   * GitHub cuts recursive listings at 100,000 entries or 7 MB (`truncated: true`,
   * https://docs.github.com/en/rest/git/trees#get-a-tree). Find the directory's own tree and list
   * only that, descending level by level wherever a listing is still truncated.
   */
  private async walkTruncated(root: { sha: string; tree: GitHubTreeItem[] }, dir: string, sizes: Map<string, number>): Promise<TreeEntry[]> {
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
    return this.listSubtree(dirSha, dir, sizes);
  }

  private async listSubtree(sha: string, prefix: string, sizes: Map<string, number>): Promise<TreeEntry[]> {
    const listing = await this.getTree(sha, true);
    if (!listing.truncated) return this.filter(listing.tree, "", prefix, sizes);
    const level = await this.getTree(sha, false);
    const entries = this.filter(level.tree, "", prefix, sizes);
    for (const item of level.tree) {
      if (item.type === "tree") entries.push(...(await this.listSubtree(item.sha, prefix ? `${prefix}/${item.path}` : item.path, sizes)));
    }
    return entries;
  }

  /**
   * Bulk reads: a commit's tarball, or GraphQL batches of the wanted blobs. Measured on the simulated
   * GitHub (`npm run bench -- git`, bulkReads): the tarball is one API request whatever the number of
   * files and, gzipped, carries YAML in ~1/15 of the bytes of GraphQL's JSON text (200 files: 5 KB
   * against 77 KB; 5,000 files: 114 KB in 1 request against 1.9 MB in 50), but it carries the whole
   * commit and is inflated whole in memory; GraphQL carries only what is wanted, ~100 blobs a request,
   * and plugin-throttling sends GraphQL requests one second apart in production. So: a tarball for a
   * commit within `tarballMaxBytes` whose size is known, when it carries at most `tarballMaxOverfetch`
   * times the wanted bytes, or when its extra bytes stay within `tarballBytesPerSavedRequest` for each
   * GraphQL request it saves (8 MiB of YAML is ~0.5 MB gzipped, well under the second a request costs);
   * GraphQL otherwise: a small fabric directory in a large repository, a commit past the limit, a
   * listing GitHub truncated.
   */
  private tarballPaysOff(commit: string, wanted: ReadonlyMap<string, string>): boolean {
    const total = this.known.commits.get(commit)?.totalBlobBytes;
    if (total === null || total === undefined || total > this.limits.tarballMaxBytes) return false;
    const sizeOf = (sha: string): number | undefined => this.known.blobHomes.get(sha)?.size;
    let wantedBytes = 0;
    for (const sha of wanted.values()) {
      const size = sizeOf(sha);
      if (size === undefined) return true;
      wantedBytes += size;
    }
    if (total <= this.limits.tarballMaxOverfetch * wantedBytes) return true;
    // Without the tarball: the GraphQL batches, plus a REST request per blob too large for GraphQL.
    const { batches, direct } = planBlobBatches([...wanted.values()], sizeOf, this.batchLimits());
    return total - wantedBytes <= (batches.length + direct.length - 1) * this.limits.tarballBytesPerSavedRequest;
  }

  private batchLimits(): { maxBlobs: number; maxBytes: number; maxBlobBytes: number } {
    return { maxBlobs: this.limits.graphqlBatchBlobs, maxBytes: this.limits.graphqlBatchBytes, maxBlobBytes: GRAPHQL_BLOB_TEXT_BYTES };
  }

  /** Reads what it can of `shas` in GraphQL batches into `result`; returns the shas left for REST. */
  private async readByGraphql(shas: readonly string[], result: Map<string, Uint8Array>, action: string): Promise<string[]> {
    const { batches, direct } = planBlobBatches(shas, (sha) => this.known.blobHomes.get(sha)?.size, this.batchLimits());
    const leftOvers = await mapWithLimit(batches, 2, async (oids) => {
      let answer: BlobBatchAnswer;
      try {
        answer = await this.client.graphql<BlobBatchAnswer>(blobBatchQuery(oids), { owner: this.owner, name: this.repo });
      } catch (error) {
        throw isRequestError(error) ? error : graphqlToGitError(error, action);
      }
      const { found, leftOver } = blobsFromAnswer(oids, answer);
      for (const [sha, content] of found) this.keep(result, sha, content);
      return leftOver;
    });
    return [...direct, ...leftOvers.flat()];
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

  private async readTarball(commit: string, wanted: ReadonlyMap<string, string>): Promise<Map<string, Uint8Array>> {
    // GitHub answers with a redirect to codeload.github.com, which fetch follows.
    const response = await this.client.request("GET /repos/{owner}/{repo}/tarball/{ref}", { owner: this.owner, repo: this.repo, ref: commit });
    const data = response.data as unknown;
    if (!(data instanceof ArrayBuffer)) throw new GitUnavailableError(`the tarball of ${commit} in ${this.name} did not arrive as binary data`);
    return blobsFromTarball(new Uint8Array(data), wanted);
  }

  private async getBlob(sha: string): Promise<Uint8Array> {
    const response = await this.client.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { owner: this.owner, repo: this.repo, file_sha: sha });
    const content = Uint8Array.from(Buffer.from(response.data.content, response.data.encoding === "base64" ? "base64" : "utf8"));
    if (gitBlobSha(content) !== sha) throw new GitUnavailableError(`blob ${sha} of ${this.name} arrived with different content`);
    return content;
  }

  private keep(result: Map<string, Uint8Array>, sha: string, content: Uint8Array): void {
    this.known.blobs.set(sha, content);
    result.set(sha, content);
  }

  // ---- writes ------------------------------------------------------------------------------

  private async commitOn(prepared: PreparedCommit, parent: string): Promise<string> {
    const baseTree = await this.treeOf(parent);
    const tree = await this.writeTree(baseTree, prepared.changes);
    if (tree === baseTree) return parent;
    const sha = await this.writeCommit(prepared, tree, [parent]);
    try {
      await this.client.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner: this.owner, repo: this.repo, ref: `heads/${prepared.branch}`, sha, force: false });
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
      await this.client.request("POST /repos/{owner}/{repo}/git/refs", { owner: this.owner, repo: this.repo, ref: `refs/heads/${prepared.branch}`, sha });
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
      response = await this.client.request("PUT /repos/{owner}/{repo}/contents/{path}", {
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
      const response = await this.client.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { owner: this.owner, repo: this.repo, commit_sha: commit });
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
      const response = await this.client.request("POST /repos/{owner}/{repo}/git/blobs", {
        owner: this.owner,
        repo: this.repo,
        content: Buffer.from(upload.content).toString("base64"),
        encoding: "base64",
      });
      if (response.data.sha !== upload.sha) throw new GitUnavailableError(`GitHub stored ${upload.path} under an unexpected sha`);
    });
    // Chunk after chunk, each on the tree the previous one made ("building the tree incrementally",
    // as GitHub's timeout message advises); only the last tree becomes the commit's.
    let tree = baseTree;
    let rest: readonly TreeRequestEntry[] = entries;
    while (rest.length > 0) {
      const [chunk] = chunkTreeEntries(rest, this.treeChunk) as [TreeRequestEntry[]];
      const made = await this.createTree(tree, chunk);
      if (made === null) {
        // Too large for GitHub to build in time: halve the bounds (kept for later commits too) and cut again.
        this.treeChunk = { maxEntries: Math.max(1, Math.floor(chunk.length / 2)), maxBytes: Math.max(1, Math.floor(this.treeChunk.maxBytes / 2)) };
        continue;
      }
      tree = made;
      rest = rest.slice(chunk.length);
    }
    if (tree === null) throw new InvalidChangeError("nothing to commit");
    return tree;
  }

  /** The tree `entries` make on `baseTree`, or null when GitHub could not build a request that large. */
  private async createTree(baseTree: string | null, entries: readonly TreeRequestEntry[]): Promise<string | null> {
    const splittable = entries.length > 1;
    try {
      const response = await this.client.request("POST /repos/{owner}/{repo}/git/trees", {
        owner: this.owner,
        repo: this.repo,
        tree: [...entries],
        ...(baseTree ? { base_tree: baseTree } : {}),
        // A request that can be split is split rather than sent again as it was (below).
        ...(splittable ? { request: { retries: 0 } } : {}),
      });
      return response.data.sha;
    } catch (error) {
      // "Sorry, your request timed out. It's likely that your input was too large to process.
      // Consider building the tree incrementally" (422), or GitHub's edge giving up (502, 504).
      if (splittable && (hasStatus(error, 422, /timed out/i) || hasStatus(error, 502) || hasStatus(error, 504))) return null;
      if (hasStatus(error, 422)) {
        const message = (error.response?.data as { message?: string } | undefined)?.message ?? "invalid tree";
        throw new InvalidChangeError(`GitHub refused the tree for ${this.name}: ${message}`, { cause: error });
      }
      throw error;
    }
  }

  private async writeCommit(prepared: PreparedCommit, tree: string, parents: string[]): Promise<string> {
    const date = gitDate(prepared.when);
    const response = await this.client.request("POST /repos/{owner}/{repo}/git/commits", {
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
      const response = await this.client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner: this.owner, repo: this.repo, ref: `heads/${branch}` });
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
      this.known.blobs.set(change.sha, change.content);
      this.known.blobHomes.set(change.sha, { commit: sha, path: change.path });
    }
  }

  private async assertRepositoryVisible(): Promise<void> {
    try {
      await this.client.request("GET /repos/{owner}/{repo}", { owner: this.owner, repo: this.repo });
    } catch (error) {
      if (hasStatus(error, 404)) {
        throw new GitNotFoundError(`repository ${this.name} does not exist or is not visible with these credentials`, { cause: error });
      }
      throw error;
    }
  }
}

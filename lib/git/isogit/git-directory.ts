// Reading and writing git objects of one git directory (a bare repository, or our temporary clone of
// a remote) with isomorphic-git: tree listings, blobs, and a new root tree with changes applied.
import * as git from "isomorphic-git";
import { EMPTY_TREE_SHA } from "../blob-sha.js";
import type { PreparedChange, PreparedCommit } from "../changes.js";
import { GitNotFoundError, InvalidChangeError } from "../errors.js";
import { pathProblem } from "../paths.js";
import { HEDGEHOG_COMMITTER, type CommitSummary, type FileMode, type TreeEntry } from "../provider.js";
import { atomicFs } from "./atomic-fs.js";
import { nameKey, parseTree, serializeTree, type RawTreeEntry } from "./raw-tree.js";

const utf8 = new TextEncoder();

/** A folder of the change set: files changed directly in it, and sub-folders with changes below. */
interface ChangeFolder {
  readonly files: Map<string, PreparedChange>;
  readonly folders: Map<string, ChangeFolder>;
}

function changeFolders(changes: readonly PreparedChange[]): ChangeFolder {
  const root: ChangeFolder = { files: new Map(), folders: new Map() };
  for (const change of changes) {
    const segments = change.path.split("/");
    const name = segments.pop() as string;
    let folder = root;
    for (const segment of segments) {
      let next = folder.folders.get(segment);
      if (!next) folder.folders.set(segment, (next = { files: new Map(), folders: new Map() }));
      folder = next;
    }
    folder.files.set(name, change);
  }
  return root;
}

export function isIsomorphicGitError(error: unknown, code: string): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === code;
}

export class GitDirectory {
  // isomorphic-git's object cache (parsed pack indexes); reused across calls on this directory.
  private readonly cache = {};

  constructor(readonly gitdir: string) {}

  /** The commit a branch points at, or null when the branch does not exist. */
  async branchTip(branch: string): Promise<string | null> {
    try {
      return await git.resolveRef({ fs: atomicFs, gitdir: this.gitdir, ref: `refs/heads/${branch}` });
    } catch (error) {
      if (isIsomorphicGitError(error, "NotFoundError")) return null;
      throw error;
    }
  }

  async hasCommit(sha: string): Promise<boolean> {
    try {
      await git.readCommit({ fs: atomicFs, gitdir: this.gitdir, oid: sha, cache: this.cache });
      return true;
    } catch (error) {
      if (isIsomorphicGitError(error, "NotFoundError") || isIsomorphicGitError(error, "ObjectTypeError")) return false;
      throw error;
    }
  }

  async treeOf(commit: string): Promise<string> {
    try {
      const { commit: parsed } = await git.readCommit({ fs: atomicFs, gitdir: this.gitdir, oid: commit, cache: this.cache });
      return parsed.tree;
    } catch (error) {
      if (isIsomorphicGitError(error, "NotFoundError") || isIsomorphicGitError(error, "ObjectTypeError")) {
        throw new GitNotFoundError(`commit ${commit} does not exist in ${this.gitdir}`, { cause: error });
      }
      throw error;
    }
  }

  /** A tree's entries from the raw object: an entry with an unsafe name does not make the tree unreadable. */
  private async treeEntries(tree: string): Promise<RawTreeEntry[]> {
    const { object, type } = await git.readObject({ fs: atomicFs, gitdir: this.gitdir, oid: tree, format: "content", cache: this.cache });
    if (type !== "tree") throw new GitNotFoundError(`${tree} is a ${type}, not a tree, in ${this.gitdir}`);
    return parseTree(object as Uint8Array);
  }

  /** Files under `dir` ("" for all) at `commit`, repository-relative, sorted by path. */
  async listTree(commit: string, dir: string): Promise<TreeEntry[]> {
    let tree = await this.treeOf(commit);
    if (dir !== "") {
      for (const segment of dir.split("/")) {
        const next = (await this.treeEntries(tree)).find((entry) => entry.name === segment && entry.type === "tree");
        if (!next) return [];
        tree = next.oid;
      }
    }
    const entries: TreeEntry[] = [];
    const walk = async (oid: string, prefix: string): Promise<void> => {
      for (const entry of await this.treeEntries(oid)) {
        const path = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.type === "tree") {
          await walk(entry.oid, path);
          continue;
        }
        const problem = pathProblem(path);
        entries.push({ path, sha: entry.oid, mode: entry.mode as FileMode, type: entry.type === "commit" ? "commit" : "blob", ...(problem ? { unsafe: problem } : {}) });
      }
    };
    await walk(tree, dir);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The object id at `path` in `commit` (a blob, or a tree for a folder), or null when nothing is there. */
  async objectAt(commit: string, path: string): Promise<string | null> {
    let oid = await this.treeOf(commit);
    for (const segment of path.split("/")) {
      const entry = (await this.treeEntries(oid)).find((e) => e.name === segment);
      if (!entry) return null;
      oid = entry.oid;
    }
    return oid;
  }

  /**
   * Walks first parents from `commit`, at most `limit` commits, to the newest one whose `path` differs
   * from its parent's. "incomplete" when the walk reached a commit whose parent is not here (a shallow
   * clone) before finding one.
   */
  async lastCommitTouching(commit: string, path: string, limit: number): Promise<CommitSummary | null | "incomplete"> {
    let current = commit;
    let here = await this.objectAt(current, path);
    for (let step = 0; step < limit; step++) {
      const { commit: parsed } = await git.readCommit({ fs: atomicFs, gitdir: this.gitdir, oid: current, cache: this.cache });
      const parent = parsed.parent[0];
      const before = parent === undefined ? null : (await this.hasCommit(parent)) ? await this.objectAt(parent, path) : undefined;
      if (before === undefined) return "incomplete";
      if (before !== here) {
        const { name, email, timestamp } = parsed.author;
        return { sha: current, subject: parsed.message.split("\n")[0] ?? "", author: `${name} <${email}>`, date: new Date(timestamp * 1000).toISOString() };
      }
      if (parent === undefined) return null;
      current = parent;
      here = before;
    }
    return null;
  }

  async readBlob(sha: string): Promise<Uint8Array | null> {
    try {
      const { blob } = await git.readBlob({ fs: atomicFs, gitdir: this.gitdir, oid: sha, cache: this.cache });
      return blob;
    } catch (error) {
      if (isIsomorphicGitError(error, "NotFoundError") || isIsomorphicGitError(error, "ObjectTypeError")) return null;
      throw error;
    }
  }

  /** Writes the blobs and trees of `changes` applied to `baseTree` (null: nothing) and returns the new root tree. */
  async writeTree(baseTree: string | null, changes: readonly PreparedChange[]): Promise<string> {
    const root = await this.writeFolder(baseTree, changeFolders(changes), "");
    return root ?? (await this.writeRawTree([]));
  }

  private writeRawTree(entries: readonly RawTreeEntry[]): Promise<string> {
    return git.writeObject({ fs: atomicFs, gitdir: this.gitdir, type: "tree", object: serializeTree(entries), format: "content" });
  }

  /**
   * Returns the new tree of one folder, or null when nothing is left in it (git has no empty folders).
   * Entries the changes do not touch are kept byte for byte, unsafe names included.
   */
  private async writeFolder(tree: string | null, folder: ChangeFolder, prefix: string): Promise<string | null> {
    const entries = new Map<string, RawTreeEntry>();
    if (tree !== null && tree !== EMPTY_TREE_SHA) for (const entry of await this.treeEntries(tree)) entries.set(nameKey(entry.nameBytes), entry);
    const at = (name: string): string => (prefix ? `${prefix}/${name}` : name);
    const keyOf = (name: string) => nameKey(utf8.encode(name));

    for (const [name, change] of folder.files) {
      const key = keyOf(name);
      const existing = entries.get(key);
      if (existing?.type === "tree") throw new InvalidChangeError(`path ${JSON.stringify(at(name))} is a folder, not a file`);
      if (change.content === null) {
        if (!existing) throw new InvalidChangeError(`cannot delete ${JSON.stringify(at(name))}: no such file`);
        entries.delete(key);
      } else {
        const oid = await git.writeBlob({ fs: atomicFs, gitdir: this.gitdir, blob: change.content });
        entries.set(key, { mode: "100644", name, nameBytes: utf8.encode(name), oid, type: "blob" });
      }
    }
    for (const [name, below] of folder.folders) {
      const key = keyOf(name);
      const existing = entries.get(key);
      if (existing && existing.type !== "tree") throw new InvalidChangeError(`path ${JSON.stringify(at(name))} is a file, not a folder`);
      const oid = await this.writeFolder(existing?.oid ?? null, below, at(name));
      if (oid === null) entries.delete(key);
      else entries.set(key, { mode: "40000", name, nameBytes: utf8.encode(name), oid, type: "tree" });
    }
    if (entries.size === 0) return null;
    return this.writeRawTree([...entries.values()]);
  }

  async writeCommit(prepared: PreparedCommit, tree: string, parents: readonly string[]): Promise<string> {
    const timestamp = Math.floor(prepared.when.getTime() / 1000);
    return git.writeCommit({
      fs: atomicFs,
      gitdir: this.gitdir,
      commit: {
        message: prepared.message,
        tree,
        parent: [...parents],
        author: { name: prepared.author.name, email: prepared.author.email, timestamp, timezoneOffset: 0 },
        committer: { name: HEDGEHOG_COMMITTER.name, email: HEDGEHOG_COMMITTER.email, timestamp, timezoneOffset: 0 },
      },
    });
  }
}

// Reading and writing git objects of one git directory (a bare repository, or our temporary clone of
// a remote) with isomorphic-git: tree listings, blobs, and a new root tree with changes applied.
import * as git from "isomorphic-git";
import { EMPTY_TREE_SHA } from "../blob-sha.js";
import type { PreparedChange, PreparedCommit } from "../changes.js";
import { GitNotFoundError, InvalidChangeError } from "../errors.js";
import { HEDGEHOG_COMMITTER, type FileMode, type TreeEntry } from "../provider.js";
import { atomicFs } from "./atomic-fs.js";

type IsoTreeEntry = Awaited<ReturnType<typeof git.readTree>>["tree"][number];

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

  private async treeEntries(tree: string): Promise<IsoTreeEntry[]> {
    const { tree: entries } = await git.readTree({ fs: atomicFs, gitdir: this.gitdir, oid: tree, cache: this.cache });
    return entries;
  }

  /** Files under `dir` ("" for all) at `commit`, repository-relative, sorted by path. */
  async listTree(commit: string, dir: string): Promise<TreeEntry[]> {
    let tree = await this.treeOf(commit);
    if (dir !== "") {
      for (const segment of dir.split("/")) {
        const next = (await this.treeEntries(tree)).find((entry) => entry.path === segment && entry.type === "tree");
        if (!next) return [];
        tree = next.oid;
      }
    }
    const entries: TreeEntry[] = [];
    const walk = async (oid: string, prefix: string): Promise<void> => {
      for (const entry of await this.treeEntries(oid)) {
        const path = prefix ? `${prefix}/${entry.path}` : entry.path;
        if (entry.type === "tree") await walk(entry.oid, path);
        else entries.push({ path, sha: entry.oid, mode: entry.mode as FileMode, type: entry.type === "commit" ? "commit" : "blob" });
      }
    };
    await walk(tree, dir);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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
    return root ?? (await git.writeTree({ fs: atomicFs, gitdir: this.gitdir, tree: [] }));
  }

  /** Returns the new tree of one folder, or null when nothing is left in it (git has no empty folders). */
  private async writeFolder(tree: string | null, folder: ChangeFolder, prefix: string): Promise<string | null> {
    const entries = new Map<string, IsoTreeEntry>();
    if (tree !== null && tree !== EMPTY_TREE_SHA) for (const entry of await this.treeEntries(tree)) entries.set(entry.path, entry);
    const at = (name: string): string => (prefix ? `${prefix}/${name}` : name);

    for (const [name, change] of folder.files) {
      const existing = entries.get(name);
      if (existing?.type === "tree") throw new InvalidChangeError(`path ${JSON.stringify(at(name))} is a folder, not a file`);
      if (change.content === null) {
        if (!existing) throw new InvalidChangeError(`cannot delete ${JSON.stringify(at(name))}: no such file`);
        entries.delete(name);
      } else {
        const oid = await git.writeBlob({ fs: atomicFs, gitdir: this.gitdir, blob: change.content });
        entries.set(name, { mode: "100644", path: name, oid, type: "blob" });
      }
    }
    for (const [name, below] of folder.folders) {
      const existing = entries.get(name);
      if (existing && existing.type !== "tree") throw new InvalidChangeError(`path ${JSON.stringify(at(name))} is a file, not a folder`);
      const oid = await this.writeFolder(existing?.oid ?? null, below, at(name));
      if (oid === null) entries.delete(name);
      else entries.set(name, { mode: "040000", path: name, oid, type: "tree" });
    }
    if (entries.size === 0) return null;
    return git.writeTree({ fs: atomicFs, gitdir: this.gitdir, tree: [...entries.values()] });
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

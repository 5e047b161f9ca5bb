// One simulated repository over a real bare repository: objects are read and written with
// isomorphic-git, refs move with `git update-ref <ref> <new> <old>` (git's own compare-and-swap
// under its ref lock), listings and archives come from the git CLI. `git clone <gitdir>` shows
// exactly what the simulator committed.
import { execFile } from "node:child_process";
import { promises as fsp } from "node:fs";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { deflate } from "node:zlib";
import * as git from "isomorphic-git";
import { atomicFs } from "../../../lib/git/isogit/atomic-fs.js";
import { parseTree, serializeTree } from "../../../lib/git/isogit/raw-tree.js";
import { ApiRejectionError } from "./errors.js";
import type { CreateTreeEntry } from "./types.js";

const execFileAsync = promisify(execFile);
const deflateAsync = promisify(deflate);
// Trees and commits are written through isomorphic-git: through the atomic file system, as the git
// provider does, so that a concurrent reader (sixteen fabrics writing identical subtrees into one
// repository) never sees an object another request is rewriting.
const fs = atomicFs;
const ZERO = "0000000000000000000000000000000000000000";
const SHA = /^[0-9a-f]{40}$/;

/** A git CLI environment free of the machine's user and system configuration. */
export const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };

export interface ListedEntry {
  readonly path: string;
  readonly mode: string;
  readonly type: "blob" | "tree" | "commit";
  readonly sha: string;
  readonly size?: number;
}

export interface Signature {
  readonly name: string;
  readonly email: string;
  readonly timestamp: number;
  readonly timezoneOffset: number;
}

export type TreeItem = { mode: string; path: string; oid: string; type: "blob" | "tree" | "commit" };

export class SimRepository {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly cache = {};

  constructor(
    readonly owner: string,
    readonly repo: string,
    readonly gitdir: string,
  ) {}

  /** Runs `work` after every earlier mutation of this repository has finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async git(args: readonly string[], input?: Buffer): Promise<Buffer> {
    const child = execFileAsync("git", ["--git-dir", this.gitdir, ...args], { env: GIT_ENV, encoding: "buffer", maxBuffer: 1 << 30 });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  }

  async isEmpty(): Promise<boolean> {
    return (await git.listBranches({ fs, gitdir: this.gitdir })).length === 0;
  }

  async defaultBranch(): Promise<string> {
    const head = (await fsp.readFile(`${this.gitdir}/HEAD`, "utf8")).trim();
    return /^ref: refs\/heads\/(.+)$/.exec(head)?.[1] ?? "main";
  }

  async resolveRef(fullRef: string): Promise<string | null> {
    try {
      return await git.resolveRef({ fs, gitdir: this.gitdir, ref: fullRef });
    } catch {
      return null;
    }
  }

  async objectType(sha: string): Promise<"blob" | "tree" | "commit" | "tag" | null> {
    if (!SHA.test(sha)) return null;
    try {
      const { type } = await git.readObject({ fs, gitdir: this.gitdir, oid: sha, format: "content", cache: this.cache });
      return type === "blob" || type === "tree" || type === "commit" || type === "tag" ? type : null;
    } catch (error) {
      // Only a missing object is "no such object"; anything else (a read failing under load) is the sim's error, not a 404.
      if ((error as { code?: string }).code === "NotFoundError") return null;
      throw error;
    }
  }

  /** A commit sha, tree sha or branch name → the tree it names, with the commit when there is one. */
  async resolveTreeish(value: string): Promise<{ tree: string; commit: string | null } | null> {
    const sha = SHA.test(value) ? value : await this.resolveRef(`refs/heads/${value}`);
    if (sha === null) return null;
    const type = await this.objectType(sha);
    if (type === "tree") return { tree: sha, commit: null };
    if (type !== "commit") return null;
    const { commit } = await git.readCommit({ fs, gitdir: this.gitdir, oid: sha, cache: this.cache });
    return { tree: commit.tree, commit: sha };
  }

  /** `git ls-tree` of a tree: one level, or everything (trees before their contents) when recursive. */
  async listTree(tree: string, recursive: boolean): Promise<ListedEntry[]> {
    const out = (await this.git(["ls-tree", "-l", "-z", ...(recursive ? ["-r", "-t"] : []), tree])).toString("utf8");
    const entries: ListedEntry[] = [];
    for (const record of out.split("\0")) {
      if (record === "") continue;
      const tab = record.indexOf("\t");
      const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/) as [string, ListedEntry["type"], string, string];
      entries.push({ path: record.slice(tab + 1), mode, type, sha, ...(type === "blob" ? { size: Number(size) } : {}) });
    }
    return entries;
  }

  /** The entry at `path` inside `tree`, or null. */
  async entryAt(tree: string, path: string): Promise<TreeItem | null> {
    let current = tree;
    const segments = path.split("/");
    for (let i = 0; i < segments.length; i++) {
      const items = await this.treeItems(current);
      const item = items.find((candidate) => candidate.path === segments[i]);
      if (!item) return null;
      if (i === segments.length - 1) return item as TreeItem;
      if (item.type !== "tree") return null;
      current = item.oid;
    }
    return null;
  }

  async readBlob(sha: string): Promise<Uint8Array | null> {
    if ((await this.objectType(sha)) !== "blob") return null;
    const { blob } = await git.readBlob({ fs, gitdir: this.gitdir, oid: sha, cache: this.cache });
    return blob;
  }

  /**
   * A loose object, written the way git does (zlib-deflated "blob <len>\0<content>" under its sha),
   * with node's asynchronous zlib so that thousands of blobs in one create-tree deflate in parallel.
   */
  async writeBlob(content: Uint8Array): Promise<string> {
    const header = Buffer.from(`blob ${content.byteLength}\0`);
    const sha = createHash("sha1").update(header).update(content).digest("hex");
    const path = `${this.gitdir}/objects/${sha.slice(0, 2)}/${sha.slice(2)}`;
    try {
      await fsp.access(path);
      return sha;
    } catch {
      // not there yet
    }
    const deflated = await deflateAsync(Buffer.concat([header, content]));
    await fsp.mkdir(`${this.gitdir}/objects/${sha.slice(0, 2)}`, { recursive: true });
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fsp.writeFile(temp, deflated, { mode: 0o444 });
    await fsp.rename(temp, path);
    return sha;
  }

  async readCommit(sha: string): Promise<Awaited<ReturnType<typeof git.readCommit>>["commit"] | null> {
    if ((await this.objectType(sha)) !== "commit") return null;
    return (await git.readCommit({ fs, gitdir: this.gitdir, oid: sha, cache: this.cache })).commit;
  }

  writeCommit(commit: { message: string; tree: string; parents: readonly string[]; author: Signature; committer: Signature }): Promise<string> {
    return git.writeCommit({
      fs,
      gitdir: this.gitdir,
      commit: { message: commit.message, tree: commit.tree, parent: [...commit.parents], author: commit.author, committer: commit.committer },
    });
  }

  /** Compare-and-swap of a ref; `expected` null means the ref must not exist. False when it moved. */
  async updateRef(fullRef: string, next: string, expected: string | null): Promise<boolean> {
    try {
      await this.git(["update-ref", fullRef, next, expected ?? ZERO]);
      return true;
    } catch {
      return false;
    }
  }

  async setHead(branch: string): Promise<void> {
    await this.git(["symbolic-ref", "HEAD", `refs/heads/${branch}`]);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.git(["merge-base", "--is-ancestor", ancestor, descendant]);
      return true;
    } catch {
      return false;
    }
  }

  /** What GitHub's tarball endpoint serves: `git archive` of the commit, gzipped, under one top folder. */
  archive(commit: string): Promise<Buffer> {
    return this.git(["archive", "--format=tar.gz", `--prefix=${this.owner}-${this.repo}-${commit.slice(0, 7)}/`, commit]);
  }

  /**
   * The create-tree semantics of GitHub: entries are set (by sha or inline content) or deleted
   * (`sha: null`) at their paths inside `base`, creating and removing folders on the way.
   */
  async applyTreeEntries(base: string | null, entries: readonly CreateTreeEntry[]): Promise<string> {
    type Edit = { mode: string; type: "blob" | "tree" | "commit"; sha: string } | null;
    const edits = new Map<string, Edit>();
    // Inline contents become blobs first, many at a time; the edits then keep the request's order.
    const inline = new Map<CreateTreeEntry, string>();
    const withContent = entries.filter((e) => e.content !== undefined);
    for (let i = 0; i < withContent.length; i += 64) {
      await Promise.all(withContent.slice(i, i + 64).map(async (e) => inline.set(e, await this.writeBlob(Buffer.from(e.content as string, "utf8")))));
    }
    for (const entry of entries) {
      const path = entry.path ?? "";
      const type = entry.type ?? "blob";
      const mode = entry.mode ?? "100644";
      if (entry.content !== undefined) edits.set(path, { mode, type, sha: inline.get(entry)! });
      else if (entry.sha === null) edits.set(path, null);
      else edits.set(path, { mode, type, sha: entry.sha as string });
    }
    const root = await this.applyAt(base, edits, "");
    return root ?? this.writeTreeItems([]);
  }

  // Trees are read and written raw, as GitHub keeps them: a name isomorphic-git refuses to parse (a
  // backslash) is an ordinary entry on GitHub, and must not fail a create-tree beside it.
  private async treeItems(oid: string): Promise<TreeItem[]> {
    const { object } = await git.readObject({ fs, gitdir: this.gitdir, oid, format: "content", cache: this.cache });
    return parseTree(object as Uint8Array).map((e) => ({ mode: e.type === "tree" ? "040000" : e.mode, path: e.name, oid: e.oid, type: e.type }));
  }

  private writeTreeItems(items: readonly TreeItem[]): Promise<string> {
    const entries = items.map((i) => ({ mode: i.mode, name: i.path, nameBytes: new TextEncoder().encode(i.path), oid: i.oid, type: i.type }));
    return git.writeObject({ fs, gitdir: this.gitdir, type: "tree", object: serializeTree(entries), format: "content" });
  }

  private async applyAt(tree: string | null, edits: Map<string, { mode: string; type: "blob" | "tree" | "commit"; sha: string } | null>, prefix: string): Promise<string | null> {
    const items = new Map<string, TreeItem>();
    if (tree !== null) {
      for (const item of await this.treeItems(tree)) items.set(item.path, item);
    }
    const below = new Map<string, Map<string, { mode: string; type: "blob" | "tree" | "commit"; sha: string } | null>>();
    for (const [path, edit] of edits) {
      const slash = path.indexOf("/");
      if (slash === -1) {
        if (edit === null) {
          if (!items.has(path)) throw new ApiRejectionError(422, `tree.path ${prefix}${path} does not exist and cannot be deleted`, "https://docs.github.com/rest/git/trees#create-a-tree");
          items.delete(path);
        } else {
          items.set(path, { mode: edit.mode === "40000" ? "040000" : edit.mode, path, oid: edit.sha, type: edit.type });
        }
        continue;
      }
      const head = path.slice(0, slash);
      let nested = below.get(head);
      if (!nested) below.set(head, (nested = new Map()));
      nested.set(path.slice(slash + 1), edit);
    }
    for (const [name, nested] of below) {
      const existing = items.get(name);
      if (existing && existing.type !== "tree") {
        throw new ApiRejectionError(422, `tree.path ${prefix}${name} is a file, not a folder`, "https://docs.github.com/rest/git/trees#create-a-tree");
      }
      const oid = await this.applyAt(existing?.oid ?? null, nested, `${prefix}${name}/`);
      if (oid === null) items.delete(name);
      else items.set(name, { mode: "040000", path: name, oid, type: "tree" });
    }
    if (items.size === 0) return null;
    return this.writeTreeItems([...items.values()]);
  }
}

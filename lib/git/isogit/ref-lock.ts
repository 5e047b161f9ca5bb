// Compare-and-swap of a ref in a bare repository, with git's own locking protocol: create
// "<ref>.lock" exclusively, check the current value while holding it, write the new value into the
// lock file and rename it over the ref. `git push`, `git update-ref` and `git gc` honour the same
// lock, so we can share the repository with them safely.
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ConflictError, GitRejectedError, RefLockedError } from "../errors.js";

export async function compareAndSwapRef(options: {
  readonly gitdir: string;
  /** Full ref name, e.g. refs/heads/main. */
  readonly ref: string;
  /** What the ref must point at now; null: it must not exist. */
  readonly expected: string | null;
  readonly next: string;
  /** Reads the current value (loose or packed), fresh from disk. */
  readonly readCurrent: () => Promise<string | null>;
}): Promise<void> {
  const refPath = join(options.gitdir, options.ref);
  const lockPath = `${refPath}.lock`;
  await mkdir(dirname(refPath), { recursive: true });
  let lock;
  try {
    lock = await open(lockPath, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new RefLockedError(`${options.ref} is being updated by another writer (${lockPath} exists; remove it if no git process is running)`, { cause: error });
    }
    throw error;
  }
  let closed = false;
  let renamed = false;
  try {
    const current = await options.readCurrent();
    if (current !== options.expected) {
      throw new ConflictError(`${options.ref} moved: expected ${options.expected ?? "no branch"}, found ${current ?? "no branch"}`);
    }
    await lock.writeFile(`${options.next}\n`);
    await lock.sync();
    await lock.close();
    closed = true;
    try {
      await rename(lockPath, refPath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A folder where the ref file should be: "a" cannot exist next to "a/b" (git's D/F conflict).
      if (code === "EISDIR" || code === "ENOTEMPTY" || code === "EEXIST" || code === "ENOTDIR") {
        throw new GitRejectedError(`${options.ref} clashes with an existing ref below or above it`, { cause: error });
      }
      throw error;
    }
    renamed = true;
  } finally {
    if (!closed) await lock.close();
    if (!renamed) await rm(lockPath, { force: true });
  }
}

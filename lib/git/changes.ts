// A commit request checked and brought into one shape before a provider touches the repository:
// valid paths, bytes instead of strings, blob shas computed, sorted by path, no path given twice.
import { gitBlobSha } from "./blob-sha.js";
import { InvalidChangeError } from "./errors.js";
import { assertRepositoryPath } from "./paths.js";
import type { CommitRequest, FileChange } from "./provider.js";

export interface PreparedWrite {
  readonly path: string;
  readonly content: Uint8Array;
  readonly sha: string;
}

export interface PreparedDelete {
  readonly path: string;
  readonly content: null;
}

export type PreparedChange = PreparedWrite | PreparedDelete;

const utf8 = new TextEncoder();

export function prepareChanges(changes: readonly FileChange[]): PreparedChange[] {
  const byPath = new Map<string, PreparedChange>();
  for (const change of changes) {
    assertRepositoryPath(change.path);
    if (byPath.has(change.path)) throw new InvalidChangeError(`path ${JSON.stringify(change.path)} is changed twice in one commit`);
    if (change.content === null) {
      byPath.set(change.path, { path: change.path, content: null });
    } else {
      const content = typeof change.content === "string" ? utf8.encode(change.content) : change.content;
      byPath.set(change.path, { path: change.path, content, sha: gitBlobSha(content) });
    }
  }
  const prepared = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // After sorting, a file "a" and anything under "a/" are neighbours or close; a set check is simplest.
  for (const change of prepared) {
    const segments = change.path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join("/");
      if (byPath.has(folder)) {
        throw new InvalidChangeError(`path ${JSON.stringify(folder)} is both a file and a folder in one commit`);
      }
    }
  }
  return prepared;
}

/** Throws InvalidChangeError for a message git would store as empty. */
export function assertCommitMessage(message: string): void {
  if (message.trim() === "") throw new InvalidChangeError("the commit message is empty");
}

/** Everything a provider needs from a request, checked; `when` is resolved here, at the edge. */
export interface PreparedCommit {
  readonly parent: string | null;
  readonly branch: string;
  readonly changes: PreparedChange[];
  readonly message: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly when: Date;
}

export function isWrite(change: PreparedChange): change is PreparedWrite {
  return change.content !== null;
}

export function prepareCommit(request: CommitRequest, defaultAuthor: { name: string; email: string }): PreparedCommit {
  assertCommitMessage(request.message);
  if (request.parent !== null && !/^[0-9a-f]{40}$/.test(request.parent)) {
    throw new InvalidChangeError(`parent ${JSON.stringify(request.parent)} is not a full commit sha`);
  }
  const author = request.author ?? defaultAuthor;
  if (author.name.trim() === "" || author.email.trim() === "" || /[<>\n]/.test(author.name + author.email)) {
    throw new InvalidChangeError("the author needs a name and an email without '<', '>' or newlines");
  }
  const when = request.now ?? new Date();
  if (Number.isNaN(when.getTime())) throw new InvalidChangeError("the commit time is not a valid date");
  return { parent: request.parent, branch: request.branch, changes: prepareChanges(request.changes), message: request.message, author, when };
}

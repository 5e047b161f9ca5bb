// Which fabrics a GitHub push concerns, and whether it should start a run for each. Pure: the payload
// and the fabrics in, decisions out, in fabric id order.
import { normalizeRepositoryUrl } from "../fabrics/repository-key.js";
import type { GitSettings } from "../fabrics/schema.js";
import { HEDGEHOG_COMMITTER } from "../git/provider.js";
import type { PushCommit, PushEvent, PushRepository } from "./github-payload.js";

/** GitHub lists at most this many commits in a push payload. */
export const MAX_LISTED_COMMITS = 2048;
/** GitHub truncates a commit's file lists at this size; a list this long may be incomplete. */
export const MAX_LISTED_FILES = 3000;

/** Why a fabric's run was not started. `no-fabric` (no fabric tracks the repository) is decided by the caller. */
export type PushIgnoreReason = "branch" | "directory" | "own-commit" | "deleted";

export type PushDecision =
  | { readonly fabricId: string; readonly run: true; readonly detail: string }
  | { readonly fabricId: string; readonly run: false; readonly reason: PushIgnoreReason; readonly detail: string };

/** What a decision needs to know of a fabric (a Fabric is one). */
export interface PushTarget {
  readonly id: string;
  readonly git: GitSettings;
}

// Moved to lib/fabrics/repository-key.ts (the store indexes fabrics by it); re-exported for callers.
export { normalizeRepositoryUrl };

/** Whether the fabric's repository is the one the push went to. */
export function tracksRepository(git: GitSettings, repository: PushRepository): boolean {
  if (git.provider === "github") {
    const wanted = `${git.owner}/${git.repo}`.toLowerCase();
    const owner = repository.owner?.login ?? repository.owner?.name;
    return repository.full_name.toLowerCase() === wanted || (owner != null && `${owner}/${repository.name}`.toLowerCase() === wanted);
  }
  const wanted = normalizeRepositoryUrl(git.url);
  if (wanted === null) return false; // a local bare repository: GitHub cannot push to it
  return [repository.clone_url, repository.html_url, repository.ssh_url, repository.git_url].some(
    (url) => url != null && normalizeRepositoryUrl(url) === wanted,
  );
}

function files(commit: PushCommit): string[] {
  return [...commit.added, ...commit.removed, ...commit.modified];
}

/**
 * Why the payload cannot tell which files the push changed, or null when it can. In these cases every
 * fabric on the branch runs: a needless run costs one read of the tree (no change → no commit), a
 * missed one leaves the fabric stale until the next scheduled sync.
 */
export function opaquePushReason(push: PushEvent): string | null {
  // A fabric's branch that did not exist before: all of it is new to the fabric, listed or not.
  if (push.created) return "the branch was created";
  // A forced push may drop commits that touched the directory; dropped commits are not listed.
  if (push.forced) return "a forced push may have dropped commits the payload does not list";
  if (push.commits.length === 0) return "the payload lists no commits";
  if (push.commits.length >= MAX_LISTED_COMMITS) return `the payload lists ${push.commits.length} commits, GitHub's maximum; more may have been pushed`;
  if (push.commits.some((c) => files(c).length >= MAX_LISTED_FILES)) return `a commit lists ${MAX_LISTED_FILES} or more files; GitHub may have cut the list`;
  return null;
}

function isOwnCommit(commit: PushCommit, ownEmail: string): boolean {
  // The committer is who made the commit object; GitHub omits it in some payloads, then the author stands in.
  const email = (commit.committer ?? commit.author)?.email;
  return email != null && email.toLowerCase() === ownEmail.toLowerCase();
}

const isZeroSha = (sha: string) => /^0+$/.test(sha);

function decideOne(push: PushEvent, target: PushTarget, opaque: string | null, ownEmail: string): PushDecision {
  const fabricId = target.id;
  const branchRef = `refs/heads/${target.git.branch}`;
  if (push.ref !== branchRef) return { fabricId, run: false, reason: "branch", detail: `${push.ref} is not the fabric's branch ${branchRef}` };
  if (push.deleted || isZeroSha(push.after)) return { fabricId, run: false, reason: "deleted", detail: `${branchRef} was deleted` };
  if (opaque !== null) return { fabricId, run: true, detail: opaque };
  const prefix = `${target.git.directory}/`;
  const pushed = push.commits.flatMap(files);
  const inside = pushed.filter((path) => path.startsWith(prefix));
  if (inside.length === 0) return { fabricId, run: false, reason: "directory", detail: `no pushed file is under ${prefix}` };
  // Our own commit coming back (ingest, init): running again would find nothing new, or loop.
  if (push.commits.every((c) => isOwnCommit(c, ownEmail)) && inside.length === pushed.length) {
    return { fabricId, run: false, reason: "own-commit", detail: `every pushed commit is hedgehog-gitops's own, inside ${prefix}` };
  }
  const distinct = new Set(inside).size;
  return { fabricId, run: true, detail: `${distinct} pushed ${distinct === 1 ? "file is" : "files are"} under ${prefix}` };
}

/**
 * One decision per fabric that tracks the pushed repository, in fabric id order; fabrics of other
 * repositories are not mentioned. An empty result means no fabric tracks the repository.
 */
export function decidePush(push: PushEvent, fabrics: readonly PushTarget[], ownEmail: string = HEDGEHOG_COMMITTER.email): PushDecision[] {
  const opaque = opaquePushReason(push);
  return fabrics
    .filter((f) => tracksRepository(f.git, push.repository))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((f) => decideOne(push, f, opaque, ownEmail));
}

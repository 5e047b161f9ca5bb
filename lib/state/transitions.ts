// The state transition table (DESIGN §5) as data, and the one function that reads it.
//
// A reconciler turns what it learns about one resource into observations and feeds them to `next`,
// in the order it learned them. Every cell below is deliberate: either the state that follows, or
// the reason the observation cannot happen in that state (which then throws, instead of silently
// overwriting the state).

import { IllegalTransitionError } from "./errors.js";
import type { ResourceState } from "./states.js";

export const OBSERVATIONS = [
  /** Git's managed/ now holds this resource with new content (ingest wrote it, or a direct edit). */
  "ingested",
  /** The resource was created or changed through the HTTP API; the change lives only in the store. */
  "edited-via-api",
  /** A draft was withdrawn through the API before it reached Git. */
  "discarded",
  /** The reconciler sent a server-side apply of the Git content. */
  "apply-sent",
  /** The cluster object equals the Git content after normalization. */
  "cluster-matches",
  /** The cluster object exists but differs from the Git content. */
  "cluster-differs",
  /** A cluster is configured and has no such object. */
  "cluster-missing",
  /** managed/ no longer holds the resource. */
  "removed-from-git",
  /** The cluster holds an object that Git does not (and that has no record yet, or is already orphaned). */
  "cluster-only",
  /** The fabric has no cluster configured, so nothing can be observed or applied. */
  "no-cluster",
  /** The reconciler deleted the orphaned object from the cluster. */
  "pruned",
] as const;
export type Observation = (typeof OBSERVATIONS)[number];

/** Where a resource stands before the store holds any record of it. */
export const UNTRACKED = "untracked";
export type Untracked = typeof UNTRACKED;

/** The outcome that ends a record: the resource is neither in Git, nor in the store, nor in the cluster. */
export const FORGOTTEN = "forgotten";
export type Forgotten = typeof FORGOTTEN;

export type FromState = ResourceState | Untracked;
export type NextState = ResourceState | Forgotten;

/** A cell that names why the observation cannot occur in that state. */
export interface IllegalCell {
  readonly illegal: string;
}
export type TransitionCell = NextState | IllegalCell;

function illegal(reason: string): IllegalCell {
  return { illegal: reason };
}

const NOT_APPLIED_FROM_STORE = "only Git content is applied; a store-only resource has nothing to apply";
const NO_RECORD = "the resource has no record yet; it must first be ingested, edited or seen in the cluster";
const HAS_GIT_COUNTERPART = "the resource is in Git, so the cluster object is compared (matches/differs), not cluster-only";
const ONLY_ORPHANS_PRUNED = "only orphaned objects are pruned";
const ONLY_DRAFTS_DISCARDED = "only a draft can be discarded; resources in Git are removed through Git";

export const TRANSITIONS: { readonly [F in FromState]: { readonly [O in Observation]: TransitionCell } } = {
  untracked: {
    "ingested": "committed",
    "edited-via-api": "draft",
    "discarded": illegal(NO_RECORD),
    "apply-sent": illegal(NO_RECORD),
    "cluster-matches": illegal(NO_RECORD),
    "cluster-differs": illegal(NO_RECORD),
    "cluster-missing": illegal(NO_RECORD),
    "removed-from-git": illegal(NO_RECORD),
    "cluster-only": "orphaned",
    "no-cluster": illegal(NO_RECORD),
    "pruned": illegal(NO_RECORD),
  },
  // A draft dominates until it is committed: whatever the cluster shows is compared with Git only
  // after ingest has written the draft there.
  draft: {
    "ingested": "committed",
    "edited-via-api": "draft",
    "discarded": "forgotten",
    "apply-sent": illegal(NOT_APPLIED_FROM_STORE),
    "cluster-matches": "draft",
    "cluster-differs": "draft",
    "cluster-missing": "draft",
    // The draft may edit a resource that Git held; the edit itself is still waiting for Git.
    "removed-from-git": "draft",
    // The draft claims the identity; its first comparison after ingest decides synced or drifted.
    "cluster-only": "draft",
    "no-cluster": "draft",
    "pruned": illegal(ONLY_ORPHANS_PRUNED),
  },
  committed: {
    "ingested": "committed",
    "edited-via-api": "draft",
    "discarded": illegal(ONLY_DRAFTS_DISCARDED),
    "apply-sent": "pending",
    // Someone else (or observe mode's absent reconciler) already put the same object there.
    "cluster-matches": "synced",
    "cluster-differs": "drifted",
    "cluster-missing": "committed",
    // It never reached the cluster, so nothing is left anywhere.
    "removed-from-git": "forgotten",
    "cluster-only": illegal(HAS_GIT_COUNTERPART),
    "no-cluster": "committed",
    "pruned": illegal(ONLY_ORPHANS_PRUNED),
  },
  pending: {
    "ingested": "pending",
    "edited-via-api": "draft",
    "discarded": illegal(ONLY_DRAFTS_DISCARDED),
    "apply-sent": "pending",
    "cluster-matches": "synced",
    // Pending only lasts until the cluster is seen; seen and different is drift.
    "cluster-differs": "drifted",
    "cluster-missing": "committed",
    // An apply may already have landed: treat it as in the cluster until a listing says otherwise.
    "removed-from-git": "orphaned",
    "cluster-only": illegal(HAS_GIT_COUNTERPART),
    "no-cluster": "committed",
    "pruned": illegal(ONLY_ORPHANS_PRUNED),
  },
  synced: {
    // New Git content has not been seen in the cluster yet.
    "ingested": "pending",
    "edited-via-api": "draft",
    "discarded": illegal(ONLY_DRAFTS_DISCARDED),
    // DESIGN §8: nothing is re-applied when already synced.
    "apply-sent": illegal("a synced resource is never re-applied"),
    "cluster-matches": "synced",
    "cluster-differs": "drifted",
    // Deleted behind our back: Git has it, the cluster does not.
    "cluster-missing": "committed",
    "removed-from-git": "orphaned",
    "cluster-only": illegal(HAS_GIT_COUNTERPART),
    "no-cluster": "committed",
    "pruned": illegal(ONLY_ORPHANS_PRUNED),
  },
  drifted: {
    "ingested": "pending",
    "edited-via-api": "draft",
    "discarded": illegal(ONLY_DRAFTS_DISCARDED),
    // Apply mode corrects drift.
    "apply-sent": "pending",
    "cluster-matches": "synced",
    "cluster-differs": "drifted",
    "cluster-missing": "committed",
    "removed-from-git": "orphaned",
    "cluster-only": illegal(HAS_GIT_COUNTERPART),
    "no-cluster": "committed",
    "pruned": illegal(ONLY_ORPHANS_PRUNED),
  },
  orphaned: {
    // Back in Git: the cluster copy has not been compared with the new content yet.
    "ingested": "pending",
    "edited-via-api": "draft",
    "discarded": illegal(ONLY_DRAFTS_DISCARDED),
    "apply-sent": illegal("an orphan has no Git content to apply"),
    "cluster-matches": illegal("an orphan has no Git content to compare with"),
    "cluster-differs": illegal("an orphan has no Git content to compare with"),
    // Deleted by someone else: the orphan is gone from everywhere.
    "cluster-missing": "forgotten",
    "removed-from-git": illegal("an orphan is already absent from Git"),
    "cluster-only": "orphaned",
    // An orphan exists only as a cluster observation; without a cluster there is nothing to track.
    "no-cluster": "forgotten",
    "pruned": "forgotten",
  },
};

function isIllegal(cell: TransitionCell): cell is IllegalCell {
  return typeof cell === "object";
}

/** The state that follows `from` after `observation`; throws IllegalTransitionError when the table forbids it. */
export function next(from: FromState, observation: Observation): NextState {
  const row = TRANSITIONS[from];
  if (row === undefined) throw new IllegalTransitionError(String(from), String(observation), "unknown state");
  const cell = row[observation];
  if (cell === undefined) throw new IllegalTransitionError(from, String(observation), "unknown observation");
  if (isIllegal(cell)) throw new IllegalTransitionError(from, observation, cell.illegal);
  return cell;
}

/** Whether `next(from, observation)` would succeed. */
export function canTransition(from: FromState, observation: Observation): boolean {
  const cell = TRANSITIONS[from]?.[observation];
  return cell !== undefined && !isIllegal(cell);
}

/** Feeds observations in order, starting from `from`; stops (and throws) at the first illegal one. */
export function replay(from: FromState, observations: Iterable<Observation>): FromState | Forgotten {
  let state: FromState | Forgotten = from;
  for (const observation of observations) {
    if (state === FORGOTTEN) throw new IllegalTransitionError(FORGOTTEN, observation, "the record no longer exists");
    state = next(state, observation);
  }
  return state;
}

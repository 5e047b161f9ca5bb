// A resource's history (DESIGN §9): one entry per change of its state, its Git blob or its error, as
// a stage writes its records. Pure: what changed is read from the record before and after.
import type { Stage } from "../config/settings.js";
import type { ResourceRecord, ResourceState } from "./resource-model.js";

/** Where a record ends when a stage removes it: the reconcile stage deleted the object, or it is gone from everywhere. */
export type HistoryEnd = "pruned" | "removed";

export interface HistoryEntry {
  /** The resource id (group/Kind/namespace/name). */
  readonly id: string;
  /** When the stage recorded the change (the stage's clock). */
  readonly at: string;
  readonly runId: string;
  readonly stage: Stage;
  /** Position of the stage in its run's chain: orders two entries of one run. */
  readonly step: number;
  /** The Git commit of the version concerned (the invalid one while the file is invalid). */
  readonly commit: string | null;
  readonly blob: string | null;
  /** null: the resource was first recorded by this change. */
  readonly from: ResourceState | null;
  readonly to: ResourceState | HistoryEnd;
  readonly error: string | null;
  readonly reason: string;
}

/** Where entries come from: the run and stage writing them. */
export interface HistoryContext {
  readonly at: string;
  readonly runId: string;
  readonly stage: Stage;
  readonly step: number;
}

/** Reasons a new state is reached, by state: what the operator reads next to "from → to". */
const STATE_REASONS: Readonly<Record<ResourceState, (after: ResourceRecord) => string>> = {
  draft: () => "edited through the API, not yet in Git",
  committed: (r) => (r.inGit ? "in Git, not (yet) in the cluster" : "in Git only"),
  pending: () => "applied; not yet seen matching in the cluster",
  synced: () => "the cluster matches Git",
  drifted: (r) => `the cluster differs from Git (${r.drift.length} field${r.drift.length === 1 ? "" : "s"})`,
  orphaned: (r) => (r.source === "cluster" ? "in the cluster, never in Git" : "removed from Git, still in the cluster"),
};

const ERROR_REASON_LIMIT = 300;
const cut = (text: string) => (text.length <= ERROR_REASON_LIMIT ? text : `${text.slice(0, ERROR_REASON_LIMIT - 1)}…`);

/** The entry for one record's change, or null when nothing the history tracks changed. */
export function historyEntry(before: ResourceRecord | null, after: ResourceRecord | null, context: HistoryContext, end: HistoryEnd = "removed"): HistoryEntry | null {
  const base = { id: (after ?? before)!.id, at: context.at, runId: context.runId, stage: context.stage, step: context.step };
  if (after === null) {
    if (before === null) return null;
    return {
      ...base,
      commit: before.gitCommitSha,
      blob: before.gitBlobSha,
      from: before.state,
      to: end,
      error: null,
      reason: end === "pruned" ? "deleted from the cluster by prune" : "gone from Git and from the cluster",
    };
  }
  const reasons: string[] = [];
  if (before === null) {
    reasons.push(after.source === "git" && after.gitFilePath ? `first recorded from ${after.gitFilePath}` : "first seen in the cluster");
  } else if (before.gitBlobSha !== after.gitBlobSha && after.gitBlobSha !== null) {
    reasons.push(`Git changed ${after.gitFilePath ?? "its file"}`);
  }
  const errorChanged = (before?.error ?? null) !== after.error;
  if (errorChanged) reasons.push(after.error ? `error: ${cut(after.error)}` : "its error is resolved");
  if (before === null || before.state !== after.state) reasons.push(STATE_REASONS[after.state](after));
  if (reasons.length === 0) return null;
  return {
    ...base,
    commit: after.gitCommitSha,
    blob: after.gitBlobSha,
    from: before?.state ?? null,
    to: after.state,
    error: after.error,
    reason: reasons.join("; "),
  };
}

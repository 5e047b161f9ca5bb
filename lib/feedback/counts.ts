// What a run did, in the few numbers people read on a commit and in a notification: summed from its
// stage records, one formula for the check on the synced commit and for the run-finished event.
import type { Run } from "../pipeline/run-model.js";

export interface RunCounts {
  /** Resources whose cluster object matches Git after the run. */
  readonly synced: number;
  readonly drifted: number;
  /**
   * Documents ingest filed under raw/errors/, resources whose managed file is invalid, and objects the
   * cluster refused to apply or delete.
   */
  readonly rejected: number;
  /** In Git, not (yet) in the cluster; every resource when the fabric has no cluster. */
  readonly committed: number;
  readonly pending: number;
  readonly orphaned: number;
  readonly applied: number;
  readonly pruned: number;
}

const count = (counts: Readonly<Record<string, number>> | undefined, name: string): number => {
  const value = counts?.[name];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
};

export function runCounts(run: Pick<Run, "stages">): RunCounts {
  const ingest = run.stages.ingest?.counts;
  const reconcile = run.stages.reconcile?.status === "succeeded" ? run.stages.reconcile.counts : undefined;
  return {
    synced: count(reconcile, "synced"),
    drifted: count(reconcile, "drifted"),
    rejected: count(ingest, "errors") + count(ingest, "managedErrors") + count(reconcile, "rejected"),
    // Without a reconcile stage every resource ingest knows stays committed.
    committed: reconcile ? count(reconcile, "committed") : count(ingest, "resources"),
    pending: count(reconcile, "pending"),
    orphaned: count(reconcile, "orphaned"),
    applied: count(reconcile, "applied"),
    pruned: count(reconcile, "pruned"),
  };
}

/** The one line a commit shows for a sync run: "synced N, drifted M, rejected K". */
export function countsLine(counts: RunCounts): string {
  return `synced ${counts.synced}, drifted ${counts.drifted}, rejected ${counts.rejected}`;
}

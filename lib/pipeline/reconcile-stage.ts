// reconcile: the desired set (managed/ at the head) against the cluster — one list per kind, then
// server-side apply (apply mode) and guarded prune — and the six states written where they changed.
import type { FabricCluster } from "../cluster/client.js";
import { ClusterRejectedError } from "../cluster/errors.js";
import { makeEqual } from "../cluster/make-equal.js";
import type { ServedCatalogCache } from "../cluster/served-crds.js";
import { planReconcile, type ReconcileItem } from "../cluster/reconcile-plan.js";
import type { Fabric } from "../fabrics/schema.js";
import type { GitProvider } from "../git/provider.js";
import { applyOrderOf } from "../hedgehog/index.js";
import { FORGOTTEN, next, UNTRACKED, type Observation } from "../state/index.js";
import type { ResourceRepository } from "../store/resources.js";
import { boundedList } from "./bounded.js";
import { recordedByPath, snapshotAndPlan } from "./ingest-stage.js";
import type { DriftEntry, ResourceRecord, ResourceState } from "./resource-model.js";
import type { StageImplementation, StageOutcome } from "./stage-runner.js";
import { clusterValidation } from "./validation-source.js";
import { publishQuietly, type EventSink, type FabricEvent } from "../events/index.js";
import { fixedCommit } from "./run-model.js";
import { checkFindings } from "./check-findings.js";
import { clusterRejectionEvent, driftEvent, driftToAnnounce, MAX_EVENTS_PER_KIND, prunedEvent } from "./stage-events.js";

const APPLY_CONCURRENCY = 8;

/** How much of a plan's field-level diff a run record keeps (it stays small: DESIGN §14). */
const PLAN_FIELDS_OBJECTS = 50;
const PLAN_FIELDS_PER_OBJECT = 20;

/** A plan's "fields" view: for the first objects it would apply, the fields that differ (live → desired). */
function changedFields(applies: readonly ReconcileItem[]): Record<string, { fields: readonly DriftEntry[]; total: number }> {
  const out: Record<string, { fields: readonly DriftEntry[]; total: number }> = {};
  for (const item of applies.filter((i) => i.drift.length > 0).slice(0, PLAN_FIELDS_OBJECTS)) {
    out[item.id] = { fields: item.drift.slice(0, PLAN_FIELDS_PER_OBJECT), total: item.drift.length };
  }
  return out;
}

/** Consecutive runs of the same apply tier. */
function tiers(items: readonly ReconcileItem[]): ReconcileItem[][] {
  const out: ReconcileItem[][] = [];
  for (const item of items) {
    const last = out[out.length - 1];
    if (last && applyOrderOf(last[0]!.kind.kind) === applyOrderOf(item.kind.kind)) last.push(item);
    else out.push([item]);
  }
  return out;
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Folds the observations through the state table. A record that is forgotten (gone from Git and never in
 * the cluster) and then seen in the cluster starts over as untracked; one that stays missing stays gone.
 */
export function settle(from: ResourceState | null, observations: readonly Observation[]): ResourceState | typeof FORGOTTEN {
  let state: ResourceState | typeof UNTRACKED | typeof FORGOTTEN = from ?? UNTRACKED;
  for (const observation of observations) {
    if (state === FORGOTTEN) {
      if (observation === "cluster-missing") continue;
      state = UNTRACKED;
    }
    state = next(state, observation);
  }
  if (state === UNTRACKED) throw new Error("a reconciled resource must end in a state");
  return state;
}

interface Outcome {
  readonly observations: Observation[];
  drift: readonly DriftEntry[];
  error: string | null;
}

function recordOf(item: ReconcileItem, state: ResourceState, outcome: Outcome): ResourceRecord {
  const base: ResourceRecord = item.record ?? {
    id: item.id,
    group: item.kind.group,
    apiVersion: String(item.live?.apiVersion ?? `${item.kind.group}/${item.kind.storageVersion}`),
    kind: item.kind.kind,
    namespace: item.namespace,
    name: item.name,
    state,
    source: "cluster",
    inGit: false,
    gitFilePath: null,
    gitBlobSha: null,
    gitCommitSha: null,
    importedFrom: null,
    contentHash: null,
    error: null,
    warnings: [],
    drift: [],
  };
  // A Git resource that could not be validated keeps the validation error from ingest.
  const error = item.desired === null && item.source === "git" && item.record?.inGit ? item.record.error : outcome.error;
  return { ...base, state, drift: state === "drifted" ? outcome.drift : [], error };
}

export function reconcileStage(deps: {
  gitFor: (fabric: Fabric) => Promise<GitProvider>;
  clusterFor: (fabric: Fabric) => Promise<FabricCluster>;
  servedCatalogs: ServedCatalogCache;
  resources: ResourceRepository;
  /** Where "Resource Drifted", "Object Pruned" and "Resource Rejected" events go (none in dry runs). */
  events?: EventSink;
}): StageImplementation {
  return async ({ fabric, run, now, checkpoint }): Promise<StageOutcome> => {
    if (!fabric.cluster) return { counts: {}, detail: { note: "no cluster configured" } };
    const git = await deps.gitFor(fabric);
    // A check plans its pull request's head; everything else the branch's.
    const fixed = fixedCommit(run);
    const head = fixed ? { sha: fixed, changed: true } : await git.head(fabric.git.branch);
    const storedList = await deps.resources.list(fabric);
    const stored = new Map(storedList.map((s) => [s.record.id, s]));
    // The served CRDs and every managed kind's objects: what validation judges by and what Git is compared with.
    const validation = await clusterValidation(deps, fabric, "all");
    const { connection: cluster, live, catalog } = validation;
    const recorded = recordedByPath(storedList);
    const snapshot = head ? (await snapshotAndPlan(git, fabric, head.sha, validation, recorded)).plan : null;
    const plan = planReconcile({
      fabric,
      mode: fabric.sync.mode,
      prune: fabric.sync.prune,
      desired: snapshot?.resources ?? [],
      records: new Map([...stored].map(([id, s]) => [id, s.record])),
      live,
      catalog,
      unreadable: snapshot?.unreadable ?? [],
    });
    const summary = {
      schemas: validation.schemas,
      applies: boundedList(plan.applies.map((i) => i.id)),
      prunes: boundedList(plan.prunes.map((i) => i.id)),
      ...(plan.pruneSkipped ? { pruneSkipped: plan.pruneSkipped } : {}),
    };
    if (run.dryRun) {
      return {
        counts: { kindsListed: live.size, wouldApply: plan.applies.length, wouldPrune: plan.prunes.length },
        detail: {
          schemas: validation.schemas,
          wouldApply: summary.applies,
          // Of those, the objects the cluster does not hold yet (the rest would be updated).
          wouldCreate: boundedList(plan.applies.filter((i) => i.live === null).map((i) => i.id)),
          wouldPrune: summary.prunes,
          wouldChangeFields: changedFields(plan.applies),
          ...(plan.pruneSkipped ? { pruneSkipped: plan.pruneSkipped } : {}),
        },
        ...(run.kind === "check" && snapshot ? { check: await checkFindings(git, fabric, snapshot, validation, recorded) } : {}),
      };
    }
    await checkpoint();

    const outcomes = new Map<string, Outcome>(plan.items.map((i) => [i.id, { observations: [...i.observations], drift: i.drift, error: null }]));
    const errors: string[] = [];
    const rejected: FabricEvent[] = [];
    const pruned: FabricEvent[] = [];
    const removedFields: Record<string, readonly string[]> = {};
    // Applies tier by tier in kind order (what is referenced exists first), several at a time within a
    // tier. A denial is this resource's error; a server problem fails the stage (SQS retries it, and
    // server-side apply makes the retry harmless).
    for (const tier of tiers(plan.applies)) {
      await inParallel(tier, APPLY_CONCURRENCY, async (item) => {
        const outcome = outcomes.get(item.id)!;
        try {
          const { drift, removed } = await makeEqual(cluster, { ...item, desired: item.desired! }, catalog);
          outcome.observations.push("apply-sent", drift.length === 0 ? "cluster-matches" : "cluster-differs");
          outcome.drift = drift;
          if (removed.length > 0) removedFields[item.id] = removed;
        } catch (error) {
          if (!(error instanceof ClusterRejectedError)) throw error;
          outcome.error = error.message;
          errors.push(`${item.id}: ${error.message}`);
          if (rejected.length < MAX_EVENTS_PER_KIND) rejected.push(clusterRejectionEvent(fabric, run, item, error.message));
        }
      });
    }
    errors.sort();
    if (plan.prunes.length > 0) await checkpoint();
    for (const item of plan.prunes) {
      const outcome = outcomes.get(item.id)!;
      try {
        await cluster.delete(item.kind, item.namespace, item.name);
        outcome.observations.push("pruned");
        if (pruned.length < MAX_EVENTS_PER_KIND) pruned.push(prunedEvent(fabric, run, item));
      } catch (error) {
        if (!(error instanceof ClusterRejectedError)) throw error;
        outcome.error = error.message;
        errors.push(`${item.id}: ${error.message}`);
        if (rejected.length < MAX_EVENTS_PER_KIND) rejected.push(clusterRejectionEvent(fabric, run, item, error.message));
      }
    }

    const upserts: ResourceRecord[] = [];
    const forgotten: string[] = [];
    const byState: Record<string, number> = {};
    const drifts: { id: string; version: string; event: FabricEvent }[] = [];
    for (const item of plan.items) {
      const outcome = outcomes.get(item.id)!;
      const state = settle(item.record?.state ?? null, outcome.observations);
      if (state === FORGOTTEN) {
        if (item.record) forgotten.push(item.id);
        continue;
      }
      byState[state] = (byState[state] ?? 0) + 1;
      const version = drifts.length < MAX_EVENTS_PER_KIND ? driftToAnnounce(item, state) : null;
      if (version !== null) drifts.push({ id: item.id, version, event: driftEvent(fabric, run, item, version, state) });
      upserts.push(recordOf(item, state, outcome));
    }
    // Announced before the records remember it: a drift whose event could not be sent is tried again next run.
    const announced = (await publishQuietly(deps.events, drifts.map((d) => d.event))) ? new Map(drifts.map((d) => [d.id, d.version])) : new Map<string, string>();
    for (let i = 0; i < upserts.length; i++) {
      const version = announced.get(upserts[i]!.id);
      if (version !== undefined) upserts[i] = { ...upserts[i]!, driftEventVersion: version };
    }
    await publishQuietly(deps.events, [...pruned, ...rejected]);
    await checkpoint();
    const written = await deps.resources.writeChanged(fabric, upserts, stored, now.toISOString());
    await deps.resources.delete(fabric, forgotten, stored);
    return {
      counts: { kindsListed: live.size, applied: plan.applies.length - errors.length, pruned: plan.prunes.length, rejected: errors.length, recordsWritten: written, recordsForgotten: forgotten.length, ...byState },
      errors,
      detail: { ...summary, ...(Object.keys(removedFields).length > 0 ? { removedFields: Object.fromEntries(Object.entries(removedFields).sort(([a], [b]) => (a < b ? -1 : 1))) } : {}) },
    };
  };
}

// reconcile: the desired set (managed/ at the head) against the cluster — one list per kind, then
// server-side apply (apply mode) and guarded prune — and the six states written where they changed.
import type { FabricCluster, LiveObject } from "../cluster/client.js";
import { ClusterRejectedError } from "../cluster/errors.js";
import { liveView } from "../cluster/live-view.js";
import { makeEqual } from "../cluster/make-equal.js";
import type { ServedCatalogCache } from "../cluster/served-crds.js";
import { planReconcile, type ReconcileItem } from "../cluster/reconcile-plan.js";
import type { Fabric } from "../fabrics/schema.js";
import type { GitProvider } from "../git/provider.js";
import { applyOrderOf, compareApplyOrder, compareDeleteOrder } from "../hedgehog/index.js";
import { FORGOTTEN, next, UNTRACKED, type Observation } from "../state/index.js";
import type { ResourceRepository } from "../store/resources.js";
import { boundedList } from "./bounded.js";
import { writeRecords } from "./record-writer.js";
import { recordedByPath, snapshotAndPlan } from "./ingest-stage.js";
import { recordOutsideGit, type DriftEntry, type ResourceRecord, type ResourceState } from "./resource-model.js";
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

/**
 * Works through `items` in order, `limit` at a time, taking no new item once `stop()` holds. Returns how
 * many were taken: always a prefix of `items`, each of them finished.
 */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && !stop()) await work(items[next++]!);
    }),
  );
  return next;
}

/** Where a reconcile that ran out of its time budget stopped (StageRecord.checkpoint). */
interface ReconcileCheckpoint {
  /** The commit whose managed/ is the desired set: every invocation of one run reconciles the same. */
  readonly head: string | null;
  /** The last apply handled, in apply order; those up to it are not applied again by this run. */
  readonly applied?: Position;
  /** Every apply was handled (the stage was pruning). */
  readonly appliesDone?: true;
  /** The last prune handled, in delete order. */
  readonly pruned?: Position;
  /** What the earlier invocations did. */
  readonly done: { readonly applied: number; readonly rejected: number; readonly pruned: number; readonly recordsWritten: number; readonly recordsForgotten: number };
  readonly removedFields?: Readonly<Record<string, readonly string[]>>;
}

interface Position {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

const NOTHING_DONE: ReconcileCheckpoint["done"] = { applied: 0, rejected: 0, pruned: 0, recordsWritten: 0, recordsForgotten: 0 };

const positionOf = (item: ReconcileItem): Position => ({ kind: item.kind.kind, namespace: item.namespace, name: item.name });
const ordered = (p: Position) => ({ kind: p.kind, metadata: { namespace: p.namespace, name: p.name } });

/** Fields removed per object, the first RUN_LIST_LIMIT objects in id order. */
function mergedRemovedFields(...maps: (Readonly<Record<string, readonly string[]>> | undefined)[]): Record<string, readonly string[]> {
  const entries = maps.flatMap((m) => Object.entries(m ?? {})).sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.slice(0, PLAN_FIELDS_OBJECTS));
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
  /** The object as last seen: listed, or as the apply left it; null once pruned. */
  live: LiveObject | null;
}

function recordOf(item: ReconcileItem, state: ResourceState, outcome: Outcome): ResourceRecord {
  const base: ResourceRecord =
    item.record ??
    recordOutsideGit(
      { id: item.id, group: item.kind.group, apiVersion: String(item.live?.apiVersion ?? `${item.kind.group}/${item.kind.storageVersion}`), kind: item.kind.kind, namespace: item.namespace, name: item.name },
      state,
      "cluster",
    );
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
  return async ({ fabric, run, now, checkpoint, budget, resume, progress }): Promise<StageOutcome> => {
    if (!fabric.cluster) return { counts: {}, detail: { note: "no cluster configured" } };
    const resumed = resume as ReconcileCheckpoint | null;
    // The connection is shared by the invocations of one container: this invocation's traffic is the difference.
    const trafficBefore = (await deps.clusterFor(fabric)).traffic();
    const git = await deps.gitFor(fabric);
    // A check plans its pull request's head; everything else the branch's (a continuation the commit it started on).
    const fixed = fixedCommit(run);
    const headSha = resumed ? resumed.head : (fixed ?? (await git.head(fabric.git.branch))?.sha ?? null);
    const storedList = await deps.resources.list(fabric);
    const stored = new Map(storedList.map((s) => [s.record.id, s]));
    // The served CRDs and every managed kind's objects: what validation judges by and what Git is compared with.
    const validation = await clusterValidation(deps, fabric, "all");
    const { connection: cluster, live, catalog } = validation;
    progress({ phase: "listing", done: live.size, total: live.size });
    const recorded = recordedByPath(storedList);
    const snapshot = headSha ? (await snapshotAndPlan(git, fabric, headSha, validation, recorded, progress)).plan : null;
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

    // A continuation (the previous invocation ran out of time): what it handled is not done again;
    // whatever it applied is in sync now and not in the plan anyway.
    const earlier = resumed?.done ?? NOTHING_DONE;
    const handledEarlier = new Set<string>();
    const applies = plan.applies.filter((item) => {
      const done = resumed?.appliesDone === true || (resumed?.applied !== undefined && compareApplyOrder(ordered(positionOf(item)), ordered(resumed.applied)) <= 0);
      if (done) handledEarlier.add(item.id);
      return !done;
    });
    const prunes = plan.prunes.filter((item) => {
      const done = resumed?.pruned !== undefined && compareDeleteOrder(ordered(positionOf(item)), ordered(resumed.pruned)) <= 0;
      if (done) handledEarlier.add(item.id);
      return !done;
    });

    const outcomes = new Map<string, Outcome>(plan.items.map((i) => [i.id, { observations: [...i.observations], drift: i.drift, error: null, live: i.live }]));
    const errors: string[] = [];
    const rejectedEvents: FabricEvent[] = [];
    const prunedEvents: FabricEvent[] = [];
    const removedFields: Record<string, readonly string[]> = {};
    // Each invocation handles at least a few objects before it may stop: a continuation always progresses.
    let started = 0;
    let appliesRejected = 0;
    let prunesRejected = 0;
    const outOfTime = () => started >= APPLY_CONCURRENCY && budget.exhausted();
    // Applies tier by tier in kind order (what is referenced exists first), several at a time within a
    // tier. A denial is this resource's error; a server problem fails the stage (SQS retries it, and
    // server-side apply makes the retry harmless).
    const handledApplies: ReconcileItem[] = [];
    let stopped = false;
    let applied = 0;
    const applying = () => progress({ phase: "applying", done: applied, total: applies.length, counts: { applied: applied - appliesRejected, rejected: appliesRejected } });
    if (applies.length > 0) applying();
    for (const tier of tiers(applies)) {
      const taken = await inParallel(
        tier,
        APPLY_CONCURRENCY,
        async (item) => {
          started++;
          const outcome = outcomes.get(item.id)!;
          try {
            const { drift, removed, live: after } = await makeEqual(cluster, { ...item, desired: item.desired! }, catalog);
            outcome.observations.push("apply-sent", drift.length === 0 ? "cluster-matches" : "cluster-differs");
            outcome.drift = drift;
            outcome.live = after;
            if (removed.length > 0) removedFields[item.id] = removed;
          } catch (error) {
            if (!(error instanceof ClusterRejectedError)) throw error;
            outcome.error = error.message;
            errors.push(`${item.id}: ${error.message}`);
            appliesRejected++;
            if (rejectedEvents.length < MAX_EVENTS_PER_KIND) rejectedEvents.push(clusterRejectionEvent(fabric, run, item, error.message));
          } finally {
            applied++;
            applying();
          }
        },
        outOfTime,
      );
      handledApplies.push(...tier.slice(0, taken));
      if (taken < tier.length) {
        stopped = true;
        break;
      }
    }
    errors.sort();
    const handledPrunes: ReconcileItem[] = [];
    const pruned = new Set<string>();
    if (!stopped && prunes.length > 0) await checkpoint();
    for (const item of stopped ? [] : prunes) {
      if (outOfTime()) {
        stopped = true;
        break;
      }
      started++;
      const outcome = outcomes.get(item.id)!;
      progress({ phase: "pruning", done: pruned.size, total: plan.prunes.length });
      try {
        await cluster.delete(item.kind, item.namespace, item.name);
        outcome.observations.push("pruned");
        outcome.live = null;
        pruned.add(item.id);
        if (prunedEvents.length < MAX_EVENTS_PER_KIND) prunedEvents.push(prunedEvent(fabric, run, item));
      } catch (error) {
        if (!(error instanceof ClusterRejectedError)) throw error;
        outcome.error = error.message;
        errors.push(`${item.id}: ${error.message}`);
        prunesRejected++;
        if (rejectedEvents.length < MAX_EVENTS_PER_KIND) rejectedEvents.push(clusterRejectionEvent(fabric, run, item, error.message));
      }
      handledPrunes.push(item);
    }

    // The records of what this invocation handled; when it finished, of everything else too (except
    // what an earlier invocation handled and recorded).
    const upserts: ResourceRecord[] = [];
    const forgotten: string[] = [];
    const lastSeen = new Map<string, Readonly<Record<string, unknown>> | null>();
    const byState: Record<string, number> = {};
    const handledNow = new Set([...handledApplies, ...handledPrunes].map((i) => i.id));
    const drifts: { id: string; version: string; event: FabricEvent }[] = [];
    for (const item of plan.items) {
      if (handledEarlier.has(item.id)) {
        if (item.record) byState[item.record.state] = (byState[item.record.state] ?? 0) + 1;
        continue;
      }
      if (stopped && !handledNow.has(item.id)) continue;
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
      lastSeen.set(item.id, outcome.live === null ? null : liveView(outcome.live));
    }
    // Valid in Git before, invalid now: neither compared nor applied (their records keep the error).
    const invalid = plan.items.filter((i) => i.source === "git" && i.desired === null && i.record?.inGit === true).length;
    // Announced before the records remember it: a drift whose event could not be sent is tried again next run.
    const announced = (await publishQuietly(deps.events, drifts.map((d) => d.event))) ? new Map(drifts.map((d) => [d.id, d.version])) : new Map<string, string>();
    for (let i = 0; i < upserts.length; i++) {
      const version = announced.get(upserts[i]!.id);
      if (version !== undefined) upserts[i] = { ...upserts[i]!, driftEventVersion: version };
    }
    await publishQuietly(deps.events, [...prunedEvents, ...rejectedEvents]);
    await checkpoint();
    const { written } = await writeRecords(deps.resources, {
      fabric,
      runId: run.runId,
      stage: "reconcile",
      step: run.chain.indexOf("reconcile"),
      at: now.toISOString(),
      stored,
      upserts,
      forgotten,
      pruned,
      live: lastSeen,
      onProgress: (done, total) => progress({ phase: "recording", done, total }),
    });
    const rejected = errors.length;
    const done = {
      applied: earlier.applied + handledApplies.length - appliesRejected,
      rejected: earlier.rejected + rejected,
      pruned: earlier.pruned + handledPrunes.length - prunesRejected,
      recordsWritten: earlier.recordsWritten + written,
      recordsForgotten: earlier.recordsForgotten + forgotten.length,
    };
    const trafficAfter = cluster.traffic();
    const clusterTraffic = { requests: trafficAfter.requests - trafficBefore.requests, throttled: trafficAfter.throttled - trafficBefore.throttled };
    const allRemoved = mergedRemovedFields(resumed?.removedFields, removedFields);
    const detail = { ...summary, ...(Object.keys(allRemoved).length > 0 ? { removedFields: allRemoved } : {}) };
    if (stopped) {
      const lastApply = handledApplies.at(-1);
      const lastPrune = handledPrunes.at(-1);
      const appliesDone = resumed?.appliesDone === true || handledApplies.length === applies.length;
      const next: ReconcileCheckpoint = {
        head: headSha,
        ...(appliesDone ? { appliesDone: true } : lastApply ? { applied: positionOf(lastApply) } : resumed?.applied ? { applied: resumed.applied } : {}),
        ...(lastPrune ? { pruned: positionOf(lastPrune) } : resumed?.pruned ? { pruned: resumed.pruned } : {}),
        done,
        ...(Object.keys(allRemoved).length > 0 ? { removedFields: allRemoved } : {}),
      };
      return {
        counts: { kindsListed: live.size, ...done, remaining: applies.length - handledApplies.length + prunes.length - handledPrunes.length },
        errors,
        detail,
        continueFrom: next as unknown as Record<string, unknown>,
        clusterTraffic,
      };
    }
    return {
      counts: { kindsListed: live.size, ...done, invalid, ...byState },
      errors,
      detail,
      clusterTraffic,
    };
  };
}

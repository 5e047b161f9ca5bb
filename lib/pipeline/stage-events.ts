// The events the stages publish (DESIGN §17), built from what each stage already knows: ingest's plan
// and records (documents rejected, managed files newly invalid), reconcile's plan and outcomes (drift,
// prunes, refusals). Bounded per stage: a run that rejects thousands of documents sends the first
// MAX_EVENTS_PER_KIND and counts the rest in its "Run Finished" event.
import {
  DETAIL_TYPES,
  driftFields,
  eventId,
  eventText,
  rejectionFindings,
  type FabricEvent,
} from "../events/index.js";
import type { Fabric } from "../fabrics/schema.js";
import type { Finding } from "../hedgehog/index.js";
import type { IngestPlan } from "../gitops/ingest-plan.js";
import type { ReconcileItem } from "../cluster/reconcile-plan.js";
import type { StoredResource } from "../store/resources.js";
import type { ResourceRecord, ResourceState } from "./resource-model.js";
import type { Run } from "./run-model.js";

export const MAX_EVENTS_PER_KIND = 100;

const identity = (r: Pick<ResourceRecord, "id" | "apiVersion" | "kind" | "namespace" | "name">) => ({ id: r.id, apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name });

/**
 * "Resource Rejected" for each document of raw/ that this ingest files under raw/errors/ (once: the file
 * leaves raw/ in the same commit), and for each resource whose managed file turned invalid (once per
 * invalid version of the file: the record's error changes).
 */
export function ingestRejectionEvents(
  fabric: Pick<Fabric, "id">,
  run: Pick<Run, "runId">,
  plan: Pick<IngestPlan, "findings" | "sources">,
  upserts: readonly ResourceRecord[],
  stored: ReadonlyMap<string, StoredResource>,
): FabricEvent[] {
  const events: FabricEvent[] = [];
  const rawFiles = new Set(plan.sources.map((s) => s.path));
  const byDocument = new Map<string, Finding[]>();
  for (const f of plan.findings) {
    if (f.severity !== "error" || !rawFiles.has(f.file)) continue;
    const key = `${f.file}\u0000${f.index}`;
    byDocument.set(key, [...(byDocument.get(key) ?? []), f]);
  }
  for (const findings of byDocument.values()) {
    if (events.length >= MAX_EVENTS_PER_KIND) break;
    const first = findings[0]!;
    events.push({
      detailType: DETAIL_TYPES.resourceRejected,
      detail: {
        v: 1,
        eventId: eventId(DETAIL_TYPES.resourceRejected, fabric.id, run.runId, first.file, first.index),
        fabricId: fabric.id,
        runId: run.runId,
        stage: "ingest",
        resource: first.kind || first.name ? { kind: first.kind, name: first.name } : null,
        file: first.file,
        index: first.index,
        reason: eventText(`${first.rule}: ${first.message}`),
        ...rejectionFindings(findings),
      },
    });
  }
  const managed: FabricEvent[] = [];
  for (const record of upserts) {
    if (managed.length >= MAX_EVENTS_PER_KIND) break;
    const before = stored.get(record.id)?.record.error ?? null;
    if (record.error === null || record.error === before || record.gitFilePath === null) continue;
    const findings = plan.findings.filter((f) => f.file === record.gitFilePath && f.severity === "error");
    managed.push({
      detailType: DETAIL_TYPES.resourceRejected,
      detail: {
        v: 1,
        eventId: eventId(DETAIL_TYPES.resourceRejected, fabric.id, record.id, record.gitFilePath, record.error),
        fabricId: fabric.id,
        runId: run.runId,
        stage: "ingest",
        resource: identity(record),
        file: record.gitFilePath,
        index: findings[0]?.index ?? null,
        reason: eventText(record.error),
        ...rejectionFindings(findings),
      },
    });
  }
  return [...events, ...managed];
}

export interface ReconcileOutcomeView {
  readonly state: ResourceState | "forgotten";
  readonly error: string | null;
  readonly pruned: boolean;
}

const resourceVersionOf = (item: ReconcileItem): string | null => {
  const version = (item.live?.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return typeof version === "string" && version !== "" ? version : null;
};

const DRIFT_KNOWN_STATES: ReadonlySet<string> = new Set(["synced", "drifted"]);

/**
 * The drift to announce: the cluster object differs from Git where Git did not change since the two
 * were last compared (the record was synced or drifted), or it is still drifted after this run; once
 * per live resourceVersion. A Git change on its way to the cluster is not drift.
 */
export function driftToAnnounce(item: ReconcileItem, finalState: ResourceState | "forgotten"): string | null {
  if (item.desired === null || item.live === null || item.drift.length === 0) return null;
  if (finalState !== "drifted" && !DRIFT_KNOWN_STATES.has(item.record?.state ?? "")) return null;
  const version = resourceVersionOf(item);
  if (version === null || item.record?.driftEventVersion === version) return null;
  return version;
}

export function driftEvent(fabric: Pick<Fabric, "id" | "sync">, run: Pick<Run, "runId">, item: ReconcileItem, version: string, finalState: ResourceState | "forgotten"): FabricEvent {
  const record = item.record;
  return {
    detailType: DETAIL_TYPES.resourceDrifted,
    detail: {
      v: 1,
      eventId: eventId(DETAIL_TYPES.resourceDrifted, fabric.id, item.id, version),
      fabricId: fabric.id,
      runId: run.runId,
      resource: { id: item.id, apiVersion: record?.apiVersion ?? `${item.kind.group}/${item.kind.storageVersion}`, kind: item.kind.kind, namespace: item.namespace, name: item.name },
      liveResourceVersion: version,
      mode: fabric.sync.mode,
      corrected: finalState !== "drifted",
      ...driftFields(item.drift),
      gitFilePath: record?.gitFilePath ?? null,
      gitCommitSha: record?.gitCommitSha ?? null,
    },
  };
}

export function prunedEvent(fabric: Pick<Fabric, "id">, run: Pick<Run, "runId">, item: ReconcileItem): FabricEvent {
  const uid = (item.live?.metadata as { uid?: unknown } | undefined)?.uid;
  return {
    detailType: DETAIL_TYPES.objectPruned,
    detail: {
      v: 1,
      eventId: eventId(DETAIL_TYPES.objectPruned, fabric.id, item.id, typeof uid === "string" ? uid : run.runId),
      fabricId: fabric.id,
      runId: run.runId,
      resource: { id: item.id, apiVersion: String(item.live?.apiVersion ?? `${item.kind.group}/${item.kind.storageVersion}`), kind: item.kind.kind, namespace: item.namespace, name: item.name },
      gitFilePath: item.record?.gitFilePath ?? null,
    },
  };
}

export function clusterRejectionEvent(fabric: Pick<Fabric, "id">, run: Pick<Run, "runId">, item: ReconcileItem, message: string): FabricEvent {
  return {
    detailType: DETAIL_TYPES.resourceRejected,
    detail: {
      v: 1,
      eventId: eventId(DETAIL_TYPES.resourceRejected, fabric.id, run.runId, item.id),
      fabricId: fabric.id,
      runId: run.runId,
      stage: "reconcile",
      resource: { id: item.id, kind: item.kind.kind, namespace: item.namespace, name: item.name },
      file: item.record?.gitFilePath ?? null,
      index: null,
      reason: eventText(message),
      findings: [],
      findingsTotal: 0,
    },
  };
}

// Reconciliation as a pure plan (DESIGN §5, §8): from the desired set (Git), the records (store) and the
// live objects (one list per kind), what to apply, what to prune, and what each resource was observed
// as. The stage executes the plan and feeds the outcomes to the state table.
import { bundledCatalog, compareApplyOrder, compareDeleteOrder, type Catalog, type KindInfo } from "../hedgehog/index.js";
import type { DesiredResource, UnreadableManagedFile } from "../gitops/ingest-plan.js";
import type { ResourceRecord } from "../pipeline/resource-model.js";
import type { Observation } from "../state/index.js";
import type { LiveObject } from "./client.js";
import { diffResource, type FieldDrift } from "./diff.js";
import { isTrackedBy, isTrackedByName, legacyTrackingId, TRACKING_ANNOTATION, trackingId, trackingIdOf, type TrackingOwner } from "./tracking.js";

export type ReconcileAction = "apply" | "prune" | "none";

export interface ReconcileItem {
  readonly id: string;
  readonly kind: KindInfo;
  readonly namespace: string;
  readonly name: string;
  /** What Git wants applied (with our tracking annotation); absent for objects not in Git. */
  readonly desired: Record<string, unknown> | null;
  readonly live: LiveObject | null;
  readonly record: ResourceRecord | null;
  readonly source: ResourceRecord["source"];
  readonly drift: readonly FieldDrift[];
  /** What was seen before any action, in order. */
  readonly observations: readonly Observation[];
  readonly action: ReconcileAction;
}

export interface ReconcilePlan {
  /** In apply order for applies; prunes follow, in reverse kind order. */
  readonly items: readonly ReconcileItem[];
  readonly applies: readonly ReconcileItem[];
  readonly prunes: readonly ReconcileItem[];
  /** Why prune did nothing although asked for, if it did. */
  readonly pruneSkipped: string | null;
}

export interface ReconcileInput {
  /** The fabric and its registration uid: what the tracking annotation names. */
  readonly fabric: TrackingOwner;
  readonly mode: "observe" | "apply";
  readonly prune: boolean;
  readonly desired: readonly DesiredResource[];
  readonly records: ReadonlyMap<string, ResourceRecord>;
  /** Live objects by Kind. */
  readonly live: ReadonlyMap<string, readonly LiveObject[]>;
  /** The kinds and schemas the cluster serves (default: the bundled catalog). */
  readonly catalog?: Catalog;
  /** Managed files that define nothing valid now (the ingest plan's `unreadable`): nothing of theirs is pruned. */
  readonly unreadable?: readonly UnreadableManagedFile[];
}

function liveId(kind: KindInfo, object: LiveObject): string {
  return `${kind.group}/${kind.kind}/${object.metadata.namespace ?? "default"}/${object.metadata.name}`;
}

/** The Git object as we apply it: our tracking annotation added. */
export function desiredObject(fabric: TrackingOwner, resource: DesiredResource): Record<string, unknown> {
  const object = structuredClone(resource.object) as Record<string, unknown> & { metadata: Record<string, unknown> };
  object.metadata.annotations = {
    ...((object.metadata.annotations as Record<string, string> | undefined) ?? {}),
    [TRACKING_ANNOTATION]: trackingId(fabric, resource.group, resource.kind, resource.namespace, resource.name),
  };
  return object;
}

const TRACKING_DRIFT_PATH = `/metadata/annotations/${TRACKING_ANNOTATION.replace(/~/g, "~0").replace(/\//g, "~1")}`;

/** What prune must know about one object that Git does not define. */
interface PruneCandidate {
  readonly live: LiveObject | null;
  readonly record: ResourceRecord | null;
}

interface PruneContext {
  readonly fabric: TrackingOwner;
  /** Managed files whose resources are held back (unreadable, invalid). */
  readonly heldPaths: ReadonlySet<string>;
}

/**
 * Why a pass prunes nothing at all, first that applies (DESIGN §5, §14): with no valid desired set,
 * or with a managed file whose resources are unknown, "not in Git" cannot be told from "unreadable".
 */
const PASS_PRUNE_GUARDS: readonly ((input: ReconcileInput, validDesired: number) => string | null)[] = [
  (_input, valid) =>
    valid === 0 ? "the desired set is empty (managed/ holds no valid resource): nothing is pruned, to protect the fabric from an emptied or unreadable repository" : null,
  (input) => {
    const unknown = (input.unreadable ?? []).filter((u) => u.ids.length === 0);
    if (unknown.length === 0) return null;
    const more = unknown.length > 1 ? ` (and ${unknown.length - 1} more)` : "";
    return `${unknown[0]!.path}${more} cannot be read as resources and what it defined is unknown: nothing is pruned until it is fixed or removed`;
  },
];

/** An object is pruned only when none of these holds. */
const OBJECT_PRUNE_GUARDS: readonly ((candidate: PruneCandidate, context: PruneContext) => boolean)[] = [
  // Nothing to delete.
  (c) => c.live === null,
  // Not applied by this registration: somebody else's, another fabric's, an earlier registration's, or
  // annotated before registration uids (re-annotated by the next apply while Git holds it).
  (c, ctx) => !isTrackedBy(c.live, ctx.fabric),
  // Its managed file is still there, just unreadable or invalid: the resource was not removed from Git.
  (c, ctx) => c.record?.gitFilePath !== null && c.record?.gitFilePath !== undefined && ctx.heldPaths.has(c.record.gitFilePath),
  // A draft of it waits for Git (DESIGN §15): nothing is done to the object until the draft lands.
  (c) => c.record?.state === "draft",
];

/**
 * Differences on the tracking annotation that are our bookkeeping, not drift to report or correct
 * (first that applies). An object that carries no tracking annotation at all was made by someone else
 * (kubectl, the installer) and may have been adopted into Git as it is (DESIGN §15): it is synced when
 * everything Git says matches, and written only when something does not — the apply then annotates it.
 * Until then prune treats it as not ours, as it always treats untracked objects.
 */
const TRACKING_NOT_DRIFT: readonly ((live: LiveObject, owner: TrackingOwner, resource: DesiredResource, mode: ReconcileInput["mode"]) => boolean)[] = [
  (live) => trackingIdOf(live) === undefined,
  // Annotated before registration uids, by this fabric, for this resource: apply mode re-annotates it
  // (adopting it into this registration); observe mode writes nothing, so it is not shown as drift there.
  (live, owner, resource, mode) => mode === "observe" && trackingIdOf(live) === legacyTrackingId(owner.id, resource.group, resource.kind, resource.namespace, resource.name),
];

export function planReconcile(input: ReconcileInput): ReconcilePlan {
  const { fabric, mode } = input;
  const catalog = input.catalog ?? bundledCatalog;
  const kindByName = new Map(catalog.managedKinds.map((k) => [k.kind, k]));
  const liveById = new Map<string, { kind: KindInfo; object: LiveObject }>();
  for (const [kindName, objects] of input.live) {
    const kind = kindByName.get(kindName);
    if (!kind) continue;
    for (const object of objects) liveById.set(liveId(kind, object), { kind, object });
  }
  const items: ReconcileItem[] = [];
  const handled = new Set<string>();
  const validDesired = input.desired.filter((d) => d.errors.length === 0 && d.object !== null);

  // In Git.
  for (const resource of input.desired) {
    const kind = kindByName.get(resource.kind);
    if (!kind) continue;
    handled.add(resource.id);
    const record = input.records.get(resource.id) ?? null;
    const live = liveById.get(resource.id)?.object ?? null;
    if (resource.errors.length > 0 || resource.object === null) {
      // Invalid in Git: neither compared nor applied; its record keeps the validation error.
      items.push({ id: resource.id, kind, namespace: resource.namespace, name: resource.name, desired: null, live, record, source: "git", drift: record?.drift ?? [], observations: [], action: "none" });
      continue;
    }
    const desired = desiredObject(fabric, resource);
    let drift = live ? diffResource(desired, live, { catalog }) : [];
    if (live !== null && TRACKING_NOT_DRIFT.some((rule) => rule(live, fabric, resource, mode))) drift = drift.filter((d) => d.path !== TRACKING_DRIFT_PATH);
    const observation: Observation = !live ? "cluster-missing" : drift.length === 0 ? "cluster-matches" : "cluster-differs";
    // A draft dominates until it lands (DESIGN §15): Git's content is compared, not applied over the edit in progress.
    const action: ReconcileAction = mode === "apply" && observation !== "cluster-matches" && record?.state !== "draft" ? "apply" : "none";
    items.push({ id: resource.id, kind, namespace: resource.namespace, name: resource.name, desired, live, record, source: "git", drift, observations: [observation], action });
  }

  // Not in Git: removed from Git, or only ever in the cluster.
  const pruneRequested = mode === "apply" && input.prune;
  const pruneSkipped = pruneRequested ? (PASS_PRUNE_GUARDS.map((guard) => guard(input, validDesired.length)).find((reason) => reason !== null) ?? null) : null;
  const context: PruneContext = { fabric, heldPaths: new Set((input.unreadable ?? []).map((u) => u.path)) };
  const candidates = new Map<string, { kind: KindInfo; live: LiveObject | null; record: ResourceRecord | null }>();
  for (const [id, record] of input.records) {
    if (handled.has(id)) continue;
    const kind = kindByName.get(record.kind);
    if (kind) candidates.set(id, { kind, live: liveById.get(id)?.object ?? null, record });
  }
  for (const [id, { kind, object }] of liveById) {
    if (handled.has(id) || candidates.has(id)) continue;
    // Another fabric's object in a shared cluster is not ours to report.
    const tracking = object.metadata.annotations?.[TRACKING_ANNOTATION];
    if (tracking && !isTrackedByName(object, fabric.id)) continue;
    candidates.set(id, { kind, live: object, record: null });
  }
  for (const [id, { kind, live, record }] of candidates) {
    const source = record?.source ?? "cluster";
    const observations: Observation[] = [];
    if (record && record.source === "git" && record.state !== "orphaned") observations.push("removed-from-git");
    if (live) observations.push("cluster-only");
    else observations.push("cluster-missing");
    const prunable = pruneRequested && pruneSkipped === null && !OBJECT_PRUNE_GUARDS.some((guard) => guard({ live, record }, context));
    const [, , namespace = "default", name = ""] = id.split("/");
    items.push({ id, kind, namespace, name, desired: null, live, record, source, drift: [], observations, action: prunable ? "prune" : "none" });
  }

  const ordered = (i: ReconcileItem) => ({ kind: i.kind.kind, metadata: { namespace: i.namespace, name: i.name } });
  const applies = items.filter((i) => i.action === "apply").sort((a, b) => compareApplyOrder(ordered(a), ordered(b)));
  const prunes = items.filter((i) => i.action === "prune").sort((a, b) => compareDeleteOrder(ordered(a), ordered(b)));
  return { items: [...items].sort((a, b) => (a.id < b.id ? -1 : 1)), applies, prunes, pruneSkipped };
}

// Apply mode: make a live object equal to Git. Server-side apply (our field manager, forced) sets
// every field Git sets; it cannot remove a field another manager wrote (`kubectl edit` adding
// `dhcp.enable` to a subnet), so those are removed next, by one JSON patch whose first operation
// tests metadata.resourceVersion.
//
// Why a guarded JSON patch rather than an update (PUT) with a resourceVersion precondition: the patch
// names only the fields it removes. An update sends the whole object back, status and every other
// manager's fields included, so it would also overwrite whatever our copy of those got wrong, and it
// makes us the Update manager of the whole object. Both refuse a stale read; the patch's refusal is a
// 422 without details (kube-transcripts 07-merge-patch step 10), which the client maps to
// ClusterConflictError, and we read again (server-side apply returns the current object) and retry.
import type { Catalog, KindInfo } from "../hedgehog/index.js";
import type { FabricCluster, LiveObject } from "./client.js";
import { diffResource, fieldsToRemove, type FieldDrift } from "./diff.js";
import { ClusterConflictError } from "./errors.js";

/** Reads (a forced apply of an unchanged object writes nothing) and tries again this often on a conflict. */
export const MAX_REMOVE_ATTEMPTS = 3;

export interface EqualizeTarget {
  readonly kind: KindInfo;
  readonly namespace: string;
  readonly name: string;
  /** The Git object as applied (with our tracking annotation). */
  readonly desired: Record<string, unknown>;
  readonly live: LiveObject | null;
  /** The drift of `live`, as planned. */
  readonly drift: readonly FieldDrift[];
}

export interface Equalized {
  readonly live: LiveObject;
  /** What still differs afterwards (a field the fabric puts back, a webhook's rewrite). */
  readonly drift: readonly FieldDrift[];
  /** JSON pointers removed from the live object. */
  readonly removed: readonly string[];
}

export async function makeEqual(cluster: FabricCluster, target: EqualizeTarget, catalog: Catalog): Promise<Equalized> {
  const { kind, namespace, name, desired } = target;
  let live = target.live;
  let drift = target.drift;
  for (let attempt = 1; ; attempt++) {
    // Only extra fields differ: nothing to apply. After a conflict, apply again to read the object as it is now.
    if (live === null || attempt > 1 || drift.some((entry) => entry.absent !== "desired")) {
      live = await cluster.apply(kind, desired);
      drift = diffResource(desired, live, { catalog });
    }
    const remove = fieldsToRemove(drift, live);
    if (remove.length === 0) return { live, drift, removed: [] };
    try {
      live = await cluster.removeFields(kind, namespace, name, (live.metadata as { resourceVersion?: string }).resourceVersion ?? "", remove);
      return { live, drift: diffResource(desired, live, { catalog }), removed: remove };
    } catch (error) {
      if (!(error instanceof ClusterConflictError) || attempt >= MAX_REMOVE_ATTEMPTS) throw error;
    }
  }
}

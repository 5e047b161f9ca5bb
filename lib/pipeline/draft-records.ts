// How a draft moves its resource's record through the state table (DESIGN §5, §15): a draft made is
// `edited-via-api`, a draft withdrawn is `discarded`, a draft found in Git is `ingested` (ingest-stage).
// The record keeps its Git attribution while it is a draft: the draft itself lives in its own item.
import type { ResourceIdentity } from "../hedgehog/index.js";
import { FORGOTTEN, next, UNTRACKED } from "../state/index.js";
import { recordOutsideGit, type ResourceRecord, type ResourceState } from "./resource-model.js";

/** The record once a draft of the resource exists (any state, or none yet → draft). */
export function draftedRecord(previous: ResourceRecord | null, identity: ResourceIdentity): ResourceRecord {
  const state = next(previous?.state ?? UNTRACKED, "edited-via-api") as ResourceState;
  if (previous) return { ...previous, state };
  // Only in the store: the API made it.
  return recordOutsideGit(identity, state, "api");
}

/**
 * The record once its draft is withdrawn: the draft's claim is forgotten (draft → discarded → forgotten).
 * A resource Git holds comes back as Git has it, as any managed file's resource first enters the
 * store (untracked → ingested → committed); the next reconcile compares it with the cluster again.
 * Null: nothing is left to record (a new resource never in Git; a cluster-only object is found again
 * by the next reconcile).
 */
export function discardedRecord(record: ResourceRecord): ResourceRecord | null {
  if (next(record.state, "discarded") !== FORGOTTEN) throw new Error(`discarding ${record.id} left it ${record.state}`);
  if (record.source !== "git" || !record.inGit || record.gitFilePath === null) return null;
  const state = next(UNTRACKED, "ingested") as ResourceState;
  return { ...record, state, drift: [] };
}

// A resource as the store keeps it: identity, sync state, and where it came from (DESIGN §4, §5).
import type { ResourceIdentity } from "../hedgehog/index.js";
import type { ResourceState } from "../state/index.js";

export type { ResourceState };
export type ResourceSource = "git" | "cluster" | "api";

export interface DriftEntry {
  /** JSON pointer, e.g. /spec/subnets/default/vlan */
  readonly path: string;
  /** Git's value; left out when Git does not set the field (absent: "desired"). */
  readonly desired?: unknown;
  /** The cluster's value; left out when the cluster lacks it (absent: "live"). */
  readonly live?: unknown;
  /** Which side lacks the field ("desired": only the cluster has it). JSON null is a value, never absence. */
  readonly absent?: "desired" | "live";
}

export interface ResourceRecord extends ResourceIdentity {
  readonly state: ResourceState;
  readonly source: ResourceSource;
  /** Still defined by a file in managed/; false once the file is gone (kept for the reconcile stage). */
  readonly inGit: boolean;
  readonly gitFilePath: string | null;
  readonly gitBlobSha: string | null;
  readonly gitCommitSha: string | null;
  readonly importedFrom: string | null;
  readonly contentHash: string | null;
  readonly error: string | null;
  readonly warnings: readonly string[];
  readonly drift: readonly DriftEntry[];
  /**
   * The last valid Git version: what reconcile compares the cluster with and applies. Equal to
   * gitCommitSha/gitBlobSha unless the current managed file is invalid (then those name the invalid
   * version and `error` says why). Absent in records written before it existed.
   */
  readonly appliedCommitSha?: string | null;
  readonly appliedBlobSha?: string | null;
  /** Hash of the desired object stored with the record (absent: none stored yet). */
  readonly desiredHash?: string | null;
  /** Hash of the live object stored with the record, as last seen (null: not in the cluster). */
  readonly liveHash?: string | null;
  /**
   * The live resourceVersion whose drift was last announced (a "Resource Drifted" event, DESIGN §17):
   * a drift is announced once per (resource, live resourceVersion), not on every run that sees it.
   */
  readonly driftEventVersion?: string;
}

/**
 * The objects stored with a record, for the resource detail: the desired object (normalized, as Git
 * holds its last valid version) and the live one (as last seen, server fields stripped). A key left
 * out keeps what is stored.
 */
export interface ResourceObjects {
  readonly desired?: Readonly<Record<string, unknown>> | null;
  readonly live?: Readonly<Record<string, unknown>> | null;
}

export function fromGit(record: ResourceRecord): boolean {
  return record.source === "git" && record.gitFilePath !== null;
}

/** A record of a resource Git does not hold (yet): seen in the cluster, or made through the API as a draft. */
export function recordOutsideGit(
  identity: Pick<ResourceRecord, "id" | "group" | "apiVersion" | "kind" | "namespace" | "name">,
  state: ResourceState,
  source: "cluster" | "api",
): ResourceRecord {
  const { id, group, apiVersion, kind, namespace, name } = identity;
  return {
    id,
    group,
    apiVersion,
    kind,
    namespace,
    name,
    state,
    source,
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
}

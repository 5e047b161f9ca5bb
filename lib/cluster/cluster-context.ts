// What a stage needs from a fabric's cluster to judge Git by it: the catalog of the CRDs it serves
// (validation, plurals, kind order) and its objects — the referenced kinds for ingestion, every
// managed kind for reconciliation, which compares them with Git as well. One list per kind.
import { chooseCatalog, REFERENCED_KINDS, type Catalog, type ClusterObjects, type HedgehogSettings, type SchemaReport } from "../hedgehog/index.js";
import type { FabricCluster, LiveObject } from "./client.js";
import { servedCatalog, type ServedCatalogCache } from "./served-crds.js";
import { isTrackedBy, type TrackingOwner } from "./tracking.js";

export interface ClusterContext {
  readonly catalog: Catalog;
  /** For the run's record: which schemas judged it. */
  readonly schemas: SchemaReport;
  /** The live objects listed, by Kind. */
  readonly live: ReadonlyMap<string, readonly LiveObject[]>;
  /**
   * For the SET rules: the listed objects except those this fabric applied — Git decides about
   * those (its own copy, or it is retiring them).
   */
  readonly objects: ClusterObjects;
}

export interface ClusterContextOptions {
  /** This registration: the objects it applied are Git's, not the cluster's own. */
  readonly owner: TrackingOwner;
  readonly namespace: string;
  readonly settings: HedgehogSettings;
  readonly cache: ServedCatalogCache;
  /** "referenced": the kinds SET rules look up (ingest); "all": every managed kind (reconcile). */
  readonly kinds: "referenced" | "all";
}

export async function readClusterContext(cluster: FabricCluster, options: ClusterContextOptions): Promise<ClusterContext> {
  const served = await servedCatalog(cluster, options.cache);
  const { catalog, schemas } = chooseCatalog(options.settings, served);
  const kinds = catalog.managedKinds.filter((kind) => options.kinds === "all" || REFERENCED_KINDS.includes(kind.kind));
  const live = new Map<string, LiveObject[]>();
  for (const kind of kinds) live.set(kind.kind, await cluster.list(kind, options.namespace));
  const objects = [...live.values()].flat().filter((object) => !isTrackedBy(object, options.owner));
  return { catalog, schemas, live, objects: { objects } };
}

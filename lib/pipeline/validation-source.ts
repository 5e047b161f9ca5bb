// What judges a fabric's documents in a stage: with a cluster, the CRDs it serves and its objects
// (read through lib/cluster); without one, the bundled release `hedgehog.release` pins, or the
// default. Both stages use this, so that ingest and reconcile always judge a resource alike.
import type { FabricCluster, LiveObject } from "../cluster/client.js";
import { readClusterContext } from "../cluster/cluster-context.js";
import type { ServedCatalogCache } from "../cluster/served-crds.js";
import type { Fabric } from "../fabrics/schema.js";
import { chooseCatalog, type Catalog, type ClusterObjects, type SchemaReport } from "../hedgehog/index.js";

export interface ValidationSource {
  readonly catalog: Catalog;
  /** The cluster's objects for the SET rules; absent without a cluster. */
  readonly cluster?: ClusterObjects;
  /** Recorded in the stage's detail. */
  readonly schemas: SchemaReport;
}

export interface ClusterValidationSource extends ValidationSource {
  readonly cluster: ClusterObjects;
  readonly connection: FabricCluster;
  /** Every object listed, by Kind. */
  readonly live: ReadonlyMap<string, readonly LiveObject[]>;
}

/** The namespace the fabric's objects live in. */
export function clusterNamespace(fabric: Fabric): string {
  return fabric.cluster && "namespace" in fabric.cluster ? fabric.cluster.namespace : "default";
}

/** Without a cluster: the pinned or default bundled catalog. */
export function offlineValidation(fabric: Fabric): ValidationSource {
  return chooseCatalog(fabric.hedgehog);
}

export interface ClusterValidationDeps {
  clusterFor(fabric: Fabric): Promise<FabricCluster>;
  readonly servedCatalogs: ServedCatalogCache;
}

/** With a cluster: its served CRDs and its objects ("referenced" kinds for ingest, "all" for reconcile). */
export async function clusterValidation(deps: ClusterValidationDeps, fabric: Fabric, kinds: "referenced" | "all"): Promise<ClusterValidationSource> {
  const connection = await deps.clusterFor(fabric);
  const context = await readClusterContext(connection, {
    owner: fabric,
    namespace: clusterNamespace(fabric),
    settings: fabric.hedgehog,
    cache: deps.servedCatalogs,
    kinds,
  });
  return { catalog: context.catalog, cluster: context.objects, schemas: context.schemas, connection, live: context.live };
}

/** The cluster's judgement when the fabric has a cluster and the worker can reach clusters; else the offline one. */
export async function stageValidation(deps: Partial<ClusterValidationDeps>, fabric: Fabric, kinds: "referenced" | "all"): Promise<ValidationSource> {
  if (!fabric.cluster) return offlineValidation(fabric);
  if (deps.clusterFor && deps.servedCatalogs) return clusterValidation({ clusterFor: deps.clusterFor, servedCatalogs: deps.servedCatalogs }, fabric, kinds);
  const offline = offlineValidation(fabric);
  return { ...offline, schemas: { ...offline.schemas, note: "this worker cannot reach clusters: judged by the bundled CRDs" } };
}

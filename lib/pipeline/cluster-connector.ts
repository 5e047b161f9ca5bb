// The fabric's cluster for the stage workers (ingest reads the served CRDs and objects to validate by
// them, reconcile also writes): the Kubernetes client is the heaviest dependency, and no API function
// needs it.
import { connectCluster, type FabricCluster } from "../cluster/client.js";
import { ServedCatalogCache } from "../cluster/served-crds.js";
import type { Fabric } from "../fabrics/schema.js";
import { memo, workerRuntime, type Connectors } from "./connectors.js";
import type { Runtime } from "./runtime.js";

export interface ClusterConnector {
  clusterFor(fabric: Fabric): Promise<FabricCluster>;
  /** Catalogs of served CRDs, kept while the container is warm. */
  readonly servedCatalogs: ServedCatalogCache;
}

let cached: { base: Runtime & Connectors; connector: ClusterConnector } | undefined;

/** The worker runtime plus cluster access, one client per cluster setting while the container is warm. */
export function reconcileRuntime(): Runtime & Connectors & ClusterConnector {
  const base = workerRuntime();
  if (cached?.base.settings !== base.settings) {
    const { settings, secrets, trust } = base;
    const cluster = memo((key) => {
      const [fabricId, clusterSettings] = JSON.parse(key) as [string, NonNullable<Fabric["cluster"]>];
      return connectCluster(clusterSettings, {
        secrets: secrets.forFabric(fabricId),
        hosts: trust.hosts,
        ...(settings.simulatedKubeconfig ? { simulatedKubeconfig: settings.simulatedKubeconfig } : {}),
      });
    });
    cached = {
      base,
      connector: {
        // Keyed by fabric too: a kubeconfig reference is only valid with its own fabric's secrets.
        clusterFor: (fabric) => (fabric.cluster ? cluster(JSON.stringify([fabric.id, fabric.cluster])) : Promise.reject(new Error(`fabric ${fabric.id} has no cluster`))),
        servedCatalogs: new ServedCatalogCache(),
      },
    };
  }
  return { ...base, ...cached.connector };
}

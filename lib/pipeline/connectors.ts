// Git, cluster and secrets for the stage workers: one Git provider and one cluster client per fabric
// setting, kept while the container is warm (ETags, blob caches and connections pay off).
import type { FabricCluster } from "../cluster/client.js";
import type { Settings } from "../config/settings.js";
import type { Fabric } from "../fabrics/schema.js";
import { createGitProvider, GitReadCache } from "../git/index.js";
import type { GitProvider } from "../git/provider.js";
import { createSecretResolver } from "../secrets/index.js";
import { runtime, type Runtime } from "./runtime.js";

export interface Connectors {
  gitFor(fabric: Fabric): Promise<GitProvider>;
  clusterFor(fabric: Fabric): Promise<FabricCluster>;
}

/** A cache whose failed entries are dropped, so that the next run tries again (a secret created later). */
function memo<T>(create: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const entries = new Map<string, Promise<T>>();
  return (key) => {
    let entry = entries.get(key);
    if (!entry) {
      entry = create(key);
      entry.catch(() => entries.delete(key));
      entries.set(key, entry);
    }
    return entry;
  };
}

function build(settings: Settings): Connectors {
  const secrets = createSecretResolver({
    region: settings.region,
    ...(settings.endpoints.secretsManager ? { secretsManagerEndpoint: settings.endpoints.secretsManager } : {}),
  });
  const gitCache = new GitReadCache();
  const git = memo((key) =>
    createGitProvider(JSON.parse(key) as Fabric["git"], { secrets, cache: gitCache, ...(settings.githubSpaceWrites ? {} : { github: { spaceWrites: false } }) }),
  );
  // Loaded on first use: the Kubernetes client is the heaviest import, and only reconcile needs it.
  const cluster = memo(async (key) =>
    (await import("../cluster/client.js")).connectCluster(JSON.parse(key) as NonNullable<Fabric["cluster"]>, { secrets, ...(settings.simulatedKubeconfig ? { simulatedKubeconfig: settings.simulatedKubeconfig } : {}) }),
  );
  return {
    gitFor: (fabric) => git(JSON.stringify(fabric.git)),
    clusterFor: (fabric) => {
      if (!fabric.cluster) return Promise.reject(new Error(`fabric ${fabric.id} has no cluster`));
      return cluster(JSON.stringify(fabric.cluster));
    },
  };
}

let cached: { settings: Settings; connectors: Connectors } | undefined;

/** The runtime plus Git and cluster access. */
export function workerRuntime(): Runtime & Connectors {
  const rt = runtime();
  if (cached?.settings !== rt.settings) cached = { settings: rt.settings, connectors: build(rt.settings) };
  return { ...rt, ...cached.connectors };
}

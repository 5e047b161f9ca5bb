// The composition root of a Lambda (or of the local stack's in-process handlers): settings → the
// repositories, queue and services every handler needs. Built once per warm container.
import { randomBytes } from "node:crypto";
import { currentSettings, type Settings } from "../config/settings.js";
import { connectCluster, type FabricCluster } from "../cluster/client.js";
import type { Fabric } from "../fabrics/schema.js";
import { createGitProvider, GitReadCache } from "../git/index.js";
import type { GitProvider } from "../git/provider.js";
import { createSecretResolver } from "../secrets/index.js";
import { FabricRepository } from "../store/fabrics.js";
import { documentClient } from "../store/client.js";
import { ResourceRepository } from "../store/resources.js";
import { RunRepository } from "../store/runs.js";
import { SqsStageQueue, type StageQueue } from "./queue.js";
import { RunService } from "./runs.js";

export interface Runtime {
  readonly settings: Settings;
  readonly fabrics: FabricRepository;
  readonly runs: RunRepository;
  readonly resources: ResourceRepository;
  readonly queue: StageQueue;
  readonly runService: RunService;
  /** One provider per fabric git block, kept while the container is warm: ETags and blob caches pay off. */
  gitFor(fabric: Fabric): Promise<GitProvider>;
  /** The fabric's cluster client, kept like the Git providers. */
  clusterFor(fabric: Fabric): Promise<FabricCluster>;
}

let cached: Runtime | undefined;

export function runtime(): Runtime {
  const settings = currentSettings();
  if (cached?.settings === settings) return cached;
  const db = documentClient(settings);
  const fabrics = new FabricRepository(db, settings.tableName);
  const runs = new RunRepository(db, settings.tableName);
  const queue = new SqsStageQueue(settings);
  const secrets = createSecretResolver({
    region: settings.region,
    ...(settings.endpoints.secretsManager ? { secretsManagerEndpoint: settings.endpoints.secretsManager } : {}),
  });
  const gitCache = new GitReadCache();
  const providers = new Map<string, Promise<GitProvider>>();
  const gitFor = (fabric: Fabric) => {
    const key = JSON.stringify(fabric.git);
    let provider = providers.get(key);
    if (!provider) {
      provider = createGitProvider(fabric.git, { secrets, cache: gitCache, ...(settings.githubSpaceWrites ? {} : { github: { spaceWrites: false } }) });
      // A failure (a missing secret) must not stick: the next run tries again.
      provider.catch(() => providers.delete(key));
      providers.set(key, provider);
    }
    return provider;
  };
  const clusters = new Map<string, Promise<FabricCluster>>();
  const clusterFor = (fabric: Fabric) => {
    if (!fabric.cluster) throw new Error(`fabric ${fabric.id} has no cluster`);
    const key = JSON.stringify(fabric.cluster);
    let cluster = clusters.get(key);
    if (!cluster) {
      cluster = connectCluster(fabric.cluster, { secrets, ...(settings.simulatedKubeconfig ? { simulatedKubeconfig: settings.simulatedKubeconfig } : {}) });
      cluster.catch(() => clusters.delete(key));
      clusters.set(key, cluster);
    }
    return cluster;
  };
  cached = {
    gitFor,
    clusterFor,
    settings,
    fabrics,
    runs,
    resources: new ResourceRepository(db, settings.tableName),
    queue,
    runService: new RunService({ fabrics, runs, queue, random: () => randomBytes(3).toString("hex") }),
  };
  return cached;
}

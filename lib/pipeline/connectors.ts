// Git and secrets for the stage workers (and, in cluster-connector.ts, the cluster for reconcile): one
// Git provider per fabric and git block, kept while the container is warm (ETags and blob caches pay
// off). Every fabric gets its own secret resolver (SecretStore.forFabric): its references are checked
// against this deployment's policy before anything is read.
import type { Settings } from "../config/settings.js";
import { trustPolicy, type TrustPolicy } from "../config/trust.js";
import type { Fabric } from "../fabrics/schema.js";
import { createGitProvider, createHostFeedback, GitReadCache, type HostFeedback } from "../git/index.js";
import type { GitProvider } from "../git/provider.js";
import { createSecretStore, type SecretStore } from "../secrets/index.js";
import { runtime, type Runtime } from "./runtime.js";

export interface Connectors {
  readonly secrets: SecretStore;
  readonly trust: TrustPolicy;
  gitFor(fabric: Fabric): Promise<GitProvider>;
  /** Where the fabric's runs publish results, and its pull requests (DESIGN §17). */
  hostFor(fabric: Fabric): Promise<HostFeedback>;
}

/** A cache whose failed entries are dropped, so that the next run tries again (a secret created later). */
export function memo<T>(create: (key: string) => Promise<T>): (key: string) => Promise<T> {
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
  const trust = trustPolicy(settings);
  const secrets = createSecretStore({
    policy: trust.secrets,
    region: settings.region,
    ...(settings.endpoints.secretsManager ? { secretsManagerEndpoint: settings.endpoints.secretsManager } : {}),
  });
  const gitCache = new GitReadCache();
  const git = memo((key) => {
    const [fabricId, settingsOfGit] = JSON.parse(key) as [string, Fabric["git"]];
    return createGitProvider(settingsOfGit, {
      secrets: secrets.forFabric(fabricId),
      hosts: trust.hosts,
      repoRoot: trust.repoRoot,
      cache: gitCache,
      // A simulated GitHub without GitHub's limits (tests, the local stack): no spacing and no pacing budget.
      ...(settings.githubSpaceWrites ? {} : { github: { spaceWrites: false, writesPerMinute: Infinity, writesPerHour: Infinity } }),
    });
  });
  const host = memo((key) => {
    const [fabricId, settingsOfGit] = JSON.parse(key) as [string, Fabric["git"]];
    return createHostFeedback(settingsOfGit, {
      secrets: secrets.forFabric(fabricId),
      hosts: trust.hosts,
      ...(settings.githubSpaceWrites ? {} : { github: { spaceWrites: false, writesPerMinute: Infinity, writesPerHour: Infinity } }),
    });
  });
  // Keyed by fabric too: a git block is only valid with its own fabric's secrets.
  return {
    secrets,
    trust,
    gitFor: (fabric) => git(JSON.stringify([fabric.id, fabric.git])),
    hostFor: (fabric) => host(JSON.stringify([fabric.id, fabric.git])),
  };
}

let cached: { settings: Settings; connectors: Connectors } | undefined;

/** The runtime plus Git access. */
export function workerRuntime(): Runtime & Connectors {
  const rt = runtime();
  if (cached?.settings !== rt.settings) cached = { settings: rt.settings, connectors: build(rt.settings) };
  return { ...rt, ...cached.connectors };
}

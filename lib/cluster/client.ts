// The fabric's Kubernetes API through @kubernetes/client-node: list per kind, server-side apply, delete.
// Only this module knows the client.
import { existsSync } from "node:fs";
import { ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { RetryableError, TerminalError } from "../errors.js";
import type { KindInfo } from "../hedgehog/index.js";
import type { ClusterSettings } from "../fabrics/schema.js";
import type { SecretResolver } from "../secrets/index.js";
import { ClusterAuthenticationError, ClusterConfigError, ClusterRejectedError, ClusterUnavailableError, ClusterUnreachableError } from "./errors.js";
import { FIELD_MANAGER } from "./tracking.js";

export type LiveObject = Record<string, unknown> & { metadata: { name: string; namespace?: string; annotations?: Record<string, string> } };

export interface FabricCluster {
  /** Every object of a kind in the namespace, following `continue` pages. */
  list(kind: KindInfo, namespace: string): Promise<LiveObject[]>;
  /** Server-side apply with our field manager (force: Git is the source of truth); returns the live object. */
  apply(kind: KindInfo, object: Record<string, unknown>, options?: { dryRun?: boolean }): Promise<LiveObject>;
  delete(kind: KindInfo, namespace: string, name: string): Promise<void>;
}

// A fabric holds thousands of objects at most: one page per kind keeps a pass at one request per kind,
// and `continue` is still followed should a server cap the page lower.
const PAGE_SIZE = 10_000;

function detail(error: ApiException<unknown>): string {
  const body = error.body;
  try {
    const parsed = typeof body === "string" ? (JSON.parse(body) as { message?: string }) : (body as { message?: string });
    if (parsed?.message) return parsed.message;
  } catch {
    // not JSON
  }
  return typeof body === "string" && body ? body.slice(0, 500) : error.message;
}

/** Socket errors that mean "nothing is there", not "busy": refused connections and names that do not resolve. */
const UNREACHABLE: Readonly<Record<string, string>> = { ECONNREFUSED: "connection refused", ENOTFOUND: "the name does not resolve" };

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code in UNREACHABLE) return code;
  }
  return undefined;
}

/** Maps a client failure to our two families. `server`: the cluster's URL, named when it cannot be reached. */
export function classify(error: unknown, what: string, server?: string): Error {
  const unreachable = errorCode(error);
  if (unreachable) return new ClusterUnreachableError(`${what}: the cluster at ${server ?? "(unknown server)"} cannot be reached: ${UNREACHABLE[unreachable]} (${unreachable})`, { cause: error });
  if (error instanceof ApiException) {
    const code = error.code;
    const message = `${what}: ${code} ${detail(error)}`;
    if (code === 401) return new ClusterAuthenticationError(message);
    // The real API server answers 500 to an apply whose body does not fit the schema (transcript 10):
    // retrying cannot help.
    if (code === 500 && /failed to create typed patch object/.test(detail(error))) return new ClusterRejectedError(message, code);
    if (code === 429 || code >= 500) return new ClusterUnavailableError(message, { cause: error });
    if (code === 409) return new ClusterUnavailableError(message, { cause: error });
    return new ClusterRejectedError(message, code);
  }
  return new ClusterUnavailableError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

class KubeCluster implements FabricCluster {
  private readonly api: CustomObjectsApi;
  private readonly server: string | undefined;

  constructor(config: KubeConfig) {
    this.api = config.makeApiClient(CustomObjectsApi);
    this.server = config.getCurrentCluster()?.server;
  }

  async list(kind: KindInfo, namespace: string): Promise<LiveObject[]> {
    const items: LiveObject[] = [];
    let token: string | undefined;
    do {
      try {
        const page = (await this.api.listNamespacedCustomObject({
          group: kind.group,
          version: kind.storageVersion,
          plural: kind.plural,
          namespace,
          limit: PAGE_SIZE,
          ...(token ? { _continue: token } : {}),
        })) as { items: LiveObject[]; metadata?: { _continue?: string; continue?: string } };
        items.push(...page.items);
        token = page.metadata?.continue ?? page.metadata?._continue ?? undefined;
      } catch (error) {
        throw classify(error, `list ${kind.plural}`, this.server);
      }
    } while (token);
    return items;
  }

  async apply(kind: KindInfo, object: Record<string, unknown>, options: { dryRun?: boolean } = {}): Promise<LiveObject> {
    const meta = object.metadata as { name: string; namespace?: string };
    try {
      return (await this.api.patchNamespacedCustomObject(
        {
          group: kind.group,
          version: kind.storageVersion,
          plural: kind.plural,
          namespace: meta.namespace ?? "default",
          name: meta.name,
          body: object,
          fieldManager: FIELD_MANAGER,
          force: true,
          ...(options.dryRun ? { dryRun: "All" } : {}),
        },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      )) as LiveObject;
    } catch (error) {
      throw classify(error, `apply ${kind.kind} ${meta.name}`, this.server);
    }
  }

  async delete(kind: KindInfo, namespace: string, name: string): Promise<void> {
    try {
      await this.api.deleteNamespacedCustomObject({ group: kind.group, version: kind.storageVersion, plural: kind.plural, namespace, name });
    } catch (error) {
      // Already gone is what we wanted.
      if (error instanceof ApiException && error.code === 404) return;
      throw classify(error, `delete ${kind.kind} ${name}`, this.server);
    }
  }
}

export interface ClusterDeps {
  readonly secrets: SecretResolver;
  /** Path of the local stack's simulated cluster kubeconfig, when it runs one. */
  readonly simulatedKubeconfig?: string;
}

/** A kubeconfig reference is a secret reference (env:, file:, aws-sm:) or, locally, a file path. */
export async function connectCluster(settings: ClusterSettings, deps: ClusterDeps): Promise<FabricCluster> {
  const config = new KubeConfig();
  try {
    if ("simulated" in settings) {
      if (!deps.simulatedKubeconfig) throw new ClusterConfigError("this deployment has no simulated cluster; give the fabric a kubeconfig");
      config.loadFromFile(deps.simulatedKubeconfig);
    } else if (/^(env|file|aws-sm):/.test(settings.kubeconfig)) {
      config.loadFromString(await deps.secrets.resolve(settings.kubeconfig));
    } else {
      if (!existsSync(settings.kubeconfig)) throw new ClusterConfigError(`kubeconfig file ${settings.kubeconfig} does not exist`);
      config.loadFromFile(settings.kubeconfig);
    }
  } catch (error) {
    // Our own errors (a missing secret, an unavailable Secrets Manager) keep their class.
    if (error instanceof TerminalError || error instanceof RetryableError) throw error;
    throw new ClusterConfigError(`the kubeconfig cannot be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!config.getCurrentCluster()) throw new ClusterConfigError("the kubeconfig has no current cluster");
  return new KubeCluster(config);
}

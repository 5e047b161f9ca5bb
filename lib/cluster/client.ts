// The fabric's Kubernetes API through @kubernetes/client-node: list per kind, server-side apply, delete.
// Only this module knows the client.
import { readFile } from "node:fs/promises";
import { ApiException, PatchStrategy, setHeaderOptions, type CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { KindInfo } from "../hedgehog/index.js";
import type { ClusterSettings } from "../fabrics/schema.js";
import type { HostPolicy } from "../net/hosts.js";
import type { SecretResolver } from "../secrets/index.js";
import { ClusterAuthenticationError, ClusterConfigError, ClusterConflictError, ClusterRejectedError, ClusterUnavailableError, ClusterUnreachableError } from "./errors.js";
import { customObjectsApi } from "./http-library.js";
import { loadKubeconfig } from "./kubeconfig.js";
import { FIELD_MANAGER } from "./tracking.js";

export type LiveObject = Record<string, unknown> & { metadata: { name: string; namespace?: string; annotations?: Record<string, string> } };

export interface FabricCluster {
  /** Every object of a kind in the namespace, following `continue` pages. */
  list(kind: KindInfo, namespace: string): Promise<LiveObject[]>;
  /** Server-side apply with our field manager (force: Git is the source of truth); returns the live object. */
  apply(kind: KindInfo, object: Record<string, unknown>, options?: { dryRun?: boolean }): Promise<LiveObject>;
  delete(kind: KindInfo, namespace: string, name: string): Promise<void>;
  /** Name and resourceVersion of every CRD the cluster serves (a metadata-only list: a few bytes each). */
  crdVersions(): Promise<ServedCrdVersion[]>;
  /** Every CRD the cluster serves, as plain JSON (apiextensions.k8s.io/v1). */
  crds(): Promise<Record<string, unknown>[]>;
  /**
   * Removes fields (JSON pointers) from a live object with one JSON patch whose first operation tests
   * metadata.resourceVersion: applied only to the object as it was read. A changed object is a
   * ClusterConflictError. Returns the live object after the patch.
   */
  removeFields(kind: KindInfo, namespace: string, name: string, resourceVersion: string, paths: readonly string[]): Promise<LiveObject>;
}

export interface ServedCrdVersion {
  readonly name: string;
  readonly resourceVersion: string;
}

const CRDS = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions" } as const;
/** client-go's metadata client asks for this: each CRD's metadata, without its (large) schema. */
const METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
/**
 * kube-apiserver answers a JSON patch that cannot apply (a failed `test`, a `remove` of a missing
 * path) with 422 and this generic message, without details (kube-transcripts 07-merge-patch step 10).
 */
const PATCH_NOT_APPLICABLE = "the server rejected our request due to an error in our request";

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

function isPatchNotApplicable(error: unknown): boolean {
  if (!(error instanceof ApiException) || error.code !== 422) return false;
  try {
    const body = (typeof error.body === "string" ? JSON.parse(error.body) : error.body) as { message?: string; details?: { causes?: unknown[] } };
    return body?.message === PATCH_NOT_APPLICABLE && !(body.details?.causes && body.details.causes.length > 0);
  } catch {
    return false;
  }
}

class KubeCluster implements FabricCluster {
  private readonly api: CustomObjectsApi;
  private readonly server: string | undefined;

  constructor(config: KubeConfig, hosts: HostPolicy) {
    this.api = customObjectsApi(config, hosts);
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

  private async listCrds<T>(accept?: string): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      try {
        const page = (await this.api.listClusterCustomObject(
          { ...CRDS, limit: 500, ...(token ? { _continue: token } : {}) },
          accept ? setHeaderOptions("Accept", accept) : undefined,
        )) as { items: T[]; metadata?: { continue?: string } };
        items.push(...page.items);
        token = page.metadata?.continue || undefined;
      } catch (error) {
        throw classify(error, "list customresourcedefinitions", this.server);
      }
    } while (token);
    return items;
  }

  async crdVersions(): Promise<ServedCrdVersion[]> {
    const items = await this.listCrds<{ metadata?: { name?: string; resourceVersion?: string } }>(METADATA_ONLY);
    return items.map((item) => ({ name: item.metadata?.name ?? "", resourceVersion: item.metadata?.resourceVersion ?? "" }));
  }

  async crds(): Promise<Record<string, unknown>[]> {
    // Items of a built-in type's list carry no apiVersion/kind: put them back.
    return (await this.listCrds<Record<string, unknown>>()).map((crd) => ({ ...crd, apiVersion: `${CRDS.group}/${CRDS.version}`, kind: "CustomResourceDefinition" }));
  }

  async removeFields(kind: KindInfo, namespace: string, name: string, resourceVersion: string, paths: readonly string[]): Promise<LiveObject> {
    const body = [{ op: "test", path: "/metadata/resourceVersion", value: resourceVersion }, ...paths.map((path) => ({ op: "remove", path }))];
    try {
      return (await this.api.patchNamespacedCustomObject(
        { group: kind.group, version: kind.storageVersion, plural: kind.plural, namespace, name, body, fieldManager: FIELD_MANAGER },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      )) as LiveObject;
    } catch (error) {
      if (isPatchNotApplicable(error)) throw new ClusterConflictError(`remove fields of ${kind.kind} ${name}: it changed since resourceVersion ${resourceVersion}`, { cause: error });
      throw classify(error, `remove fields of ${kind.kind} ${name}`, this.server);
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
  /** The fabric's own secrets (SecretStore.forFabric). */
  readonly secrets: SecretResolver;
  /** Hosts the kubeconfig's server may be on; every request is checked again. */
  readonly hosts: HostPolicy;
  /** Path of the local stack's simulated cluster kubeconfig, when it runs one (the operator's file, not a fabric's). */
  readonly simulatedKubeconfig?: string;
}

/** The kubeconfig is a secret reference (DESIGN §14), never a path; the simulated cluster's is the operator's file. */
export async function connectCluster(settings: ClusterSettings, deps: ClusterDeps): Promise<FabricCluster> {
  let config: KubeConfig;
  if ("simulated" in settings) {
    if (!deps.simulatedKubeconfig) throw new ClusterConfigError("this deployment has no simulated cluster; give the fabric a kubeconfig");
    let text: string;
    try {
      text = await readFile(deps.simulatedKubeconfig, "utf8");
    } catch {
      throw new ClusterConfigError("the simulated cluster's kubeconfig cannot be read (HH_GITOPS_SIMULATED_KUBECONFIG)");
    }
    config = loadKubeconfig(text, "the simulated cluster", deps.hosts);
  } else {
    config = loadKubeconfig(await deps.secrets.resolve(settings.kubeconfig), "cluster.kubeconfig", deps.hosts);
  }
  return new KubeCluster(config, deps.hosts);
}

// The fabric's Kubernetes API: list per kind, server-side apply, guarded JSON patch, delete, the served
// CRDs — over our own small REST transport (kube-http.ts, which says why). Only lib/cluster talks to a cluster.
import { readFile } from "node:fs/promises";
import type { KindInfo } from "../hedgehog/index.js";
import type { ClusterSettings } from "../fabrics/schema.js";
import type { HostPolicy } from "../net/hosts.js";
import type { SecretResolver } from "../secrets/index.js";
import { ClusterAuthenticationError, ClusterConfigError, ClusterConflictError, ClusterRejectedError, ClusterUnavailableError, ClusterUnreachableError } from "./errors.js";
import { KubeHttp, KubeHttpError, type ClusterEndpoint, type KubeHttpOptions, type KubeRequest, type KubeTraffic } from "./kube-http.js";
import { loadKubeconfig } from "./kubeconfig.js";
import { DEFAULT_CLUSTER_RATE_LIMIT, type RateLimitSettings } from "./rate-limit.js";
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
  /** Requests sent, 429s met and time waited on this connection so far. */
  traffic(): KubeTraffic;
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

/** The Status message of an error answer, or the start of its text. */
function detail(error: KubeHttpError): string {
  try {
    const parsed = JSON.parse(error.body) as { message?: string };
    if (parsed?.message) return parsed.message;
  } catch {
    // not JSON
  }
  return error.body ? error.body.slice(0, 500) : error.message;
}

/** Socket errors that mean "nothing is there", not "busy": refused connections and names that do not resolve. */
const UNREACHABLE: Readonly<Record<string, string>> = { ECONNREFUSED: "connection refused", ENOTFOUND: "the name does not resolve" };

export { KubeHttpError };

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
  if (error instanceof KubeHttpError) {
    const code = error.status;
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
  if (!(error instanceof KubeHttpError) || error.status !== 422) return false;
  try {
    const body = JSON.parse(error.body) as { message?: string; details?: { causes?: unknown[] } };
    return body?.message === PATCH_NOT_APPLICABLE && !(body.details?.causes && body.details.causes.length > 0);
  } catch {
    return false;
  }
}

const enc = encodeURIComponent;

/** /apis/<group>/<version>/namespaces/<ns>/<plural>[/<name>] */
function objectPath(kind: KindInfo, namespace: string, name?: string): string {
  return `/apis/${enc(kind.group)}/${enc(kind.storageVersion)}/namespaces/${enc(namespace)}/${enc(kind.plural)}${name === undefined ? "" : `/${enc(name)}`}`;
}

const CONTENT_TYPES = { apply: "application/apply-patch+yaml", jsonPatch: "application/json-patch+json" } as const;

interface ListPage<T> {
  readonly items?: T[];
  readonly metadata?: { readonly continue?: string };
}

class KubeCluster implements FabricCluster {
  constructor(private readonly http: KubeHttp) {}

  private get server(): string {
    return this.http.endpoint.server;
  }

  traffic(): KubeTraffic {
    return this.http.traffic();
  }

  private async json<T>(request: KubeRequest): Promise<T> {
    try {
      const answer = await this.http.send(request);
      return JSON.parse(answer.body) as T;
    } catch (error) {
      throw classify(error, request.what, this.server);
    }
  }

  /** Every page of a list (limit/continue). */
  private async pages<T>(request: Omit<KubeRequest, "query">, limit: number): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.json<ListPage<T>>({ ...request, query: { limit, ...(token ? { continue: token } : {}) } });
      items.push(...(page.items ?? []));
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  list(kind: KindInfo, namespace: string): Promise<LiveObject[]> {
    return this.pages<LiveObject>({ method: "GET", path: objectPath(kind, namespace), what: `list ${kind.plural}` }, PAGE_SIZE);
  }

  apply(kind: KindInfo, object: Record<string, unknown>, options: { dryRun?: boolean } = {}): Promise<LiveObject> {
    const meta = object.metadata as { name: string; namespace?: string };
    return this.json<LiveObject>({
      method: "PATCH",
      path: objectPath(kind, meta.namespace ?? "default", meta.name),
      query: { fieldManager: FIELD_MANAGER, force: true, ...(options.dryRun ? { dryRun: "All" } : {}) },
      // Server-side apply takes YAML, and JSON is YAML.
      contentType: CONTENT_TYPES.apply,
      body: object,
      what: `apply ${kind.kind} ${meta.name}`,
    });
  }

  private listCrds<T>(accept?: string): Promise<T[]> {
    return this.pages<T>({ method: "GET", path: `/apis/${CRDS.group}/${CRDS.version}/${CRDS.plural}`, ...(accept ? { accept } : {}), what: "list customresourcedefinitions" }, 500);
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
    const what = `remove fields of ${kind.kind} ${name}`;
    try {
      const answer = await this.http.send({ method: "PATCH", path: objectPath(kind, namespace, name), query: { fieldManager: FIELD_MANAGER }, contentType: CONTENT_TYPES.jsonPatch, body, what });
      return JSON.parse(answer.body) as LiveObject;
    } catch (error) {
      if (isPatchNotApplicable(error)) throw new ClusterConflictError(`${what}: it changed since resourceVersion ${resourceVersion}`, { cause: error });
      throw classify(error, what, this.server);
    }
  }

  async delete(kind: KindInfo, namespace: string, name: string): Promise<void> {
    const what = `delete ${kind.kind} ${name}`;
    try {
      await this.http.send({ method: "DELETE", path: objectPath(kind, namespace, name), what });
    } catch (error) {
      // Already gone is what we wanted.
      if (error instanceof KubeHttpError && error.status === 404) return;
      throw classify(error, what, this.server);
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
  /** Transport tuning (tests: a fake clock, short waits). */
  readonly http?: Omit<KubeHttpOptions, "rateLimit">;
}

/** The fabric's rate limit for its cluster (cluster.rateLimit), or the default. */
export function rateLimitOf(settings: ClusterSettings): RateLimitSettings {
  const own = settings.rateLimit;
  if (!own) return DEFAULT_CLUSTER_RATE_LIMIT;
  return { qps: own.qps, burst: own.burst ?? Math.max(1, Math.ceil(own.qps * 2)) };
}

/** The kubeconfig is a secret reference (DESIGN §14), never a path; the simulated cluster's is the operator's file. */
export async function connectCluster(settings: ClusterSettings, deps: ClusterDeps): Promise<FabricCluster> {
  let endpoint: ClusterEndpoint;
  if ("simulated" in settings) {
    if (!deps.simulatedKubeconfig) throw new ClusterConfigError("this deployment has no simulated cluster; give the fabric a kubeconfig");
    let text: string;
    try {
      text = await readFile(deps.simulatedKubeconfig, "utf8");
    } catch {
      throw new ClusterConfigError("the simulated cluster's kubeconfig cannot be read (HH_GITOPS_SIMULATED_KUBECONFIG)");
    }
    endpoint = loadKubeconfig(text, "the simulated cluster", deps.hosts);
  } else {
    endpoint = loadKubeconfig(await deps.secrets.resolve(settings.kubeconfig), "cluster.kubeconfig", deps.hosts);
  }
  return new KubeCluster(new KubeHttp(endpoint, deps.hosts, { ...deps.http, rateLimit: rateLimitOf(settings) }));
}

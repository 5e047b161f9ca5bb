// The simulated Kubernetes API server: HTTP on 127.0.0.1, serving the custom resources of the
// CRDs it is given the way kube-apiserver v1.32 does (see /work/shared/kube-transcripts and the
// conformance test that replays them), with a request log and fault injection for tests.

import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AdmissionCheck } from "./admission.js";
import { requestInfo } from "./api-request.js";
import type { ApiRequest, RequestInfo } from "./api-request.js";
import { authorize } from "./auth.js";
import { Catalog } from "./catalog.js";
import { CrdRegistry } from "./crds.js";
import { KubeResponseError, KubeSimConfigError } from "./errors.js";
import { FaultInjector } from "./faults.js";
import { FlowControl } from "./flow-control.js";
import type { FlowControlSettings, KubeSimFlowControl } from "./flow-control.js";
import type { KubeSimFault, KubeSimFaults } from "./faults.js";
import { clone } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { kubeconfigFile, kubeconfigOptions, kubeconfigYaml } from "./kubeconfig.js";
import type { KubeconfigFile, KubeconfigOptions } from "./kubeconfig.js";
import { warningHeader } from "./object-codec.js";
import { RequestLog } from "./request-log.js";
import type { KubeSimRequests } from "./request-log.js";
import { route } from "./router.js";
import type { ResourceRequest, SimContext } from "./sim-context.js";
import { faultStatus, internalError, statusBody } from "./status.js";
import { ObjectStore } from "./store.js";
import { openWatch } from "./watch.js";

export interface KubeSimOptions {
  /** Parsed CustomResourceDefinition objects (apiextensions.k8s.io/v1). */
  readonly crds: readonly object[];
  /** The bearer token of the cluster admin; any other token gets 401. */
  readonly token: string;
  /** Validating admission, answered like a denying webhook. */
  readonly admission?: AdmissionCheck;
  /** Namespaces that exist (default: default, kube-system, kube-public, kube-node-lease). */
  readonly namespaces?: readonly string[];
  /** Source of creation and managedFields times (default: the system clock). */
  readonly clock?: () => Date;
  /**
   * The store's revision before the first write (default 1000). Watches from an older
   * resourceVersion are "too old" (410), as on a real cluster with history behind it.
   */
  readonly initialResourceVersion?: number;
  /** How many changes watches can replay (default 10000). */
  readonly watchHistoryLimit?: number;
  /** Port on 127.0.0.1 (default 0: a free one). */
  readonly port?: number;
  /** Largest request body accepted (default 3 MiB, kube-apiserver's limit). */
  readonly maxBodyBytes?: number;
  /** Serve HTTPS with this certificate (see tls.ts); the kubeconfigs then trust `ca`. Default: plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca: string };
  /** Throttle as API Priority and Fairness does (429 + Retry-After) beyond this rate; default off. */
  readonly flowControl?: FlowControlSettings;
}

export interface StoredObjectFilter {
  readonly group?: string;
  /** Plural resource name. */
  readonly resource?: string;
  readonly namespace?: string;
}

export interface KubeSim {
  /** e.g. http://127.0.0.1:43127, or https:// with `tls` */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Requests received so far; `reset()` forgets them. */
  readonly requests: KubeSimRequests;
  /** Makes the next matching requests fail, hang or reset. */
  readonly faults: KubeSimFaults;
  /** API Priority and Fairness: throttle with 429 + Retry-After beyond a rate (off by default). */
  readonly flowControl: KubeSimFlowControl;
  /** The store's current revision (what a list would report as resourceVersion). */
  resourceVersion(): string;
  /** Copies of the stored objects, by resource type then namespace and name. */
  objects(filter?: StoredObjectFilter): JsonObject[];
  /** The CRD objects served now. */
  crds(): object[];
  /**
   * Serves another CRD set from now on, as after a fabric upgrade: each CRD that is new or changed
   * gets the next resourceVersion; stored objects stay.
   */
  serveCrds(crds: readonly object[]): void;
  addNamespace(name: string): void;
  /** kubeconfig file content pointing at the simulator with its token. */
  kubeconfig(options?: { readonly namespace?: string }): KubeconfigFile;
  kubeconfigYaml(options?: { readonly namespace?: string }): string;
  /** The same, shaped for @kubernetes/client-node's KubeConfig.loadFromOptions. */
  kubeconfigOptions(options?: { readonly namespace?: string }): KubeconfigOptions;
  /** Ends open watches and hanging requests, then stops listening. */
  close(): Promise<void>;
}

const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Writes happen one at a time, so a read-modify-write sees no interleaved change. */
class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string | readonly string[]>>, warnings: readonly string[], contentType = "application/json"): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === "string";
  res.statusCode = status;
  // Every answer, as from kube-apiserver's APF filter: which flow schema and priority level classified it.
  const flowHeaders = (res as ServerResponse & { flowHeaders?: Record<string, string> }).flowHeaders;
  for (const [name, value] of Object.entries(flowHeaders ?? {})) res.setHeader(name, value);
  res.setHeader("cache-control", "no-cache, private");
  res.setHeader("content-type", text ? "text/plain; charset=utf-8" : contentType);
  if (text) res.setHeader("x-content-type-options", "nosniff");
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value as string | string[]);
  if (warnings.length > 0) res.setHeader("warning", warningHeader(warnings));
  res.end(text ? body : JSON.stringify(body));
}

export async function startKubeSim(options: KubeSimOptions): Promise<KubeSim> {
  if (typeof options.token !== "string" || options.token === "") throw new KubeSimConfigError("a non-empty token is required");
  const catalog = new Catalog(options.crds);
  const initialRevision = options.initialResourceVersion ?? 1000;
  const store = new ObjectStore(initialRevision, options.watchHistoryLimit ?? 10_000);
  const now = options.clock ?? (() => new Date());
  const ctx: SimContext = {
    catalog,
    crds: new CrdRegistry(options.crds, initialRevision - options.crds.length + 1, { now, newUid: randomUUID }),
    store,
    namespaces: new Set(options.namespaces ?? DEFAULT_NAMESPACES),
    now,
    admission: options.admission,
    newUid: randomUUID,
  };
  const requests = new RequestLog();
  const faults = new FaultInjector();
  const flowControl = new FlowControl(options.flowControl ?? null);
  const lock = new WriteLock();
  const maxBody = options.maxBodyBytes ?? 3 * 1024 * 1024;
  const openStreams = new Set<() => void>();

  function injectFault(fault: KubeSimFault, res: ServerResponse, answer: (status: number, fault: KubeSimFault["type"]) => void): void {
    if (fault.type === "status") {
      const error = faultStatus(fault.code, fault.message, fault.retryAfterSeconds);
      answer(error.status, "status");
      send(res, error.status, error.body, error.extraHeaders, []);
    } else if (fault.type === "reset") {
      answer(0, "reset");
      res.socket?.destroy();
    } else {
      // A hanging request is answered by nobody; close() ends its connection.
      answer(0, "hang");
    }
  }

  function startWatch(apiReq: ApiRequest, rr: ResourceRequest, req: IncomingMessage, res: ServerResponse, answer: (status: number) => void): void {
    const begin = (): void => {
      if (res.headersSent) return;
      res.writeHead(200, { "cache-control": "no-cache, private", "content-type": "application/json", ...flowControl.headers });
      res.flushHeaders();
      answer(200);
    };
    const state: { finished: boolean; timer?: NodeJS.Timeout; stop: () => void } = { finished: false, stop: () => undefined };
    const finish = (): void => {
      if (state.finished) return;
      state.finished = true;
      clearTimeout(state.timer);
      state.stop();
      openStreams.delete(finish);
      begin();
      res.end();
    };
    const watch = openWatch(ctx, apiReq, rr, {
      send: (event) => {
        if (state.finished) return;
        begin();
        res.write(`${JSON.stringify(event)}\n`);
      },
      end: finish,
    });
    state.stop = watch.stop;
    if (state.finished) return;
    begin();
    openStreams.add(finish);
    state.timer = setTimeout(finish, watch.timeoutSeconds * 1000).unref();
    req.on("close", finish);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readBody(req, maxBody);
    const apiReq: ApiRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body: body ?? "" };
    const info: RequestInfo = requestInfo(apiReq);
    const fieldManager = url.searchParams.get("fieldManager");
    const record = requests.open({
      method: apiReq.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(info.resourceRequest
        ? { ...(info.verb ? { verb: info.verb } : {}), group: info.group, version: info.version, resource: info.resource, namespace: info.namespace, name: info.name }
        : {}),
      ...(fieldManager !== null ? { fieldManager } : {}),
      dryRun: url.searchParams.getAll("dryRun").length > 0,
    });
    Object.assign(res, { flowHeaders: flowControl.headers });
    const fault = faults.take({ method: apiReq.method, path: url.pathname, ...(info.verb ? { verb: info.verb } : {}), group: info.group, resource: info.resource, namespace: info.namespace, name: info.name });
    if (fault !== undefined) {
      injectFault(fault, res, (status, kind) => record.answer(status, kind));
      return;
    }
    // Long-running requests (watches) are not subject to APF's seats.
    if (info.verb !== "watch") {
      const admission = flowControl.admit();
      if (!admission.admitted) {
        const error = faultStatus(429, undefined, admission.retryAfterSeconds);
        record.answer(error.status, "throttled");
        send(res, error.status, error.body, error.extraHeaders, []);
        return;
      }
    }
    const warnings: string[] = [];
    try {
      if (body === undefined) {
        throw new KubeResponseError(413, statusBody({ code: 413, reason: "RequestEntityTooLarge", message: `Request entity too large: limit is ${maxBody}` }));
      }
      authorize(apiReq, info, options.token);
      const target = route(ctx, apiReq, info);
      if (target.kind === "watch") {
        startWatch(apiReq, target.request, req, res, (status) => record.answer(status));
        return;
      }
      const response = target.writes ? await lock.run(() => target.run(warnings)) : await target.run(warnings);
      record.answer(response.status);
      send(res, response.status, response.body, {}, warnings, response.contentType);
    } catch (error) {
      const failure = error instanceof KubeResponseError ? error : internalError((error as Error).message);
      record.answer(failure.status);
      send(res, failure.status, failure.body, failure.extraHeaders, warnings);
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      const failure = internalError((error as Error).message);
      send(res, failure.status, failure.body, {}, []);
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createServer(onRequest);
  server.keepAliveTimeout = 60_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  const ca = options.tls ? { certificateAuthority: options.tls.ca } : {};

  return {
    url,
    port,
    token: options.token,
    requests,
    faults,
    flowControl,
    resourceVersion: () => String(store.revision),
    objects(filter = {}) {
      const out: JsonObject[] = [];
      for (const resource of store.resources()) {
        const [group, plural] = [resource.slice(0, resource.lastIndexOf("/")), resource.slice(resource.lastIndexOf("/") + 1)];
        if (filter.group !== undefined && filter.group !== group) continue;
        if (filter.resource !== undefined && filter.resource !== plural) continue;
        for (const entry of store.list(resource, filter.namespace)) out.push(clone(entry.object));
      }
      return out;
    },
    crds: () => ctx.crds.objects(),
    serveCrds(crds: readonly object[]) {
      const next = new Catalog(crds);
      ctx.crds.replace(crds, () => store.advance());
      ctx.catalog = next;
    },
    addNamespace(name: string) {
      ctx.namespaces.add(name);
    },
    kubeconfig: (opts = {}) => kubeconfigFile({ server: url, token: options.token, ...ca, ...opts }),
    kubeconfigYaml: (opts = {}) => kubeconfigYaml({ server: url, token: options.token, ...ca, ...opts }),
    kubeconfigOptions: (opts = {}) => kubeconfigOptions({ server: url, token: options.token, ...ca, ...opts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const finish of [...openStreams]) finish();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// Which handler answers a request: discovery documents, the custom resource endpoints, and the
// plain "404 page not found" for everything kube-apiserver does not serve.

import type { ApiRequest, RequestInfo } from "./api-request.js";
import { contentType } from "./api-request.js";
import { deleteCollection, deleteObject } from "./deletes.js";
import { getObject, listObjects } from "./reads.js";
import type { ApiResponse, ResourceRequest, SimContext } from "./sim-context.js";
import { badRequest, methodNotAllowed, pageNotFound, unsupportedMediaType } from "./status.js";
import { applyObject, createObject, patchObject, replaceObject } from "./writes.js";
import { CRD_GROUP, crdDiscovery } from "./crds.js";

export const PATCH_MEDIA_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

/** What kube-apiserver v1.32 reports at /version (the simulator marks itself in gitVersion). */
const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.13-kube-sim",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "go1.23.0",
  compiler: "gc",
  platform: "linux/amd64",
};

export type Route =
  | { readonly kind: "answer"; readonly run: (warnings: string[]) => ApiResponse | Promise<ApiResponse>; readonly writes: boolean }
  | { readonly kind: "watch"; readonly request: ResourceRequest };

function answer(response: ApiResponse): Route {
  return { kind: "answer", run: () => response, writes: false };
}

function discovery(ctx: SimContext, req: ApiRequest, info: RequestInfo): Route {
  const [first, group, version] = info.segments;
  if (req.method !== "GET") throw methodNotAllowed();
  if (info.segments.length === 1 && first === "version") return answer({ status: 200, body: VERSION_INFO });
  if (first !== "apis") throw pageNotFound();
  if (info.segments.length === 1) {
    const list = ctx.catalog.apiGroupList() as { groups: unknown[] };
    return answer({ status: 200, body: { ...list, groups: [crdDiscovery.group, ...list.groups] } });
  }
  if (group === CRD_GROUP) {
    if (info.segments.length === 2) return answer({ status: 200, body: { kind: "APIGroup", apiVersion: "v1", ...crdDiscovery.group } });
    if (info.segments.length === 3 && version === crdDiscovery.version) return answer({ status: 200, body: crdDiscovery.resources });
    throw pageNotFound();
  }
  if (info.segments.length === 2 && group !== undefined && ctx.catalog.groupVersions(group).length > 0) {
    return answer({ status: 200, body: ctx.catalog.apiGroup(group) });
  }
  if (info.segments.length === 3 && group !== undefined && version !== undefined) {
    const list = ctx.catalog.apiResourceList(group, version);
    if (list !== undefined) return answer({ status: 200, body: list });
  }
  throw pageNotFound();
}

/** Resolves a request to its handler; throws the error response when there is none. */
export function route(ctx: SimContext, req: ApiRequest, info: RequestInfo): Route {
  if (!info.resourceRequest) return discovery(ctx, req, info);
  if (info.group === CRD_GROUP) return answer(ctx.crds.answer(req, info, ctx.store.revision));
  const target = ctx.catalog.resource(info.group, info.version, info.resource);
  if (target === undefined || info.subresource !== "") throw pageNotFound();
  // Namespaced types are served across all namespaces only for list and watch.
  const allNamespaces = target.type.namespaced && info.namespace === "";
  if (allNamespaces && !(req.method === "GET" && info.name === "")) throw pageNotFound();
  if (!target.type.namespaced && info.namespace !== "") throw pageNotFound();
  const rr: ResourceRequest = { target, namespace: info.namespace, name: info.name };
  const named = info.name !== "";
  switch (req.method) {
    case "GET":
      if (named) return { kind: "answer", run: () => getObject(ctx, rr), writes: false };
      if (info.verb === "watch") return { kind: "watch", request: rr };
      return { kind: "answer", run: () => listObjects(ctx, req, rr), writes: false };
    case "POST":
      if (named) throw methodNotAllowed();
      return { kind: "answer", run: (w) => createObject(ctx, req, rr, w), writes: true };
    case "PUT":
      if (!named) throw badRequest("name must be provided");
      return { kind: "answer", run: (w) => replaceObject(ctx, req, rr, w), writes: true };
    case "PATCH": {
      if (!named) throw badRequest("name must be provided");
      const type = contentType(req);
      if (!PATCH_MEDIA_TYPES.includes(type)) throw unsupportedMediaType(PATCH_MEDIA_TYPES);
      if (type === "application/apply-patch+yaml") return { kind: "answer", run: () => applyObject(ctx, req, rr), writes: true };
      return { kind: "answer", run: (w) => patchObject(ctx, req, rr, w), writes: true };
    }
    case "DELETE":
      if (named) return { kind: "answer", run: () => deleteObject(ctx, req, rr), writes: true };
      return { kind: "answer", run: () => deleteCollection(ctx, req, rr), writes: true };
    default:
      throw methodNotAllowed();
  }
}

// The CustomResourceDefinitions the simulator serves, readable as kube-apiserver's apiextensions
// server answers them (apiextensions.k8s.io/v1, cluster scoped): list and get, also as
// PartialObjectMetadata(List) when the client asks for metadata only — what a client that caches
// CRDs by resourceVersion does. Writes are not served (405): the set changes only through
// KubeSim.serveCrds, which stands for a fabric upgrade.
//
// resourceVersions come from the store's one revision counter: the CRDs of the starting set predate
// the store's window (they end at the initial revision, like a cluster with history behind it), and a
// CRD that changes later gets the next revision.

import type { ApiRequest, RequestInfo } from "./api-request.js";
import { storageVersionHash } from "./catalog.js";
import { rfc3339 } from "./go-text.js";
import { clone, deepEqual, isObject, sortKeys } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import type { ApiResponse, SimContext } from "./sim-context.js";
import { methodNotAllowed, notFound, pageNotFound } from "./status.js";

export const CRD_GROUP = "apiextensions.k8s.io";
const CRD_VERSION = "v1";
const CRD_RESOURCE = "customresourcedefinitions";
const SUBJECT = { group: CRD_GROUP, name: CRD_RESOURCE };

/** The Accept media-type parameters asking for metadata only (client-go's metadata client sends these). */
const PARTIAL_LIST = "as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
const PARTIAL_ONE = "as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

interface Served {
  readonly object: JsonObject;
  readonly uid: string;
  readonly created: string;
  readonly resourceVersion: string;
  readonly generation: number;
}

function nameOf(crd: JsonObject): string {
  const spec = isObject(crd["spec"]) ? crd["spec"] : {};
  const names = isObject(spec["names"]) ? spec["names"] : {};
  return `${String(names["plural"])}.${String(spec["group"])}`;
}

/** What the API server adds to a CRD it stores: defaulted names and conversion, and its status. */
function present(entry: Served): JsonObject {
  const crd = clone(entry.object);
  const spec = (isObject(crd["spec"]) ? crd["spec"] : {}) as JsonObject;
  const names = (isObject(spec["names"]) ? spec["names"] : {}) as JsonObject;
  const kind = String(names["kind"]);
  names["listKind"] ??= `${kind}List`;
  names["singular"] ??= kind.toLowerCase();
  spec["names"] = names;
  spec["conversion"] ??= { strategy: "None" };
  const versions = Array.isArray(spec["versions"]) ? (spec["versions"] as JsonObject[]) : [];
  const storage = versions.find((v) => v["storage"] === true);
  const metadata = isObject(crd["metadata"]) ? crd["metadata"] : {};
  return sortKeys({
    ...crd,
    apiVersion: `${CRD_GROUP}/${CRD_VERSION}`,
    kind: "CustomResourceDefinition",
    metadata: { ...metadata, name: nameOf(crd), uid: entry.uid, resourceVersion: entry.resourceVersion, generation: entry.generation, creationTimestamp: entry.created },
    spec,
    status: {
      acceptedNames: names,
      conditions: [
        { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found", lastTransitionTime: entry.created },
        { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted", lastTransitionTime: entry.created },
      ],
      storedVersions: storage ? [String(storage["name"])] : [],
    },
  });
}

function partial(object: JsonObject): JsonObject {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object["metadata"] };
}

function wants(req: ApiRequest, parameters: string): boolean {
  const accept = req.headers["accept"];
  return typeof accept === "string" && accept.split(",").some((type) => type.replaceAll(" ", "").includes(parameters));
}

export class CrdRegistry {
  private readonly served = new Map<string, Served>();

  constructor(crds: readonly object[], firstResourceVersion: number, private readonly ctx: Pick<SimContext, "now" | "newUid">) {
    const created = rfc3339(ctx.now());
    crds.forEach((crd, i) => {
      const object = clone(crd) as JsonObject;
      this.served.set(nameOf(object), { object, uid: ctx.newUid(), created, resourceVersion: String(Math.max(1, firstResourceVersion + i)), generation: 1 });
    });
  }

  /** Replaces the served set; each CRD that is new or changed takes the next revision from `nextRevision`. */
  replace(crds: readonly object[], nextRevision: () => number): void {
    const next = new Map<string, Served>();
    for (const crd of crds) {
      const object = clone(crd) as JsonObject;
      const name = nameOf(object);
      const before = this.served.get(name);
      if (before && deepEqual(before.object["spec"], object["spec"])) next.set(name, before);
      else
        next.set(name, {
          object,
          uid: before?.uid ?? this.ctx.newUid(),
          created: before?.created ?? rfc3339(this.ctx.now()),
          resourceVersion: String(nextRevision()),
          generation: (before?.generation ?? 0) + 1,
        });
    }
    this.served.clear();
    for (const [name, entry] of next) this.served.set(name, entry);
  }

  /** The raw CRD objects served now. */
  objects(): object[] {
    return [...this.served.values()].map((s) => clone(s.object));
  }

  /** Answers GET of the collection or of one CRD; the store revision is the list's resourceVersion. */
  answer(req: ApiRequest, info: RequestInfo, revision: number): ApiResponse {
    if (info.version !== CRD_VERSION || info.resource !== CRD_RESOURCE || info.subresource !== "" || info.namespace !== "") throw pageNotFound();
    if (req.method !== "GET" || info.verb === "watch") throw methodNotAllowed();
    if (info.name !== "") {
      const entry = this.served.get(info.name);
      if (!entry) throw notFound(SUBJECT, info.name);
      const object = present(entry);
      return wants(req, PARTIAL_ONE)
        ? { status: 200, body: partial(object), contentType: `application/json;${PARTIAL_ONE}` }
        : { status: 200, body: object };
    }
    const items = [...this.served.keys()].sort().map((name) => present(this.served.get(name) as Served));
    const metadata = { resourceVersion: String(revision) };
    if (wants(req, PARTIAL_LIST)) {
      return {
        status: 200,
        body: { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata, items: items.map(partial) },
        contentType: `application/json;${PARTIAL_LIST}`,
      };
    }
    // A built-in type's list: items carry no apiVersion/kind, and an empty continue is left out.
    return {
      status: 200,
      body: {
        kind: "CustomResourceDefinitionList",
        apiVersion: `${CRD_GROUP}/${CRD_VERSION}`,
        metadata,
        items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
      },
    };
  }
}

/** Discovery of apiextensions.k8s.io, as far as the simulator serves it. */
export const crdDiscovery = {
  group: { name: CRD_GROUP, versions: [{ groupVersion: `${CRD_GROUP}/${CRD_VERSION}`, version: CRD_VERSION }], preferredVersion: { groupVersion: `${CRD_GROUP}/${CRD_VERSION}`, version: CRD_VERSION } },
  resources: {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: `${CRD_GROUP}/${CRD_VERSION}`,
    resources: [
      {
        name: CRD_RESOURCE,
        singularName: "customresourcedefinition",
        namespaced: false,
        kind: "CustomResourceDefinition",
        // Only what the simulator serves; kube-apiserver lists every verb.
        verbs: ["get", "list"],
        shortNames: ["crd", "crds"],
        categories: ["api-extensions"],
        storageVersionHash: storageVersionHash(CRD_GROUP, CRD_VERSION, "CustomResourceDefinition"),
      },
    ],
  },
  version: CRD_VERSION,
};

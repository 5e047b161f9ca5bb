// The resource types the simulator serves, read from the CRD objects it is given, and the
// discovery documents (APIGroupList, APIGroup, APIResourceList) built from them.

import { createHash } from "node:crypto";
import { KubeSimConfigError } from "./errors.js";
import { rootSchema } from "./schema.js";
import type { SchemaNode } from "./schema.js";

export interface ServedVersion {
  readonly name: string;
  readonly schema: SchemaNode;
}

export interface ResourceType {
  readonly group: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** Served versions, most preferred first. */
  readonly versions: readonly ServedVersion[];
  readonly storageVersion: string;
  readonly statusSubresource: boolean;
  readonly storageVersionHash: string;
}

/** A resource type as addressed by one request: the type plus the version in the URL. */
export interface ResourceAtVersion {
  readonly type: ResourceType;
  readonly version: ServedVersion;
}

const ALL_VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"] as const;

/** discovery.StorageVersionHash: first 8 bytes of sha256("group/version/kind"), base64. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash("sha256").update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString("base64");
}

/** version.CompareKubeAwareVersionStrings: GA before beta before alpha, higher numbers first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) return undefined;
    const stability = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) {
    for (let i = 0; i < 3; i += 1) {
      const d = (pb[i] as number) - (pa[i] as number);
      if (d !== 0) return d;
    }
    return 0;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function compileCrd(crd: unknown, index: number): ResourceType {
  const where = `crds[${index}]`;
  if (typeof crd !== "object" || crd === null) throw new KubeSimConfigError(`${where} is not an object`);
  const c = crd as Record<string, unknown>;
  if (c["kind"] !== "CustomResourceDefinition") throw new KubeSimConfigError(`${where} is not a CustomResourceDefinition`);
  const spec = c["spec"] as Record<string, unknown> | undefined;
  const names = spec?.["names"] as Record<string, unknown> | undefined;
  const group = spec?.["group"];
  const kind = names?.["kind"];
  const plural = names?.["plural"];
  if (typeof group !== "string" || typeof kind !== "string" || typeof plural !== "string") {
    throw new KubeSimConfigError(`${where} lacks spec.group, spec.names.kind or spec.names.plural`);
  }
  const rawVersions = Array.isArray(spec?.["versions"]) ? (spec?.["versions"] as Record<string, unknown>[]) : [];
  const served = rawVersions.filter((v) => v["served"] === true);
  const storage = rawVersions.find((v) => v["storage"] === true);
  if (served.length === 0 || storage === undefined) throw new KubeSimConfigError(`${where} (${plural}.${group}) serves no version or has no storage version`);
  const versions = served
    .map((v) => {
      const name = String(v["name"]);
      const schema = (v["schema"] as Record<string, unknown> | undefined)?.["openAPIV3Schema"];
      return { name, schema: rootSchema(schema, `${plural}.${group}/${name}`) };
    })
    .sort((a, b) => compareKubeVersions(a.name, b.name));
  const storageVersion = String(storage["name"]);
  const subresources = storage["subresources"] as Record<string, unknown> | undefined;
  return {
    group,
    kind,
    listKind: typeof names?.["listKind"] === "string" ? (names["listKind"] as string) : `${kind}List`,
    plural,
    singular: typeof names?.["singular"] === "string" ? (names["singular"] as string) : kind.toLowerCase(),
    shortNames: stringList(names?.["shortNames"]),
    categories: stringList(names?.["categories"]),
    namespaced: spec?.["scope"] !== "Cluster",
    versions,
    storageVersion,
    statusSubresource: subresources?.["status"] !== undefined,
    storageVersionHash: storageVersionHash(group, storageVersion, kind),
  };
}

export class Catalog {
  private readonly byGroup = new Map<string, ResourceType[]>();

  constructor(crds: readonly unknown[]) {
    crds.forEach((crd, index) => {
      const type = compileCrd(crd, index);
      const list = this.byGroup.get(type.group) ?? [];
      if (list.some((t) => t.plural === type.plural)) throw new KubeSimConfigError(`duplicate CRD ${type.plural}.${type.group}`);
      list.push(type);
      this.byGroup.set(type.group, list);
    });
  }

  types(): ResourceType[] {
    return [...this.byGroup.values()].flat();
  }

  /** Versions the group serves (any of its types), most preferred first. */
  groupVersions(group: string): string[] {
    const versions = new Set<string>();
    for (const type of this.byGroup.get(group) ?? []) for (const v of type.versions) versions.add(v.name);
    return [...versions].sort(compareKubeVersions);
  }

  resource(group: string, version: string, plural: string): ResourceAtVersion | undefined {
    const type = this.byGroup.get(group)?.find((t) => t.plural === plural);
    const served = type?.versions.find((v) => v.name === version);
    return type && served ? { type, version: served } : undefined;
  }

  /** The type serving `apiVersion`/`kind`, if any. */
  byKind(group: string, kind: string): ResourceType | undefined {
    return this.byGroup.get(group)?.find((t) => t.kind === kind);
  }

  apiGroupList(): Record<string, unknown> {
    const groups = [...this.byGroup.keys()].sort().map((group) => this.apiGroup(group));
    return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest) };
  }

  apiGroup(group: string): Record<string, unknown> {
    const versions = this.groupVersions(group).map((version) => ({ groupVersion: `${group}/${version}`, version }));
    return { kind: "APIGroup", apiVersion: "v1", name: group, versions, preferredVersion: versions[0] };
  }

  /** The APIResourceList of `group/version`; undefined when nothing is served there. */
  apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
    const types = (this.byGroup.get(group) ?? []).filter((t) => t.versions.some((v) => v.name === version));
    if (types.length === 0) return undefined;
    const resources: Record<string, unknown>[] = [];
    for (const t of [...types].sort((a, b) => (a.plural < b.plural ? -1 : 1))) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: [...ALL_VERBS],
        ...(t.shortNames.length > 0 ? { shortNames: [...t.shortNames] } : {}),
        ...(t.categories.length > 0 ? { categories: [...t.categories] } : {}),
        storageVersionHash: t.storageVersionHash,
      });
      if (t.statusSubresource) {
        resources.push({ name: `${t.plural}/status`, singularName: "", namespaced: t.namespaced, kind: t.kind, verbs: ["get", "patch", "update"] });
      }
    }
    return { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`, resources };
  }
}

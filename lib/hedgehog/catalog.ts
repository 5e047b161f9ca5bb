// The kind catalog: one value built by one pure function from a set of CustomResourceDefinitions —
// the bundled ones (./crds, imported as generated JSON so that this package reads no files and a
// Lambda bundle carries them like code) or the ones a fabric's cluster serves. Kinds, plurals,
// scopes, versions, schemas, apply order and capabilities all come from that one set.
import crdSets from "./crds.generated.json" with { type: "json" };
import { detectCapabilities, type Capabilities } from "./capabilities.js";
import { InvalidCrdError } from "./errors.js";
import { arrayAt, compareText, getIn, isRecord, stringAt, stringsAt, type JsonRecord } from "./object.js";
import { applyOrderOf } from "./order.js";
import { BUNDLED_RELEASES } from "./releases.js";

/** Groups whose kinds this engine manages; the other Hedgehog groups are known but left alone. */
export const MANAGED_GROUPS: readonly string[] = ["vpc.githedgehog.com", "wiring.githedgehog.com"];

/** The API groups that are Hedgehog's: a served CRD outside them is not read. */
export const HEDGEHOG_GROUP_SUFFIX = ".githedgehog.com";

export interface KindInfo {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly scope: "Namespaced" | "Cluster";
  readonly servedVersions: readonly string[];
  readonly storageVersion: string;
  readonly managed: boolean;
}

/** Where a catalog's CRDs came from. */
export type CatalogSource =
  | { readonly kind: "bundled"; readonly release: string }
  /** The CRDs a cluster served, by CRD name with the resourceVersion read. */
  | { readonly kind: "cluster"; readonly resourceVersions: Readonly<Record<string, string>> };

export interface Catalog {
  readonly source: CatalogSource;
  /** Every kind, sorted by group then kind. */
  readonly kinds: readonly KindInfo[];
  /** The kinds of MANAGED_GROUPS. */
  readonly managedKinds: readonly KindInfo[];
  readonly groups: ReadonlySet<string>;
  /** The managed kinds' names in apply order (kinds the order table does not know come last, by name). */
  readonly kindOrder: readonly string[];
  readonly capabilities: Capabilities;
  lookupKind(group: string, kind: string): KindInfo | undefined;
  /** The kind for apiVersion "group/version" and kind, only when that version is served. */
  findKind(apiVersion: string, kind: string): KindInfo | undefined;
  /** The managed kind with this kind name (kind names are unique across the managed groups). */
  managedKindNamed(kind: string): KindInfo | undefined;
  /** The CRD's openAPIV3Schema for a served version (shared; do not mutate). */
  schema(info: KindInfo, version: string): JsonRecord | undefined;
}

interface CatalogEntry {
  readonly info: KindInfo;
  readonly schemas: ReadonlyMap<string, JsonRecord>;
}

function readCrd(where: string, crd: unknown): CatalogEntry {
  const fail = (what: string): never => {
    throw new InvalidCrdError(`${where}: ${what}`);
  };
  if (stringAt(crd, ["kind"]) !== "CustomResourceDefinition") fail("not a CustomResourceDefinition");
  const group = stringAt(crd, ["spec", "group"]) ?? fail("spec.group missing");
  const kind = stringAt(crd, ["spec", "names", "kind"]) ?? fail("spec.names.kind missing");
  const plural = stringAt(crd, ["spec", "names", "plural"]) ?? fail("spec.names.plural missing");
  const scope = stringAt(crd, ["spec", "scope"]);
  if (scope !== "Namespaced" && scope !== "Cluster") fail("spec.scope must be Namespaced or Cluster");
  const schemas = new Map<string, JsonRecord>();
  const servedVersions: string[] = [];
  let storageVersion: string | undefined;
  for (const version of arrayAt(crd, ["spec", "versions"]) ?? []) {
    const name = stringAt(version, ["name"]) ?? fail("a version has no name");
    const schema = getIn(version, ["schema", "openAPIV3Schema"]);
    if (!isRecord(schema)) fail(`version ${name} has no openAPIV3Schema`);
    if (getIn(version, ["served"]) === true) {
      servedVersions.push(name);
      schemas.set(name, schema as JsonRecord);
    }
    if (getIn(version, ["storage"]) === true) storageVersion = name;
  }
  const info: KindInfo = Object.freeze({
    group,
    kind,
    plural,
    singular: stringAt(crd, ["spec", "names", "singular"]) ?? kind.toLowerCase(),
    shortNames: Object.freeze(stringsAt(crd, ["spec", "names", "shortNames"])),
    scope: scope as KindInfo["scope"],
    servedVersions: Object.freeze(servedVersions),
    storageVersion: storageVersion ?? fail("no storage version"),
    managed: MANAGED_GROUPS.includes(group),
  });
  return { info, schemas };
}

/** Splits "group/version"; a bare "v1" is the core group "". */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const crdName = (crd: unknown, index: number): string => stringAt(crd, ["metadata", "name"]) ?? stringAt(crd, ["spec", "names", "plural"]) ?? `crds[${index}]`;

/**
 * The catalog of a set of CRD objects (apiextensions.k8s.io/v1). Pure: the same CRDs give an equal
 * catalog. Throws InvalidCrdError for a CRD it cannot read, or for the same kind defined twice.
 */
export function buildCatalog(crds: readonly unknown[], source: CatalogSource): Catalog {
  const entries = crds
    .map((crd, index) => readCrd(crdName(crd, index), crd))
    .sort((a, b) => compareText(a.info.group, b.info.group) || compareText(a.info.kind, b.info.kind));
  const byGroupKind = new Map<string, CatalogEntry>();
  for (const entry of entries) {
    const key = `${entry.info.group}/${entry.info.kind}`;
    if (byGroupKind.has(key)) throw new InvalidCrdError(`${key} is defined by two CRDs`);
    byGroupKind.set(key, entry);
  }
  const kinds = Object.freeze(entries.map((entry) => entry.info));
  const managedKinds = Object.freeze(kinds.filter((info) => info.managed));
  const managedByName = new Map(managedKinds.map((info) => [info.kind, info]));
  const schema = (info: KindInfo, version: string) => byGroupKind.get(`${info.group}/${info.kind}`)?.schemas.get(version);
  const lookupKind = (group: string, kind: string) => byGroupKind.get(`${group}/${kind}`)?.info;
  return Object.freeze({
    source,
    kinds,
    managedKinds,
    groups: new Set(kinds.map((info) => info.group)),
    kindOrder: Object.freeze(managedKinds.map((info) => info.kind).sort((a, b) => applyOrderOf(a) - applyOrderOf(b) || compareText(a, b))),
    capabilities: detectCapabilities((kind) => {
      const info = managedByName.get(kind);
      return info && schema(info, info.storageVersion);
    }),
    lookupKind,
    findKind(apiVersion: string, kind: string) {
      const { group, version } = splitApiVersion(apiVersion);
      const info = lookupKind(group, kind);
      return info?.servedVersions.includes(version) ? info : undefined;
    },
    managedKindNamed: (kind: string) => managedByName.get(kind),
    schema,
  });
}

/** The CRD sets shipped with the engine, by release; the first is the default. */
export const bundledCatalogs: ReadonlyMap<string, Catalog> = new Map(
  (crdSets as readonly { release: string; crds: readonly { file: string; crd: unknown }[] }[]).map((set) => [
    set.release,
    buildCatalog(
      set.crds.map((c) => c.crd),
      { kind: "bundled", release: set.release },
    ),
  ]),
);

/** The releases a fabric may pin with the `hedgehog.release` setting. */
export const bundledReleases: readonly string[] = Object.freeze([...bundledCatalogs.keys()]);
if (bundledReleases.join() !== BUNDLED_RELEASES.join()) {
  throw new InvalidCrdError(`crds.generated.json holds ${bundledReleases.join(", ")}; releases.ts names ${BUNDLED_RELEASES.join(", ")}`);
}

/** The default catalog: v0.126.0, the release RULES.md describes. */
export const bundledCatalog: Catalog = bundledCatalogs.get(bundledReleases[0] as string) as Catalog;

// The bundled catalog's parts under their historical names, so that existing call sites keep working.

/** Every kind of every CRD shipped, sorted by group then kind. */
export const catalog: readonly KindInfo[] = bundledCatalog.kinds;

/** The kinds this engine manages (every kind of vpc.githedgehog.com and wiring.githedgehog.com). */
export const managedKinds: readonly KindInfo[] = bundledCatalog.managedKinds;

/** The groups of the catalog, managed or not. */
export const knownGroups: ReadonlySet<string> = bundledCatalog.groups;

export const lookupKind = (group: string, kind: string): KindInfo | undefined => bundledCatalog.lookupKind(group, kind);
export const findKind = (apiVersion: string, kind: string): KindInfo | undefined => bundledCatalog.findKind(apiVersion, kind);
export const managedKindNamed = (kind: string): KindInfo | undefined => bundledCatalog.managedKindNamed(kind);
export const crdSchema = (info: KindInfo, version: string): JsonRecord | undefined => bundledCatalog.schema(info, version);

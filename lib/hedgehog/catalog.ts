// The kind catalog, from the CRDs shipped in ./crds — never hand-typed. They arrive as a module:
// crds.generated.json is the YAML rendered by `npm run crds` (a test keeps the two equal), so this
// package reads no files and a Lambda bundle carries the CRDs like code.
import crdFiles from "./crds.generated.json" with { type: "json" };
import { arrayAt, getIn, isRecord, stringAt, stringsAt, type JsonRecord } from "./object.js";

/** Groups whose kinds this engine manages; the other groups in crds/ are known but left alone. */
const MANAGED_GROUPS: readonly string[] = ["vpc.githedgehog.com", "wiring.githedgehog.com"];

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

interface CatalogEntry {
  readonly info: KindInfo;
  readonly schemas: ReadonlyMap<string, JsonRecord>;
}

function readCrd(fileName: string, crd: unknown): CatalogEntry {
  const fail = (what: string): never => {
    throw new Error(`lib/hedgehog/crds/${fileName}: ${what}`);
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

function loadCatalog(): readonly CatalogEntry[] {
  return (crdFiles as readonly { file: string; crd: unknown }[])
    .map(({ file, crd }) => readCrd(file, crd))
    .sort((a, b) => (a.info.group + "/" + a.info.kind < b.info.group + "/" + b.info.kind ? -1 : 1));
}

const entries = loadCatalog();
const byGroupKind = new Map(entries.map((entry) => [`${entry.info.group}/${entry.info.kind}`, entry]));

/** Every kind of every CRD shipped, sorted by group then kind. */
export const catalog: readonly KindInfo[] = Object.freeze(entries.map((entry) => entry.info));

/** The kinds this engine manages (every kind of vpc.githedgehog.com and wiring.githedgehog.com). */
export const managedKinds: readonly KindInfo[] = Object.freeze(catalog.filter((info) => info.managed));

/** The groups of the catalog, managed or not. */
export const knownGroups: ReadonlySet<string> = new Set(catalog.map((info) => info.group));

/** Splits "group/version"; a bare "v1" is the core group "". */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The kind of group and kind name, whatever the version. */
export function lookupKind(group: string, kind: string): KindInfo | undefined {
  return byGroupKind.get(`${group}/${kind}`)?.info;
}

/** The kind for apiVersion "group/version" and kind, only when that version is served. */
export function findKind(apiVersion: string, kind: string): KindInfo | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  const info = lookupKind(group, kind);
  return info?.servedVersions.includes(version) ? info : undefined;
}

/** The managed kind with this kind name (kind names are unique across the managed groups). */
export function managedKindNamed(kind: string): KindInfo | undefined {
  return managedKinds.find((info) => info.kind === kind);
}

/** The CRD's openAPIV3Schema for a served version (shared; do not mutate). */
export function crdSchema(info: KindInfo, version: string): JsonRecord | undefined {
  return byGroupKind.get(`${info.group}/${info.kind}`)?.schemas.get(version);
}

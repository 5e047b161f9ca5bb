// Where a document belongs: a Hedgehog resource (its group is in the catalog), a foreign object
// (anything else with apiVersion and kind), or invalid.
import { bundledCatalog, MANAGED_GROUPS, splitApiVersion, type Catalog, type KindInfo } from "./catalog.js";
import { isRecord, stringAt } from "./object.js";

export type Classification =
  | { readonly class: "hedgehog"; readonly kindInfo: KindInfo; readonly version: string }
  | { readonly class: "foreign" }
  | {
      readonly class: "invalid";
      readonly reason: string;
      /** "document": not a resource at all; "kind": a Hedgehog group with an unknown kind or version. */
      readonly problem: "document" | "kind";
    };

/** A group of the catalog, or a managed group even where this catalog does not serve it: never foreign. */
const isHedgehogGroup = (catalog: Catalog, group: string): boolean => catalog.groups.has(group) || MANAGED_GROUPS.includes(group);

export function classifyDocument(value: unknown, catalog: Catalog = bundledCatalog): Classification {
  if (!isRecord(value)) return { class: "invalid", reason: "document is not a mapping (an object with apiVersion, kind and metadata)", problem: "document" };
  const apiVersion = stringAt(value, ["apiVersion"]);
  const kind = stringAt(value, ["kind"]);
  if (!apiVersion) return { class: "invalid", reason: "apiVersion is missing or not a string", problem: "document" };
  if (!kind) return { class: "invalid", reason: "kind is missing or not a string", problem: "document" };
  if (!stringAt(value, ["metadata", "name"])) return { class: "invalid", reason: "metadata.name is missing or not a string", problem: "document" };
  const { group, version } = splitApiVersion(apiVersion);
  // A Hedgehog group written without its version, or in the wrong case, is a mistake, not a foreign object.
  if (!apiVersion.includes("/") && isHedgehogGroup(catalog, apiVersion.toLowerCase())) {
    return { class: "invalid", reason: `apiVersion "${apiVersion}" has no version (expected group/version)`, problem: "kind" };
  }
  if (!isHedgehogGroup(catalog, group)) {
    return isHedgehogGroup(catalog, group.toLowerCase())
      ? { class: "invalid", reason: `apiVersion group "${group}" must be lowercase`, problem: "kind" }
      : { class: "foreign" };
  }
  const kindInfo = catalog.lookupKind(group, kind);
  if (!kindInfo) {
    const reason = catalog.groups.has(group) ? `${group} has no kind ${kind}` : `${group} is not served (${describeSource(catalog)})`;
    return { class: "invalid", reason, problem: "kind" };
  }
  if (!kindInfo.servedVersions.includes(version)) {
    return {
      class: "invalid",
      reason: `${kind} has no version "${version}" in ${group}; served: ${kindInfo.servedVersions.join(", ")}`,
      problem: "kind",
    };
  }
  return { class: "hedgehog", kindInfo, version };
}

/** "the cluster's CRDs" or "the bundled v0.126.0 CRDs", for messages. */
export function describeSource(catalog: Catalog): string {
  return catalog.source.kind === "cluster" ? "by the cluster's CRDs" : `by the bundled ${catalog.source.release} CRDs`;
}

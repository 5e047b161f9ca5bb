// Which catalog judges a fabric, and how a run records it: the CRDs its cluster serves when it has
// one; otherwise the bundled release its `hedgehog.release` setting pins, else the default bundled one.
import { bundledCatalog, bundledCatalogs, MANAGED_GROUPS, type Catalog } from "./catalog.js";
import type { FieldSupport } from "./capabilities.js";
import type { HedgehogSettings } from "./settings.js";

/** What a stage records about the schemas it validated with (its detail.schemas). */
export interface SchemaReport {
  readonly source: "cluster" | "bundled";
  /** Bundled: the release; cluster: null (the served CRDs name no release). */
  readonly release: string | null;
  /** Bundled: whether the fabric's hedgehog.release chose it. */
  readonly pinned: boolean;
  /** Cluster: the Hedgehog CRDs read, by name, with the resourceVersion read. */
  readonly resourceVersions?: Readonly<Record<string, string>>;
  /** Served versions of the managed groups. */
  readonly versions: Readonly<Record<string, readonly string[]>>;
  readonly capabilities: Readonly<Record<string, FieldSupport>>;
  readonly note?: string;
}

function versionsOf(catalog: Catalog): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const group of MANAGED_GROUPS) {
    out[group] = [...new Set(catalog.managedKinds.filter((k) => k.group === group).flatMap((k) => k.servedVersions))].sort();
  }
  return out;
}

/** The catalog for a fabric; `served` is its cluster's, when it has a cluster. */
export function chooseCatalog(settings: HedgehogSettings, served?: Catalog): { catalog: Catalog; schemas: SchemaReport } {
  const pinned = settings.release === undefined ? undefined : bundledCatalogs.get(settings.release);
  const catalog = served ?? pinned ?? bundledCatalog;
  const source = catalog.source;
  const note =
    served && settings.release !== undefined ? `hedgehog.release ${settings.release} is not used: the cluster's own CRDs judge a fabric that has a cluster` : undefined;
  return {
    catalog,
    schemas: {
      source: source.kind,
      release: source.kind === "bundled" ? source.release : null,
      pinned: !served && pinned !== undefined,
      ...(source.kind === "cluster" ? { resourceVersions: source.resourceVersions } : {}),
      versions: versionsOf(catalog),
      capabilities: catalog.capabilities,
      ...(note ? { note } : {}),
    },
  };
}

// The catalog of the Hedgehog CRDs a fabric's cluster serves. Each stage asks once per run; a
// metadata-only list (names and resourceVersions, a few hundred bytes) tells whether the CRDs
// changed, and only then are the CRDs themselves read and the catalog built. The cache lives as long
// as the connector that owns it (a warm Lambda container), per cluster connection.
import { buildCatalog, HEDGEHOG_GROUP_SUFFIX, MANAGED_GROUPS, type Catalog } from "../hedgehog/index.js";
import type { FabricCluster, ServedCrdVersion } from "./client.js";
import { NotAHedgehogClusterError } from "./errors.js";

/** Catalogs already built, by cluster connection and by the served Hedgehog CRDs' resourceVersions. */
export class ServedCatalogCache {
  private readonly entries = new WeakMap<FabricCluster, { fingerprint: string; catalog: Catalog }>();

  get(cluster: FabricCluster, fingerprint: string): Catalog | undefined {
    const entry = this.entries.get(cluster);
    return entry?.fingerprint === fingerprint ? entry.catalog : undefined;
  }

  set(cluster: FabricCluster, fingerprint: string, catalog: Catalog): void {
    this.entries.set(cluster, { fingerprint, catalog });
  }
}

const isHedgehog = (name: string): boolean => name.endsWith(HEDGEHOG_GROUP_SUFFIX);

function fingerprintOf(versions: readonly ServedCrdVersion[]): string {
  return versions
    .filter((v) => isHedgehog(v.name))
    .map((v) => `${v.name}=${v.resourceVersion}`)
    .sort()
    .join(",");
}

/** The catalog of the Hedgehog CRDs (`*.githedgehog.com`) the cluster serves now. */
export async function servedCatalog(cluster: FabricCluster, cache: ServedCatalogCache): Promise<Catalog> {
  const fingerprint = fingerprintOf(await cluster.crdVersions());
  const cached = cache.get(cluster, fingerprint);
  if (cached) return cached;
  const crds = (await cluster.crds()).filter((crd) => isHedgehog(String((crd["metadata"] as { name?: unknown } | undefined)?.name ?? "")));
  const resourceVersions: Record<string, string> = {};
  for (const crd of crds) {
    const meta = (crd["metadata"] ?? {}) as { name?: string; resourceVersion?: string };
    resourceVersions[meta.name ?? ""] = meta.resourceVersion ?? "";
  }
  const catalog = buildCatalog(crds, { kind: "cluster", resourceVersions: Object.fromEntries(Object.entries(resourceVersions).sort(([a], [b]) => (a < b ? -1 : 1))) });
  if (!MANAGED_GROUPS.every((group) => catalog.groups.has(group))) {
    throw new NotAHedgehogClusterError(
      `the cluster serves no CRD of ${MANAGED_GROUPS.filter((g) => !catalog.groups.has(g)).join(" or ")}: is it a Hedgehog fabric, and may this kubeconfig list customresourcedefinitions?`,
    );
  }
  // Keyed by what was read, so that a CRD changed between the two lists is read again next time.
  cache.set(cluster, fingerprintOf(Object.entries(resourceVersions).map(([name, resourceVersion]) => ({ name, resourceVersion }))), catalog);
  return catalog;
}

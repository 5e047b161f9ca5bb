// The CRD sets the tests serve and validate with, parsed from YAML as a cluster would serve them
// (descriptions included): the bundled v0.126.0 set, fabric main 78827deb (bundled too), and the
// v0.129 fixture (main plus the 26.03 fields the docs' API reference lists; see its SOURCE.txt).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CRD_DIR, loadCrds } from "../../infra/tools/crd-catalog.js";
import { buildCatalog, type Catalog } from "../../lib/hedgehog/index.js";

export const v0126Crds: readonly object[] = loadCrds(CRD_DIR);
export const fabricMainCrds: readonly object[] = loadCrds(join(CRD_DIR, "fabric-main-78827deb"));
export const v0129FixtureCrds: readonly object[] = loadCrds(fileURLToPath(new URL("../fixtures/hedgehog/crds-v0.129-fixture/", import.meta.url)));

/** A catalog as if a cluster had served these CRDs. */
export function servedCatalog(crds: readonly object[]): Catalog {
  return buildCatalog(crds, { kind: "cluster", resourceVersions: {} });
}

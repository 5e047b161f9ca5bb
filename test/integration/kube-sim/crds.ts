// The Hedgehog CRDs (lib/hedgehog/crds), parsed, for starting simulators in tests.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const crdDir = fileURLToPath(new URL("../../../lib/hedgehog/crds", import.meta.url));

export const hedgehogCrds: readonly object[] = readdirSync(crdDir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .flatMap((f) => parseAllDocuments(readFileSync(join(crdDir, f), "utf8")).map((d) => d.toJS() as object | null))
  .filter((d): d is object => d !== null);

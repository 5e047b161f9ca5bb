// `npm run crds`: renders lib/hedgehog/crds/*.yaml (copied verbatim from githedgehog/fabric) as
// lib/hedgehog/crds.generated.json, which the catalog imports. The YAML stays the source of truth; a
// unit test fails when the JSON no longer matches it. Why JSON: lib/hedgehog stays free of file access,
// esbuild bundles it like code, and JSON.parse is ~20× faster than YAML at a Lambda cold start.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const CRD_DIR = fileURLToPath(new URL("../../lib/hedgehog/crds/", import.meta.url));
export const GENERATED_FILE = fileURLToPath(new URL("../../lib/hedgehog/crds.generated.json", import.meta.url));

/** The generated file's exact content for the YAML in `dir`. */
export function renderCrdCatalog(dir = CRD_DIR): string {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((file) => ({ file, crd: parse(readFileSync(`${dir}/${file}`, "utf8")) as unknown }));
  return `${JSON.stringify(files, null, 1)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(GENERATED_FILE, renderCrdCatalog());
  console.log(`wrote ${GENERATED_FILE}`);
}

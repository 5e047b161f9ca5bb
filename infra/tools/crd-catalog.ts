// `npm run crds`: renders the bundled CRD sets (lib/hedgehog/crds/*.yaml, copied verbatim from
// githedgehog/fabric v0.126.0, and lib/hedgehog/crds/<release>/*.yaml for each newer set) as
// lib/hedgehog/crds.generated.json, which the catalog imports. The YAML stays the source of truth; a
// unit test fails when the JSON no longer matches it. Why JSON: lib/hedgehog stays free of file access,
// esbuild bundles it like code, and JSON.parse is ~20× faster than YAML at a Lambda cold start.
//
// Only what validation needs is kept: every `description` is dropped (two thirds of the bytes) except
// the ones that mark a field deprecated, because the catalog reads capabilities from those.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const CRD_DIR = fileURLToPath(new URL("../../lib/hedgehog/crds/", import.meta.url));
export const GENERATED_FILE = fileURLToPath(new URL("../../lib/hedgehog/crds.generated.json", import.meta.url));

/** The bundled sets: the default first. Each names the folder its YAML sits in, relative to CRD_DIR. */
export const BUNDLED_SETS: readonly { readonly release: string; readonly folder: string }[] = [
  { release: "v0.126.0", folder: "." },
  { release: "v0.126.0-15-g78827deb", folder: "fabric-main-78827deb" },
];

const DEPRECATION = /deprecated/i;

/** A CRD without the descriptions validation does not read. Field names inside `properties` are data, never keywords. */
export function stripDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDescriptions);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === "description" && typeof item === "string" && !DEPRECATION.test(item)) continue;
    out[key] =
      key === "properties" && item !== null && typeof item === "object" && !Array.isArray(item)
        ? Object.fromEntries(Object.entries(item).map(([field, schema]) => [field, stripDescriptions(schema)]))
        : stripDescriptions(item);
  }
  return out;
}

/** Every CRD of one folder, parsed, in file-name order (the YAML as published, descriptions included). */
export function loadCrdFiles(dir: string): { file: string; crd: unknown }[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((file) => ({ file, crd: parse(readFileSync(join(dir, file), "utf8")) as unknown }));
}

/** The CRD objects of one folder, as a cluster would serve them (for simulators and tests). */
export function loadCrds(dir: string): object[] {
  return loadCrdFiles(dir).map(({ crd }) => crd as object);
}

/** The generated file's exact content for the YAML under `dir`. */
export function renderCrdCatalog(dir = CRD_DIR): string {
  const sets = BUNDLED_SETS.map(({ release, folder }) => ({
    release,
    crds: loadCrdFiles(join(dir, folder)).map(({ file, crd }) => ({ file, crd: stripDescriptions(crd) })),
  }));
  return `${JSON.stringify(sets, null, 1)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(GENERATED_FILE, renderCrdCatalog());
  console.log(`wrote ${GENERATED_FILE}`);
}

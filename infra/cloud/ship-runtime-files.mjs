// Runs right after esbuild, once per function bundle: as the NodejsFunction afterBundling hook during
// `cdk synth`, and from the bundle benchmark — the same script with the same arguments, so the benchmark
// measures exactly what is deployed. Plain JavaScript because the hook runs it with bare `node`.
//
//   node ship-runtime-files.mjs <repository root> <bundle folder>
//
// Some modules read files that sit next to them at run time; esbuild does not follow those reads, so
// the files are copied into every bundle whose metafile shows the reading module was bundled in.
/* global process, console */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { parse } from "yaml";
import { join } from "node:path";

const RUNTIME_FILES = [
  // lib/hedgehog/catalog.ts reads `new URL("./crds/", import.meta.url)`. In the bundle, import.meta.url is
  // <asset>/index.mjs (the bundle sits at the asset root), so the folder must be <asset>/crds/.
  // The whole folder ships, NOTICE included: the CRDs are third-party files under their own licence.
  // Next to them goes the same CRDs parsed to JSON (catalog.ts's PARSED_CRDS_FILE), which the catalog
  // reads instead of parsing the YAML at every cold start.
  { module: "lib/hedgehog/catalog.ts", from: "lib/hedgehog/crds", to: "crds", parsedCrds: "parsed-crds.json" },
];

const [repositoryRoot, bundleFolder] = process.argv.slice(2);
if (!repositoryRoot || !bundleFolder) {
  console.error("usage: node ship-runtime-files.mjs <repository root> <bundle folder>");
  process.exit(2);
}

// esbuild writes input paths relative to its working directory, which differs between local and
// Docker bundling; matching on the path's tail (outside node_modules) works for both.
const metafilePath = join(bundleFolder, "index.meta.json");
const inputs = Object.keys(JSON.parse(readFileSync(metafilePath, "utf8")).inputs).map((path) => path.replaceAll("\\", "/"));
const bundled = (module) => inputs.some((path) => !path.includes("node_modules/") && (path === module || path.endsWith(`/${module}`)));

for (const rule of RUNTIME_FILES) {
  if (!bundled(rule.module)) continue;
  const target = join(bundleFolder, rule.to);
  cpSync(join(repositoryRoot, rule.from), target, { recursive: true });
  if (rule.parsedCrds) {
    const files = readdirSync(target).filter((name) => name.endsWith(".yaml")).sort();
    const parsed = files.map((file) => ({ file, crd: parse(readFileSync(join(target, file), "utf8")) }));
    writeFileSync(join(target, rule.parsedCrds), JSON.stringify(parsed));
  }
}
// The metafile only served this decision; it is not part of the function.
rmSync(metafilePath);

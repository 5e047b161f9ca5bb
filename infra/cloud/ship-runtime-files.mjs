// Runs right after esbuild, once per function bundle: as the NodejsFunction afterBundling hook during
// `cdk synth`, and from the bundle benchmark — the same script with the same arguments, so the benchmark
// measures exactly what is deployed. Plain JavaScript because the hook runs it with bare `node`.
//
//   node ship-runtime-files.mjs <repository root> <bundle folder>
//
// Some modules read files that sit next to them at run time; esbuild does not follow those reads, so
// the files are copied into every bundle whose metafile shows the reading module was bundled in.
/* global process, console */
import { cpSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const RUNTIME_FILES = [
  // lib/hedgehog/catalog.ts carries the Hedgehog CRDs (imported as JSON, so esbuild bundles them). They are
  // third-party files under Apache-2.0: their NOTICE and provenance travel with every bundle that has them.
  { module: "lib/hedgehog/catalog.ts", from: "lib/hedgehog/crds/NOTICE", to: "crds/NOTICE" },
  { module: "lib/hedgehog/catalog.ts", from: "lib/hedgehog/crds/SOURCE.txt", to: "crds/SOURCE.txt" },
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
  if (bundled(rule.module)) cpSync(join(repositoryRoot, rule.from), join(bundleFolder, rule.to));
}
// The metafile only served this decision; it is not part of the function.
rmSync(metafilePath);

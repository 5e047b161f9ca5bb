// Bundle budget: every wiring function bundled exactly as the cloud stack bundles it (the settings and
// the runtime-files step come from infra/cloud/bundling.ts), then imported in a fresh Node process.
// Goals per function: bundle ≤ 1 MiB, import ≤ 150 ms wall time. Reported, not asserted.
// Note: this machine runs Node 20; Lambda runs the stack's runtime (see `runtime` in the output).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { Metafile } from "esbuild";
import { buildFunctionBundle } from "../../infra/cloud/build-bundles.js";
import { BUNDLE_FILE, LAMBDA_RUNTIME } from "../../infra/cloud/bundling.js";
import { wiring } from "../../infra/wiring.js";

const SIZE_GOAL_BYTES = 1024 * 1024;
const IMPORT_GOAL_MS = 150;
const IMPORT_RUNS = 5;

// What the function sees on Lambda, as far as importing goes (the stack sets NODE_OPTIONS).
const LAMBDA_LIKE_ENV = {
  PATH: process.env.PATH ?? "",
  AWS_REGION: "us-east-1",
  NODE_OPTIONS: "--enable-source-maps",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Wall time of `node -e <script>` in a fresh process, median of IMPORT_RUNS. */
function wallTime(script: string): { ms: number; error?: string } {
  const times: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ["-e", script], { env: LAMBDA_LIKE_ENV, encoding: "utf8" });
    times.push(performance.now() - started);
    if (run.status !== 0) return { ms: Number.NaN, error: (run.stderr || run.stdout).trim().split("\n").slice(-3).join(" | ") };
  }
  return { ms: Math.round(median(times)) };
}

/** The five packages (or repository folders) contributing most to the bundle. */
function largestInputs(metafile: Metafile): Record<string, number> {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const byOrigin: Record<string, number> = {};
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const origin = inPackage?.[1] ?? path.split("/").slice(0, 2).join("/");
    byOrigin[origin] = (byOrigin[origin] ?? 0) + input.bytesInOutput;
  }
  return Object.fromEntries(Object.entries(byOrigin).sort((a, b) => b[1] - a[1]).slice(0, 5));
}

export default async () => {
  const root = mkdtempSync(join(tmpdir(), "hedgehog-gitops-bundles-"));
  try {
    const nodeStartMs = wallTime("0").ms;
    const functions: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(wiring.functions)) {
      const folder = join(root, name);
      const started = performance.now();
      // esbuild and the runtime-files step, as the NodejsFunction afterBundling hook runs them.
      const result = await buildFunctionBundle(spec.entry, folder);
      const bundleMs = Math.round(performance.now() - started);

      const bundleBytes = statSync(join(folder, BUNDLE_FILE)).size;
      const imported = wallTime(`import(${JSON.stringify(pathToFileURL(join(folder, BUNDLE_FILE)).href)})`);
      functions[name] = {
        entry: spec.entry,
        bundleBytes,
        sourceMapBytes: statSync(join(folder, `${BUNDLE_FILE}.map`)).size,
        assetBytes: folderBytes(folder),
        runtimeFiles: readdirSync(folder).filter((f) => !f.startsWith(BUNDLE_FILE)),
        bundleMs,
        importMs: imported.ms,
        ...(imported.error ? { importError: imported.error } : {}),
        largestInputsBytes: largestInputs(result.metafile),
        withinSizeGoal: bundleBytes <= SIZE_GOAL_BYTES,
        withinImportGoal: imported.ms <= IMPORT_GOAL_MS,
      };
    }
    return {
      goals: { bundleBytes: SIZE_GOAL_BYTES, importMs: IMPORT_GOAL_MS },
      runtime: LAMBDA_RUNTIME.name,
      measuredOn: `node ${process.version} ${process.arch}`,
      importRuns: IMPORT_RUNS,
      nodeStartMs,
      functions,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};

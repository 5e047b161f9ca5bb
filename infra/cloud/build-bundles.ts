// Builds function bundles the way `cdk synth` does: esbuild with the settings of bundling.ts, then the
// same runtime-files step as the NodejsFunction afterBundling hook, reading the metafile from the same
// place. Used by the bundle benchmark and by the local stack's bundled mode (`npm start -- --bundled`),
// so that what is measured and what is tested locally is what is deployed.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";
import type { Wiring } from "../wiring-types.js";
import { BUNDLE_FILE, REPOSITORY_ROOT, esbuildBuildOptions, shipRuntimeFilesArguments } from "./bundling.js";

const run = promisify(execFile);

export interface BuiltBundle {
  /** The bundle folder: index.mjs, its source map, the runtime files. */
  readonly folder: string;
  /** The module Lambda loads (`index.handler`). */
  readonly file: string;
  readonly metafile: Metafile;
}

/** One function's bundle into `folder` (created or overwritten). */
export async function buildFunctionBundle(entry: string, folder: string): Promise<BuiltBundle> {
  const result = await build(esbuildBuildOptions(entry, folder));
  await writeFile(join(folder, "index.meta.json"), JSON.stringify(result.metafile));
  await run(process.execPath, shipRuntimeFilesArguments(REPOSITORY_ROOT, folder));
  return { folder, file: join(folder, BUNDLE_FILE), metafile: result.metafile };
}

/** Every function of the wiring, each into `<dir>/<function name>/`, built concurrently. */
export async function buildWiringBundles(wiring: Wiring, dir: string): Promise<Record<string, BuiltBundle>> {
  const built = await Promise.all(Object.entries(wiring.functions).map(async ([name, spec]) => [name, await buildFunctionBundle(spec.entry, join(dir, name))] as const));
  return Object.fromEntries(built);
}

// How every function is bundled. The stack hands these settings to NodejsFunction; the bundle benchmark
// (test/bench/bundles.ts) hands the same settings to esbuild's API. Both read them from here, so what
// is measured is what is deployed.
import { platform } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { OutputFormat, type BundlingOptions } from "aws-cdk-lib/aws-lambda-nodejs";

/** The repository root: entries in infra/wiring.ts are relative to it. */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The newest Node.js runtime this aws-cdk-lib knows; arm64 costs less per GB-second than x86_64. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;

/** The bundle's file name: .mjs makes the Lambda runtime load it as an ES module. */
export const BUNDLE_FILE = "index.mjs";

/** The one description of a bundle; the two translations below must only rename fields. */
export const BUNDLE_SETTINGS = {
  format: "esm",
  platform: "node",
  target: "node24",
  minify: true,
  sourcemap: true,
  // Stack traces map to file and line without the sources' text in the map: with it the map was 6.6 MB
  // and --enable-source-maps (which the stack sets) parsed all of it at every cold start.
  sourcesContent: false,
  // Prefer the ES-module builds of dependencies (the AWS SDK ships both): they tree-shake, the CommonJS
  // builds do not. Measured: the fabrics bundle shrinks from 1.57 MB to 1.34 MB.
  mainFields: ["module", "main"],
  // CommonJS code inside an ES-module bundle (parts of the AWS SDK, isomorphic-git's deps) calls
  // require() for Node built-ins; an ES module has no `require`, so the bundle defines one.
  banner: 'import { createRequire as __hhgCreateRequire } from "node:module"; const require = __hhgCreateRequire(import.meta.url);',
  // Nothing is left to the runtime: the AWS SDK is bundled too, pinned to the version the tests ran with
  // (the runtime's own copy lags behind and changes without notice).
  external: [] as readonly string[],
} as const;

/** The script that copies files read at run time into the bundle (see ship-runtime-files.mjs). */
export const SHIP_RUNTIME_FILES_SCRIPT = "infra/cloud/ship-runtime-files.mjs";

/** Arguments to `node` that run the runtime-files step for one bundle folder. */
export function shipRuntimeFilesArguments(repositoryRoot: string, bundleFolder: string): string[] {
  return [join(repositoryRoot, SHIP_RUNTIME_FILES_SCRIPT), repositoryRoot, bundleFolder];
}

function quoteForShell(argument: string, windows: boolean): string {
  return windows ? `"${argument}"` : `'${argument.replaceAll("'", "'\\''")}'`;
}

/** NodejsFunction's bundling options. esbuild comes from node_modules: no Docker, works offline. */
export function nodejsBundlingOptions(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: BUNDLE_SETTINGS.target,
    minify: BUNDLE_SETTINGS.minify,
    sourceMap: BUNDLE_SETTINGS.sourcemap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: BUNDLE_SETTINGS.banner,
    externalModules: [...BUNDLE_SETTINGS.external],
    // The runtime-files step decides from the metafile which modules went into the bundle.
    metafile: true,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) => {
        // Local bundling runs hooks with cmd on Windows and bash elsewhere; Docker bundling always with bash.
        const windows = platform() === "win32" && !inputDir.startsWith("/asset-input");
        return [["node", ...shipRuntimeFilesArguments(inputDir, outputDir)].map((a) => quoteForShell(a, windows)).join(" ")];
      },
    },
  };
}

/** The same bundle through esbuild's API, for the benchmark. The metafile goes where NodejsFunction puts it. */
export function esbuildBuildOptions(entry: string, bundleFolder: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: [resolve(REPOSITORY_ROOT, entry)],
    absWorkingDir: REPOSITORY_ROOT,
    bundle: true,
    outfile: join(bundleFolder, BUNDLE_FILE),
    format: BUNDLE_SETTINGS.format,
    platform: BUNDLE_SETTINGS.platform,
    target: BUNDLE_SETTINGS.target,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourcemap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
    external: [...BUNDLE_SETTINGS.external],
    metafile: true,
    logLevel: "warning",
  };
}

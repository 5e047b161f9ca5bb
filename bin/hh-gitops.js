#!/usr/bin/env node
// hh-gitops, the package's command line (cli/main.ts). The sources are TypeScript; tsx's loader (installed
// by `npm ci`) runs them, resolved from this file's folder, so it works from any working directory.
/* global process */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv);

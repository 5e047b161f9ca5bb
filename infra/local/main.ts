// `npm start`: the local stack on its embedded defaults. Configuration: see README (lib/config/local.ts).
// `npm start -- --bundled` (or HH_GITOPS_BUNDLED=1): the functions run from the esbuild bundles the CDK
// stack deploys, built at start into <data dir>/bundles, instead of from their TypeScript sources.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { parseLocalStackSettings, parseTokenFile } from "../../lib/config/index.js";
import { buildWiringBundles } from "../cloud/build-bundles.js";
import { wiring } from "../wiring.js";
import { startLocalStack } from "./stack.js";

function loadOrCreateToken(dataDir: string): string {
  const file = join(dataDir, "token");
  // Checked like HH_GITOPS_TOKEN: a truncated or empty file must not become a guessable token.
  if (existsSync(file)) return parseTokenFile(readFileSync(file, "utf8"), file);
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

// Strict: an unknown option is an error, not silently the TypeScript sources.
const { values: options } = parseArgs({ options: { bundled: { type: "boolean", default: false } }, strict: true, allowPositionals: false });
const settings = parseLocalStackSettings(process.env);
const bundled = options.bundled || settings.bundled;
const dataDir = resolve(settings.dataDir);
mkdirSync(dataDir, { recursive: true });
const token = settings.token ?? loadOrCreateToken(dataDir);
process.env.HH_GITOPS_LOG_LEVEL ??= settings.logLevel;

let bundles: Record<string, string> | undefined;
let bundleNote = "";
if (bundled) {
  // Rebuilt at every start: a bundle left from older sources would test something not deployed.
  const bundleDir = join(dataDir, "bundles");
  rmSync(bundleDir, { recursive: true, force: true });
  const started = performance.now();
  const built = await buildWiringBundles(wiring, bundleDir);
  bundles = Object.fromEntries(Object.entries(built).map(([name, b]) => [name, b.file]));
  bundleNote = `${Object.keys(built).length} bundles in ${bundleDir}, built in ${((performance.now() - started) / 1000).toFixed(1)} s`;
}

const stack = await startLocalStack({
  wiring,
  ...(bundles ? { bundles } : {}),
  dynamoDbPath: join(dataDir, "dynamodb"),
  port: settings.port,
  token,
  tableName: settings.tableName,
  queuePrefix: settings.queuePrefix,
  dynamodbPort: settings.dynamodbPort,
  sqsPort: settings.sqsPort,
  ...(settings.webhookSecret ? { webhookSecret: settings.webhookSecret } : {}),
  simulatedCluster: { kubeconfigPath: join(dataDir, "simulated-cluster.kubeconfig") },
  dataDir,
  ...(settings.repoRoot ? { repoRoot: resolve(settings.repoRoot) } : {}),
  // Checks and statuses on GitHub link to the console: behind a tunnel or proxy, set its public URL.
  ...(process.env.HH_GITOPS_CONSOLE_URL ? { consoleUrl: process.env.HH_GITOPS_CONSOLE_URL } : {}),
  onError: (error) => console.error("local stack:", error instanceof Error ? error.message : error),
});

console.log(`hedgehog-gitops local stack
  console:  ${stack.url}/   (sign in with the token)
  API:      ${stack.url}   (described at ${stack.url}/openapi.json)
  functions: ${bundled ? `the deployed esbuild bundles (${bundleNote})` : "TypeScript sources (npm start -- --bundled: the deployed bundles)"}
  token:    ${settings.token ? "(from HH_GITOPS_TOKEN)" : `${token}   (saved in ${join(dataDir, "token")})`}
  data dir: ${dataDir}   (bare repositories under ${resolve(settings.repoRoot ?? join(dataDir, "repos"))}, file: secrets under ${join(dataDir, "secrets")})
  DynamoDB: ${stack.dynamodbEndpoint}   SQS: ${stack.sqsEndpoint}
  events:   ${join(dataDir, "events.jsonl")}   (run finished, resource drifted/rejected, object pruned: docs/EVENTS.md)
  simulated cluster: ${stack.kubeSim?.url ?? "off"} (fabrics with "cluster": {"simulated": true})
    kubectl --kubeconfig ${stack.kubeconfigPath ?? "-"} get vpcs
Try: npx hh-gitops${settings.port === 3000 ? "" : ` --url ${stack.url}`} fabrics      Stop: Ctrl-C`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping`);
    stack.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

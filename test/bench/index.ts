// `npm run bench -- <name> [...]` runs test/bench/<name>.ts and prints its result as JSON.
// Benchmarks are never part of `npm test`; their goals are reported, not asserted.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The handlers' own logs would drown the JSON (the logger reads its level when first imported).
process.env.HH_GITOPS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : available;
const results: Record<string, unknown> = {};
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(", ")}`);
    process.exit(2);
  }
  const mod = (await import(join(here, `${name}.ts`))) as { default: () => Promise<unknown> };
  results[name] = await mod.default();
}
console.log(JSON.stringify(results, null, 2));
process.exit(0);

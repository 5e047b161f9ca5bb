// `npm run console`: builds the operator console (console/) with esbuild into
// lib/console/assets.generated.json, which the console function serves. The sources stay the truth;
// a unit test rebuilds and fails when the committed file no longer matches them, so `npm start`,
// `npm test` and the CDK bundle work from a clean clone without a build step.
//
// Same sources, same esbuild version → the same bytes: the file names carry a hash of their content,
// nothing carries a time or a machine path.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { applyOrderOf, managedKinds } from "../../lib/hedgehog/index.js";
import type { ConsoleAsset, ConsoleAssets } from "../../lib/console/assets.js";

export const CONSOLE_DIR = fileURLToPath(new URL("../../console/", import.meta.url));
export const GENERATED_FILE = fileURLToPath(new URL("../../lib/console/assets.generated.json", import.meta.url));

/** The catalog's managed kinds, in apply order: the console's tabs (one per kind, even when empty). */
function consoleKinds() {
  return [...managedKinds]
    .sort((a, b) => applyOrderOf(a.kind) - applyOrderOf(b.kind) || (a.kind < b.kind ? -1 : 1))
    .map((k) => ({ kind: k.kind, plural: k.plural, group: k.group }));
}

const hashed = (name: string, ext: string, body: string) => `${name}.${createHash("sha256").update(body).digest("hex").slice(0, 12)}.${ext}`;

async function bundle(entry: string, define: Record<string, string> = {}): Promise<string> {
  const result = await build({
    entryPoints: [`${CONSOLE_DIR}${entry}`],
    absWorkingDir: fileURLToPath(new URL("../..", import.meta.url)),
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    charset: "utf8",
    legalComments: "eof",
    define,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** The generated file's exact content. */
export async function renderConsoleAssets(): Promise<string> {
  const script = await bundle("main.ts", { HH_CONSOLE_KINDS: JSON.stringify(consoleKinds()) });
  const style = await bundle("style.css");
  const scriptName = hashed("app", "js", script);
  const styleName = hashed("app", "css", style);
  const page = readFileSync(`${CONSOLE_DIR}index.html`, "utf8").replace("%STYLE%", `console/${styleName}`).replace("%SCRIPT%", `console/${scriptName}`);
  const file = (contentType: string, body: string, immutable: boolean): ConsoleAsset => ({ contentType, body, immutable });
  const assets: ConsoleAssets = {
    index: file("text/html; charset=utf-8", page, false),
    files: {
      [scriptName]: file("text/javascript; charset=utf-8", script, true),
      [styleName]: file("text/css; charset=utf-8", style, true),
    },
  };
  return `${JSON.stringify(assets, null, 1)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(GENERATED_FILE, await renderConsoleAssets());
  console.log(`wrote ${GENERATED_FILE}`);
}

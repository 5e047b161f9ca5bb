// The real bundles: the stack synthesized once with NodejsFunction bundling (esbuild from node_modules,
// no Docker), then every bundle imported in a fresh Node process. The other cloud tests use stub code;
// this file is what proves the deployed code loads, CRD files included.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { App } from "aws-cdk-lib";
import { ASSET_RESOURCE_METADATA_ENABLED_CONTEXT } from "aws-cdk-lib/cx-api";
import { BUNDLE_FILE, BUNDLE_SETTINGS, esbuildBuildOptions, nodejsBundlingOptions } from "../../../infra/cloud/bundling.js";
import { HedgehogGitopsStack } from "../../../infra/cloud/stack.js";
import { wiring } from "../../../infra/wiring.js";

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), "hedgehog-gitops-cdk-"));
// The CLI sets this; it makes each function record the folder of its asset.
const app = new App({ outdir, context: { [ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true } });
const stack = new HedgehogGitopsStack(app, "Bundled", { wiring });
const template = app.synth().getStackByName(stack.stackName).template as {
  Resources: Record<string, { Type: string; Properties: { FunctionName: string; Handler: string }; Metadata: Record<string, string> }>;
};
const bundles = Object.values(template.Resources)
  .filter((r) => r.Type === "AWS::Lambda::Function")
  .map((r) => ({ name: r.Properties.FunctionName, handler: r.Properties.Handler, folder: join(outdir, r.Metadata["aws:asset:path"]!) }));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("function bundles", () => {
  it("bundles every wiring function into an ES module with its source map, and nothing else but runtime files", () => {
    expect(bundles).toHaveLength(Object.keys(wiring.functions).length);
    for (const bundle of bundles) {
      expect(bundle.handler).toBe("index.handler");
      const files = readdirSync(bundle.folder).sort();
      expect(files.filter((f) => f !== "crds"), bundle.name).toEqual([BUNDLE_FILE, `${BUNDLE_FILE}.map`]);
      expect(readFileSync(join(bundle.folder, BUNDLE_FILE), "utf8").startsWith(BUNDLE_SETTINGS.banner), bundle.name).toBe(true);
      // The map maps lines but carries no sources' text: Node parses the whole map at a cold start.
      const map = JSON.parse(readFileSync(join(bundle.folder, `${BUNDLE_FILE}.map`), "utf8")) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sources.length, bundle.name).toBeGreaterThan(0);
      expect(map.sourcesContent, bundle.name).toBeUndefined();
      // The CRDs are bundled as code; their licence notice and provenance ship beside them.
      if (files.includes("crds")) expect(readdirSync(join(bundle.folder, "crds")).sort(), bundle.name).toEqual(["NOTICE", "SOURCE.txt"]);
    }
    // Today the catalog reaches at least the resources API and the ingest worker.
    expect(bundles.filter((b) => existsSync(join(b.folder, "crds"))).length).toBeGreaterThan(0);
  });

  it("loads every bundle in a fresh Node process and finds its handler", async () => {
    const env = { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    const loads = bundles.map(async (bundle) => {
      const url = pathToFileURL(join(bundle.folder, BUNDLE_FILE)).href;
      const script = `import(${JSON.stringify(url)}).then((m) => { if (typeof m.handler !== "function") { console.error("no handler"); process.exit(3); } })`;
      try {
        await run(process.execPath, ["-e", script], { env });
        return `${bundle.name}: ok`;
      } catch (error) {
        return `${bundle.name}: ${(error as { stderr?: string }).stderr ?? String(error)}`;
      }
    });
    expect(await Promise.all(loads)).toEqual(bundles.map((b) => `${b.name}: ok`));
  });

  it("gives the stack and the bundle benchmark the same esbuild settings", () => {
    const cdk = nodejsBundlingOptions();
    const api = esbuildBuildOptions("functions/http/meta.ts", "/tmp/bundle");
    expect({
      format: cdk.format,
      target: cdk.target,
      minify: cdk.minify,
      sourcemap: cdk.sourceMap,
      sourcesContent: cdk.sourcesContent,
      mainFields: cdk.mainFields,
      banner: cdk.banner,
      external: cdk.externalModules,
      metafile: cdk.metafile,
    }).toEqual({
      format: api.format,
      target: api.target,
      minify: api.minify,
      sourcemap: api.sourcemap,
      sourcesContent: api.sourcesContent,
      mainFields: api.mainFields,
      banner: api.banner?.js,
      external: api.external,
      metafile: api.metafile,
    });
    expect(api.outfile?.endsWith(BUNDLE_FILE)).toBe(true);
  });
});

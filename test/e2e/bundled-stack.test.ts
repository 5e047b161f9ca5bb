// What is tested is what is deployed (issue #18 item 7): `npm start -- --bundled` builds the esbuild
// bundles the CDK stack deploys and runs the local stack on them. This test starts exactly that as a
// child process and walks the main path — register, sync, resources synced in the simulated cluster, a
// second sync that changes nothing — so that a bundle which imports but breaks at run time fails CI.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wiring } from "../../infra/wiring.js";
import type { ApiResult } from "../support/local-stack.js";
import { ApiContract, type Doc } from "../support/openapi-contract.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";
import { TEST_REPO_ROOT } from "../support/trust.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DIR = "gitops/hedgehog/fabric-1";
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const VPCS = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs", namespace: "default" } as const;
const TRACKING = "hedgehog-gitops/tracking-id";

describe("the local stack on the deployed bundles (npm start -- --bundled)", () => {
  const token = randomBytes(18).toString("base64url");
  let dataDir: string;
  let repo: SeededRepository;
  let child: ChildProcess;
  let exited: Promise<void>;
  let url: string;
  let banner = "";
  let contract: ApiContract;

  const api = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResult> => {
    const res = await fetch(`${url}${path}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    contract.check(init.method ?? "GET", path, res.status, res.headers, body);
    return { status: res.status, headers: res.headers, body };
  };
  const waitForRun = async (runId: string) => {
    for (;;) {
      const run = (await api(`/fabrics/fabric-1/runs/${runId}`)).body;
      if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const sync = async () => {
    const res = await api("/fabrics/fabric-1/sync", { method: "POST" });
    expect(res.status).toBe(202);
    return waitForRun(res.body.runId);
  };

  beforeAll(async () => {
    repo = seedRepository({
      [`${DIR}/raw/prepop.yaml`]: fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
      [`${DIR}/raw/test-vpc.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
    });
    dataDir = mkdtempSync(join(TEST_REPO_ROOT, "hh-bundled-"));
    // What `npm start -- --bundled` runs (package.json: tsx infra/local/main.ts), without npm in between.
    child = spawn(process.execPath, ["--import", "tsx", "infra/local/main.ts", "--bundled"], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: "0",
        HH_GITOPS_TOKEN: token,
        HH_GITOPS_DATA_DIR: dataDir,
        HH_GITOPS_REPO_ROOT: TEST_REPO_ROOT,
        HH_GITOPS_LOG_LEVEL: "SILENT",
        POWERTOOLS_LOG_LEVEL: "SILENT",
        HH_GITOPS_GITHUB_SPACE_WRITES: "false",
        HH_GITOPS_RETRY_DELAY_SECONDS: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        banner += `${line}\n`;
        const api = /^\s+API:\s+(http:\/\/\S+)/.exec(line);
        if (api) resolve(api[1]!);
      });
      void exited.then(() => reject(new Error(`npm start -- --bundled exited before it was ready:\n${banner}${stderr}`)));
    });
    contract = new ApiContract((await (await fetch(`${url}/openapi.json`)).json()) as Doc);
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    repo?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("says it runs the bundles, registers a fabric, syncs it into the simulated cluster, and a second sync changes nothing", async () => {
    expect(banner).toContain(`functions: the deployed esbuild bundles (${Object.keys(wiring.functions).length} bundles in `);

    const registered = await api("/fabrics", {
      method: "POST",
      body: { name: "fabric-1", git: { provider: "git", url: repo.bare, directory: DIR }, cluster: { simulated: true }, sync: { mode: "apply" } },
    });
    expect(registered.status).toBe(201);
    expect((await waitForRun(registered.body.initRun.runId)).status).toBe("succeeded");

    const first = await sync();
    expect(first.status).toBe("succeeded");
    expect(first.chain).toEqual(["ingest", "reconcile"]);
    expect(first.stages.reconcile.counts).toMatchObject({ applied: 47, rejected: 0 });
    const resources = await api("/fabrics/fabric-1/resources?limit=500");
    expect(resources.body.total).toBe(47);
    expect(resources.body.items.every((r: { state: string }) => r.state === "synced")).toBe(true);
    expect(repo.files(`${DIR}/managed`)).toContain(`${DIR}/managed/vpcs/test-vpc.yaml`);

    // The simulated cluster, read through its kubeconfig as kubectl would.
    const kc = new KubeConfig();
    kc.loadFromFile(join(dataDir, "simulated-cluster.kubeconfig"));
    const vpc = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...VPCS, name: "test-vpc" })) as { metadata: { annotations?: Record<string, string> } };
    const { uid } = (await api("/fabrics/fabric-1")).body;
    expect(vpc.metadata.annotations?.[TRACKING]).toBe(`fabric-1@${uid}:vpc.githedgehog.com/VPC:default/test-vpc`);

    const head = repo.head();
    const second = await sync();
    expect(second.status).toBe("succeeded");
    expect(second.stages.ingest.counts).toMatchObject({ recordsWritten: 0 });
    expect(second.stages.reconcile.counts).toMatchObject({ applied: 0, pruned: 0, recordsWritten: 0 });
    expect(repo.head()).toBe(head);
  });
});

// The pipeline end to end on the local stack: HTTP → SQS → init → ingest, against a real bare repository
// reached through the git provider, and through the github provider and the simulated GitHub.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";
import { startTestStack, waitForIdle, waitForRun, type TestStack } from "../support/local-stack.js";

const DIR = "gitops/hedgehog/fabric-1";
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

describe.each(["git", "github"] as const)("init + ingest end to end (%s provider)", (provider) => {
  let stack: TestStack;
  let repo: SeededRepository;
  let github: GitHubSim | undefined;
  let gitSettings: Record<string, unknown>;

  beforeAll(async () => {
    repo = seedRepository({
      [`${DIR}/raw/prepop.yaml`]: fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
      [`${DIR}/raw/test-vpc.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
      [`${DIR}/raw/test-vpc-2.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc-2.yaml"),
      [`${DIR}/raw/configmap.yaml`]: fixture("pipeline/configmap.yaml"),
      [`${DIR}/raw/broken-vpc.yaml`]: fixture("pipeline/broken-vpc.yaml"),
    });
    if (provider === "github") {
      const token = randomBytes(12).toString("hex");
      process.env.HH_GITOPS_SECRET_TEST_GITHUB_TOKEN = token;
      github = await startGitHubSim({ token, repos: [{ owner: "acme", repo: "fabric", gitdir: repo.bare }] });
      gitSettings = { provider: "github", owner: "acme", repo: "fabric", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_TEST_GITHUB_TOKEN", branch: "main", directory: DIR };
    } else {
      gitSettings = { provider: "git", url: repo.bare, branch: "main", directory: DIR };
    }
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
    await github?.close();
    repo?.cleanup();
  });

  it("registering the fabric initializes the layout in one commit", async () => {
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "fabric-1", git: gitSettings },
    });
    expect(res.status).toBe(201);
    const run = await waitForRun(stack, "fabric-1", res.body.initRun.runId);
    expect(run.status).toBe("succeeded");
    expect(repo.log()).toEqual([`hedgehog-gitops: initialize ${DIR} (9 files)`, "seed"]);
    if (github) expect(github.requests.every((r) => r.status < 400)).toBe(true);
    const files = repo.files(DIR);
    for (const f of ["raw/README.md", "raw/pending/.gitkeep", "raw/processed/.gitkeep", "raw/errors/.gitkeep", "unmanaged/README.md", "unmanaged/external-configs/.gitkeep", "unmanaged/manual-overrides/.gitkeep", "managed/README.md", "managed/metadata/directory-info.json"]) {
      expect(files).toContain(`${DIR}/${f}`);
    }
    expect(JSON.parse(repo.show(`${DIR}/managed/metadata/directory-info.json`))).toEqual({ layoutVersion: 1, fabric: "fabric-1", directory: DIR, managedBy: "hedgehog-gitops" });
    const status = await stack.api("/fabrics/fabric-1/status");
    expect(status.body.directory).toMatchObject({ status: "initialized", error: null });
    expect(status.body.directory.lastInitAt).toBeTruthy();
  });

  it("a second init commits nothing", async () => {
    const res = await stack.api("/fabrics/fabric-1/init", { method: "POST" });
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toBe(`/fabrics/fabric-1/runs/${res.body.runId}`);
    const run = await waitForRun(stack, "fabric-1", res.body.runId);
    expect(run.stages.init).toMatchObject({ status: "succeeded", counts: { created: 0 } });
    expect(repo.log()).toHaveLength(2);
  });

  it("sync ingests raw/ in exactly one commit: managed, unmanaged, errors", async () => {
    const res = await stack.api("/fabrics/fabric-1/sync", { method: "POST" });
    expect(res.status).toBe(202);
    const run = await waitForRun(stack, "fabric-1", res.body.runId);
    expect(run.status).toBe("succeeded");
    expect(run.chain).toEqual(["ingest"]);

    const log = repo.log();
    expect(log).toHaveLength(3);
    expect(log[0]).toBe(`hedgehog-gitops: ingest 5 files from ${DIR}/raw`);
    const files = repo.files(DIR);
    // raw/ holds no inbox YAML any more: only the layout and the rejected file with its reasons.
    expect(files.filter((f) => /\/raw\/[^/]+\.(ya?ml|json)$/.test(f) || /\/raw\/pending\/[^/]+\.ya?ml$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.includes("/managed/") && !f.includes("/metadata/") && f.endsWith(".yaml"))).toHaveLength(48);
    expect(files).toContain(`${DIR}/managed/vpcs/test-vpc.yaml`);
    expect(files).toContain(`${DIR}/managed/switches/leaf-01.yaml`);
    expect(files).toContain(`${DIR}/managed/switchgroups/mclag-1.yaml`);
    expect(repo.show(`${DIR}/unmanaged/external-configs/configmap.yaml`)).toBe(fixture("pipeline/configmap.yaml"));
    expect(repo.show(`${DIR}/raw/errors/broken-vpc.yaml`)).toBe(fixture("pipeline/broken-vpc.yaml"));
    const reasons = repo.show(`${DIR}/raw/errors/broken-vpc.yaml.errors.txt`);
    expect(reasons).toContain("/spec/subnets/default/colour");
    expect(reasons).toContain("[SCHEMA]");
    // Normalized: explicit namespace, key order, no status.
    expect(repo.show(`${DIR}/managed/vpcs/test-vpc.yaml`)).toMatch(/^apiVersion: vpc\.githedgehog\.com\/v1beta1\nkind: VPC\nmetadata:\n {2}name: test-vpc\n {2}namespace: default\nspec:\n/);
  });

  it("lists 48 resources, every one From Git with path, blob and commit", async () => {
    const head = repo.log().length && (await import("../support/seed-repo.js")).git(repo.bare, "rev-parse", "main").trim();
    const res = await stack.api("/fabrics/fabric-1/resources");
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(48);
    for (const r of res.body.items) {
      expect(r.fromGit).toBe(true);
      expect(r.state).toBe("committed");
      expect(r.attribution.source).toBe("git");
      expect(r.attribution.gitFilePath).toMatch(new RegExp(`^${DIR}/managed/`));
      expect(r.attribution.gitBlobSha).toMatch(/^[0-9a-f]{40}$/);
      expect(r.attribution.gitCommitSha).toBe(head);
      expect(r.attribution.importedFrom).toMatch(new RegExp(`^${DIR}/raw/`));
    }
    const vpc = await stack.api("/fabrics/fabric-1/resources/vpc/test-vpc");
    expect(vpc.status).toBe(200);
    expect(vpc.body).toMatchObject({ kind: "VPC", name: "test-vpc", namespace: "default", attribution: { gitFilePath: `${DIR}/managed/vpcs/test-vpc.yaml`, importedFrom: `${DIR}/raw/test-vpc.yaml` } });
    const switches = await stack.api("/fabrics/fabric-1/resources?kind=switches");
    expect(switches.body.total).toBe(7);
    expect(switches.body.items[0].warnings.join(" ")).toContain("SW-103");
    expect((await stack.api("/fabrics/fabric-1/resources?kind=nope")).status).toBe(422);
    const status = await stack.api("/fabrics/fabric-1/status");
    expect(status.body.counts).toMatchObject({ total: 48, fromGit: 48, errors: 0, byState: { committed: 48 } });
  });

  it("a second sync makes no commit and writes no resource", async () => {
    const res = await stack.api("/fabrics/fabric-1/sync", { method: "POST" });
    const run = await waitForRun(stack, "fabric-1", res.body.runId);
    expect(run.status).toBe("succeeded");
    expect(run.stages.ingest.counts).toMatchObject({ files: 0, managedWritten: 0, recordsWritten: 0 });
    expect(run.stages.ingest.detail.commit).toBeNull();
    expect(repo.log()).toHaveLength(3);
  });

  it("a plan shows what would be committed and writes nothing", async () => {
    repo.push({ [`${DIR}/raw/pending/vpc-3.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc-2.yaml").replace(/test-vpc-2/g, "vpc-3").replace(/1002/g, "1003").replace(/10\.0\.2\./g, "10.0.3.") }, "add vpc-3");
    const res = await stack.api("/fabrics/fabric-1/plan", { method: "POST" });
    const run = await waitForRun(stack, "fabric-1", res.body.runId);
    expect(run.status).toBe("succeeded");
    expect(run.dryRun).toBe(true);
    expect(run.stages.ingest.detail.wouldCommit).toEqual({
      items: [
        { path: `${DIR}/managed/vpcs/vpc-3.yaml`, action: "write" },
        { path: `${DIR}/raw/pending/vpc-3.yaml`, action: "delete" },
      ],
      total: 2,
    });
    expect(repo.log()[0]).toBe("add vpc-3");
    expect((await stack.api("/fabrics/fabric-1/resources")).body.total).toBe(48);
  });

  it("20 parallel syncs make at most 2 runs and 1 ingest commit", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => stack.api("/fabrics/fabric-1/sync", { method: "POST" })));
    expect(results.every((r) => r.status === 202)).toBe(true);
    // The run in flight, and one follow-up that every later trigger names.
    const distinct = new Set(results.map((r) => r.body.runId));
    expect(distinct.size).toBeLessThanOrEqual(2);
    expect(new Set(results.filter((r) => r.body.coalesced).map((r) => r.body.runId)).size).toBeLessThanOrEqual(1);
    const before = (await stack.api("/fabrics/fabric-1/runs?limit=200")).body.items.length;
    const runs = await waitForIdle(stack, "fabric-1");
    expect(runs.length - before).toBeLessThanOrEqual(1); // the coalesced rerun, at most
    const log = repo.log();
    expect(log[0]).toBe(`hedgehog-gitops: ingest 1 file from ${DIR}/raw`);
    expect(log[1]).toBe("add vpc-3");
    expect((await stack.api("/fabrics/fabric-1/resources")).body.total).toBe(49);
  });
});

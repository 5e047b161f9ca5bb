// Never harm the fabric (issue #12 items 1, 2, 3, 9, 10, 11, 12), each reproduced on the local stack
// with the simulated cluster as an operator found it, and the new behaviour asserted.
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import type { KubeSim } from "../../infra/local/kube-sim/index.js";
import { startTestStack, waitForIdle, waitForRun, type TestStack } from "../support/local-stack.js";
import { git, seedRepository, type SeededRepository } from "../support/seed-repo.js";

const dir = (fabric: string) => `gitops/hedgehog/${fabric}`;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const VPCS = { group: "vpc.githedgehog.com", version: "v1beta1", plural: "vpcs", namespace: "default" } as const;
const SERVERS = { group: "wiring.githedgehog.com", version: "v1beta1", plural: "servers", namespace: "default" } as const;
const server = (name: string, description = name) =>
  `apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata:\n  name: ${name}\nspec:\n  description: ${description}\n`;

describe("never harm the fabric (local stack, simulated cluster)", () => {
  let stack: TestStack;
  let sim: KubeSim;
  let kube: CustomObjectsApi;
  const repos: SeededRepository[] = [];
  const repo = (files: Record<string, string> = {}) => {
    const r = seedRepository(files);
    repos.push(r);
    return r;
  };
  const register = async (name: string, git: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await stack.api("/fabrics", { method: "POST", body: { name, git, sync: { intervalMinutes: 10080 }, ...extra } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await waitForRun(stack, name, res.body.initRun.runId);
    return res.body;
  };
  const sync = async (fabric: string) => {
    const res = await stack.api(`/fabrics/${fabric}/sync`, { method: "POST" });
    expect(res.status).toBe(202);
    return waitForRun(stack, fabric, res.body.runId);
  };
  const resource = async (fabric: string, kind: string, name: string) => (await stack.api(`/fabrics/${fabric}/resources/${kind}/${name}`)).body;
  const live = async (target: typeof VPCS | typeof SERVERS, name: string) => kube.getNamespacedCustomObject({ ...target, name }).then((o) => o as { metadata: { annotations?: Record<string, string> } }, () => null);

  beforeAll(async () => {
    stack = await startTestStack();
    sim = stack.kubeSim!;
    const kc = new KubeConfig();
    kc.loadFromOptions(sim.kubeconfigOptions());
    kube = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await stack?.close();
    for (const r of repos) r.cleanup();
  });

  it("a typo, a bad name or an oversized file in managed/ never prunes the live object; it keeps its last good record with the error (item 1)", async () => {
    const D = dir("p1");
    const r = repo({
      [`${D}/raw/test-vpc.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
      [`${D}/raw/test-vpc-2.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc-2.yaml"),
      [`${D}/raw/vpc-3.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc-2.yaml").replace(/test-vpc-2/g, "vpc-3").replace(/1002/g, "1003").replace(/10\.0\.2\./g, "10.0.3."),
    });
    await register("p1", { provider: "git", url: r.bare, directory: D }, { cluster: { simulated: true }, sync: { mode: "apply", prune: true, intervalMinutes: 10080 } });
    expect((await sync("p1")).stages.reconcile.counts).toMatchObject({ applied: 3 });
    const before = await resource("p1", "vpcs", "test-vpc");

    const managed = (name: string) => r.show(`${D}/managed/vpcs/${name}.yaml`);
    r.push(
      {
        // A tab in the indentation, a name that is not a DNS name, a file over the 1 MiB limit.
        [`${D}/managed/vpcs/test-vpc.yaml`]: managed("test-vpc").replace("  name: test-vpc", "\tname: test-vpc"),
        [`${D}/managed/vpcs/test-vpc-2.yaml`]: managed("test-vpc-2").replace("name: test-vpc-2", "name: Test_VPC_2"),
        [`${D}/managed/vpcs/vpc-3.yaml`]: managed("vpc-3") + `# ${"x".repeat(1024 * 1024)}\n`,
      },
      "hand edits gone wrong",
    );
    sim.requests.reset();
    const run = await sync("p1");
    expect(run.status).toBe("succeeded");
    expect(run.stages.reconcile.counts).toMatchObject({ pruned: 0, applied: 0 });
    expect(sim.requests.entries({ verb: "delete" })).toEqual([]);
    for (const name of ["test-vpc", "test-vpc-2", "vpc-3"]) expect(await live(VPCS, name), name).not.toBeNull();
    const kept = await resource("p1", "vpcs", "test-vpc");
    // The attribution names the invalid version; the cluster stays compared with the last valid one.
    expect(kept).toMatchObject({
      state: "synced",
      attribution: { gitFilePath: before.attribution.gitFilePath, gitCommitSha: r.head(), appliedCommitSha: before.attribution.gitCommitSha, appliedBlobSha: before.attribution.gitBlobSha },
    });
    expect(kept.attribution.gitBlobSha).not.toBe(before.attribution.gitBlobSha);
    expect(kept.error).toMatch(/managed\/vpcs\/test-vpc\.yaml: .*tab/i);
    expect((await resource("p1", "vpcs", "test-vpc-2")).error).toMatch(/Test_VPC_2/);
    expect((await resource("p1", "vpcs", "vpc-3")).error).toMatch(/larger than 1048576 bytes/);
    expect(run.stages.ingest.detail.heldBack.total).toBe(3);

    // A broken file whose resource is unknown (no record, no canonical name) holds back every prune,
    // even of resources really removed from Git; removing the broken file lets prune work again.
    const vpc3 = managed("vpc-3").replace(/\n# x+\n$/, "\n");
    r.push({ [`${D}/managed/vpcs/test-vpc.yaml`]: null, [`${D}/managed/vpcs/test-vpc-2.yaml`]: null, [`${D}/managed/vpcs/vpc-3.yaml`]: vpc3, [`${D}/managed/notes/oops.yaml`]: "a: [1\n" }, "remove two, fix one, break another");
    const held = await sync("p1");
    expect(held.stages.reconcile.detail.pruneSkipped).toMatch(/managed\/notes\/oops\.yaml cannot be read as resources and what it defined is unknown/);
    expect(await live(VPCS, "test-vpc")).not.toBeNull();
    r.push({ [`${D}/managed/notes/oops.yaml`]: null }, "remove the broken file");
    const pruned = await sync("p1");
    expect(pruned.stages.reconcile.counts).toMatchObject({ pruned: 2 });
    expect(await live(VPCS, "test-vpc")).toBeNull();
    expect(await live(VPCS, "test-vpc-2")).toBeNull();
    expect(await live(VPCS, "vpc-3")).not.toBeNull();
  });

  it("a fabric deleted and registered again under the same name never prunes the first registration's objects (item 2)", async () => {
    const first = repo({ [`${dir("p2")}/raw/a.yaml`]: server("reg-first") });
    const one = await register("p2", { provider: "git", url: first.bare, directory: dir("p2") }, { cluster: { simulated: true }, sync: { mode: "apply", prune: true, intervalMinutes: 10080 } });
    await sync("p2");
    expect((await live(SERVERS, "reg-first"))?.metadata.annotations?.["hedgehog-gitops/tracking-id"]).toBe(`p2@${one.uid}:wiring.githedgehog.com/Server:default/reg-first`);
    expect((await stack.api("/fabrics/p2", { method: "DELETE" })).status).toBe(204);

    const second = repo({ [`${dir("p2")}/raw/b.yaml`]: server("reg-second") });
    const two = await register("p2", { provider: "git", url: second.bare, directory: dir("p2") }, { cluster: { simulated: true }, sync: { mode: "apply", prune: true, intervalMinutes: 10080 } });
    expect(two.uid).not.toBe(one.uid);
    // PATCH never changes the uid.
    expect((await stack.api("/fabrics/p2", { method: "PATCH", body: { sync: { intervalMinutes: 10079 } } })).body.uid).toBe(two.uid);
    const run = await sync("p2");
    expect(run.stages.reconcile.counts).toMatchObject({ pruned: 0, applied: 1 });
    expect(await live(SERVERS, "reg-first")).not.toBeNull();
    expect(await resource("p2", "servers", "reg-first")).toMatchObject({ state: "orphaned", attribution: { source: "cluster" } });
    expect(await resource("p2", "servers", "reg-second")).toMatchObject({ state: "synced", fromGit: true });
  });

  it("a small raw file whose aliases expand past the limit is rejected before it is normalized (item 3)", async () => {
    const D = dir("p3");
    const annotations = Array.from({ length: 99 }, (_, i) => `    note-${i}: *big`).join("\n");
    const bomb = `apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata:\n  name: alias-bomb\n  annotations:\n    note: &big "${"x".repeat(900_000)}"\n${annotations}\nspec:\n  description: bomb\n`;
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const r = repo({ [`${D}/raw/bomb.yaml`]: bomb, [`${D}/raw/fine.yaml`]: server("alias-fine") });
    await register("p3", { provider: "git", url: r.bare, directory: D });
    const run = await sync("p3");
    expect(run.status).toBe("succeeded");
    expect(r.files(`${D}/managed`).filter((f) => f.includes("alias"))).toEqual([`${D}/managed/servers/alias-fine.yaml`]);
    expect(r.show(`${D}/raw/errors/bomb.yaml.errors.txt`)).toMatch(/expands to more than 1048576 bytes when its aliases are written out/);
    expect(r.show(`${D}/raw/errors/bomb.yaml`)).toBe(bomb);
  });

  it("DELETE during a run is refused naming the run; force cancels it first (item 9)", async () => {
    const D = dir("p9");
    const r = repo({ [`${D}/raw/a.yaml`]: server("del-a") });
    // The init run stays in flight: its message goes to a queue nobody polls.
    const realQueue = process.env.HH_GITOPS_INIT_QUEUE_URL;
    const orphan = await stack.sqs.send(new CreateQueueCommand({ QueueName: `orphan-${randomBytes(4).toString("hex")}.fifo`, Attributes: { FifoQueue: "true" } }));
    process.env.HH_GITOPS_INIT_QUEUE_URL = orphan.QueueUrl!;
    try {
      const res = await stack.api("/fabrics", { method: "POST", body: { name: "p9", git: { provider: "git", url: r.bare, directory: D } } });
      const refused = await stack.api("/fabrics/p9", { method: "DELETE" });
      expect(refused.status).toBe(409);
      expect(refused.headers.get("content-type")).toBe("application/problem+json");
      expect(refused.body.detail).toContain(res.body.initRun.runId);
      expect(refused.body.detail).toMatch(/\?force=true/);
      const followUp = await stack.api("/fabrics/p9/sync", { method: "POST" });
      expect(followUp.body.status).toBe("waiting");
      expect((await stack.api("/fabrics/p9?force=maybe", { method: "DELETE" })).status).toBe(422);
      expect((await stack.api("/fabrics/p9?force=true", { method: "DELETE" })).status).toBe(204);
      expect((await stack.api("/fabrics/p9")).status).toBe(404);
      expect(r.files(`${D}/raw`)).toContain(`${D}/raw/a.yaml`);
    } finally {
      process.env.HH_GITOPS_INIT_QUEUE_URL = realQueue;
    }
  });

  it("accepts two raw files with identical content as one resource, warning with both names (item 11)", async () => {
    const D = dir("p11");
    const r = repo({ [`${D}/raw/one.yaml`]: server("dup-same"), [`${D}/raw/two.yaml`]: server("dup-same"), [`${D}/raw/x.yaml`]: server("dup-diff", "x"), [`${D}/raw/y.yaml`]: server("dup-diff", "y") });
    await register("p11", { provider: "git", url: r.bare, directory: D });
    const run = await sync("p11");
    expect(run.stages.ingest.counts).toMatchObject({ created: 1, errors: 2 });
    const same = await resource("p11", "servers", "dup-same");
    expect(same).toMatchObject({ error: null, attribution: { importedFrom: `${D}/raw/one.yaml` } });
    expect(same.warnings.join("\n")).toMatch(new RegExp(`also defined, identically, in ${D}/raw/two\\.yaml.*taken once`));
    expect(r.files(`${D}/raw`).filter((f) => /\/raw\/(one|two)\.yaml/.test(f))).toEqual([]);
    expect(r.show(`${D}/raw/errors/x.yaml.errors.txt`)).toContain(`${D}/raw/y.yaml`);
    expect((await stack.api("/fabrics/p11/resources/servers/dup-diff")).status).toBe(404);
  });

  it("removes raw/errors leftovers when the file is ingested cleanly, and keeps no processed copy of a file rejected whole (item 12)", async () => {
    const D = dir("p12");
    const r = repo({ [`${D}/raw/srv.yaml`]: server("left-over").replace("kind: Server", "kind: Server\nbogus: 1"), [`${D}/raw/broken.yaml`]: "a: [1\n" });
    await register("p12", { provider: "git", url: r.bare, directory: D }, { sync: { keepOriginals: true, intervalMinutes: 10080 } });
    await sync("p12");
    const files = () => r.files(D).map((f) => f.slice(D.length + 1));
    expect(files()).toEqual(expect.arrayContaining(["raw/errors/srv.yaml", "raw/errors/srv.yaml.errors.txt", "raw/errors/broken.yaml", "raw/errors/broken.yaml.errors.txt"]));
    expect(files().filter((f) => f.startsWith("raw/processed/") && !f.endsWith(".gitkeep"))).toEqual([]);
    r.push({ [`${D}/raw/srv.yaml`]: server("left-over") }, "fixed");
    const run = await sync("p12");
    expect(run.stages.ingest.counts).toMatchObject({ created: 1, errors: 0 });
    expect(files()).not.toContain("raw/errors/srv.yaml.errors.txt");
    expect(files()).not.toContain("raw/errors/srv.yaml");
    expect(files()).toContain("raw/processed/srv.yaml");
    expect(r.log()[0]).toBe(`hedgehog-gitops: ingest 1 file from ${D}/raw`);
  });
});

describe.each(["git", "github"] as const)("one odd file name never blocks a repository (item 10, %s provider)", (provider) => {
  let stack: TestStack;
  let r: SeededRepository;
  let github: GitHubSim | undefined;
  const D = "gitops/hedgehog/odd";
  const longName = `${"n".repeat(240)}.yaml`;

  beforeAll(async () => {
    r = seedRepository({
      "root\\bs.txt": "a backslash at the repository root\n",
      [`${D}/raw/back\\slash.yaml`]: server("odd-backslash"),
      [`${D}/raw/${longName}`]: "a: [1\n",
      [`${D}/raw/fine.yaml`]: server("odd-fine"),
    });
    let git: Record<string, unknown> = { provider: "git", url: r.bare, directory: D };
    if (provider === "github") {
      const token = randomBytes(12).toString("hex");
      process.env.HH_GITOPS_SECRET_TEST_GITHUB_TOKEN = token;
      github = await startGitHubSim({ token, repos: [{ owner: "acme", repo: "odd", gitdir: r.bare }] });
      git = { provider: "github", owner: "acme", repo: "odd", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_TEST_GITHUB_TOKEN", directory: D };
    }
    stack = await startTestStack({ simulatedCluster: false });
    const res = await stack.api("/fabrics", { method: "POST", body: { name: "odd", git } });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await stack?.close();
    await github?.close();
    r?.cleanup();
  });

  it("reports and skips the unsafe entry, ingests the rest, and writes names a clone can check out", async () => {
    const runs = await waitForIdle(stack, "odd");
    expect(runs.every((run: { status: string }) => run.status === "succeeded")).toBe(true);
    const res = await stack.api("/fabrics/odd/sync", { method: "POST" });
    const run = await waitForRun(stack, "odd", res.body.runId);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.stages.ingest.counts).toMatchObject({ created: 1, unsafeNames: 1 });
    expect(run.stages.ingest.errors.join("\n")).toMatch(/raw\/back\\slash\.yaml: skipped, the name contains a backslash/);
    // ls-tree -z: names as stored (without -z git quotes a name with a backslash).
    const files = git(r.bare, "ls-tree", "-r", "-z", "--name-only", "main", "--", D).split("\0").filter(Boolean).map((f) => f.slice(D.length + 1));
    expect(files).toContain("managed/servers/odd-fine.yaml");
    // The unsafe file stays where it is (we cannot write its path), reported under a safe name.
    expect(files).toContain("raw/back\\slash.yaml");
    const report = files.find((f) => /^raw\/errors\/back_slash~[0-9a-f]{8}\.yaml\.errors\.txt$/.test(f));
    expect(report).toBeDefined();
    expect(r.show(`${D}/${report}`)).toMatch(/contains a backslash; the file is not read\. Rename it\./);
    // The long raw name's rejection lands under a name of at most 200 bytes.
    const long = files.filter((f) => f.startsWith(`raw/errors/${"n".repeat(50)}`));
    expect(long).toHaveLength(2);
    for (const f of long) expect(Buffer.byteLength(f.split("/").pop()!)).toBeLessThanOrEqual(200);
    expect(r.show("root\\bs.txt")).toBe("a backslash at the repository root\n");
    // A plain clone checks out everything we wrote.
    const work = mkdtempSync(join(tmpdir(), "hh-clone-"));
    try {
      execFileSync("git", ["clone", "--quiet", r.bare, join(work, "c")], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } });
      expect(readdirSync(join(work, "c", D, "raw", "errors")).filter((f) => f.startsWith("nnnn"))).toHaveLength(2);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    // A second sync changes nothing: the report is stable.
    const again = await waitForRun(stack, "odd", (await stack.api("/fabrics/odd/sync", { method: "POST" })).body.runId);
    expect(again.stages.ingest.detail.commit).toBeNull();
    expect(git(r.bare, "log", "--format=%s", "-1").trim()).toBe(`hedgehog-gitops: ingest 3 files from ${D}/raw`);
  });
});

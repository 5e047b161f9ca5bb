// Runs never hang, and the answer names the run that does the work (issue #12 items 4, 5, 7, 8, and
// the short redelivery delay): on the local stack with the real queue visibility timeouts (900 s), so
// that anything waiting for SQS's visibility timeout would blow the test's timeout.
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeconfigYaml } from "../../infra/local/kube-sim/kubeconfig.js";
import { wiring } from "../../infra/wiring.js";
import { rawServerFiles, serverDocument } from "../support/generated-resources.js";
import { startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const dir = (fabric: string) => `gitops/hedgehog/${fabric}`;
const LEASE_SECONDS = 3;

describe("runs never hang (local stack, real visibility timeouts)", () => {
  let stack: TestStack;
  const repos: SeededRepository[] = [];
  const repo = (files: Record<string, string> = {}) => {
    const r = seedRepository(files);
    repos.push(r);
    return r;
  };
  // A request right after seconds of blocking work in this process (seeding 3,000 files with the git
  // CLI, synchronously) may meet a keep-alive connection the server closed meanwhile (ECONNRESET).
  // A POST of a trigger sent again coalesces, so retrying it is harmless.
  const post = async (path: string) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await stack.api(path, { method: "POST" });
      } catch (error) {
        if (attempt >= 2) throw error;
      }
    }
  };
  const register = async (name: string, bare: string, extra: Record<string, unknown> = {}) => {
    const res = await stack.api("/fabrics", { method: "POST", body: { name, git: { provider: "git", url: bare, directory: dir(name) }, sync: { intervalMinutes: 10080 }, ...extra } });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    process.env.HH_GITOPS_SECRET_DEAD_CLUSTER = kubeconfigYaml({ server: "https://127.0.0.1:1", token: "t", name: "dead", namespace: "default" });
    stack = await startTestStack({
      wiring: { ...wiring, schedules: [] },
      env: { HH_GITOPS_RUN_LEASE_SECONDS: String(LEASE_SECONDS), HH_GITOPS_RETRY_DELAY_SECONDS: "1" },
    });
  });
  afterAll(async () => {
    await stack?.close();
    for (const r of repos) r.cleanup();
  });

  it("a sync right after registering names the follow-up run that ingests, not the init run (item 7)", async () => {
    const r = repo({ [`${dir("f7")}/raw/servers.yaml`]: serverDocument(1) });
    const fabric = await register("f7", r.bare);
    const sync = await stack.api("/fabrics/f7/sync", { method: "POST" });
    expect(sync.status).toBe(202);
    expect(sync.body).toMatchObject({ coalesced: true, status: "waiting", after: fabric.initRun.runId });
    expect(sync.body.runId).not.toBe(fabric.initRun.runId);
    expect(sync.headers.get("location")).toBe(`/fabrics/f7/runs/${sync.body.runId}`);
    const run = await waitForRun(stack, "f7", sync.body.runId);
    expect(run).toMatchObject({ status: "succeeded", after: fabric.initRun.runId, chain: ["ingest"] });
    expect(run.stages.ingest.counts).toMatchObject({ files: 1, created: 1 });
    expect(r.files(`${dir("f7")}/raw`).filter((f) => f.endsWith("servers.yaml"))).toEqual([]);
  });

  it("a dead cluster fails the run at once, naming the endpoint (item 5)", async () => {
    const r = repo({ [`${dir("f5")}/raw/servers.yaml`]: serverDocument(1) });
    const fabric = await register("f5", r.bare, { cluster: { kubeconfig: "env:HH_GITOPS_SECRET_DEAD_CLUSTER" }, sync: { mode: "apply", intervalMinutes: 10080 } });
    await waitForRun(stack, "f5", fabric.initRun.runId);
    const sync = await stack.api("/fabrics/f5/sync", { method: "POST" });
    const run = await waitForRun(stack, "f5", sync.body.runId, 60_000);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^ingest: ClusterUnreachableError: list \w+: the cluster at https:\/\/127\.0\.0\.1:1 cannot be reached: connection refused \(ECONNREFUSED\)/);
    expect(run.stages.ingest).toMatchObject({ status: "failed", attempts: 1 });
    const seconds = (Date.parse(run.finishedAt) - Date.parse(run.createdAt)) / 1000;
    console.log(`[measure] unreachable cluster: run failed ${seconds.toFixed(2)} s after it was created`);
    expect(seconds).toBeLessThan(60);
  });

  it("an unreachable Git remote fails the run at once, naming it", async () => {
    const res = await stack.api("/fabrics", { method: "POST", body: { name: "f5-git", git: { provider: "git", url: "http://127.0.0.1:1/fabric.git" } } });
    const run = await waitForRun(stack, "f5-git", res.body.initRun.runId, 60_000);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/GitUnreachableError: the Git server cannot be reached while reading branch main of http:\/\/127\.0\.0\.1:1\/fabric\.git: connection refused/);
  });

  it("a retryable failure that outlasts the in-stage retries comes back after a short delay, not the 900 s visibility timeout", async () => {
    const sim = stack.kubeSim!;
    const r = repo({ [`${dir("f6")}/raw/servers.yaml`]: serverDocument(1) });
    const fabric = await register("f6", r.bare, { cluster: { simulated: true }, sync: { mode: "apply", intervalMinutes: 10080 } });
    await waitForRun(stack, "f6", fabric.initRun.runId);
    // Five 503s: four in-stage tries fail, the fifth is the redelivery's first try (after 1 s, not 900 s).
    sim.faults.inject({ match: { verb: "list" }, times: 5, fault: { type: "status", code: 503 } });
    const sync = await stack.api("/fabrics/f6/sync", { method: "POST" });
    const run = await waitForRun(stack, "f6", sync.body.runId, 60_000);
    expect(run.status).toBe("succeeded");
    // Ingest is the first stage to read the cluster (its CRDs and objects, issue #17), so it meets the 503s.
    expect(run.stages.ingest.attempts).toBe(6);
    expect(run.stages.ingest.errors.filter((e: string) => /ClusterUnavailableError/.test(e))).toHaveLength(5);
  });

  it("a run whose worker is gone fails when its lease expires, and the next trigger moves the fabric on (item 4)", async () => {
    const r = repo({ [`${dir("f4")}/raw/servers.yaml`]: serverDocument(1) });
    const fabric = await register("f4", r.bare);
    await waitForRun(stack, "f4", fabric.initRun.runId);
    // Nobody works on what is sent now: the ingest queue URL the handlers use points at a queue nobody polls
    // (as after kill -9 of the local stack, whose SQS lives in memory).
    const realQueue = process.env.HH_GITOPS_INGEST_QUEUE_URL;
    const orphanQueue = await stack.sqs.send(new CreateQueueCommand({ QueueName: `orphan-${randomBytes(4).toString("hex")}.fifo`, Attributes: { FifoQueue: "true" } }));
    process.env.HH_GITOPS_INGEST_QUEUE_URL = orphanQueue.QueueUrl!;
    const stuck = (await stack.api("/fabrics/f4/sync", { method: "POST" })).body;
    const stuckPlan = (await stack.api("/fabrics/f4/plan", { method: "POST" })).body;
    const joined = await stack.api("/fabrics/f4/sync", { method: "POST" });
    expect(joined.body).toMatchObject({ coalesced: true, status: "waiting", after: stuck.runId });
    process.env.HH_GITOPS_INGEST_QUEUE_URL = realQueue;
    const leaseExpiresAt = (await stack.api(`/fabrics/f4/runs/${stuck.runId}`)).body.leaseExpiresAt as string;
    // Within the lease the fabric is busy; the next trigger after it fails the lost runs.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(leaseExpiresAt) - Date.now() + 100)));
    const next = await stack.api("/fabrics/f4/sync", { method: "POST" });
    expect((await stack.api(`/fabrics/f4/runs/${stuck.runId}`)).body).toMatchObject({ status: "failed", error: `worker lost (lease expired at ${leaseExpiresAt})` });
    expect((await stack.api(`/fabrics/f4/runs/${stuckPlan.runId}`)).body).toMatchObject({ status: "failed", error: expect.stringMatching(/^worker lost \(lease expired at /) });
    // The follow-up the earlier trigger was told about is the one that runs now, and it does the work.
    expect(next.body).toMatchObject({ coalesced: true, after: joined.body.runId });
    expect(await waitForRun(stack, "f4", joined.body.runId)).toMatchObject({ status: "succeeded", stages: { ingest: { counts: { files: 1 } } } });
  });

  it("cancel: 200 for a waiting run, 202 for a running one, 409 once ended", async () => {
    const r = repo({ [`${dir("fc")}/raw/servers.yaml`]: serverDocument(1) });
    const fabric = await register("fc", r.bare);
    const followUp = await stack.api("/fabrics/fc/sync", { method: "POST" });
    const cancelled = await stack.api(`/fabrics/fc/runs/${followUp.body.runId}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", run: { status: "cancelled" } });
    await waitForRun(stack, "fc", fabric.initRun.runId);
    const again = await stack.api(`/fabrics/fc/runs/${followUp.body.runId}/cancel`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toBe("application/problem+json");
    expect(again.body.detail).toMatch(/has already ended \(cancelled\)/);
    expect((await stack.api("/fabrics/fc/runs/r20260101T000000000Z-000000/cancel", { method: "POST" })).status).toBe(404);
    // Nothing was ingested: the cancelled follow-up never ran.
    expect(r.files(`${dir("fc")}/raw`)).toContain(`${dir("fc")}/raw/servers.yaml`);
  });

  it("run records stay under 100 KB with 3,000 raw files: counts, the first 50 names, and the totals (item 8)", async () => {
    const r = repo(rawServerFiles(dir("f8"), 3000, 1));
    await post("/fabrics/none/sync").catch(() => undefined); // a fresh connection after the blocking seed
    const fabric = await register("f8", r.bare);
    await waitForRun(stack, "f8", fabric.initRun.runId);
    // A plan over 3,000 files: 6,000 would-be changes.
    const plan = await waitForRun(stack, "f8", (await post("/fabrics/f8/plan")).body.runId, 120_000);
    expect(plan.status).toBe("succeeded");
    expect(plan.stages.ingest.detail.wouldCommit.total).toBe(6000);
    expect(plan.stages.ingest.detail.wouldCommit.items).toHaveLength(50);
    const sync = await waitForRun(stack, "f8", (await post("/fabrics/f8/sync")).body.runId, 120_000);
    expect(sync.status).toBe("succeeded");
    expect(sync.stages.ingest.detail.sources.total).toBe(3000);
    expect(sync.stages.ingest.detail.sources.items).toHaveLength(50);
    expect(sync.stages.ingest.counts).toMatchObject({ files: 3000, created: 3000, recordsWritten: 3000 });
    for (const run of [plan, sync]) {
      const bytes = Buffer.byteLength(JSON.stringify(run));
      console.log(`[measure] run record ${run.runId} (${run.kind}): ${bytes} bytes`);
      expect(bytes).toBeLessThan(100_000);
    }
    expect((await stack.api("/fabrics/f8/resources?kind=servers")).body.total).toBe(3000);
  }, 180_000);
});


// Issue #18: a reconcile cut by its time budget (HH_GITOPS_STAGE_BUDGET_SECONDS, here 2 s per invocation)
// records a checkpoint in the run, continues in further invocations, and finishes with every object
// applied exactly once — counted on the simulated API server's request log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeSim } from "../../infra/local/kube-sim/index.js";
import { rawServerFiles } from "../support/generated-resources.js";
import { eventually, startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/resumable";
const OBJECTS = 600;
// 600 applies at 60 a second take 10 s: several invocations of 2 s.
const RATE = { qps: 60, burst: 60 };

describe("a reconcile cut by its time budget", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let sim: KubeSim;

  beforeAll(async () => {
    repo = seedRepository(rawServerFiles(DIR, OBJECTS, 300));
    stack = await startTestStack({ env: { HH_GITOPS_STAGE_BUDGET_SECONDS: "2" } });
    sim = stack.kubeSim!;
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "resumable", git: { provider: "git", url: repo.bare, directory: DIR }, cluster: { simulated: true, rateLimit: RATE }, sync: { mode: "apply", intervalMinutes: 10080 } },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, "resumable", res.body.initRun.runId);
  });
  afterAll(async () => {
    await stack?.close();
    repo?.cleanup();
  });

  it("continues across invocations, shows its checkpoint meanwhile, and applies each object exactly once", async () => {
    sim.requests.reset();
    const res = await stack.api("/fabrics/resumable/sync", { method: "POST" });
    expect(res.status).toBe(202);
    // While it runs, the run shows how far it got.
    const continuing = await eventually(
      async () => {
        const run = (await stack.api(`/fabrics/resumable/runs/${res.body.runId}`)).body;
        const stage = run.stages?.reconcile;
        return stage?.status === "running" && stage.continuations >= 1 ? stage : undefined;
      },
      60_000,
      "the reconcile stage to record a continuation",
    );
    expect(continuing.checkpoint).toMatchObject({ head: expect.stringMatching(/^[0-9a-f]{40}$/), done: { applied: expect.any(Number) } });
    expect(continuing.checkpoint.done.applied).toBeGreaterThan(0);
    expect(continuing.counts.remaining).toBeGreaterThan(0);

    const run = await waitForRun(stack, "resumable", res.body.runId, 120_000);
    expect(run.status).toBe("succeeded");
    const stage = run.stages.reconcile;
    expect(stage.continuations).toBeGreaterThanOrEqual(2);
    expect(stage.checkpoint).toBeUndefined();
    expect(stage.counts).toMatchObject({ applied: OBJECTS, rejected: 0, synced: OBJECTS });

    // Exactly once: one successful apply per object, none twice.
    const applies = sim.requests.entries({ verb: "apply" }).filter((r) => r.status >= 200 && r.status < 300);
    const perName = new Map<string, number>();
    for (const r of applies) perName.set(r.name!, (perName.get(r.name!) ?? 0) + 1);
    expect(perName.size).toBe(OBJECTS);
    expect([...perName.values()].filter((n) => n !== 1)).toEqual([]);
    // Each invocation listed the kinds again (a continuation re-reads the cluster), and nothing else was written.
    expect(sim.requests.count({ verb: "list", resource: "servers" })).toBe(stage.continuations + 1 + 1);
    expect(sim.requests.count({ verb: "delete" })).toBe(0);

    const status = (await stack.api("/fabrics/resumable/status")).body;
    expect(status.counts).toMatchObject({ total: OBJECTS, byState: { synced: OBJECTS } });

    // A second sync finds nothing to do, in one invocation.
    sim.requests.reset();
    const again = await stack.api("/fabrics/resumable/sync", { method: "POST" });
    const noop = await waitForRun(stack, "resumable", again.body.runId, 60_000);
    expect(noop.stages.reconcile.continuations).toBeUndefined();
    expect(sim.requests.count({ verb: "apply" })).toBe(0);
  }, 180_000);
});

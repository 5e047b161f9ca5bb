// Issue #18: an API server that throttles (API Priority and Fairness: 429 with Retry-After) slows a
// reconcile down but loses nothing — every object is applied exactly once and the run succeeds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeSim } from "../../infra/local/kube-sim/index.js";
import { rawServerFiles } from "../support/generated-resources.js";
import { startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/throttled";
const OBJECTS = 300;

describe("a reconcile against a throttling API server", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let sim: KubeSim;

  beforeAll(async () => {
    repo = seedRepository(rawServerFiles(DIR, OBJECTS));
    stack = await startTestStack();
    sim = stack.kubeSim!;
    // The fabric asks for far more than the server admits.
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "throttled", git: { provider: "git", url: repo.bare, directory: DIR }, cluster: { simulated: true, rateLimit: { qps: 500, burst: 500 } }, sync: { mode: "apply", intervalMinutes: 10080 } },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, "throttled", res.body.initRun.runId);
  });
  afterAll(async () => {
    await stack?.close();
    repo?.cleanup();
  });

  it("waits out the 429s and applies every object exactly once", async () => {
    sim.requests.reset();
    sim.flowControl.set({ qps: 40, burst: 40, retryAfterSeconds: 1 });
    let run;
    try {
      const res = await stack.api("/fabrics/throttled/sync", { method: "POST" });
      run = await waitForRun(stack, "throttled", res.body.runId, 120_000);
    } finally {
      sim.flowControl.set(null);
    }
    expect(run.status).toBe("succeeded");
    expect(run.stages.reconcile.counts).toMatchObject({ applied: OBJECTS, rejected: 0, synced: OBJECTS });
    expect(sim.requests.count({ status: 429 })).toBeGreaterThan(0);
    const applied = sim.requests.entries({ verb: "apply" }).filter((r) => r.status >= 200 && r.status < 300);
    expect(applied).toHaveLength(OBJECTS);
    expect(new Set(applied.map((r) => r.name)).size).toBe(OBJECTS);
    expect(sim.objects({ group: "wiring.githedgehog.com", resource: "servers" })).toHaveLength(OBJECTS);
  }, 180_000);
});

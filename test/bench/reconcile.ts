// npm run bench -- reconcile: cluster requests for reconciling 2,000 resources from scratch, and for a
// no-op pass (goals: what a run reads + objects changed; then the reads only). A run reads: per stage
// one metadata-only list of the served CRDs (the CRDs themselves only when they changed), ingest the 11
// kinds SET rules look up, reconcile all 14. Measured on the simulated Kubernetes API server's request
// log, through the local stack end to end.
import { wiring } from "../../infra/wiring.js";
import { startTestStack, waitForRun } from "../support/local-stack.js";
import { rawServerFiles } from "../support/generated-resources.js";
import { seedRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/bench";
const COUNT = 2000;


export default async function reconcileBench() {
  const files = rawServerFiles(DIR, COUNT);
  const repo = seedRepository(files);
  // The real visibility timeouts: a long first pass must not be redelivered while it runs.
  const stack = await startTestStack({ wiring });
  const sim = stack.kubeSim!;
  try {
    const registered = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "bench", git: { provider: "git", url: repo.bare, directory: DIR }, cluster: { simulated: true }, sync: { mode: "apply" } },
    });
    await waitForRun(stack, "bench", registered.body.initRun.runId);
    const pass = async () => {
      sim.requests.reset();
      const res = await stack.api("/fabrics/bench/sync", { method: "POST" });
      const run = await waitForRun(stack, "bench", res.body.runId, 600_000);
      const stage = run.stages.reconcile;
      const requests = sim.requests.entries();
      const byVerb: Record<string, number> = {};
      for (const r of requests) byVerb[r.verb ?? "other"] = (byVerb[r.verb ?? "other"] ?? 0) + 1;
      return { status: run.status, reconcileMs: Date.parse(stage.finishedAt) - Date.parse(stage.startedAt), clusterRequests: requests.length, byVerb, counts: stage.counts };
    };
    const fromScratch = await pass();
    const noop = await pass();
    const reads = 2 + 11 + 14;
    return {
      resources: COUNT,
      kinds: 14,
      // The first pass may also read the CRDs themselves once (a cold cache).
      fromScratch: { ...fromScratch, goal: `<= reads + 1 + changed = ${reads + 1 + COUNT}` },
      noop: { ...noop, goal: `<= reads = ${reads} (2 CRD checks, 11 + 14 lists), no writes` },
    };
  } finally {
    await stack.close();
    repo.cleanup();
  }
}

// npm run bench -- reconcile: reconciling through the local stack end to end, measured on the simulated
// Kubernetes API server's request log.
// (a) 2,000 resources from scratch at the default client-side rate limit (20 QPS, burst 40), then a no-op
//     pass. Goals: requests = what a run reads + objects changed (then the reads only); time ≈ objects / QPS.
//     A run reads: per stage one metadata-only list of the served CRDs (the CRDs themselves only when
//     they changed), ingest the 11 kinds SET rules look up, reconcile all 14.
// (b) 20,000 resources at 200 QPS with the stage's time budget cut to 20 s (HH_GITOPS_STAGE_BUDGET_SECONDS),
//     so that the reconcile spans several invocations. Goals: time ≈ objects / QPS, every object applied
//     exactly once (successful applies per object name on the API server's log).
import { wiring } from "../../infra/wiring.js";
import { startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { rawServerFiles } from "../support/generated-resources.js";
import { seedRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/bench";
const KINDS = 14;
const READS = 2 + 11 + 14;

async function register(stack: TestStack, bare: string, cluster: Record<string, unknown>): Promise<void> {
  const registered = await stack.api("/fabrics", {
    method: "POST",
    body: { name: "bench", git: { provider: "git", url: bare, directory: DIR }, cluster: { simulated: true, ...cluster }, sync: { mode: "apply", intervalMinutes: 10080 } },
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  await waitForRun(stack, "bench", registered.body.initRun.runId, 900_000);
}

async function pass(stack: TestStack) {
  const sim = stack.kubeSim!;
  sim.requests.reset();
  const res = await stack.api("/fabrics/bench/sync", { method: "POST" });
  const run = await waitForRun(stack, "bench", res.body.runId, 900_000);
  const stage = run.stages.reconcile;
  const requests = sim.requests.entries();
  const byVerb: Record<string, number> = {};
  for (const r of requests) byVerb[r.verb ?? "other"] = (byVerb[r.verb ?? "other"] ?? 0) + 1;
  const applies = new Map<string, number>();
  for (const r of requests) if (r.verb === "apply" && r.status >= 200 && r.status < 300) applies.set(r.name!, (applies.get(r.name!) ?? 0) + 1);
  return {
    status: run.status,
    reconcileMs: Date.parse(stage.finishedAt) - Date.parse(stage.startedAt),
    invocations: (stage.continuations ?? 0) + 1,
    clusterRequests: requests.length,
    throttled: requests.filter((r) => r.status === 429).length,
    byVerb,
    counts: stage.counts,
    objectsApplied: applies.size,
    objectsAppliedMoreThanOnce: [...applies.values()].filter((n) => n > 1).length,
  };
}

async function defaultRate() {
  const COUNT = 2000;
  const repo = seedRepository(rawServerFiles(DIR, COUNT));
  // The real visibility timeouts: a long first pass must not be redelivered while it runs.
  const stack = await startTestStack({ wiring });
  try {
    await register(stack, repo.bare, {});
    const fromScratch = await pass(stack);
    const noop = await pass(stack);
    return {
      resources: COUNT,
      kinds: KINDS,
      rateLimit: { qps: 20, burst: 40, note: "the default" },
      // The first pass may also read the CRDs themselves once (a cold cache).
      fromScratch: { ...fromScratch, goal: { clusterRequests: `<= reads + 1 + changed = ${READS + 1 + COUNT}`, reconcileMs: `≈ (objects - burst) / qps = ${((COUNT - 40) / 20) * 1000}` } },
      noop: { ...noop, goal: `<= reads = ${READS} (2 CRD checks, 11 + 14 lists), no writes` },
    };
  } finally {
    await stack.close();
    repo.cleanup();
  }
}

async function resumable() {
  const COUNT = 20_000;
  const QPS = 200;
  const BUDGET_SECONDS = 20;
  const repo = seedRepository(rawServerFiles(DIR, COUNT, 100));
  const stack = await startTestStack({ wiring, env: { HH_GITOPS_STAGE_BUDGET_SECONDS: String(BUDGET_SECONDS) } });
  try {
    const started = Date.now();
    await register(stack, repo.bare, { rateLimit: { qps: QPS, burst: QPS } });
    const registerAndIngestMs = Date.now() - started;
    const fromScratch = await pass(stack);
    const noop = await pass(stack);
    return {
      resources: COUNT,
      rateLimit: { qps: QPS, burst: QPS },
      stageBudgetSeconds: BUDGET_SECONDS,
      registerAndIngestMs,
      fromScratch: {
        ...fromScratch,
        goal: {
          status: "succeeded",
          reconcileMs: `≈ objects / qps = ${(COUNT / QPS) * 1000}`,
          invocations: `>= ${Math.ceil(COUNT / QPS / BUDGET_SECONDS)} (objects / qps / budget)`,
          objectsApplied: COUNT,
          objectsAppliedMoreThanOnce: 0,
        },
      },
      noop: { ...noop, goal: `<= reads = ${READS} per invocation, no writes` },
    };
  } finally {
    await stack.close();
    repo.cleanup();
  }
}

export default async function reconcileBench() {
  const only = process.env.HH_BENCH_RECONCILE;
  return {
    ...(only === undefined || only === "2000" ? { defaultRate: await defaultRate() } : {}),
    ...(only === undefined || only === "20000" ? { resumable: await resumable() } : {}),
  };
}

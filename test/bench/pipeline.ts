// npm run bench -- pipeline: an end-to-end ingest of 5,000 documents on the local stack (github provider
// against the simulated GitHub), next to the pure parse + validate + normalize time of the same documents.
import { randomBytes } from "node:crypto";
import { startGitHubSim } from "../../infra/local/github-sim/index.js";
import { wiring } from "../../infra/wiring.js";
import { normalizeResource, parseDocuments, serializeResource, validateBatch } from "../../lib/hedgehog/index.js";
import { startTestStack, waitForRun } from "../support/local-stack.js";
import { rawServerFiles } from "../support/generated-resources.js";
import { seedRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/bench";
const FILES = 5;
const PER_FILE = 1000;


export default async function pipelineBench() {
  const files = rawServerFiles(DIR, FILES * PER_FILE, PER_FILE);
  const repo = seedRepository(files);
  const token = randomBytes(12).toString("hex");
  process.env.HH_GITOPS_SECRET_BENCH_GITHUB_TOKEN = token;
  const github = await startGitHubSim({ token, repos: [{ owner: "acme", repo: "fabric", gitdir: repo.bare }] });
  const stack = await startTestStack({ wiring });
  try {
    const registered = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "bench", git: { provider: "github", owner: "acme", repo: "fabric", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_BENCH_GITHUB_TOKEN", directory: DIR } },
    });
    await waitForRun(stack, "bench", registered.body.initRun.runId);

    // The same documents through the pure model only, first, so that both measurements start with the
    // model's code as cold as the stage found it.
    const pureStarted = Date.now();
    const docs = Object.entries(files).flatMap(([file, content]) => parseDocuments(content).map((d) => ({ ...d, file })));
    const findings = validateBatch(docs, []);
    for (const d of docs) serializeResource(normalizeResource(d.value));
    const pureMs = Date.now() - pureStarted;

    github.resetLog();
    const started = Date.now();
    const sync = await stack.api("/fabrics/bench/sync", { method: "POST" });
    const run = await waitForRun(stack, "bench", sync.body.runId, 600_000);
    const endToEndMs = Date.now() - started;
    const firstRequests = github.requests.filter((r) => r.api);

    github.resetLog();
    const again = await stack.api("/fabrics/bench/sync", { method: "POST" });
    const noop = await waitForRun(stack, "bench", again.body.runId, 600_000);
    const noopRequests = github.requests.filter((r) => r.api);
    // Once more on the unchanged branch: the head check answers 304 and the listing is cached.
    github.resetLog();
    const third = await stack.api("/fabrics/bench/sync", { method: "POST" });
    await waitForRun(stack, "bench", third.body.runId, 600_000);
    const unchangedRequests = github.requests.filter((r) => r.api);

    return {
      documents: FILES * PER_FILE,
      runStatus: run.status,
      endToEndMs,
      parseValidateNormalizeMs: pureMs,
      ratio: Number((endToEndMs / pureMs).toFixed(2)),
      ratioGoal: "<= 3",
      findings: findings.length,
      ingestCounts: run.stages.ingest?.counts,
      stageMs: Object.fromEntries(Object.entries(run.stages as Record<string, { startedAt: string; finishedAt: string }>).map(([k, v]) => [k, Date.parse(v.finishedAt) - Date.parse(v.startedAt)])),
      githubRequests: { firstSync: firstRequests.length, goal: "<= 8", byRoute: countBy(firstRequests.map((r) => ({ route: `${r.method} ${r.route}` }))) },
      noopRun: {
        status: noop.status,
        commit: noop.stages.ingest?.detail?.commit ?? null,
        resourceWrites: noop.stages.ingest?.counts?.recordsWritten,
        resourceWritesGoal: 0,
        githubRequests: noopRequests.length,
        githubRequestsByRoute: countBy(noopRequests.map((r) => ({ route: `${r.method} ${r.route} ${r.status}` }))),
        githubQuotaUsed: noopRequests.filter((r) => r.quotaUsed).length,
      },
      unchangedBranchRun: {
        githubRequests: unchangedRequests.length,
        githubQuotaUsed: unchangedRequests.filter((r) => r.quotaUsed).length,
        byRoute: countBy(unchangedRequests.map((r) => ({ route: `${r.method} ${r.route} ${r.status}` }))),
        goal: "1 conditional request, 0 quota",
      },
    };
  } finally {
    await stack.close();
    await github.close();
    repo.cleanup();
  }
}

function countBy(requests: readonly { route: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of requests) out[r.route] = (out[r.route] ?? 0) + 1;
  return out;
}

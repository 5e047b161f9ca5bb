// npm run bench -- pipeline: end-to-end ingests on the local stack through the github provider.
//   fiveThousand    5,000 documents in 5 files on the simulated GitHub (no limits), next to the pure
//                   parse + validate + normalize time of the same documents; then a no-op sync and a
//                   sync on an unchanged branch.
//   twentyThousand  20,000 documents in 200 files on the simulated GitHub WITH GitHub's limits on
//                   (GITHUB_LIMITS, real time): success, GitHub requests, content-creating requests in
//                   any minute, secondary-limit refusals, end-to-end time, peak RSS.
// Both run in this one process (local stack, embedded DynamoDB and SQS, the simulated GitHub), so the
// peak RSS is that of everything together: an upper bound of the worker's.
import { randomBytes } from "node:crypto";
import { GITHUB_LIMITS, startGitHubSim, type SimRequest } from "../../infra/local/github-sim/index.js";
import { wiring } from "../../infra/wiring.js";
import { normalizeResource, parseDocuments, serializeResource, validateBatch } from "../../lib/hedgehog/index.js";
import { startTestStack, waitForRun } from "../support/local-stack.js";
import { rawServerFiles } from "../support/generated-resources.js";
import { seedRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/bench";

export default async function pipelineBench() {
  // The 5,000-document run first, in a fresh process as it always ran, so its figures stay comparable;
  // the process's peak RSS (which never goes down) is then the 20,000-document run's.
  const fiveThousand = await ingestAgainstFloor();
  const twentyThousand = await largeIngestOnLimitedGitHub();
  return { fiveThousand, twentyThousand };
}

async function ingestAgainstFloor() {
  const FILES = 5;
  const PER_FILE = 1000;
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
      stageMs: stageMs(run),
      githubRequests: {
        firstSync: firstRequests.length,
        // Was <= 8 with the whole tree in one request; now 5 + one create-tree request per 1,000
        // changed files (the provider's bound on a tree request): 5,000 added + 5 raw files removed.
        goal: "<= 11",
        byRoute: countBy(firstRequests.map((r) => `${r.method} ${r.route}`)),
      },
      noopRun: {
        status: noop.status,
        commit: noop.stages.ingest?.detail?.commit ?? null,
        resourceWrites: noop.stages.ingest?.counts?.recordsWritten,
        resourceWritesGoal: 0,
        githubRequests: noopRequests.length,
        githubRequestsByRoute: countBy(noopRequests.map((r) => `${r.method} ${r.route} ${r.status}`)),
        githubQuotaUsed: noopRequests.filter((r) => r.quotaUsed).length,
      },
      unchangedBranchRun: {
        githubRequests: unchangedRequests.length,
        githubQuotaUsed: unchangedRequests.filter((r) => r.quotaUsed).length,
        byRoute: countBy(unchangedRequests.map((r) => `${r.method} ${r.route} ${r.status}`)),
        goal: "1 conditional request, 0 quota",
      },
    };
  } finally {
    await stack.close();
    await github.close();
    repo.cleanup();
  }
}

async function largeIngestOnLimitedGitHub() {
  const DOCUMENTS = 20_000;
  const FILES = 200;
  const repo = seedRepository(rawServerFiles(DIR, DOCUMENTS, DOCUMENTS / FILES));
  const token = randomBytes(12).toString("hex");
  process.env.HH_GITOPS_SECRET_BENCH_LIMITED_GITHUB_TOKEN = token;
  const github = await startGitHubSim({ token, limits: GITHUB_LIMITS, repos: [{ owner: "acme", repo: "large", gitdir: repo.bare }] });
  const stack = await startTestStack({ wiring });
  try {
    const registered = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "large", git: { provider: "github", owner: "acme", repo: "large", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_BENCH_LIMITED_GITHUB_TOKEN", directory: DIR } },
    });
    await waitForRun(stack, "large", registered.body.initRun.runId);

    github.resetLog();
    const started = Date.now();
    const sync = await stack.api("/fabrics/large/sync", { method: "POST" });
    const run = await waitForRun(stack, "large", sync.body.runId, 1_200_000);
    const endToEndMs = Date.now() - started;
    const requests = github.requests.filter((r) => r.api);
    const trees = requests.filter((r) => r.method === "POST" && r.route === "/repos/{owner}/{repo}/git/trees");
    const managedFiles = repo.files(`${DIR}/managed`).filter((file) => file.endsWith(".yaml")).length;

    return {
      documents: DOCUMENTS,
      files: FILES,
      githubLimits: GITHUB_LIMITS,
      runStatus: run.status,
      success: run.status === "succeeded" && managedFiles === DOCUMENTS && repo.log().length === 3,
      commitsMade: repo.log().length - 2,
      managedFiles,
      endToEndMs,
      stageMs: stageMs(run),
      // From the sync request to the first GitHub read, the first tree request, and the ref update.
      githubTimelineMs: {
        firstRequest: (requests[0]?.at ?? started) - started,
        firstTreeRequest: (trees[0]?.at ?? started) - started,
        refUpdate: (requests.find((r) => r.method === "PATCH")?.at ?? started) - started,
      },
      githubRequests: { total: requests.length, goal: "<= 40", byRoute: countBy(requests.map((r) => `${r.method} ${r.route} ${r.status}`)) },
      treeRequests: {
        count: trees.length,
        maxEntries: Math.max(...trees.map((r) => r.treeRequest?.entries ?? 0)),
        maxBytes: Math.max(...trees.map((r) => r.treeRequest?.bytes ?? 0)),
        limits: { entries: GITHUB_LIMITS.treeRequestEntries, bytes: GITHUB_LIMITS.treeRequestBytes },
      },
      contentCreatingRequests: {
        total: requests.filter((r) => r.createsContent).length,
        maxInAnyMinute: maxInWindow(requests.filter((r) => r.createsContent), 60_000),
        goal: `<= ${GITHUB_LIMITS.contentCreationPerMinute} in any minute`,
      },
      secondaryLimitRefusals: { count: requests.filter((r) => r.limited !== undefined).length, goal: 0 },
      peakRssMiB: { value: Math.round(process.resourceUsage().maxRSS / 1024), goal: "<= 1024", note: "the whole bench process: local stack, embedded DynamoDB and SQS, simulated GitHub and the stage" },
    };
  } finally {
    await stack.close();
    await github.close();
    repo.cleanup();
  }
}

function stageMs(run: { stages: Record<string, { startedAt: string; finishedAt: string }> }): Record<string, number> {
  return Object.fromEntries(Object.entries(run.stages).map(([k, v]) => [k, Date.parse(v.finishedAt) - Date.parse(v.startedAt)]));
}

/** The most requests that fell in any window of `windowMs`. */
function maxInWindow(requests: readonly SimRequest[], windowMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < requests.length; end++) {
    while ((requests[end] as SimRequest).at - (requests[start] as SimRequest).at >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

function countBy(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of keys) out[key] = (out[key] ?? 0) + 1;
  return out;
}


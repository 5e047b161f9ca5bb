// GitHub request counts of the github provider, measured on the simulated GitHub.
//   (a) one ingest-sized commit, with the reads needed to plan it: head + readTree + readBlobs of 100
//       raw files + a commit deleting them and adding 1,000 managed files. Goal: at most 8 requests.
//   (b) checking a branch head that did not change. Goal: 1 request, 0 rate-limit quota.
//   (c) bulkReads: the same blobs read through a tarball and through GraphQL batches, for a fabric
//       directory alone in its repository, inside a repository ten times its size (200 files: two
//       GraphQL requests; 50: one), and for 5,000 files: requests, bytes on the wire, time, and what
//       the provider chooses. Its choice (GitHubProvider.tarballPaysOff) rests on these figures.
// The client runs with production settings (including GitHub's one second between writes).
import { startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import { createGitProvider, type FileChange } from "../../lib/git/index.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../support/trust.js";
import { branchSha, lsTree, TempRepos } from "../support/git-repos.js";

const TOKEN = "ghp_bench_token";
const DIR = "gitops/hedgehog/fab-1";

function managedVpc(i: number): string {
  const name = `vpc-${String(i).padStart(4, "0")}`;
  return [
    "apiVersion: vpc.githedgehog.com/v1beta1",
    "kind: VPC",
    "metadata:",
    `  name: ${name}`,
    "  namespace: default",
    "  labels:",
    "    fabric.githedgehog.com/team: network",
    "spec:",
    "  ipv4Namespace: default",
    "  vlanNamespace: default",
    "  subnets:",
    "    default:",
    `      subnet: 10.${Math.floor(i / 250)}.${i % 250}.0/24`,
    `      gateway: 10.${Math.floor(i / 250)}.${i % 250}.1`,
    `      vlan: ${1000 + i}`,
    "",
  ].join("\n");
}

function cost(sim: GitHubSim) {
  const byRoute: Record<string, number> = {};
  for (const request of sim.requests) {
    const key = `${request.method} ${request.route} ${request.status}`;
    byRoute[key] = (byRoute[key] ?? 0) + 1;
  }
  return {
    apiRequests: sim.requests.filter((request) => request.api).length,
    httpRequests: sim.requests.length,
    quotaUsed: sim.requests.filter((request) => request.quotaUsed).length,
    byRoute,
  };
}

export default async () => {
  const repos = new TempRepos();
  const sim = await startGitHubSim({ token: TOKEN });
  try {
    const gitdir = await repos.bare("main");
    const seed: Record<string, string> = { "README.md": "# network\n", [`${DIR}/managed/README.md`]: "managed\n" };
    for (let i = 0; i < 100; i++) seed[`${DIR}/raw/batch-${String(i).padStart(3, "0")}.yaml`] = managedVpc(5000 + i);
    await repos.seed(gitdir, "main", seed);
    sim.addRepository({ owner: "acme", repo: "network", gitdir });
    const provider = await createGitProvider(
      { provider: "github", owner: "acme", repo: "network", apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main", directory: DIR },
      { secrets: localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN }), ...LOCAL_GIT_TRUST },
    );

    // (a) plan and make one ingest commit
    sim.resetLog();
    const started = performance.now();
    const head = await provider.head("main");
    if (!head) throw new Error("the seeded branch is missing");
    const entries = await provider.readTree(head.sha, DIR);
    const raw = entries.filter((entry) => entry.path.startsWith(`${DIR}/raw/`));
    const contents = await provider.readBlobs(raw.map((entry) => entry.sha));
    const changes: FileChange[] = raw.map((entry) => ({ path: entry.path, content: null }));
    for (let i = 0; i < 1000; i++) changes.push({ path: `${DIR}/managed/vpcs/vpc-${String(i).padStart(4, "0")}.yaml`, content: managedVpc(i) });
    const sha = await provider.commit({ parent: head.sha, branch: "main", changes, message: "Ingest: 100 raw files removed, 1000 managed files added" });
    const commitCost = { ...cost(sim), durationMs: Math.round(performance.now() - started) };
    const files = await lsTree(gitdir, sha);
    if ((await branchSha(gitdir, "main")) !== sha || files.size !== 1002 || contents.size !== 100) throw new Error("the commit did not land as planned");

    // (b) head checks: the first after our own commit learns the ETag; an unchanged one after that is free
    sim.resetLog();
    await provider.head("main");
    const afterOwnCommit = cost(sim);
    sim.resetLog();
    const unchanged = await provider.head("main");
    const unchangedCost = cost(sim);

    const bulkReads = await measureBulkReads(repos, sim);
    return {
      bulkReads,
      commitDeleting100RawAdding1000Managed: {
        goal: "<= 8 requests",
        ...commitCost,
        rawFilesRead: contents.size,
        filesInCommit: files.size,
        note: "httpRequests also counts the archive download behind the tarball redirect (codeload, not the REST API); durationMs includes GitHub's requested 1 s between writes",
      },
      unchangedHeadCheck: { goal: "1 request, 0 quota", changed: unchanged?.changed, ...unchangedCost },
      firstHeadCheckAfterOwnCommit: afterOwnCommit,
    };
  } finally {
    await sim.close();
    await repos.removeAll();
  }
};

/** Reads `wanted` of a fresh repository holding `files`, once per path, each with a cold cache. */
async function measureBulkReads(repos: TempRepos, sim: GitHubSim) {
  const scenarios = [
    { name: "200 files, nothing else in the repository", wanted: 200, other: 0 },
    { name: "200 files in a repository ten times larger", wanted: 200, other: 1_800 },
    { name: "50 files in a repository ten times larger", wanted: 50, other: 450 },
    { name: "5,000 files, nothing else in the repository", wanted: 5_000, other: 0 },
  ];
  const out: Record<string, unknown> = {};
  for (const scenario of scenarios) {
    const files: Record<string, string> = {};
    for (let i = 0; i < scenario.wanted; i++) files[`${DIR}/managed/vpcs/vpc-${String(i).padStart(4, "0")}.yaml`] = managedVpc(i);
    for (let i = 0; i < scenario.other; i++) files[`elsewhere/vpc-${String(i).padStart(4, "0")}.yaml`] = managedVpc(10_000 + i);
    const gitdir = await repos.bare("main");
    const head = await repos.seed(gitdir, "main", files);
    const repo = `reads-${scenario.wanted}-${scenario.other}`;
    sim.addRepository({ owner: "acme", repo, gitdir });
    const row: Record<string, unknown> = {};
    for (const [path, limits] of [
      ["tarball", { tarballMaxOverfetch: Number.POSITIVE_INFINITY }],
      ["graphql", { tarballMaxBytes: 0 }],
      ["provider's choice", {}],
    ] as const) {
      const provider = await createGitProvider(
        { provider: "github", owner: "acme", repo, apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
        { secrets: localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN }), ...LOCAL_GIT_TRUST, github: { spaceWrites: false, limits } },
      );
      const entries = await provider.readTree(head, DIR);
      sim.resetLog();
      const started = performance.now();
      const blobs = await provider.readBlobs(entries.map((entry) => entry.sha));
      const ms = Math.round(performance.now() - started);
      if (blobs.size !== scenario.wanted) throw new Error(`read ${blobs.size} of ${scenario.wanted} blobs`);
      row[path] = {
        ms,
        apiRequests: sim.requests.filter((r) => r.api).length,
        httpRequests: sim.requests.length,
        bytesReceived: sim.requests.reduce((sum, r) => sum + (r.responseBytes ?? 0), 0),
        byRoute: cost(sim).byRoute,
        // plugin-throttling sends GraphQL requests through its write limiter: one a second in production.
        ...(path === "graphql" ? { productionSpacingMs: Math.max(0, sim.requests.length - 1) * 1000 } : {}),
      };
    }
    out[scenario.name] = row;
  }
  return out;
}

// A fabric on the simulated GitHub with GitHub's limits on, end to end on the local stack: a run that
// meets GitHub's secondary rate limit (403, retry-after: 1 s of real time) waits it out and succeeds.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GITHUB_LIMITS, startGitHubSim, type GitHubSim } from "../../infra/local/github-sim/index.js";
import { wiring } from "../../infra/wiring.js";
import { rawServerFiles } from "../support/generated-resources.js";
import { startTestStack, waitForRun, waitForRunResult, type TestStack } from "../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../support/seed-repo.js";

const DIR = "gitops/hedgehog/limited";

describe("a run against GitHub's limits", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let github: GitHubSim;

  beforeAll(async () => {
    repo = seedRepository(rawServerFiles(DIR, 1_200, 600));
    const token = randomBytes(12).toString("hex");
    process.env.HH_GITOPS_SECRET_LIMITS_GITHUB_TOKEN = token;
    github = await startGitHubSim({ token, limits: GITHUB_LIMITS, repos: [{ owner: "acme", repo: "limited", gitdir: repo.bare }] });
    // The real queues' visibility timeout: the stage waits a second in GitHub's limit, and a 2-second
    // test visibility would hand its message to a second consumer meanwhile.
    stack = await startTestStack({ wiring });
  });
  afterAll(async () => {
    await stack?.close();
    await github?.close();
    repo?.cleanup();
  });

  it("waits out a secondary-limit 403 and ingests 1,200 documents in one commit", async () => {
    const registered = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "limited", git: { provider: "github", owner: "acme", repo: "limited", apiUrl: github.url, credentials: "env:HH_GITOPS_SECRET_LIMITS_GITHUB_TOKEN", directory: DIR } },
    });
    expect(registered.status).toBe(201);
    expect((await waitForRun(stack, "limited", registered.body.initRun.runId)).status).toBe("succeeded");

    github.resetLog();
    github.injectFault({ kind: "secondary-rate-limit", retryAfterSeconds: 1, match: { method: "POST", route: "/repos/{owner}/{repo}/git/commits" } });
    const sync = await stack.api("/fabrics/limited/sync", { method: "POST" });
    // The run's result on the synced commit (a commit status: token credentials) is published just after its end.
    const run = await waitForRunResult(stack, "limited", sync.body.runId);
    expect(run.status).toBe("succeeded");
    expect(run.stages.ingest.counts).toMatchObject({ created: 1_200, errors: 0 });
    expect(run.feedback).toMatchObject({ channel: "status", commit: run.headAfter, conclusion: "success" });

    const writes = github.requests.filter((r) => r.createsContent).map((r) => `${r.method} ${r.route} ${r.status}${r.fault ? ` ${r.fault}` : ""}`);
    expect(writes).toEqual([
      "POST /repos/{owner}/{repo}/git/trees 201",
      "POST /repos/{owner}/{repo}/git/trees 201",
      "POST /repos/{owner}/{repo}/git/commits 403 secondary-rate-limit",
      "POST /repos/{owner}/{repo}/git/commits 201",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref} 200",
      "POST /repos/{owner}/{repo}/statuses/{sha} 201",
    ]);
    // Waited as told: the retry was not early (the simulator would have refused it again).
    expect(github.requests.some((r) => r.fault === "premature-retry")).toBe(false);
    expect(repo.log()).toHaveLength(3);
    expect(repo.files(`${DIR}/managed`).filter((f) => f.endsWith(".yaml"))).toHaveLength(1_200);
  });
});

// A stage invocation's metrics line (CloudWatch EMF, lib/observability/metrics.ts) carries the GitHub
// requests answered while the stage ran and the lowest rate-limit remaining among them — whichever
// GitHub client made them (lib/git/github-traffic.ts); requests after the stage are not its own.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring as realWiring } from "../../../infra/wiring.js";
import { FabricService } from "../../../lib/api/fabrics.js";
import { trustPolicy } from "../../../lib/config/index.js";
import { countGitHubAnswer } from "../../../lib/git/index.js";
import { workerRuntime as runtime } from "../../../lib/pipeline/connectors.js";
import { runStage, type StageRunnerDeps } from "../../../lib/pipeline/stage-runner.js";
import { startTestStack, type TestStack } from "../../support/local-stack.js";
import { seedRepository, type SeededRepository } from "../../support/seed-repo.js";

const queuesOnly = defineWiring({ functions: {}, routes: [], queues: realWiring.queues, consumers: [], schedules: [] });
const CLOCK = () => new Date("2026-11-22T12:00:00Z");

describe("stage metrics: GitHub traffic", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  beforeAll(async () => {
    stack = await startTestStack({ wiring: queuesOnly });
    repo = seedRepository({ "gitops/hedgehog/gh-metrics/raw/.keep": "" });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await stack.close();
    repo.cleanup();
  });

  it("reports GitHubRequests and GitHubRateLimitRemaining of the requests made during the stage", async () => {
    const rt = runtime();
    await new FabricService(rt.fabrics, trustPolicy(rt.settings)).register({ name: "gh-metrics", git: { provider: "git", url: repo.bare } }, CLOCK());
    const { runId } = await rt.runService.start({ fabricId: "gh-metrics", kind: "ingest", trigger: "api", now: CLOCK() });
    countGitHubAnswer(new Headers({ "x-ratelimit-remaining": "3" })); // before the stage: not its own
    const deps: StageRunnerDeps = {
      ...rt,
      clock: CLOCK,
      stages: {
        ingest: async () => {
          countGitHubAnswer(new Headers({ "x-ratelimit-remaining": "4990" }));
          countGitHubAnswer(new Headers({ "x-ratelimit-remaining": "4987" }));
          countGitHubAnswer(new Headers());
          return { counts: {} };
        },
      },
    };
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    await runStage({ message: { v: 1, fabricId: "gh-metrics", runId, stage: "ingest" }, receiveCount: 1, maxReceiveCount: 5, remainingTimeMs: () => 60_000 }, deps);
    vi.restoreAllMocks();
    vi.unstubAllEnvs();

    const emitted = lines.flatMap((l) => l.split("\n")).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    const stageLine = emitted.find((l) => l.stage === "ingest");
    expect(stageLine).toMatchObject({ outcome: "succeeded", GitHubRequests: 3, GitHubRateLimitRemaining: 4987 });
    expect((await rt.runs.get("gh-metrics", runId))!.status).toBe("succeeded");
  });
});
